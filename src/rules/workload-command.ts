import { InvalidTaskCommandError } from '../errors';
import type { JsonObject } from '../types';
import { findTooDeep, isJsonObject } from './json';

/**
 * The command an Airflow 3 workload runs in its container. Workflow-safe: no imports besides
 * types, the error vocabulary and the JSON helpers.
 */

const EXECUTE_WORKLOAD_COMMAND = ['python', '-m', 'airflow.sdk.execution_time.execute_workload', '--json-string'] as const;

/** The workload types Airflow's EcsExecutor.execute_async runs (ExecuteCallback since Airflow 3.3). */
const RUNNABLE_WORKLOAD_TYPES = ['ExecuteTask', 'ExecuteCallback'] as const;

/** Far more than a real workload has (about 4 levels); a guard for the recursive JSON.stringify. */
const MAX_WORKLOAD_DEPTH = 64;

/**
 * `python -m airflow.sdk.execution_time.execute_workload --json-string <workload JSON>`.
 * A string workload is passed on exactly as given (after checking it is a JSON object), so
 * numbers JSON.parse would round (large integers) reach Airflow unchanged. Any workload whose
 * `type` is not ExecuteTask or ExecuteCallback (RunTrigger, TestConnection...) is rejected with
 * Airflow's message: it is not something an executor runs.
 */
export function workloadCommand(workload: string | JsonObject): string[] {
  if (typeof workload !== 'string') {
    const tooDeep = findTooDeep(workload, MAX_WORKLOAD_DEPTH);
    if (tooDeep) throw new InvalidTaskCommandError(`The workload is nested too deeply, at ${tooDeep}: expected Airflow's workload JSON`);
    requireRunnableType(workload);
    return [...EXECUTE_WORKLOAD_COMMAND, JSON.stringify(workload)];
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(workload);
  } catch (err) {
    throw new InvalidTaskCommandError(`The workload is not valid JSON (${(err as Error).message}): expected a JSON object, got ${preview(workload)}`);
  }
  if (!isJsonObject(parsed)) {
    throw new InvalidTaskCommandError(`The workload must be a JSON object (Airflow's ExecuteTask workload), got ${preview(workload)}`);
  }
  requireRunnableType(parsed);
  return [...EXECUTE_WORKLOAD_COMMAND, workload];
}

function requireRunnableType(workload: JsonObject): void {
  const type = workload.type;
  if (typeof type === 'string' && (RUNNABLE_WORKLOAD_TYPES as readonly string[]).includes(type)) return;
  const shown = type === undefined ? 'none (the workload has no "type")' : typeof type === 'string' ? type : JSON.stringify(type);
  throw new InvalidTaskCommandError(
    `EcsExecutor doesn't know how to handle workload of type: ${shown}. Only ${RUNNABLE_WORKLOAD_TYPES.join(' and ')} workloads run on ECS.`,
  );
}

/** A workload carries the task's Execution API token: a message says how long it is and how it starts, never more. */
function preview(text: string): string {
  return `${text.length} characters starting ${JSON.stringify(text.slice(0, 12))}`;
}
