import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import type { WorkloadKey } from '../contract/keys';
import { changedSinceQuery } from '../temporal/queries';
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
 * How much of the lag window a routine read lists again. The whole allowance is listed once every
 * FULL_EVERY_MS instead of on every call: listing it on every call read each change about
 * lag ÷ sync period times (ten, at 10 s and a 1 s heartbeat), and turning those rows into
 * results was most of what sync() cost the server.
 */
export const FRESH_OVERLAP_MS = 2_000;
/**
 * How often a read lists the whole allowance again: from the watermark the last such read left,
 * minus the lag, which covers every routine read's old window since, however far the watermark
 * moved in between (visibility catching up can move it faster than the clock).
 */
export const FULL_EVERY_MS = 5_000;

/** What the feed has read, for the benchmark and for operators wondering what sync() costs. */
export interface FeedStats {
  rowsListed: number;
  /** Reads that listed the whole lag allowance (every FULL_EVERY_MS). */
  fullReads: number;
  changesReported: number;
  /**
   * Changes visibility showed more than FRESH_OVERLAP_MS behind the watermark, which only a full (or
   * deep) read lists: each was reported up to FULL_EVERY_MS later than a routine read would have.
   */
  changesShownLate: number;
  /** The furthest behind the watermark a change lay when it was reported, ms (0 if none lay behind it). */
  maxLatenessMs: number;
  /** The longest one read took, ms: a loaded server's visibility answers slowly. */
  slowestReadMs: number;
}

/**
 * The changes sync() reports, from one visibility query per call, whose cost grows with what
 * changed, not with how many tasks exist. The watermark is kept in the server's time (the
 * workflows' AirflowStateChangedAt and close times), never the scheduler's clock. Every read
 * overlaps the last by FRESH_OVERLAP_MS; every FULL_EVERY_MS one goes back to the lag allowance
 * behind the watermark the last such read left. De-duplicated, so that a change visibility shows
 * within the allowance is reported by the first full read after it shows (or sooner), and none
 * twice. A read is all or nothing: one that fails part way changes no state, so the next read
 * reports what it would have.
 */
export class StateChangeFeed {
  private watermark?: number;
  private readonly reported = new Map<string, { fingerprint: string; at: number }>();
  private lastDeepAt = Date.now();
  private lastFullAt = Number.NEGATIVE_INFINITY;
  /** The watermark the last full (or first, or deep) read left: the next full read lists from it minus the lag. */
  private fullBase?: number;
  private clockOffsetMs = 0;
  readonly stats: FeedStats = { rowsListed: 0, fullReads: 0, changesReported: 0, changesShownLate: 0, maxLatenessMs: 0, slowestReadMs: 0 };

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
    const startedAt = Date.now();
    const deep = startedAt - this.lastDeepAt >= (this.options.deepEveryMs ?? 5 * 60_000);
    const full = this.fullBase !== undefined && !deep && startedAt - this.lastFullAt >= FULL_EVERY_MS;
    let since: number;
    if (this.watermark === undefined || this.fullBase === undefined) since = startedAt + this.clockOffsetMs - lookback;
    else if (deep) since = Math.min(this.watermark - deepLag, this.fullBase - this.options.lagMs);
    else if (full) since = this.fullBase - this.options.lagMs;
    else since = this.watermark - Math.min(this.options.lagMs, FRESH_OVERLAP_MS);
    const events: TaskStateEvent[] = [];
    const reported = new Map<string, { fingerprint: string; at: number }>();
    // How far behind the watermark each reported change lay: visibility showed it that late.
    const previous = this.watermark;
    let newest = this.watermark ?? Number.NEGATIVE_INFINITY;
    let rows = 0;
    let lateness = 0;
    let shownLate = 0;
    for await (const info of this.client.workflow.list({ query: changedSinceQuery(this.executorName, new Date(since)), pageSize: 1000 })) {
      rows += 1;
      const summary = summarize(info);
      const at = Math.max(summary.stateChangedAt?.getTime() ?? 0, summary.closeTime?.getTime() ?? 0);
      newest = Math.max(newest, at);
      // A run that continued as new is not the end of the task: its successor reports.
      if (summary.status === 'CONTINUED_AS_NEW') continue;
      const fingerprint = `${summary.state ?? ''}|${summary.taskArn ?? ''}`;
      if ((reported.get(info.workflowId) ?? this.reported.get(info.workflowId))?.fingerprint === fingerprint) continue;
      const event = await this.eventFor(summary);
      if (event === undefined) continue;
      reported.set(info.workflowId, { fingerprint, at });
      events.push(event);
      if (previous !== undefined) {
        if (previous - at > FRESH_OVERLAP_MS) shownLate += 1;
        lateness = Math.max(lateness, previous - at);
      }
    }
    // Nothing above failed: commit.
    this.stats.rowsListed += rows;
    this.stats.changesReported += events.length;
    this.stats.changesShownLate += shownLate;
    this.stats.maxLatenessMs = Math.max(this.stats.maxLatenessMs, lateness);
    this.stats.slowestReadMs = Math.max(this.stats.slowestReadMs, Date.now() - startedAt);
    for (const [id, entry] of reported) this.reported.set(id, entry);
    if (deep) this.lastDeepAt = Date.now();
    if (newest > Number.NEGATIVE_INFINITY) this.watermark = newest;
    if (full || deep || this.fullBase === undefined) {
      // When it started, not when it ended: a slow read must not stretch the period.
      this.lastFullAt = startedAt;
      this.fullBase = this.watermark;
      if (full) this.stats.fullReads += 1;
    }
    // What fell out of every future window cannot be listed again: forget it.
    const watermark = this.watermark ?? since;
    const horizon = Math.min(watermark - Math.max(this.options.lagMs, deepLag), (this.fullBase ?? watermark) - this.options.lagMs);
    for (const [id, entry] of this.reported) if (entry.at < horizon) this.reported.delete(id);
    return events;
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
