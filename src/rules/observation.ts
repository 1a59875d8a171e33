import type { EcsTaskSnapshot } from '../types';
import { ecsTaskToAirflowState } from './ecs-task-state';

/**
 * What a cluster's observer tells a tracking workflow after one DescribeTasks answer about its
 * task, and only when Airflow cares: the task became RUNNING (once), its outcome is decided, or
 * ECS no longer knows it. Every other ECS status (PROVISIONING, PENDING, DEACTIVATING, STOPPING,
 * DEPROVISIONING) wakes nobody. Pure: the observer keeps `TrackedTask` per ARN.
 */

/**
 * DescribeTasks is eventually consistent: right after RunTask it may not know the task yet. Until
 * DescribeTasks has seen the task once, MISSING within this long of tracking means "ask again".
 */
export const MISSING_GRACE_MS = 60_000;

export interface TrackedTask {
  /** When the workflow started tracking this ARN (its AirflowStateChangedAt), epoch ms. */
  trackedSinceMs: number;
  /** DescribeTasks has reported the task at least once. */
  seen: boolean;
  /** The ECS RUNNING observation was already sent. */
  runningSent: boolean;
}

export type DescribeAnswer = { task: EcsTaskSnapshot } | { failure: { reason: string; detail?: string } };

export type ObservationDecision =
  | { send: 'RUNNING'; task: EcsTaskSnapshot }
  | { send: 'FINISHED'; task: EcsTaskSnapshot }
  | { send: 'MISSING'; reason: string }
  | { send: undefined };

/** Decided for Airflow: its state mapping says SUCCESS, FAILED or REMOVED, or ECS says STOPPED. */
export function isFinished(task: EcsTaskSnapshot): boolean {
  const state = ecsTaskToAirflowState(task);
  return state === 'SUCCESS' || state === 'FAILED' || state === 'REMOVED' || task.lastStatus === 'STOPPED';
}

export function decideObservation(tracked: TrackedTask, answer: DescribeAnswer, nowMs: number): ObservationDecision {
  if ('failure' in answer) {
    if (!tracked.seen && nowMs - tracked.trackedSinceMs < MISSING_GRACE_MS) return { send: undefined };
    const { reason, detail } = answer.failure;
    return { send: 'MISSING', reason: detail !== undefined ? `${reason}: ${detail}` : reason };
  }
  const { task } = answer;
  if (isFinished(task)) return { send: 'FINISHED', task };
  if (task.lastStatus === 'RUNNING' && !tracked.runningSent) return { send: 'RUNNING', task };
  return { send: undefined };
}
