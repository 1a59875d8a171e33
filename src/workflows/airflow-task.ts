import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  condition,
  continueAsNew,
  isCancellation,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { LaunchEcsTaskResult, LaunchFailureDetails } from '../activities/contracts';
import type { TaskWorkflowInput } from '../contract/inputs';
import { formatKey } from '../contract/key-format';
import { DEFAULT_TERMINATE_REASON, ecsObservationSignal, statusQuery, terminateSignal, type AirflowTaskResult } from '../contract/messages';
import { FailureType } from '../errors';
import { describeStoppedTask, ecsTaskToAirflowState } from '../rules/ecs-task-state';
import { nextStep, type AttemptOutcome } from '../rules/next-step';
import { describeTermination, type TrackEnd } from '../rules/termination';
import { launchActivities } from './activity-profiles';
import { initialState, TaskRun, type TaskRunState } from './task-run';
import { ContinueAsNewSuggested, trackUntilFinished } from './tracking';

/**
 * One Airflow task instance try (or callback): launch it on ECS (RunTask, a local activity in the
 * first workflow task), sleep until the cluster's observer says it finished, map the outcome to
 * Airflow's state, and relaunch a failed task until its attempts run out. A FAILED task fails the
 * workflow (AirflowTaskFailed, the result in its details), so it is red in the UI.
 *
 * `resume` is what continue-as-new carries for a task that has run long enough for its history to
 * be cut; a fresh task has none.
 */
export async function airflowTaskWorkflow(input: TaskWorkflowInput, resume?: TaskRunState): Promise<AirflowTaskResult> {
  const run = new TaskRun(resume ?? initialState(input.key, false));
  setHandler(terminateSignal, (arg) => run.requestTerminate(arg?.reason ?? DEFAULT_TERMINATE_REASON));
  setHandler(ecsObservationSignal, (observation) => run.observe(observation));
  setHandler(statusQuery, () => run.status());
  // Cancellation means terminate. The body is non-cancellable, so StopTask and tracking always run.
  CancellationScope.current().cancelRequested.catch(() => run.requestTerminate(DEFAULT_TERMINATE_REASON));

  return await CancellationScope.nonCancellable(async () => {
    for (;;) {
      const outcome = await nextAttempt(input, run);
      if (outcome === 'continue') continue;
      const current = run.current;
      const step = nextStep(outcome, {
        attempt: current?.attempt ?? 0,
        maxAttempts: run.s.settings?.maxAttempts ?? 1,
        taskKey: formatKey(input.key),
        adopted: false,
      });
      if (step.action === 'finish') return finish(run, step.state, step.message, step.terminated);
      run.event('warning', step.message);
      await backoff(run, step.delaySeconds, (current?.attempt ?? 0) + 1);
    }
  });
}

/** One step of the main loop: launch, or keep tracking; an outcome when the attempt ended. */
async function nextAttempt(input: TaskWorkflowInput, run: TaskRun): Promise<AttemptOutcome | 'continue'> {
  let record = run.current;
  const tracking = record?.taskArn !== undefined && record.outcome === undefined;
  if (!tracking) {
    if (run.terminateRequested) {
      return { kind: 'terminated', state: 'FAILED', terminated: true, terminateReason: run.s.terminateReason!, how: 'no ECS task was running' };
    }
    record = run.beginAttempt();
    const launched = await launch(input, run, record.attempt);
    if ('fatal' in launched) {
      record.outcome = 'LAUNCH_FAILED';
      record.reasons.push(launched.fatal);
      return { kind: 'fatal', reason: launched.fatal };
    }
    if ('reasons' in launched) {
      run.s.settings = launched.settings;
      record.outcome = 'LAUNCH_FAILED';
      record.reasons.push(...launched.reasons);
      return { kind: 'launchFailed', reasons: launched.reasons };
    }
    run.s.settings = launched.settings;
    run.tracking(record, launched.task, launched.cluster, launched.logLocation);
    run.event('info', `Launched ECS task ${launched.task.taskArn} (attempt ${record.attempt} of ${launched.settings.maxAttempts}).`);
  }
  const current = record!;
  let end: TrackEnd;
  try {
    end = await trackUntilFinished(run, current);
  } catch (err) {
    if (err instanceof ContinueAsNewSuggested) await continueAsNew<typeof airflowTaskWorkflow>(input, run.s);
    throw err;
  }
  return attemptOutcome(run, end);
}

