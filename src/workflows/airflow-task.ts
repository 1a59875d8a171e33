import {
  ApplicationFailure,
  CancellationScope,
  ParentClosePolicy,
  condition,
  isCancellation,
  log,
  setHandler,
  startChild,
  upsertMemo,
  upsertSearchAttributes,
  workflowInfo,
  ActivityFailure,
} from '@temporalio/workflow';
import { ActivityErrorType, type RunEcsTaskResult } from '../activities/contracts';
import {
  DEFAULT_TERMINATE_REASON,
  SearchAttributes,
  ecsTaskUpdateSignal,
  statusQuery,
  terminateSignal,
  type AirflowTaskResult,
  type AirflowTaskStatus,
  type AttemptRecord,
  type TaskEvent,
  type TaskPhase,
} from '../messages';
import { describeStoppedTask } from '../rules/ecs-task-state';
import { launchRetryDelaySeconds } from '../rules/launch-backoff';
import type { AirflowState, EcsTaskSnapshot, JsonObject, TaskInstanceKey } from '../types';
import { ecsTaskWorkflowId } from '../workflow-ids';
import { launchActivities } from './activity-profiles';
import { ecsTaskWorkflow, type EcsTaskWorkflowResult } from './ecs-task';

export interface AirflowTaskWorkflowInput {
  key: TaskInstanceKey;
  /** The Airflow command, already placed in runTaskInput; kept for the status and the memo. */
  command: string[];
  queue?: string;
  cluster: string;
  /** The complete RunTask request (template + executor_config + command). */
  runTaskInput: JsonObject;
  maxRunTaskAttempts: number;
  executorName: string;
  terminateTimeoutMs: number;
}

const MAX_EVENTS = 500;

/**
 * One Airflow task instance: launch it on ECS (RunTask, retried), track it until it stops, map the
 * outcome to Airflow's state, and relaunch a failed task until its attempts run out. Launch
 * failures and task failures share one attempt counter, as in Airflow's executor.
 */
