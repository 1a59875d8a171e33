import { DescribeTasksCommand, type ECSClient } from '@aws-sdk/client-ecs';
import { chunk, DESCRIBE_TASKS_MAX_ARNS, type DescribeOutcome, matchDescribeResults } from './describe';

export type { DescribeOutcome } from './describe';

export interface DescribeTasksBatcherOptions {
  /** How long a request waits for others to join its DescribeTasks call. Default 25 ms. */
  windowMs?: number;
  /** ARNs per call, and the pending count that flushes a window early. Default and maximum 100. */
  maxBatchSize?: number;
}

export interface DescribeTasksBatcherStats {
  /** `describe()` calls made by callers. */
  requests: number;
  /** DescribeTasks calls sent to ECS. */
  calls: number;
  /** ARNs sent to ECS, summed over all calls (duplicates in one window count once). */
  arns: number;
  /** DescribeTasks calls that threw. */
  failedCalls: number;
}

interface Waiter {
  resolve: (outcome: DescribeOutcome) => void;
  reject: (err: unknown) => void;
}

interface PendingWindow {
  /** Waiters per ARN: callers asking for the same ARN in one window share one slot. */
  waiters: Map<string, Waiter[]>;
  timer: NodeJS.Timeout;
}

const DEFAULT_DESCRIBE_WINDOW_MS = 25;

/**
 * Coalesces DescribeTasks requests from all concurrent waits of a worker: per cluster, requests
 * arriving within `windowMs` go out together, at most 100 ARNs per call. ECS's cluster-read
 * throttling bucket refills at 20 calls/s per account and region, so thousands of tasks polled one
 * call each would throttle; batched, they cost a few calls per poll interval.
 */
export class DescribeTasksBatcher {
  private readonly windowMs: number;
  private readonly maxBatchSize: number;
  private readonly pending = new Map<string, PendingWindow>();
  private readonly ticks = new Map<string, PendingWindow>();
  private readonly counters: DescribeTasksBatcherStats = { requests: 0, calls: 0, arns: 0, failedCalls: 0 };

  constructor(
    private readonly getClient: () => ECSClient,
    options: DescribeTasksBatcherOptions = {},
  ) {
    this.windowMs = options.windowMs ?? DEFAULT_DESCRIBE_WINDOW_MS;
    this.maxBatchSize = options.maxBatchSize ?? DESCRIBE_TASKS_MAX_ARNS;
    if (!Number.isFinite(this.windowMs) || this.windowMs < 0) {
      throw new RangeError(`DescribeTasksBatcher windowMs must be 0 or more, got ${this.windowMs}`);
    }
    if (!Number.isInteger(this.maxBatchSize) || this.maxBatchSize < 1 || this.maxBatchSize > DESCRIBE_TASKS_MAX_ARNS) {
      throw new RangeError(
        `DescribeTasksBatcher maxBatchSize must be an integer from 1 to ${DESCRIBE_TASKS_MAX_ARNS} (DescribeTasks' limit), got ${this.maxBatchSize}`,
      );
    }
  }

  /**
   * What ECS says about one task, soon (within `windowMs`): its snapshot, or its `failures[]`
   * entry (`MISSING` when the response does not mention it). Rejects with the SDK error when the
   * DescribeTasks call carrying this ARN throws; other callers are unaffected.
   */
  describe(cluster: string, taskArn: string): Promise<DescribeOutcome> {
    return this.enqueue(this.pending, cluster, cluster, taskArn, this.windowMs, true);
  }

  /**
   * The same, answered at the cluster's next poll tick. Ticks fall on multiples of
   * `pollIntervalMs` of the wall clock, so every wait of the worker polling one cluster shares
   * them: ECS sees one round of DescribeTasks (ceil(ARNs / 100) calls) per interval, however
   * many tasks are tracked and whenever their waits started.
   */
  describeAtNextPoll(cluster: string, taskArn: string, pollIntervalMs: number): Promise<DescribeOutcome> {
    const delay = pollIntervalMs - (Date.now() % pollIntervalMs);
    return this.enqueue(this.ticks, `${cluster}\u0000${pollIntervalMs}`, cluster, taskArn, delay, false);
  }

  stats(): DescribeTasksBatcherStats {
    return { ...this.counters };
  }

  private enqueue(
    rounds: Map<string, PendingWindow>,
    roundKey: string,
    cluster: string,
    taskArn: string,
    delayMs: number,
    flushWhenFull: boolean,
  ): Promise<DescribeOutcome> {
    this.counters.requests += 1;
    let window = rounds.get(roundKey);
    if (window === undefined) {
      const created: PendingWindow = {
        waiters: new Map(),
        timer: setTimeout(() => this.flush(rounds, roundKey, cluster, created), delayMs),
      };
      rounds.set(roundKey, created);
      window = created;
    }
    const waiters = window.waiters;
    const result = new Promise<DescribeOutcome>((resolve, reject) => {
      const existing = waiters.get(taskArn);
      if (existing !== undefined) existing.push({ resolve, reject });
      else waiters.set(taskArn, [{ resolve, reject }]);
    });
    // Early flushes serve callers in a hurry; a tick round waits for its tick, however large.
    if (flushWhenFull && waiters.size >= this.maxBatchSize) this.flush(rounds, roundKey, cluster, window);
    return result;
  }

  private flush(rounds: Map<string, PendingWindow>, roundKey: string, cluster: string, window: PendingWindow): void {
    // The timer of a window already flushed early may still fire: only flush the current one.
    if (rounds.get(roundKey) !== window) return;
    rounds.delete(roundKey);
    clearTimeout(window.timer);
    for (const arns of chunk([...window.waiters.keys()], this.maxBatchSize)) {
      void this.send(cluster, arns, window.waiters);
    }
  }

  private async send(cluster: string, arns: string[], waiters: Map<string, Waiter[]>): Promise<void> {
    this.counters.calls += 1;
    this.counters.arns += arns.length;
    try {
      const output = await this.getClient().send(new DescribeTasksCommand({ cluster, tasks: arns }));
      for (const [arn, outcome] of matchDescribeResults(arns, output)) {
        for (const waiter of waiters.get(arn) ?? []) waiter.resolve(outcome);
      }
    } catch (err) {
      this.counters.failedCalls += 1;
      for (const arn of arns) {
        for (const waiter of waiters.get(arn) ?? []) waiter.reject(err);
      }
    }
  }
}
