import type { LocalTask } from './task-model';

/** What RunTask answered for a clientToken, to replay it (spec/ecs-api.md §2, Idempotency). */
export interface IdempotencyRecord {
  /** Canonical JSON of the request without its clientToken: "same parameters" means equal strings. */
  fingerprint: string;
  taskIds: string[];
  failures: Array<Record<string, string>>;
  createdAt: number;
}

/** ECS keeps a clientToken for at most 24 hours. */
const TOKEN_MAX_TTL_MS = 24 * 60 * 60 * 1000;

/**
 * Every task this endpoint launched, and the clientTokens it has seen. Stopped tasks are forgotten
 * `retentionMs` after they stopped (ECS: "at least one hour"), after which DescribeTasks reports
 * them MISSING. Forgetting happens lazily on each read, so no timer outlives the endpoint.
 */
export class TaskStore {
  private readonly tasks = new Map<string, LocalTask>();
  private readonly tokens = new Map<string, IdempotencyRecord>();

  constructor(private readonly retentionMs: number) {}

  add(task: LocalTask): void {
    this.tasks.set(task.id, task);
  }

  /** A task the API can see: in this cluster, not expired, not vanished. */
  find(clusterName: string, taskId: string): LocalTask | undefined {
    this.purge();
    const task = this.tasks.get(taskId);
    return task && task.clusterName === clusterName && isVisible(task) ? task : undefined;
  }

  /** Visible tasks of a cluster in launch order. */
  list(clusterName: string): LocalTask[] {
    this.purge();
    return [...this.tasks.values()].filter((t) => t.clusterName === clusterName && isVisible(t));
  }

  /** Every retained task, visible or not (for stats and log lookups). */
  all(): LocalTask[] {
    this.purge();
    return [...this.tasks.values()];
  }

  /** By ID regardless of cluster or visibility. */
  get(taskId: string): LocalTask | undefined {
    return this.tasks.get(taskId);
  }

  token(clusterArn: string, clientToken: string): IdempotencyRecord | undefined {
    this.purge();
    return this.tokens.get(tokenKey(clusterArn, clientToken));
  }

  rememberToken(clusterArn: string, clientToken: string, record: IdempotencyRecord): void {
    this.tokens.set(tokenKey(clusterArn, clientToken), record);
  }

  private purge(): void {
    const now = Date.now();
    for (const [id, task] of this.tasks) {
      if (task.stoppedAt && now - task.stoppedAt.getTime() >= this.retentionMs) this.tasks.delete(id);
    }
    // A token lives while any of its tasks is retained (ECS: resource lifetime + 1 h, at most 24 h).
    for (const [key, record] of this.tokens) {
      const expired =
        now - record.createdAt >= TOKEN_MAX_TTL_MS ||
        (record.taskIds.every((id) => !this.tasks.has(id)) && now - record.createdAt >= this.retentionMs);
      if (expired) this.tokens.delete(key);
    }
  }
}

const tokenKey = (clusterArn: string, clientToken: string): string => `${clusterArn}\n${clientToken}`;

const isVisible = (task: LocalTask): boolean => task.vanishesAt === undefined || Date.now() < task.vanishesAt;