export async function airflowTaskWorkflow(input: AirflowTaskWorkflowInput): Promise<AirflowTaskResult> {
  const { key, cluster, maxRunTaskAttempts: maxAttempts } = input;
  const workflowId = workflowInfo().workflowId;
  const attempts: AttemptRecord[] = [];
  const events: TaskEvent[] = [];
  let terminateReason: string | undefined;
  let phase: TaskPhase = 'QUEUED';
  let state: AirflowState = 'QUEUED';
  let taskArn: string | undefined;
  let nextAttemptAt: string | undefined;
  // The query answers from the attempt records; nothing it shows is kept twice.
  const status = (): AirflowTaskStatus => ({
    key,
    phase,
    state,
    cluster,
    attempt: attempts.length,
    maxAttempts,
    taskArn,
    lastStatus: attempts[attempts.length - 1]?.lastStatus,
    terminateRequested: terminateReason !== undefined,
    terminateReason,
    nextAttemptAt,
    attempts,
    events,
  });

  const event = (level: TaskEvent['level'], message: string) => {
    events.push({ at: new Date().toISOString(), level, message });
    if (events.length > MAX_EVENTS) events.splice(0, events.length - MAX_EVENTS);
    log[level === 'warning' ? 'warn' : level](message, { workflowId });
  };
  const requestTerminate = (reason: string) => {
    if (terminateReason !== undefined) return;
    terminateReason = reason;
    event('warning', `Terminate requested: ${reason}`);
  };
  const setState = (next: AirflowState, nextArn?: string) => {
    const arnChanged = nextArn !== undefined && nextArn !== taskArn;
    if (next === state && !arnChanged) return;
    state = next;
    if (arnChanged) taskArn = nextArn;
    upsertSearchAttributes([
      { key: SearchAttributes.state, value: next },
      ...(arnChanged ? [{ key: SearchAttributes.taskArn, value: nextArn }] : []),
    ]);
  };

  setHandler(terminateSignal, (arg) => requestTerminate(arg?.reason ?? DEFAULT_TERMINATE_REASON));
  setHandler(statusQuery, status);
  setHandler(ecsTaskUpdateSignal, (task) => {
    const current = attempts[attempts.length - 1];
    if (current?.taskArn === task.taskArn) applySnapshot(current, task);
  });
  // Cancellation means terminate: the body is non-cancellable so StopTask and tracking to
  // STOPPED always run; a Temporal-side cancel can never orphan the ECS task.
  CancellationScope.current().cancelRequested.catch(() => requestTerminate(DEFAULT_TERMINATE_REASON));

  const finish = (outcome: 'SUCCESS' | 'FAILED', reason: string, terminated = false): AirflowTaskResult => {
    phase = 'DONE';
    setState(outcome);
    event(outcome === 'SUCCESS' ? 'info' : 'error', reason);
    upsertMemo({ outcome: reason });
    return { key, state: outcome, terminated, taskArn, attempts: attempts.length, reason };
  };

  /** Waits out the backoff before the next attempt; a terminate cuts it short. */
  const backoff = async (failedAttempt: number) => {
    const seconds = launchRetryDelaySeconds(failedAttempt);
    phase = 'WAITING_TO_RETRY';
    nextAttemptAt = new Date(Date.now() + seconds * 1000).toISOString();
    setState('QUEUED');
    await condition(() => terminateReason !== undefined, seconds * 1000);
    nextAttemptAt = undefined;
  };

  return await CancellationScope.nonCancellable(async (): Promise<AirflowTaskResult> => {
    for (;;) {
      if (terminateReason !== undefined) {
        return finish('FAILED', `Terminated before launch (${terminateReason}); no ECS task is running.`, true);
      }
      const attempt = attempts.length + 1;
      const record: AttemptRecord = { attempt, containers: [], reasons: [] };
      attempts.push(record);
      phase = 'LAUNCHING';

      const launch = await runTask(input.runTaskInput, workflowId, attempt);
      if (launch.kind === 'internalError') {
        record.outcome = 'LAUNCH_FAILED';
        record.reasons.push(launch.reason);
        return finish('FAILED', `Internal error launching the task: ${launch.reason}`);
      }
      if (launch.kind === 'failed') {
        record.outcome = 'LAUNCH_FAILED';
        record.reasons.push(...launch.reasons);
        const reasons = launch.reasons.join(', ');
        if (attempt >= maxAttempts) {
          return finish(
            'FAILED',
            `Task could not be queued after ${attempt} attempts. Marking as failed. Reasons: ${reasons}`,
          );
        }
        event('warning', `ECS task launch failed (attempt ${attempt} of ${maxAttempts}): ${reasons}. Retrying in ${launchRetryDelaySeconds(attempt)} s.`);
        await backoff(attempt);
        continue;
      }

      const launchedArn = launch.task.taskArn;
      applySnapshot(record, launch.task);
      phase = 'RUNNING';
      setState('RUNNING', launchedArn);
      event('info', `Launched ECS task ${launchedArn} (attempt ${attempt} of ${maxAttempts}).`);

      const tracked = await track(launch.task, record);
      if (tracked.terminated) {
        record.outcome = 'TERMINATED';
        const how =
          tracked.kind === 'stopTimedOut'
            ? `the ECS task did not reach STOPPED within ${Math.round(input.terminateTimeoutMs / 1000)} s after StopTask`
            : tracked.kind === 'missing'
              ? `ECS no longer reports the task (${tracked.reason})`
              : 'the ECS task is stopped';
        return finish('FAILED', `Terminated (${terminateReason ?? DEFAULT_TERMINATE_REASON}); ${how}.`, true);
      }
      let reasons: string[];
      if (tracked.kind === 'missing') {
        record.outcome = 'MISSING';
        reasons = [`ECS task ${launchedArn} is missing: ${tracked.reason}`];
      } else {
        record.outcome = tracked.state;
        if (tracked.state === 'SUCCESS') return finish('SUCCESS', `ECS task ${launchedArn} succeeded.`);
        reasons = describeStoppedTask(tracked.task);
      }
      record.reasons.push(...reasons);
      if (attempt >= maxAttempts) {
        return finish(
          'FAILED',
          `Airflow task ${formatKey(key)} has failed a maximum of ${attempt} times. Marking as failed. Reasons: ${reasons.join(', ')}`,
        );
      }
      event(
        'warning',
        `Airflow task failed due to ${reasons.join(', ')}. Failure ${attempt} out of ${maxAttempts} occurred on ${launchedArn}. Rescheduling.`,
      );
      await backoff(attempt);
    }
  });

  /** Hands the ARN to its tracker (a child keyed by the ARN) and forwards a terminate to it. */
  async function track(initialTask: EcsTaskSnapshot, record: AttemptRecord): Promise<EcsTaskWorkflowResult> {
    const terminateAtStart = terminateReason;
    const child = await startChild(ecsTaskWorkflow, {
      workflowId: ecsTaskWorkflowId(initialTask.taskArn),
      args: [
        {
          cluster,
          taskArn: initialTask.taskArn,
          initialTask,
          key,
          terminate: terminateAtStart === undefined ? undefined : { reason: terminateAtStart },
          terminateTimeoutMs: input.terminateTimeoutMs,
        },
      ],
      // If this workflow is closed from outside (e.g. Temporal's terminate), the tracker is asked
      // to cancel, which it treats as terminate: StopTask, so no ECS task is orphaned.
      parentClosePolicy: ParentClosePolicy.REQUEST_CANCEL,
    });
    const result = child.result();
    // A terminate that arrived before the tracker started went to it with its input.
    if (terminateAtStart === undefined) {
      const first = await Promise.race([
        result.then(() => 'stopped' as const),
        condition(() => terminateReason !== undefined).then(() => 'terminate' as const),
      ]);
      if (first === 'terminate') {
        phase = 'TERMINATING';
        await child
          .signal(terminateSignal, { reason: terminateReason })
          .catch((err: unknown) => log.warn('the tracker ended before the terminate reached it', { error: String(err) }));
      }
    }
    const final = await result;
    if (final.task) applySnapshot(record, final.task);
    return final;
  }

  function applySnapshot(record: AttemptRecord, task: EcsTaskSnapshot) {
    record.taskArn = task.taskArn;
    record.lastStatus = task.lastStatus;
    record.desiredStatus = task.desiredStatus;
    record.stopCode = task.stopCode;
    record.stoppedReason = task.stoppedReason;
    record.containers = task.containers.map(({ name, exitCode, reason }) => ({ name, exitCode, reason }));
  }
}

/** The key as Airflow prints a TaskInstanceKey, so messages read like the original executor's. */
function formatKey(key: TaskInstanceKey): string {
  return `TaskInstanceKey(dag_id='${key.dagId}', task_id='${key.taskId}', run_id='${key.runId}', try_number=${key.tryNumber}, map_index=${key.mapIndex})`;
}

/** What the activity returns, plus the one failure it throws that ends the task at once. */
type LaunchOutcome = RunEcsTaskResult | { kind: 'internalError'; reason: string };

async function runTask(runTaskInput: JsonObject, workflowId: string, attempt: number): Promise<LaunchOutcome> {
  try {
    return await launchActivities.runEcsTask({ runTaskInput, workflowId, attempt });
  } catch (err) {
    if (isCancellation(err)) throw err;
    const cause = err instanceof ActivityFailure ? err.cause : err;
    if (cause instanceof ApplicationFailure && cause.type === ActivityErrorType.EmptyRunTaskResponse) {
      return { kind: 'internalError', reason: cause.message };
    }
    // Anything else that ended the activity for good counts as a failed launch attempt, so a bad
    // task can never leave the workflow stuck.
    return { kind: 'failed', reasons: [cause instanceof Error ? cause.message : String(cause)] };
  }
}
