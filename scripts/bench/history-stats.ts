/**
 * Temporal history events per task: fetches the history of every execution a visibility query
 * matches (or of a given list of workflow IDs) and counts events by type, per workflow type and
 * in total. These counts do not depend on the machine, so they are the benchmark's figures to
 * drive down (each event is persistence work on the server).
 *
 * With a query, every run is listed on its own (continue-as-new runs included); with a list of
 * IDs, a missing runId means the latest run only. Visibility lags behind the server by a little:
 * query after the run has settled, or pass the IDs.
 */
import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { max, median, min } from './stats';

export type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

interface ExecutionRef {
  workflowId: string;
  runId?: string;
}

export type HistorySource = { query: string } | { executions: readonly ExecutionRef[] };

export interface HistoryStatsOptions {
  /** Histories fetched at once (default 32; 20–50 suits a 2-core machine with a dev server). */
  concurrency?: number;
  /** Called after each history, with the number done so far. */
  onProgress?: (done: number) => void;
  /** Called with each fetched history, e.g. to read event times. */
  onHistory?: (execution: ExecutionRef, events: readonly HistoryEvent[]) => void;
}

/** Counts derived from the event types, for the figures the benchmark names. */
export interface DerivedCounts {
  /** WorkflowTaskScheduled: each is one workflow task (a round trip to a worker). */
  workflowTasks: number;
  /** WorkflowExecutionSignaled */
  signals: number;
  /** ActivityTaskScheduled */
  activities: number;
  /** MarkerRecorded with a local-activity marker name */
  localActivities: number;
  /** TimerStarted */
  timers: number;
  /** UpsertWorkflowSearchAttributes */
  searchAttributeUpserts: number;
  /** StartChildWorkflowExecutionInitiated */
  childWorkflows: number;
  /** WorkflowExecutionContinuedAsNew */
  continuedAsNew: number;
}

export interface EventCounts extends DerivedCounts {
  workflows: number;
  events: number;
  /** By event type, e.g. WorkflowTaskScheduled. */
  eventsByType: Record<string, number>;
  /** Events per execution: median, min and max. */
  eventsPerWorkflow: { median: number; min: number; max: number };
}

export interface HistoryStats extends EventCounts {
  byWorkflowType: Record<string, EventCounts>;
  /** Executions whose history could not be fetched (not counted above). */
  failures: { workflowId: string; runId?: string; error: string }[];
  elapsedMs: number;
}

const LOCAL_ACTIVITY_MARKERS = new Set(['core_local_activity', 'LocalActivity']);

/** `EVENT_TYPE_WORKFLOW_TASK_SCHEDULED` (or its enum number 5) → `WorkflowTaskScheduled`. */
export function eventTypeName(eventType: number | string | null | undefined): string {
  const raw = typeof eventType === 'number' ? temporal.api.enums.v1.EventType[eventType] : eventType;
  if (raw === undefined || raw === null || raw === '') return typeof eventType === 'number' ? `Unknown(${eventType})` : 'Unspecified';
  if (!raw.startsWith('EVENT_TYPE_')) return raw;
  return raw
    .slice('EVENT_TYPE_'.length)
    .toLowerCase()
    .split('_')
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join('');
}

interface Tally {
  workflows: number;
  eventsByType: Map<string, number>;
  localActivities: number;
  perWorkflow: number[];
}

const newTally = (): Tally => ({ workflows: 0, eventsByType: new Map(), localActivities: 0, perWorkflow: [] });

function addHistory(tally: Tally, events: readonly HistoryEvent[]): void {
  tally.workflows += 1;
  tally.perWorkflow.push(events.length);
  for (const event of events) {
    const name = eventTypeName(event.eventType);
    tally.eventsByType.set(name, (tally.eventsByType.get(name) ?? 0) + 1);
    const marker = event.markerRecordedEventAttributes?.markerName;
    if (marker && LOCAL_ACTIVITY_MARKERS.has(marker)) tally.localActivities += 1;
  }
}

