import { defineSearchAttributeKey, SearchAttributeType, type SearchAttributePair } from '@temporalio/common';
import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { AirflowState, EcsTaskSnapshot, TaskInstanceKey } from './types';

/**
 * Signals, queries and search-attribute keys, defined once for workflows and client alike.
 * Search attributes are never encrypted: nothing secret goes in them.
 */

/** Stop the ECS task (StopTask with this reason), launch nothing more, finish as terminated. */
export const terminateSignal = defineSignal<[{ reason?: string }?]>('terminate');

export const DEFAULT_TERMINATE_REASON = 'Airflow Executor received a SIGTERM';

/** One executor-side message for the task's log (what Airflow's send_message_to_task_logs writes). */
export interface TaskEvent {
  at: string;
  level: 'info' | 'warning' | 'error';
  message: string;
}

/** What one launch attempt did: ARN and ECS lifecycle if it launched, the reasons if not. */
export interface AttemptRecord {
  attempt: number;
  taskArn?: string;
  lastStatus?: string;
  desiredStatus?: string;
  stopCode?: string;
  stoppedReason?: string;
  containers: { name?: string; exitCode?: number; reason?: string }[];
  outcome?: AirflowState | 'LAUNCH_FAILED' | 'MISSING' | 'TERMINATED';
  reasons: string[];
}

export type TaskPhase = 'QUEUED' | 'LAUNCHING' | 'RUNNING' | 'WAITING_TO_RETRY' | 'TERMINATING' | 'DONE';

export interface AirflowTaskStatus {
  key: TaskInstanceKey;
  phase: TaskPhase;
  state: AirflowState;
  cluster: string;
  attempt: number;
  maxAttempts: number;
  taskArn?: string;
  lastStatus?: string;
  terminateRequested: boolean;
  terminateReason?: string;
  nextAttemptAt?: string;
  attempts: AttemptRecord[];
  events: TaskEvent[];
}

export interface AirflowTaskResult {
  key: TaskInstanceKey;
  state: Extract<AirflowState, 'SUCCESS' | 'FAILED'>;
  terminated: boolean;
  taskArn?: string;
  attempts: number;
  reason: string;
}

export const statusQuery = defineQuery<AirflowTaskStatus>('status');

export interface EcsTaskTrackerStatus {
  taskArn: string;
  cluster: string;
  lastStatus?: string;
  task?: EcsTaskSnapshot;
  terminateRequested: boolean;
  done: boolean;
}

/** Sent by a tracker to the task workflow that started it, on every ECS status change. */
export const ecsTaskUpdateSignal = defineSignal<[EcsTaskSnapshot]>('ecsTaskUpdate');

export const trackerStatusQuery = defineQuery<EcsTaskTrackerStatus>('trackerStatus');

export const SearchAttributes = {
  dagId: defineSearchAttributeKey('AirflowDagId', SearchAttributeType.KEYWORD),
  taskId: defineSearchAttributeKey('AirflowTaskId', SearchAttributeType.KEYWORD),
  runId: defineSearchAttributeKey('AirflowRunId', SearchAttributeType.KEYWORD),
  tryNumber: defineSearchAttributeKey('AirflowTryNumber', SearchAttributeType.INT),
  mapIndex: defineSearchAttributeKey('AirflowMapIndex', SearchAttributeType.INT),
  state: defineSearchAttributeKey('AirflowState', SearchAttributeType.KEYWORD),
  taskArn: defineSearchAttributeKey('EcsTaskArn', SearchAttributeType.KEYWORD),
  cluster: defineSearchAttributeKey('EcsCluster', SearchAttributeType.KEYWORD),
  executorName: defineSearchAttributeKey('EcsExecutorName', SearchAttributeType.KEYWORD),
} as const;

/** Every custom search attribute, for registering them with a server (`--search-attribute`). */
export const ALL_SEARCH_ATTRIBUTES = Object.values(SearchAttributes);

/** The task instance key as search attributes, so operators find a task by dag/task/run/try. */
export function keySearchAttributes(key: TaskInstanceKey): SearchAttributePair[] {
  return [
    { key: SearchAttributes.dagId, value: key.dagId },
    { key: SearchAttributes.taskId, value: key.taskId },
    { key: SearchAttributes.runId, value: key.runId },
    { key: SearchAttributes.tryNumber, value: key.tryNumber },
    { key: SearchAttributes.mapIndex, value: key.mapIndex },
  ];
}
