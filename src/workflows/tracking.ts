import { ActivityFailure, ApplicationFailure, condition, isCancellation, log, sleep, workflowInfo } from '@temporalio/workflow';
import type { StopEcsTaskResult } from '../activities/contracts';
import type { AttemptRecord } from '../contract/messages';
import { FailureType } from '../errors';
import type { TrackEnd } from '../rules/termination';
import { observerActivities, stopActivities } from './activity-profiles';
import { applySnapshot, type TaskRun } from './task-run';

/** Thrown out of tracking when the server suggests continue-as-new; the workflow continues where it was. */
export class ContinueAsNewSuggested extends Error {}

/**
 * Tracks the current attempt's ECS task until its outcome is decided. The workflow sleeps: the
 * cluster's observer wakes it when the task finished or went missing (an ECS RUNNING, when
 * reported, is only recorded). A long detached timer makes sure the observer runs; a terminate sends StopTask, and sends it again while ECS
 * still reports the task running after the terminate timeout.
 */
export async function trackUntilFinished(run: TaskRun, record: AttemptRecord): Promise<TrackEnd> {
  const settings = run.s.settings;
  const { cluster, taskArn } = record;
  if (settings === undefined || cluster === undefined || taskArn === undefined) {
    throw ApplicationFailure.nonRetryable('tracking started without a launched task (a bug in the workflow)');
  }
  const stopDue = (): boolean => {
    if (!run.terminateRequested) return false;
    const last = record.stops[record.stops.length - 1];
    return last === undefined || Date.now() - Date.parse(last.requestedAt) >= settings.terminateTimeoutMs;
  };

  // The tracking check is a timer left to run, not a condition timeout: the observation that ends
  // the wait would cancel a condition's timer, one more history event (and error) per task.
  let checkDue = false;
  let checkArmed = false;
  const armCheck = () => {
    if (checkArmed) return;
    checkArmed = true;
    void sleep(settings.trackingCheckMs, { summary: 'tracking check' }).then(() => {
      checkArmed = false;
      checkDue = true;
    });
  };

  for (;;) {
    if (stopDue()) {
      const stopped = await stopTask(run, record, cluster, taskArn);
      if (stopped?.kind === 'notFound') return { kind: 'stopNotFound', reason: stopped.reason };
      continue;
    }
    const last = record.stops[record.stops.length - 1];
    if (run.terminateRequested && last !== undefined) {
      // After a StopTask: wake to send it again if the task still runs then (rare: a timer cancel is fine).
      const untilStopRetry = Math.max(1, Date.parse(last.requestedAt) + settings.terminateTimeoutMs - Date.now());
      await condition(() => run.hasObservation || stopDue(), untilStopRetry, { summary: 'StopTask again if the task still runs' });
    } else {
      armCheck();
      await condition(() => run.hasObservation || stopDue() || checkDue);
    }
    const observation = run.takeObservation();
    if (observation?.kind === 'MISSING') return { kind: 'missing', reason: observation.reason ?? 'MISSING' };
    if (observation?.kind === 'FINISHED' && observation.task !== undefined) {
      applySnapshot(record, observation.task);
      return { kind: 'finished', task: observation.task };
    }
    if (checkDue) {
      checkDue = false;
      await ensureObserver(cluster);
      // An observation that came in meanwhile is handled first: continue-as-new would drop it.
      if (workflowInfo().continueAsNewSuggested && !run.hasObservation) throw new ContinueAsNewSuggested();
    }
  }
}

async function stopTask(run: TaskRun, record: AttemptRecord, cluster: string, taskArn: string): Promise<StopEcsTaskResult | undefined> {
  run.setPhase('TERMINATING');
  const reason = run.s.terminateReason ?? 'terminate requested';
  const stop = { requestedAt: new Date().toISOString(), reason, outcome: 'pending' as const };
  record.stops.push(stop);
  const entry = record.stops[record.stops.length - 1]!;
  try {
    const result = await stopActivities.stopEcsTask.executeWithOptions(
      { summary: `StopTask ${taskArn}` },
      [{ cluster, taskArn, reason }],
    );
    if (result.kind === 'accepted') {
      entry.outcome = 'accepted';
      applySnapshot(record, result.task);
      run.event('info', `StopTask accepted for ${taskArn}; waiting for ECS to report it stopped.`);
    } else {
      entry.outcome = 'notFound';
      entry.detail = result.reason;
    }
    return result;
  } catch (err) {
    if (isCancellation(err)) throw err;
    const cause = err instanceof ActivityFailure ? err.cause : err;
    entry.outcome = 'refused';
    entry.detail = cause instanceof Error ? cause.message : String(cause);
    const again = Math.round(run.s.settings!.terminateTimeoutMs / 1000);
    const refused = cause instanceof ApplicationFailure && cause.type === FailureType.EcsStopRefused;
    run.event(
      'warning',
      `StopTask ${refused ? 'was refused' : 'failed'} for ${taskArn} (${entry.detail}); the task is still tracked until ECS reports it stopped, and StopTask is sent again in ${again} s.`,
    );
    return undefined;
  }
}

/** The observer is what wakes this workflow: make sure it runs. A failure here only delays tracking. */
async function ensureObserver(cluster: string): Promise<void> {
  try {
    await observerActivities.ensureObserver({ cluster });
  } catch (err) {
    if (isCancellation(err)) throw err;
    log.warn('could not make sure the observer runs; trying again at the next tracking check', { cluster, error: String(err) });
  }
}
