import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import type { WorkloadKey } from '../contract/keys';
import { changedBetweenQuery, changedSinceQuery } from '../temporal/queries';
import type { AirflowState } from '../types';
import { summarize, type TaskSummary } from './summaries';

/** A state change since the last sync(), as the scheduler needs it. */
export interface TaskStateEvent {
  key: WorkloadKey;
  workflowId: string;
  state: Extract<AirflowState, 'RUNNING' | 'SUCCESS' | 'FAILED'>;
  /** The ECS task ARN: Airflow's external_executor_id. */
  externalExecutorId?: string;
  /** Why, when the workflow was closed from the Temporal side (terminated, timed out...). */
  info?: string;
}

export interface StateFeedOptions {
  /** How far back each read re-reads, to cover visibility lag (ECS_EXECUTOR_SYNC_LAG_SECONDS). */
  lagMs: number;
  /** Every so often a read goes this far back, for anything a lagging visibility store showed later still. */
  deepLagMs?: number;
  deepEveryMs?: number;
  /** How far back the first read looks, from the server's clock as start() measured it. */
  lookbackMs?: number;
}

const FINAL: ReadonlySet<string> = new Set(['SUCCESS', 'FAILED']);

/**
 * How much of the lag window each routine read lists again. The rest of the window is counted,
 * and listed only when the count differs from what the feed has seen there: listing the whole
 * window on every call read each change about lag ÷ sync period times (ten, at 10 s and a 1 s
 * heartbeat), and turning those rows into results was most of what sync() cost the server.
 */
export const FRESH_OVERLAP_MS = 2_000;

/** A run as the feed last saw it in visibility, enough to tell whether the count query matches it. */
interface SeenRun {
  changedAt?: number;
  /** Only for a closed run: SQL visibility matches a running one to any CloseTime bound. */
  closedAt?: number;
  at: number;
}

/** What the feed has read, for the benchmark and for operators wondering what sync() costs. */
export interface FeedStats {
  reads: number;
  rowsListed: number;
  counts: number;
  /** Reads whose count found rows the feed had not seen (shown late), so listed the whole window. */
  lateWindowReads: number;
}

/**
 * The changes sync() reports: one visibility listing and one count per call, whose cost grows with what changed,
 * not with how many tasks exist. The watermark is kept in the server's time (the workflows'
 * AirflowStateChangedAt and close times), never the scheduler's clock, and every read overlaps the
 * last by the lag allowance, de-duplicated, so that no change is missed or reported twice. The
 * allowance is listed only when something shows in it late (see FRESH_OVERLAP_MS). A read is all
 * or nothing: one that fails part way changes no state, so the next read reports what it would have.
 */
export class StateChangeFeed {
  private watermark?: number;
  private readonly reported = new Map<string, { fingerprint: string; at: number }>();
  /** Every run listed inside the window, reported or not, by workflow and run ID. */
  private readonly seen = new Map<string, SeenRun>();
  private lastDeepAt = Date.now();
  private clockOffsetMs = 0;
  readonly stats: FeedStats = { reads: 0, rowsListed: 0, counts: 0, lateWindowReads: 0 };

  constructor(
    private readonly client: Client,
    private readonly executorName: string,
    private readonly options: StateFeedOptions,
  ) {}

  /** The server's time at a moment of the client's, as the start-up probe measured it. */
  setServerTime(serverNow: Date, clientNow = Date.now()): void {
    this.clockOffsetMs = serverNow.getTime() - clientNow;
  }

  async read(): Promise<TaskStateEvent[]> {
    const lookback = this.options.lookbackMs ?? 10 * 60_000;
    const deepLag = this.options.deepLagMs ?? 5 * 60_000;
    const deep = Date.now() - this.lastDeepAt >= (this.options.deepEveryMs ?? 5 * 60_000);
    const lag = deep ? deepLag : this.options.lagMs;
    const pass = new ReadPass(this.seen);
    let since: number;
    if (this.watermark === undefined) {
      since = Date.now() + this.clockOffsetMs - lookback;
      await this.list(pass, since);
    } else if (deep || lag <= FRESH_OVERLAP_MS) {
      since = this.watermark - lag;
      await this.list(pass, since);
    } else {
      since = this.watermark - lag;
      const fresh = this.watermark - FRESH_OVERLAP_MS;
      await this.list(pass, fresh);
      this.stats.counts += 1;
      const { count } = await this.client.workflow.count(changedBetweenQuery(this.executorName, new Date(since), new Date(fresh)));
      if (count !== pass.seenBetween(since, fresh)) {
        this.stats.lateWindowReads += 1;
        await this.list(pass, since);
      }
    }
    // Nothing above failed: commit.
    this.stats.reads += 1;
    for (const [id, entry] of pass.reported) this.reported.set(id, entry);
    for (const [run, entry] of pass.seen) this.seen.set(run, entry);
    if (deep) this.lastDeepAt = Date.now();
    if (pass.newest > Number.NEGATIVE_INFINITY) this.watermark = Math.max(this.watermark ?? Number.NEGATIVE_INFINITY, pass.newest);
    // What fell out of every future window cannot be listed again: forget it.
    const horizon = (this.watermark ?? since) - Math.max(lag, deepLag);
    for (const [id, entry] of this.reported) if (entry.at < horizon) this.reported.delete(id);
    for (const [run, entry] of this.seen) if (entry.at < horizon) this.seen.delete(run);
    return pass.events;
  }

