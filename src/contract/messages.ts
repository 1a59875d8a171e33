import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { AirflowState, EcsTaskSnapshot } from '../types';
import type { WorkloadKey } from './keys';

/**
 * Signals and queries, and the shapes they and the workflow results carry: defined once for the
 * workflows and both clients. Workflow-safe, and zod-free (see key-format.ts for why).
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

/** What one StopTask did. */
export interface StopRecord {
  requestedAt: string;
  reason: string;
  outcome: 'accepted' | 'refused' | 'notFound' | 'pending';
  detail?: string;
}

/** What one launch attempt did: ARN and ECS lifecycle if it launched, the reasons if not. */
export interface AttemptRecord {
  attempt: number;
  /** When the attempt began (workflow time). */
  at: string;
  taskArn?: string;
  cluster?: string;
  lastStatus?: string;
  desiredStatus?: string;
  /** When the statuses above were learnt (workflow time): at launch, or when the observer last told. */
  observedAt?: string;
  startedAt?: string;
  stoppedAt?: string;
  stopCode?: string;
  stoppedReason?: string;
  containers: { name?: string; exitCode?: number; reason?: string }[];
  outcome?: AirflowState | 'LAUNCH_FAILED' | 'MISSING' | 'TERMINATED';
  reasons: string[];
  /** Where the task's own output is (a CloudWatch Logs group and stream, or the local endpoint's log file). */
  logLocation?: string;
  stops: StopRecord[];
}

export type TaskPhase = 'QUEUED' | 'LAUNCHING' | 'RUNNING' | 'WAITING_TO_RETRY' | 'TERMINATING' | 'DONE';

export interface AirflowTaskStatus {
  key: WorkloadKey;
  /** True for a tracker of an adopted ECS task (no RunTask of its own, no relaunch). */
  adopted: boolean;
  phase: TaskPhase;
  state: AirflowState;
  cluster?: string;
  attempt: number;
  maxAttempts?: number;
  taskArn?: string;
  lastStatus?: string;
  terminateRequested: boolean;
  terminateReason?: string;
  nextAttemptAt?: string;
  attempts: AttemptRecord[];
  events: TaskEvent[];
}

/**
 * How a task workflow ended. A SUCCESS is the workflow's result; a FAILED task fails the workflow
 * with an `AirflowTaskFailed` ApplicationFailure whose first detail is this same object, so
 * everything an attempt did stays readable after the workflow closed, without a worker.
 */
export interface AirflowTaskResult {
  key: WorkloadKey;
  state: Extract<AirflowState, 'SUCCESS' | 'FAILED'>;
  terminated: boolean;
  taskArn?: string;
  attempts: number;
  reason: string;
  status: AirflowTaskStatus;
}

export const statusQuery = defineQuery<AirflowTaskStatus>('status');

/**
 * What a cluster's observer tells a tracking workflow: the ECS task is RUNNING (sent once), has
 * FINISHED (Airflow's outcome is decided), or is MISSING (DescribeTasks no longer knows it).
 * Internal: workflows validate every one (parseObservation: its shape, and the ARN they track) and
 * ignore anything else, so an operator sending it by hand from the UI cannot corrupt a task's state.
 */
export interface EcsObservation {
  taskArn: string;
  kind: 'RUNNING' | 'FINISHED' | 'MISSING';
  task?: EcsTaskSnapshot;
  reason?: string;
}

export const ecsObservationSignal = defineSignal<[EcsObservation]>('ecsObservation');
