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
 * The observer's clock ticks every second or so (`pollTickMs`), and at each tick it describes the
 * tracked tasks that are due: each task is due one poll interval after its last DescribeTasks, so
 * no task goes longer than the interval unpolled, whoever else came and went. Tasks are described
 * in calls of `callSize` ARNs; a tick's last call is topped up with the tasks due soonest after
 * it, so calls stay full and ECS sees about ceil(N / callSize) calls per interval. Tasks that
 * stop together wake their workflows a tick's share at a time rather than in one burst.
 */
export interface PollTurn {
  taskArn: string;
  /** When the task is next to be described, epoch ms. */
  dueAtMs: number;
}

/** A whole number of ticks per interval, about one a second (one, for an interval under 2 s). */
function ticksPerInterval(pollIntervalMs: number): number {
  return Math.max(1, Math.floor(pollIntervalMs / 1000));
}

/** How long one of the observer's ticks is. */
export function pollTickMs(pollIntervalMs: number): number {
  return pollIntervalMs / ticksPerInterval(pollIntervalMs);
}

/**
 * When newly tracked tasks are first due, given when the tracked ones are (`dueAtMs`): each goes to
 * the tick of the coming interval where it adds the fewest DescribeTasks calls, the earliest such
 * tick first. So new tasks fill calls that have room, then ticks with fewer calls than others, and
 * a burst of them is spread over the interval in full calls instead of piling onto the ticks where
 * earlier tasks already are (which would wake their workflows in bursts twice the size).
 */
export function firstTurns(taskArns: readonly string[], dueAtMs: readonly number[], tickAtMs: number, pollIntervalMs: number, callSize: number): PollTurn[] {
  const tickMs = pollTickMs(pollIntervalMs);
  const ticks = ticksPerInterval(pollIntervalMs);
  const load = new Array<number>(ticks).fill(0);
  for (const at of dueAtMs) load[Math.min(ticks - 1, Math.max(0, Math.round((at - tickAtMs) / tickMs)))]! += 1;
  return taskArns.map((taskArn) => {
    let best = 0;
    for (let k = 1; k < ticks; k++) if (Math.ceil((load[k]! + 1) / callSize) < Math.ceil((load[best]! + 1) / callSize)) best = k;
    load[best]! += 1;
    return { taskArn, dueAtMs: tickAtMs + best * tickMs };
  });
}

/**
 * The DescribeTasks calls of the tick at `tickAtMs`: every task due by then (half a tick's leeway,
 * for timers that fire late), then as many of the next due as fill the last call.
 */
export function dueCalls(turns: readonly PollTurn[], tickAtMs: number, tickMs: number, callSize: number): string[][] {
  const byDue = [...turns].sort((a, b) => a.dueAtMs - b.dueAtMs);
  const cutoff = tickAtMs + tickMs / 2;
  const dueCount = byDue.findIndex((turn) => turn.dueAtMs >= cutoff);
  const due = dueCount === -1 ? byDue.length : dueCount;
  if (due === 0) return [];
  const taken = Math.min(byDue.length, Math.ceil(due / callSize) * callSize);
  return chunk(
    byDue.slice(0, taken).map((turn) => turn.taskArn),
    callSize,
  );
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
