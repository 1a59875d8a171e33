import type { CallbackKey, WorkloadKey, WorkloadKeyInput } from './keys';

/**
 * Reading and printing keys. Workflow code imports this module: no Node APIs, and no zod (a
 * workflow's modules are initialised for every workflow, so a schema library there costs each
 * task tens of milliseconds).
 */

export function isCallbackKey(key: WorkloadKey | WorkloadKeyInput): key is CallbackKey {
  return 'callbackId' in key;
}

/** The key as Airflow prints it, so messages read like the original executor's. */
export function formatKey(key: WorkloadKey): string {
  if (isCallbackKey(key)) return `CallbackKey(id='${key.callbackId}')`;
  return `TaskInstanceKey(dag_id='${key.dagId}', task_id='${key.taskId}', run_id='${key.runId}', try_number=${key.tryNumber}, map_index=${key.mapIndex})`;
}

/** A short label for summaries and lists: `dag.task[3] try 2`, `callback 0b7c…`. */
export function shortKey(key: WorkloadKey): string {
  if (isCallbackKey(key)) return `callback ${key.callbackId}`;
  const mapped = key.mapIndex >= 0 ? `[${key.mapIndex}]` : '';
  return `${key.dagId}.${key.taskId}${mapped} try ${key.tryNumber}`;
}
