import { launchRetryDelaySeconds } from './launch-backoff';

/**
 * What happens after attempt n of m with a given outcome: Airflow's rule, in one table-tested
 * function. Launch failures and task failures share one attempt counter, as in Airflow's executor;
 * an adopted task (no command of ours to re-run) and a terminated one never relaunch.
 * Workflow-safe: no imports besides the backoff rule.
 */

export type AttemptOutcome =
  /** RunTask answered `failures[]` or a permanent error. */
  | { kind: 'launchFailed'; reasons: string[] }
  /** The ECS task stopped and Airflow's outcome is decided. */
  | { kind: 'finished'; state: 'SUCCESS' | 'FAILED' | 'REMOVED'; taskArn: string; reasons: string[] }
  /** DescribeTasks no longer knows the task. */
  | { kind: 'missing'; taskArn: string; reason: string }
  /** Ends the task at once: bad executor_config or command, an empty RunTask answer, the launch deadline. */
  | { kind: 'fatal'; reason: string }
  /** A terminate was requested; `how` says what became of the ECS task (see describeTermination). */
  | { kind: 'terminated'; how: string; terminateReason: string; state: 'SUCCESS' | 'FAILED'; terminated: boolean };

export type NextStep =
  | { action: 'finish'; state: 'SUCCESS' | 'FAILED'; terminated: boolean; message: string }
  | { action: 'retry'; delaySeconds: number; message: string };

export interface AttemptContext {
  attempt: number;
  maxAttempts: number;
  /** The task's key as Airflow prints it. */
  taskKey: string;
  /** True for an adopted task: a failure is final (Airflow reschedules it). */
  adopted: boolean;
}

export function nextStep(outcome: AttemptOutcome, context: AttemptContext): NextStep {
  const { attempt, maxAttempts, taskKey } = context;
  switch (outcome.kind) {
    case 'fatal':
      return { action: 'finish', state: 'FAILED', terminated: false, message: outcome.reason };
    case 'terminated':
      return {
        action: 'finish',
        state: outcome.state,
        terminated: outcome.terminated,
        message: outcome.terminated
          ? `Terminated (${outcome.terminateReason}); ${outcome.how}.`
          : `Terminate requested (${outcome.terminateReason}) but not carried out: ${outcome.how}.`,
      };
    case 'launchFailed': {
      const reasons = outcome.reasons.join(', ');
      if (attempt >= maxAttempts || context.adopted) {
        return {
          action: 'finish',
          state: 'FAILED',
          terminated: false,
          message: `Task could not be queued after ${attempt} attempts. Marking as failed. Reasons: ${reasons}`,
        };
      }
      const delaySeconds = launchRetryDelaySeconds(attempt);
      return {
        action: 'retry',
        delaySeconds,
        message: `ECS task launch failed (attempt ${attempt} of ${maxAttempts}): ${reasons}. Retrying in ${delaySeconds} s.`,
      };
    }
    case 'finished':
    case 'missing': {
      if (outcome.kind === 'finished' && outcome.state === 'SUCCESS') {
        return { action: 'finish', state: 'SUCCESS', terminated: false, message: `ECS task ${outcome.taskArn} succeeded.` };
      }
      const reasons = outcome.kind === 'missing' ? `ECS task ${outcome.taskArn} is missing: ${outcome.reason}` : outcome.reasons.join(', ');
      if (context.adopted) {
        return {
          action: 'finish',
          state: 'FAILED',
          terminated: false,
          message: `Adopted ECS task ${outcome.taskArn} failed: ${reasons}. Not relaunched: the scheduler reschedules adopted tasks.`,
        };
      }
      if (attempt >= maxAttempts) {
        return {
          action: 'finish',
          state: 'FAILED',
          terminated: false,
          message: `Airflow task ${taskKey} has failed a maximum of ${attempt} times. Marking as failed. Reasons: ${reasons}`,
        };
      }
      const delaySeconds = launchRetryDelaySeconds(attempt);
      return {
        action: 'retry',
        delaySeconds,
        message: `Airflow task failed due to ${reasons}. Failure ${attempt} out of ${maxAttempts} occurred on ${outcome.taskArn}. Rescheduling in ${delaySeconds} s.`,
      };
    }
  }
}
