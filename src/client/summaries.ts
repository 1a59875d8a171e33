import type { WorkflowExecutionInfo } from '@temporalio/client';
import type { WorkloadKey } from '../contract/keys';
import { SearchAttributes } from '../contract/search-attributes';
import { AIRFLOW_STATES, type AirflowState } from '../types';

/** One task workflow as visibility shows it: what its search attributes say. */
export interface TaskSummary {
  workflowId: string;
  workflowType: string;
  /** Temporal's execution status: RUNNING, COMPLETED, FAILED, TERMINATED, TIMED_OUT, CANCELLED... */
  status: string;
  key?: WorkloadKey;
  state?: AirflowState;
  stateChangedAt?: Date;
  taskArn?: string;
  taskArns: string[];
  cluster?: string;
  startTime: Date;
  closeTime?: Date;
}

export function summarize(info: WorkflowExecutionInfo): TaskSummary {
  const sa = info.typedSearchAttributes;
  const state = sa.get(SearchAttributes.state);
  const taskArn = sa.get(SearchAttributes.taskArn);
  return {
    workflowId: info.workflowId,
    workflowType: info.type,
    status: info.status.name,
    key: keyFrom(info),
    state: (AIRFLOW_STATES as readonly string[]).includes(state ?? '') ? (state as AirflowState) : undefined,
    stateChangedAt: sa.get(SearchAttributes.stateChangedAt),
    taskArn,
    taskArns: sa.get(SearchAttributes.taskArns) ?? (taskArn !== undefined ? [taskArn] : []),
    cluster: sa.get(SearchAttributes.cluster),
    startTime: info.startTime,
    closeTime: info.closeTime,
  };
}

function keyFrom(info: WorkflowExecutionInfo): WorkloadKey | undefined {
  const sa = info.typedSearchAttributes;
  const dagId = sa.get(SearchAttributes.dagId);
  const taskId = sa.get(SearchAttributes.taskId);
  const runId = sa.get(SearchAttributes.runId);
  const tryNumber = sa.get(SearchAttributes.tryNumber);
  const workloadId = sa.get(SearchAttributes.workloadId);
  if (dagId !== undefined && taskId !== undefined && runId !== undefined && tryNumber !== undefined) {
    return { dagId, taskId, runId, tryNumber, mapIndex: sa.get(SearchAttributes.mapIndex) ?? -1, ...(workloadId !== undefined ? { tiId: workloadId } : {}) };
  }
  if (workloadId !== undefined) return { callbackId: workloadId, ...(dagId !== undefined ? { dagId } : {}), ...(runId !== undefined ? { runId } : {}) };
  return undefined;
}
