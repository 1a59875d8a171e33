import type { JsonObject } from '../types';
import { isJsonObject } from './json';

/**
 * The command an Airflow 3 workload runs in its container. Workflow-safe: no imports besides types
 * and the JSON helpers.
 */

/** A task command that cannot run: not a list of strings, or a workload that is not a JSON object. */
export class InvalidTaskCommandError extends Error {
  override readonly name = 'InvalidTaskCommand';
}

const EXECUTE_WORKLOAD_COMMAND = ['python', '-m', 'airflow.sdk.execution_time.execute_workload', '--json-string'] as const;

/**
 * `python -m airflow.sdk.execution_time.execute_workload --json-string <workload JSON>`.
 * A string workload is passed on exactly as given (after checking it is a JSON object), so
 * numbers JSON.parse would round (large integers) reach Airflow unchanged.
 */
export function workloadCommand(workload: string | JsonObject): string[] {
  if (typeof workload !== 'string') return [...EXECUTE_WORKLOAD_COMMAND, JSON.stringify(workload)];
  let parsed: unknown;
  try {
    parsed = JSON.parse(workload);
  } catch (err) {
    throw new InvalidTaskCommandError(`The workload is not valid JSON (${(err as Error).message}): expected a JSON object, got ${preview(workload)}`);
  }
  if (!isJsonObject(parsed)) {
    throw new InvalidTaskCommandError(`The workload must be a JSON object (Airflow's ExecuteTask workload), got ${preview(workload)}`);
  }
  return [...EXECUTE_WORKLOAD_COMMAND, workload];
}

function preview(text: string): string {
  return JSON.stringify(text.length > 200 ? `${text.slice(0, 200)}...` : text);
}
