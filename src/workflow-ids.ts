import type { TaskInstanceKey } from './types';

/**
 * Workflow IDs are the executor's keys (workflow-safe: workflows and the client both use them).
 * The task workflow's ID comes from the task instance key, so submitting the same task twice
 * attaches to the first run; the tracker's ID comes from the ECS task ARN, so adopting a task
 * attaches to the tracker already running for it.
 */

const enc = (part: string) => encodeURIComponent(part);

export function airflowTaskWorkflowId(key: TaskInstanceKey): string {
  return `airflow-task:${enc(key.dagId)}:${enc(key.taskId)}:${enc(key.runId)}:${key.mapIndex}:${key.tryNumber}`;
}

export function ecsTaskWorkflowId(taskArn: string): string {
  return `ecs-task:${taskArn}`;
}

/** Long waits poll on their own task queue, so launches never queue behind thousands of waits. */
export function waitsTaskQueue(taskQueue: string): string {
  return `${taskQueue}-waits`;
}