/** What the tracked attempt's end means, recorded on the attempt. */
export function attemptOutcome(run: TaskRun, end: TrackEnd): AttemptOutcome {
  const record = run.current!;
  const taskArn = record.taskArn!;
  if (run.terminateRequested) {
    record.outcome = 'TERMINATED';
    const report = describeTermination(record, end);
    return { kind: 'terminated', terminateReason: run.s.terminateReason!, ...report };
  }
  if (end.kind !== 'finished') {
    record.outcome = 'MISSING';
    record.reasons.push(`ECS task ${taskArn} is missing: ${end.reason}`);
    return { kind: 'missing', taskArn, reason: end.reason };
  }
  const state = ecsTaskToAirflowState(end.task);
  const final = state === 'SUCCESS' || state === 'REMOVED' ? state : 'FAILED';
  record.outcome = final;
  const reasons = describeStoppedTask(end.task);
  if (final !== 'SUCCESS') record.reasons.push(...reasons);
  return { kind: 'finished', state: final, taskArn, reasons };
}

type Launch = LaunchEcsTaskResult | LaunchFailureDetails | { fatal: string };

async function launch(input: TaskWorkflowInput, run: TaskRun, attempt: number): Promise<Launch> {
  const max = run.s.settings?.maxAttempts;
  try {
    return await launchActivities.launchEcsTask.executeWithOptions({ summary: `RunTask, attempt ${attempt}${max ? ` of ${max}` : ''}` }, [
      {
        workflowId: workflowInfo().workflowId,
        firstRunId: workflowInfo().firstExecutionRunId,
        attempt,
        key: input.key,
        ...(input.command !== undefined ? { command: input.command } : {}),
        ...(input.workload !== undefined ? { workload: input.workload } : {}),
        executorConfig: input.executorConfig ?? null,
      },
    ]);
  } catch (err) {
    if (isCancellation(err)) throw err;
    const cause = err instanceof ActivityFailure ? err.cause : err;
    if (cause instanceof ApplicationFailure && cause.type === FailureType.EcsLaunchFailed) {
      const details = cause.details?.[0] as LaunchFailureDetails | undefined;
      if (details !== undefined) return details;
    }
    // Anything else that ended the launch for good (bad executor_config or command, an empty
    // RunTask answer, the launch deadline) ends the task: it can never leave the workflow stuck.
    return { fatal: cause instanceof Error ? cause.message : String(cause) };
  }
}

/** Waits out the backoff before the next attempt; a terminate cuts it short. */
async function backoff(run: TaskRun, seconds: number, nextAttempt: number): Promise<void> {
  run.setPhase('WAITING_TO_RETRY');
  run.s.nextAttemptAt = new Date(Date.now() + seconds * 1000).toISOString();
  run.setState('QUEUED');
  await condition(() => run.terminateRequested, seconds * 1000, { summary: `backoff before attempt ${nextAttempt}` });
  run.s.nextAttemptAt = undefined;
}

/** Ends the workflow: a SUCCESS result, or an AirflowTaskFailed failure carrying the same result. */
export function finish(run: TaskRun, state: 'SUCCESS' | 'FAILED', message: string, terminated: boolean): AirflowTaskResult {
  const result = run.result(state, message, terminated);
  if (state === 'SUCCESS') return result;
  throw ApplicationFailure.create({ type: FailureType.AirflowTaskFailed, message, nonRetryable: true, details: [result] });
}