function finish(tally: Tally): EventCounts {
  const eventsByType = Object.fromEntries([...tally.eventsByType].sort(([a], [b]) => a.localeCompare(b)));
  const count = (type: string) => eventsByType[type] ?? 0;
  const per = tally.perWorkflow;
  return {
    workflows: tally.workflows,
    events: per.reduce((a, b) => a + b, 0),
    eventsByType,
    eventsPerWorkflow: per.length === 0 ? { median: 0, min: 0, max: 0 } : { median: median(per)!, min: min(per)!, max: max(per)! },
    workflowTasks: count('WorkflowTaskScheduled'),
    signals: count('WorkflowExecutionSignaled'),
    activities: count('ActivityTaskScheduled'),
    localActivities: tally.localActivities,
    timers: count('TimerStarted'),
    searchAttributeUpserts: count('UpsertWorkflowSearchAttributes'),
    childWorkflows: count('StartChildWorkflowExecutionInitiated'),
    continuedAsNew: count('WorkflowExecutionContinuedAsNew'),
  };
}

async function* listExecutions(client: Client, source: HistorySource): AsyncGenerator<ExecutionRef & { type?: string }> {
  if ('query' in source) {
    for await (const info of client.workflow.list({ query: source.query })) yield { workflowId: info.workflowId, runId: info.runId, type: info.type };
  } else {
    yield* source.executions;
  }
}

/**
 * Fetches every matching execution's history, `concurrency` at a time, and counts its events.
 * A history that cannot be fetched is listed in `failures`; a failing visibility query throws.
 */
export async function collectHistoryStats(client: Client, source: HistorySource, options: HistoryStatsOptions = {}): Promise<HistoryStats> {
  const concurrency = options.concurrency ?? 32;
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 500) {
    throw new RangeError(`collectHistoryStats: concurrency must be an integer from 1 to 500, got ${concurrency}`);
  }
  if ('query' in source && source.query.trim() === '') {
    throw new RangeError('collectHistoryStats: the visibility query is empty; it would match every workflow in the namespace. Pass e.g. "TaskQueue = \'bench-200\'".');
  }
  const started = Date.now();
  const all = newTally();
  const byType = new Map<string, Tally>();
  const failures: HistoryStats['failures'] = [];
  let done = 0;
  // One iterator shared by the fetchers: an async generator queues concurrent next() calls.
  const executions = listExecutions(client, source);
  const fetcher = async () => {
    for (let next = await executions.next(); !next.done; next = await executions.next()) {
      const { workflowId, runId, type } = next.value;
      try {
        const history = await client.workflow.getHandle(workflowId, runId).fetchHistory();
        const events = history.events ?? [];
        const workflowType = events[0]?.workflowExecutionStartedEventAttributes?.workflowType?.name ?? type ?? 'unknown';
        addHistory(all, events);
        options.onHistory?.({ workflowId, ...(runId !== undefined ? { runId } : {}) }, events);
        let tally = byType.get(workflowType);
        if (tally === undefined) byType.set(workflowType, (tally = newTally()));
        addHistory(tally, events);
      } catch (err) {
        failures.push({ workflowId, runId, error: err instanceof Error ? `${err.name}: ${err.message}` : String(err) });
      }
      done += 1;
      options.onProgress?.(done);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, fetcher));
  return {
    ...finish(all),
    byWorkflowType: Object.fromEntries([...byType].sort(([a], [b]) => a.localeCompare(b)).map(([type, tally]) => [type, finish(tally)])),
    failures,
    elapsedMs: Date.now() - started,
  };
}

/** Counts divided by the number of tasks, for "events per task" (e.g. task workflow + observer, per task). */
export function perTask(counts: EventCounts, tasks: number): { events: number; eventsByType: Record<string, number> } & DerivedCounts {
  if (!(tasks > 0)) throw new RangeError(`perTask needs a positive number of tasks, got ${tasks}`);
  const div = (n: number) => n / tasks;
  return {
    events: div(counts.events),
    eventsByType: Object.fromEntries(Object.entries(counts.eventsByType).map(([type, n]) => [type, div(n)])),
    workflowTasks: div(counts.workflowTasks),
    signals: div(counts.signals),
    activities: div(counts.activities),
    localActivities: div(counts.localActivities),
    timers: div(counts.timers),
    searchAttributeUpserts: div(counts.searchAttributeUpserts),
    childWorkflows: div(counts.childWorkflows),
    continuedAsNew: div(counts.continuedAsNew),
  };
}
