import { defineSearchAttributeKey, SearchAttributeType, type SearchAttributePair } from '@temporalio/common';
import { type WorkloadKey } from './keys';
import { isCallbackKey } from './key-format';

/**
 * Our search attributes, defined once for workflows, clients and the dev server. Search attributes
 * are never encrypted: nothing secret (no command, no workload, no token) ever goes in them.
 */
export const SearchAttributes = {
  dagId: defineSearchAttributeKey('AirflowDagId', SearchAttributeType.KEYWORD),
  taskId: defineSearchAttributeKey('AirflowTaskId', SearchAttributeType.KEYWORD),
  runId: defineSearchAttributeKey('AirflowRunId', SearchAttributeType.KEYWORD),
  tryNumber: defineSearchAttributeKey('AirflowTryNumber', SearchAttributeType.INT),
  mapIndex: defineSearchAttributeKey('AirflowMapIndex', SearchAttributeType.INT),
  /** The task instance UUID (Airflow 3) or the callback UUID. */
  workloadId: defineSearchAttributeKey('AirflowWorkloadId', SearchAttributeType.KEYWORD),
  state: defineSearchAttributeKey('AirflowState', SearchAttributeType.KEYWORD),
  /** When AirflowState last changed (workflow time): sync() and the observer read changes since a watermark. */
  stateChangedAt: defineSearchAttributeKey('AirflowStateChangedAt', SearchAttributeType.DATETIME),
  /** The ECS task of the current attempt. */
  taskArn: defineSearchAttributeKey('EcsTaskArn', SearchAttributeType.KEYWORD),
  /** Every attempt's ECS task, so a task is found by any of them. */
  taskArns: defineSearchAttributeKey('EcsTaskArns', SearchAttributeType.KEYWORD_LIST),
  cluster: defineSearchAttributeKey('EcsCluster', SearchAttributeType.KEYWORD),
  executorName: defineSearchAttributeKey('EcsExecutorName', SearchAttributeType.KEYWORD),
} as const;

/** Every custom search attribute, for registering them with a server. */
export const ALL_SEARCH_ATTRIBUTES = Object.values(SearchAttributes);

/** The key as search attributes, so operators find a task by dag/task/run/try. */
export function keySearchAttributes(key: WorkloadKey): SearchAttributePair[] {
  if (isCallbackKey(key)) {
    return [
      { key: SearchAttributes.workloadId, value: key.callbackId },
      ...(key.dagId !== undefined ? [{ key: SearchAttributes.dagId, value: key.dagId }] : []),
      ...(key.runId !== undefined ? [{ key: SearchAttributes.runId, value: key.runId }] : []),
    ];
  }
  return [
    { key: SearchAttributes.dagId, value: key.dagId },
    { key: SearchAttributes.taskId, value: key.taskId },
    { key: SearchAttributes.runId, value: key.runId },
    { key: SearchAttributes.tryNumber, value: key.tryNumber },
    { key: SearchAttributes.mapIndex, value: key.mapIndex },
    ...(key.tiId !== undefined ? [{ key: SearchAttributes.workloadId, value: key.tiId }] : []),
  ];
}
