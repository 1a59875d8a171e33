import { WorkflowFailedError, WorkflowNotFoundError, type Client, type WorkflowExecutionInfo, type WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import type { AirflowTaskResult, AirflowTaskStatus } from '../contract/messages';
import { statusQuery } from '../contract/messages';
import type { WorkloadKey } from '../contract/keys';
import { FailureType, NoWorkerError, NotFoundError } from '../errors';
import { listQuery, type ListFilters } from '../temporal/queries';
import { closeReason } from './sync';
import { summarize, type TaskSummary } from './summaries';

/** How long a query of a running workflow may take before we say no worker answers it. */
const QUERY_DEADLINE_MS = 5_000;

/**
 * The result of a closed task workflow, read without a worker: the SUCCESS result, or the FAILED
 * result carried in its AirflowTaskFailed failure. A workflow closed from outside (Temporal-side
 * terminate, timeout) has neither: its outcome is FAILED, with how it closed.
 */
export async function closedResult(client: Client, handle: WorkflowHandle, key: WorkloadKey): Promise<AirflowTaskResult> {
  try {
    return (await handle.result()) as AirflowTaskResult;
  } catch (err) {
    if (!(err instanceof WorkflowFailedError)) throw err;
    const cause = err.cause;
    if (cause instanceof ApplicationFailure && cause.type === FailureType.AirflowTaskFailed && cause.details?.[0] !== undefined) {
      return cause.details[0] as AirflowTaskResult;
    }
    const description = await handle.describe();
    const reason = await closeReason(client, { workflowId: handle.workflowId, status: description.status.name });
    return {
      key,
      state: 'FAILED',
      terminated: description.status.name === 'TERMINATED',
      attempts: 0,
      reason,
      status: { key, adopted: false, phase: 'DONE', state: 'FAILED', attempt: 0, terminateRequested: false, attempts: [], events: [{ at: (description.closeTime ?? new Date()).toISOString(), level: 'error', message: reason }] },
    };
  }
}

/** Says so, within seconds, when no worker polls the queue a query or a workflow needs. */
export async function assertWorkerPolls(client: Client, taskQueue: string): Promise<void> {
  const { pollers } = await client.workflowService.describeTaskQueue({
    namespace: client.options.namespace,
    taskQueue: { name: taskQueue },
    taskQueueType: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
  });
  if ((pollers ?? []).length === 0) {
    throw new NoWorkerError(
      `No worker is polling task queue "${taskQueue}" in namespace "${client.options.namespace}": start one (ecs-executor worker, with ECS_EXECUTOR_TASK_QUEUE=${taskQueue}) — until then tasks stay queued.`,
    );
  }
}

/** Every attempt and the event log: from the running workflow's query, or from a closed one's result without a worker. */
export async function readStatus(client: Client, workflowId: string, key: WorkloadKey | undefined, taskQueue: string): Promise<AirflowTaskStatus> {
  const handle = client.workflow.getHandle(workflowId);
  let description;
  try {
    description = await handle.describe();
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) throw new NotFoundError(`No workflow ${workflowId}: nothing was submitted or adopted for this key.`);
    throw err;
  }
  if (description.status.name !== 'RUNNING') {
    const known = key ?? summarize(description as unknown as WorkflowExecutionInfo).key;
    if (known === undefined) throw new NotFoundError(`Workflow ${workflowId} is not a task workflow of this executor (it has no task key).`);
    return (await closedResult(client, handle, known)).status;
  }
  await assertWorkerPolls(client, description.taskQueue ?? taskQueue);
  try {
    return await client.withDeadline(Date.now() + QUERY_DEADLINE_MS, () => handle.query(statusQuery));
  } catch (err) {
    throw new NoWorkerError(`No worker answered the status query of ${workflowId} within ${QUERY_DEADLINE_MS / 1000} s (${String(err)}): are the workers of task queue "${taskQueue}" overloaded or stopped?`);
  }
}

export async function listTasks(client: Client, filters: ListFilters, limit?: number): Promise<TaskSummary[]> {
  const rows: TaskSummary[] = [];
  if (limit !== undefined && limit <= 0) return rows;
  for await (const info of client.workflow.list({ query: listQuery(filters) })) {
    rows.push(summarize(info));
    if (limit !== undefined && rows.length >= limit) break;
  }
  return rows;
}
