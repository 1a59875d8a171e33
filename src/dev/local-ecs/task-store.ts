import type { LocalTask } from './task-model';

/** What RunTask answered for a clientToken, to replay it (ECS_Idempotency). */
interface IdempotencyRecord {
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
 * them MISSING. Forgetting happens lazily on each read, so no timer outlives the endpoint, and
 * costs nothing when nothing is due: tasks stop in time order, so the oldest stopped one is always
 * at the head of a queue (the same holds for tokens by creation time).
 */
export class TaskStore {
  private readonly tasks = new Map<string, LocalTask>();
  private readonly tokens = new Map<string, IdempotencyRecord>();
  private readonly stoppedQueue = new FifoQueue<LocalTask>();
  private readonly tokenQueue = new FifoQueue<[string, IdempotencyRecord]>();

  constructor(
    private readonly retentionMs: number,
    private readonly onForget: (task: LocalTask) => void,
  ) {}

  add(task: LocalTask): void {
    this.tasks.set(task.id, task);
  }

  /** The lifecycle reports each task once, as it reaches STOPPED. */
  stopped(task: LocalTask): void {
    this.stoppedQueue.push(task);
  }

  /** A task the API can see: in this cluster, not expired, not vanished. */
  find(clusterName: string, taskId: string): LocalTask | undefined {
    this.forgetExpired();
    const task = this.tasks.get(taskId);
    return task && task.clusterName === clusterName && isVisible(task) ? task : undefined;
  }

  /** Visible tasks of a cluster in launch order. */
  list(clusterName: string): LocalTask[] {
    this.forgetExpired();
    const found: LocalTask[] = [];
    for (const task of this.tasks.values()) if (task.clusterName === clusterName && isVisible(task)) found.push(task);
    return found;
  }

  /** Every retained task in launch order, visible or not (for records and log lookups). */
  all(): LocalTask[] {
    this.forgetExpired();
    return [...this.tasks.values()];
  }

  /** By ID regardless of cluster or visibility. */
  get(taskId: string): LocalTask | undefined {
    return this.tasks.get(taskId);
  }

  token(clusterArn: string, clientToken: string): IdempotencyRecord | undefined {
    this.forgetExpired();
    const record = this.tokens.get(tokenKey(clusterArn, clientToken));
    return record && !this.tokenExpired(record, Date.now()) ? record : undefined;
  }

  rememberToken(clusterArn: string, clientToken: string, record: IdempotencyRecord): void {
    const key = tokenKey(clusterArn, clientToken);
    this.tokens.set(key, record);
    this.tokenQueue.push([key, record]);
  }

  /** Drops tasks past their retention and tokens past their lifetime. */
  forgetExpired(): void {
    const now = Date.now();
    for (let task = this.stoppedQueue.peek(); task !== undefined; task = this.stoppedQueue.peek()) {
      if (now - (task.stoppedAt as Date).getTime() < this.retentionMs) break;
      this.stoppedQueue.shift();
      this.tasks.delete(task.id);
      this.onForget(task);
    }
    // A token that is not yet due holds back later ones; they go on a later read. Lookups check
    // each token's own expiry, so this only delays freeing memory.
    for (let entry = this.tokenQueue.peek(); entry !== undefined; entry = this.tokenQueue.peek()) {
      const [key, record] = entry;
      if (!this.tokenExpired(record, now)) break;
      this.tokenQueue.shift();
      if (this.tokens.get(key) === record) this.tokens.delete(key);
    }
  }

  /** ECS: the resource lifetime + 1 h, at most 24 h; here, while any of its tasks is retained. */
  private tokenExpired(record: IdempotencyRecord, now: number): boolean {
    if (now - record.createdAt >= TOKEN_MAX_TTL_MS) return true;
    return now - record.createdAt >= this.retentionMs && record.taskIds.every((id) => !this.tasks.has(id));
  }
}

/** An array queue with a moving head, compacted now and then, so shift() is O(1). */
class FifoQueue<T> {
  private items: T[] = [];
  private head = 0;

  push(item: T): void {
    this.items.push(item);
  }

  peek(): T | undefined {
    return this.head < this.items.length ? this.items[this.head] : undefined;
  }

  shift(): void {
    this.head += 1;
    if (this.head >= 1024 && this.head * 2 >= this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
  }
}

const tokenKey = (clusterArn: string, clientToken: string): string => `${clusterArn}\n${clientToken}`;

const isVisible = (task: LocalTask): boolean => task.vanishesAt === undefined || Date.now() < task.vanishesAt;
