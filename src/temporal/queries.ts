import { SearchAttributes } from '../contract/search-attributes';

/**
 * Every visibility query the executor sends, built here from the search-attribute keys with one
 * quoting helper: no query text is written by hand anywhere else.
 */

/** One of our search attributes, or a system attribute. */
type Key = (typeof SearchAttributes)[keyof typeof SearchAttributes] | 'TaskQueue' | 'ExecutionStatus' | 'WorkflowType' | 'WorkflowId' | 'CloseTime';

const name = (key: Key): string => (typeof key === 'string' ? key : key.name);

/** A visibility string literal: single quotes, with quotes and backslashes escaped. */
export function literal(value: string | number | Date): string {
  if (typeof value === 'number') return String(value);
  const text = value instanceof Date ? value.toISOString() : value;
  return `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

export const is = (key: Key, value: string | number): string => `${name(key)} = ${literal(value)}`;
export const atLeast = (key: Key, value: Date): string => `${name(key)} >= ${literal(value)}`;
export const oneOf = (key: Key, values: readonly (string | number)[]): string => `${name(key)} IN (${values.map(literal).join(', ')})`;
export function and(...parts: (string | undefined | false)[]): string {
  const kept = parts.filter((p): p is string => typeof p === 'string' && p.length > 0);
  return kept.length === 1 ? kept[0]! : kept.map((p) => `(${p})`).join(' AND ');
}
export const or = (...parts: string[]): string => parts.map((p) => `(${p})`).join(' OR ');

export const RUNNING = is('ExecutionStatus', 'Running');

/** Task workflows and adopted trackers of one executor (scheduler). */
export function executorScope(executorName: string): string {
  return is(SearchAttributes.executorName, executorName);
}

/** What a cluster's observer tracks: running workflows of its task queue whose ECS task is launched. */
export function trackedTasksQuery(args: { taskQueue: string; cluster: string; changedSince?: Date }): string {
  return and(
    is('TaskQueue', args.taskQueue),
    is(SearchAttributes.cluster, args.cluster),
    RUNNING,
    is(SearchAttributes.state, 'RUNNING'),
    args.changedSince !== undefined && atLeast(SearchAttributes.stateChangedAt, args.changedSince),
  );
}

/**
 * sync(): this executor's workflows whose Airflow state changed, or that closed, since the
 * watermark. Closing counts because a Temporal-side terminate or timeout runs no workflow code and
 * so sets no state: sync() reports such a task FAILED.
 */
export function changedSinceQuery(executorName: string, since: Date): string {
  // A running workflow matches any CloseTime bound in SQL visibility: the close branch must say closed.
  return and(executorScope(executorName), or(atLeast(SearchAttributes.stateChangedAt, since), and(`${name('ExecutionStatus')} != 'Running'`, atLeast('CloseTime', since))));
}

/** Workflows, running or not, that ever tracked one of these ECS tasks (any attempt). */
export function byTaskArnsQuery(taskArns: readonly string[]): string {
  return oneOf(SearchAttributes.taskArns, taskArns);
}

export interface ListFilters {
  executorName: string;
  state?: string;
  dagId?: string;
  taskId?: string;
  runId?: string;
  tryNumber?: number;
  mapIndex?: number;
  /** Any attempt's ECS task. */
  taskArn?: string;
  running?: boolean;
}

/** The CLI's `list` and the client's list(): typed filters, never query text from a user. */
export function listQuery(filters: ListFilters): string {
  return and(
    executorScope(filters.executorName),
    filters.state !== undefined && is(SearchAttributes.state, filters.state),
    filters.dagId !== undefined && is(SearchAttributes.dagId, filters.dagId),
    filters.taskId !== undefined && is(SearchAttributes.taskId, filters.taskId),
    filters.runId !== undefined && is(SearchAttributes.runId, filters.runId),
    filters.tryNumber !== undefined && is(SearchAttributes.tryNumber, filters.tryNumber),
    filters.mapIndex !== undefined && is(SearchAttributes.mapIndex, filters.mapIndex),
    filters.taskArn !== undefined && is(SearchAttributes.taskArns, filters.taskArn),
    filters.running === true && RUNNING,
  );
}
