import { type WorkloadKey } from './keys';
import { isCallbackKey } from './key-format';

/**
 * Workflow IDs are the executor's keys. A task workflow's ID comes from the task instance key, so
 * submitting the same try twice attaches to the first run; an adopted task's tracker's ID comes
 * from the ECS task ARN, so adopting twice attaches to the tracker already running. Prefixes tell
 * the kinds apart in a list. Both clients (TypeScript and Python) must build the same IDs: the
 * test vectors in contract/ pin them.
 */

/** Temporal's default limit on workflow IDs (frontend `limit.maxIDLength`). */
export const MAX_WORKFLOW_ID_LENGTH = 1000;

export const WORKFLOW_ID_PREFIX = {
  task: 'airflow-task/',
  callback: 'airflow-callback/',
  adopted: 'ecs-task/',
  observer: 'ecs-observer/',
  probe: 'ecs-executor-probe/',
  lookup: 'ecs-lookup/',
} as const;

/**
 * Parts are joined with `/`, so a `/` inside a part is written `%2F` and `%` itself `%25`; nothing
 * else is escaped, which keeps run IDs like `manual__2026-12-01T08:05:30+00:00` readable.
 */
function part(value: string): string {
  return value.replace(/%/g, '%25').replace(/\//g, '%2F');
}

/** `airflow-task/<dag>/<task>/<run>/<map index>/<try>` or `airflow-callback/<uuid>`. */
export function taskWorkflowId(key: WorkloadKey): string {
  if (isCallbackKey(key)) return `${WORKFLOW_ID_PREFIX.callback}${part(key.callbackId)}`;
  return `${WORKFLOW_ID_PREFIX.task}${[key.dagId, key.taskId, key.runId].map(part).join('/')}/${key.mapIndex}/${key.tryNumber}`;
}

/** The tracker of an adopted ECS task: `ecs-task/<task ARN>` (the ARN is the last part, unescaped). */
export function adoptedTaskWorkflowId(taskArn: string): string {
  return `${WORKFLOW_ID_PREFIX.adopted}${taskArn}`;
}

/** The one observer of a cluster for the workers of a task queue. */
export function observerWorkflowId(taskQueue: string, cluster: string): string {
  return `${WORKFLOW_ID_PREFIX.observer}${part(taskQueue)}/${part(cluster)}`;
}
