import type { EcsTaskSnapshot } from '../types';
import { ecsTaskToAirflowState } from './ecs-task-state';
import { chunk } from '../concurrency';

/**
 * What a cluster's observer tells a tracking workflow after one DescribeTasks answer about its
 * task, and only when Airflow cares: its outcome is decided, or ECS no longer knows it. Airflow
 * counts a task RUNNING from the moment RunTask accepted it (the workflow reports that itself), so
 * ECS's own RUNNING is sent only when asked (`reportEcsRunning`: it costs every task a workflow
 * task and 4 history events). Every other ECS status (PROVISIONING, PENDING, DEACTIVATING,
 * STOPPING, DEPROVISIONING) wakes nobody. Pure: the observer keeps `TrackedTask` per ARN.
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

/**
 * The observer spreads one poll interval's DescribeTasks over slices of it (every second or so),
 * each slice describing its share of the tracked tasks: every task is still described once per
 * interval, but tasks that stop together are found, and their workflows woken, a slice at a time
 * rather than in one burst that would queue their workflow tasks. Never more slices than full
 * calls of `callSize` ARNs, so ECS still sees ceil(N / callSize) calls per interval.
 */
export function pollSlices(tracked: number, pollIntervalMs: number, callSize: number): number {
  return Math.max(1, Math.min(Math.floor(tracked / callSize), Math.floor(pollIntervalMs / 1000)));
}

/**
 * One interval's DescribeTasks calls: the tracked tasks in calls of at most `callSize` ARNs, dealt
 * to the slices in turn, so an interval costs exactly ceil(N / callSize) calls whatever the slices.
 */
export function planRounds(taskArns: readonly string[], slices: number, callSize: number): string[][][] {
  const plan: string[][][] = Array.from({ length: slices }, () => []);
  chunk(taskArns, callSize).forEach((call, i) => plan[i % slices]!.push(call));
  return plan;
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

export function decideObservation(tracked: TrackedTask, answer: DescribeAnswer, nowMs: number, options: { reportEcsRunning: boolean }): ObservationDecision {
  if ('failure' in answer) {
    if (!tracked.seen && nowMs - tracked.trackedSinceMs < MISSING_GRACE_MS) return { send: undefined };
    const { reason, detail } = answer.failure;
    return { send: 'MISSING', reason: detail !== undefined ? `${reason}: ${detail}` : reason };
  }
  const { task } = answer;
  if (isFinished(task)) return { send: 'FINISHED', task };
  if (options.reportEcsRunning && task.lastStatus === 'RUNNING' && !tracked.runningSent) return { send: 'RUNNING', task };
  return { send: undefined };
}
