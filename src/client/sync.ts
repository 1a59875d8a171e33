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
 * The changes sync() reports: one visibility query per call, whose cost grows with what changed,
 * not with how many tasks exist. The watermark is kept in the server's time (the workflows'
 * AirflowStateChangedAt and close times), never the scheduler's clock, and every read overlaps the
 * last by the lag allowance, de-duplicated, so that no change is missed or reported twice.
 */
export class StateChangeFeed {
  private watermark?: number;
  private readonly reported = new Map<string, { fingerprint: string; at: number }>();
  private lastDeepAt = Date.now();
  private clockOffsetMs = 0;

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
    const deep = Date.now() - this.lastDeepAt >= (this.options.deepEveryMs ?? 5 * 60_000);
    const lag = deep ? (this.options.deepLagMs ?? 5 * 60_000) : this.options.lagMs;
    const since = this.watermark !== undefined ? this.watermark - lag : Date.now() + this.clockOffsetMs - lookback;
    const events: TaskStateEvent[] = [];
    let newest = this.watermark ?? Number.NEGATIVE_INFINITY;
    for await (const info of this.client.workflow.list({ query: changedSinceQuery(this.executorName, new Date(since)), pageSize: 1000 })) {
      const summary = summarize(info);
      const at = Math.max(summary.stateChangedAt?.getTime() ?? 0, summary.closeTime?.getTime() ?? 0);
      newest = Math.max(newest, at);
      // A run that continued as new is not the end of the task: its successor reports.
      if (summary.status === 'CONTINUED_AS_NEW') continue;
      const fingerprint = `${summary.state ?? ''}|${summary.taskArn ?? ''}`;
      if (this.reported.get(info.workflowId)?.fingerprint === fingerprint) continue;
      const event = await this.eventFor(summary);
      if (event === undefined) continue;
      this.reported.set(info.workflowId, { fingerprint, at });
      events.push(event);
    }
    if (deep) this.lastDeepAt = Date.now();
    if (newest > Number.NEGATIVE_INFINITY) this.watermark = newest;
    // What fell out of every future window cannot be listed again: forget it.
    const horizon = (this.watermark ?? since) - Math.max(lag, this.options.deepLagMs ?? 5 * 60_000);
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
