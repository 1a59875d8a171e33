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
  /** What Airflow should be told: AirflowState, or FAILED for a workflow closed without a final state. */
  state?: AirflowState;
  /** The AirflowState search attribute as the workflow last set it. */
  recordedState?: string;
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
    state: airflowState(info.status.name, state),
    recordedState: state,
    stateChangedAt: sa.get(SearchAttributes.stateChangedAt),
    taskArn,
    taskArns: sa.get(SearchAttributes.taskArns) ?? (taskArn !== undefined ? [taskArn] : []),
    cluster: sa.get(SearchAttributes.cluster),
    startTime: info.startTime,
    closeTime: info.closeTime,
  };
}

/**
 * What Airflow should be told about a workflow: its AirflowState, except that a workflow closed
 * without recording a final state (a Temporal-side terminate or timeout runs none of our code) is
 * FAILED, so a list never shows a closed task as RUNNING.
 */
function airflowState(status: string, recorded: string | undefined): AirflowState | undefined {
  const known = (AIRFLOW_STATES as readonly string[]).includes(recorded ?? '') ? (recorded as AirflowState) : undefined;
  if (status === 'RUNNING' || status === 'CONTINUED_AS_NEW') return known;
  return known === 'SUCCESS' || known === 'FAILED' ? known : 'FAILED';
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