  /** Lists what changed since `since` into the pass: every row is seen, and a change not yet reported becomes an event. */
  private async list(pass: ReadPass, since: number): Promise<void> {
    for await (const info of this.client.workflow.list({ query: changedSinceQuery(this.executorName, new Date(since)), pageSize: 1000 })) {
      this.stats.rowsListed += 1;
      const summary = summarize(info);
      const changedAt = summary.stateChangedAt?.getTime();
      const closedAt = summary.status !== 'RUNNING' ? summary.closeTime?.getTime() : undefined;
      const at = Math.max(changedAt ?? 0, summary.closeTime?.getTime() ?? 0);
      pass.newest = Math.max(pass.newest, at);
      pass.seen.set(`${info.workflowId}/${info.runId}`, { changedAt, closedAt, at });
      // A run that continued as new is not the end of the task: its successor reports.
      if (summary.status === 'CONTINUED_AS_NEW') continue;
      const fingerprint = `${summary.state ?? ''}|${summary.taskArn ?? ''}`;
      if ((pass.reported.get(info.workflowId) ?? this.reported.get(info.workflowId))?.fingerprint === fingerprint) continue;
      const event = await this.eventFor(summary);
      if (event === undefined) continue;
      pass.reported.set(info.workflowId, { fingerprint, at });
      pass.events.push(event);
    }
  }

  private async eventFor(summary: TaskSummary): Promise<TaskStateEvent | undefined> {
    if (summary.key === undefined) return undefined;
    const base = { key: summary.key, workflowId: summary.workflowId, ...(summary.taskArn !== undefined ? { externalExecutorId: summary.taskArn } : {}) };
    if (summary.status === 'RUNNING') {
      return summary.state === 'RUNNING' ? { ...base, state: 'RUNNING' } : undefined;
    }
    if (summary.recordedState !== undefined && FINAL.has(summary.recordedState)) return { ...base, state: summary.recordedState as 'SUCCESS' | 'FAILED' };
    // Closed without recording a final state: Temporal-side terminate, timeout, or a failure of our code.
    return { ...base, state: 'FAILED', info: await closeReason(this.client, summary) };
  }
}

/** "terminated by <identity>: <reason>", "timed out", ...: the close event says how a workflow closed from outside. */
export async function closeReason(client: Client, summary: Pick<TaskSummary, 'workflowId' | 'status'>): Promise<string> {
  const fallback = `the task workflow ${summary.workflowId} closed as ${summary.status} without a final Airflow state`;
  try {
    const { history } = await client.workflowService.getWorkflowExecutionHistory({
      namespace: client.options.namespace,
      execution: { workflowId: summary.workflowId },
      historyEventFilterType: temporal.api.enums.v1.HistoryEventFilterType.HISTORY_EVENT_FILTER_TYPE_CLOSE_EVENT,
    });
    const event = history?.events?.[0];
    const terminated = event?.workflowExecutionTerminatedEventAttributes;
    if (terminated) {
      return `The task workflow ${summary.workflowId} was terminated from the Temporal side by ${terminated.identity || 'an unknown identity'}${terminated.reason ? `: ${terminated.reason}` : ''}; its ECS task, if any, is stopped by the observer's reconciliation.`;
    }
    if (event?.workflowExecutionTimedOutEventAttributes) return `The task workflow ${summary.workflowId} timed out (a Temporal workflow timeout).`;
    if (event?.workflowExecutionCanceledEventAttributes) return `The task workflow ${summary.workflowId} was cancelled.`;
    const failed = event?.workflowExecutionFailedEventAttributes?.failure;
    if (failed) return `The task workflow ${summary.workflowId} failed: ${failed.message ?? 'no message'}.`;
    return fallback;
  } catch {
    return fallback;
  }
}

/** One read's findings, committed to the feed only once the whole read succeeded. */
class ReadPass {
  readonly events: TaskStateEvent[] = [];
  readonly reported = new Map<string, { fingerprint: string; at: number }>();
  readonly seen = new Map<string, SeenRun>();
  newest = Number.NEGATIVE_INFINITY;

  constructor(private readonly committedSeen: ReadonlyMap<string, SeenRun>) {}

  /** How many runs seen so far match changedBetweenQuery(from, until), by the same rule the server applies. */
  seenBetween(from: number, until: number): number {
    const within = (t: number | undefined) => t !== undefined && t >= from && t < until;
    let n = 0;
    for (const [run, entry] of this.committedSeen) if (!this.seen.has(run) && (within(entry.changedAt) || within(entry.closedAt))) n += 1;
    for (const entry of this.seen.values()) if (within(entry.changedAt) || within(entry.closedAt)) n += 1;
    return n;
  }
}
