import type { AttemptRecord } from '../contract/messages';
import type { EcsTaskSnapshot } from '../types';
import { describeStoppedTask, ecsTaskToAirflowState } from './ecs-task-state';

/**
 * What a terminate did, told as ECS tells it: never claim a stop that did not happen. Pure and
 * workflow-safe.
 */

export type TrackEnd =
  | { kind: 'finished'; task: EcsTaskSnapshot }
  | { kind: 'missing'; reason: string }
  | { kind: 'stopNotFound'; reason: string };

export interface TerminationReport {
  /** What Airflow is told: the task's own outcome when it ran to its end, FAILED when it was stopped. */
  state: 'SUCCESS' | 'FAILED';
  /** True only when ECS accepted a StopTask (or no task was running to stop). */
  terminated: boolean;
  how: string;
}

export function describeTermination(record: AttemptRecord, end: TrackEnd): TerminationReport {
  const accepted = record.stops.some((s) => s.outcome === 'accepted');
  const refusals = record.stops.filter((s) => s.outcome === 'refused');
  const refused = refusals.length > 0 ? `StopTask was refused (${refusals[refusals.length - 1]?.detail ?? 'no reason given'})` : undefined;
  const arn = record.taskArn ?? 'the ECS task';
  switch (end.kind) {
    case 'stopNotFound':
      return { state: 'FAILED', terminated: true, how: `ECS no longer knows ${arn} (${end.reason}), so nothing was left running` };
    case 'missing':
      return {
        state: 'FAILED',
        terminated: accepted,
        how: `${accepted ? 'StopTask was accepted and then ' : refused ? `${refused}; then ` : ''}ECS stopped reporting ${arn} (${end.reason})`,
      };
    case 'finished': {
      const outcome = ecsTaskToAirflowState(end.task);
      const details = describeStoppedTask(end.task).join(', ');
      if (accepted) {
        return { state: outcome === 'SUCCESS' ? 'SUCCESS' : 'FAILED', terminated: true, how: `the ECS task ${arn} is stopped (${details})` };
      }
      const ranOn = refused ?? 'StopTask never reached ECS';
      return {
        state: outcome === 'SUCCESS' ? 'SUCCESS' : 'FAILED',
        terminated: false,
        how: `${ranOn}; the ECS task ${arn} ran on and ended by itself (${details})`,
      };
    }
  }
}
