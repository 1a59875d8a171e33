import type { AirflowState, EcsContainerSnapshot, EcsTaskSnapshot } from '../types';

/** A container that has exited. A snapshot that crossed JSON may carry `exitCode: null` for one that has not. */
function hasExited(container: EcsContainerSnapshot): boolean {
  return container.exitCode !== undefined && container.exitCode !== null;
}

/**
 * What an ECS task means to Airflow (docs/airflow-behaviour.md, "4. Tracking and the state
 * mapping"). Imported by workflow code: types only, no Node APIs. ECS statuses are upper-case
 * and compared exactly, as ECS reports them.
 */
export function ecsTaskToAirflowState(task: EcsTaskSnapshot): AirflowState {
  if (task.lastStatus === 'RUNNING') return 'RUNNING';
  // ECS still means to run it: provisioning, pulling, pending.
  if (task.desiredStatus === 'RUNNING') return 'QUEUED';
  // Stopped before it ever started (image pull failure, no capacity, timeout): Airflow reschedules it.
  if (task.desiredStatus === 'STOPPED' && !task.startedAt) return 'REMOVED';
  // Airflow's is_finished is desiredStatus == STOPPED (not lastStatus): a task winding down
  // (DEACTIVATING, STOPPING) whose containers all reported exit codes is already decided.
  if (task.desiredStatus !== 'STOPPED' || !task.containers.every(hasExited)) {
    return 'RUNNING';
  }
  return task.containers.every((c) => c.exitCode === 0) ? 'SUCCESS' : 'FAILED';
}

/** Why a task stopped, one human-readable line per reason, for the executor's and the task's logs. */
export function describeStoppedTask(task: EcsTaskSnapshot): string[] {
  const reasons: string[] = [];
  if (task.stopCode) reasons.push(`stop code: ${task.stopCode}`);
  if (task.stoppedReason) reasons.push(`stopped reason: ${task.stoppedReason}`);
  for (const container of task.containers) {
    const exit = hasExited(container) ? `exit code ${container.exitCode}` : 'no exit code';
    reasons.push(`${container.name ?? '(unnamed container)'}: ${exit}${container.reason ? `, ${container.reason}` : ''}`);
  }
  return reasons;
}
