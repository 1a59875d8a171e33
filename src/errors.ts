/**
 * The executor's error vocabulary, in one place. Workflow-safe: no imports, no Node APIs.
 *
 * Two families:
 * - thrown errors (classes below). `UserInputError` and its subclasses mean "what you gave us is
 *   wrong": nothing was done, and the CLI exits with code 2. Each `name` is unique and is what a
 *   user searches for.
 * - Temporal failure types (`FailureType`): the `type` of the ApplicationFailures activities and
 *   workflows raise. Retry policies list the final ones in `nonRetryableErrorTypes`, so whether an
 *   error is retried depends on its type, never on the call site.
 */

/** Base class: the input (settings, arguments, task, executor_config) is wrong; nothing was done. */
export abstract class UserInputError extends Error {
  abstract override readonly name: string;
}

/** Thrown when a setting (env var, airflow.cfg key, CLI flag that stands for one) is missing or invalid. */
export class ConfigError extends UserInputError {
  override readonly name = 'InvalidConfiguration';
  constructor(
    message: string,
    /** Each problem on its own, as listed in the message. */
    readonly problems: readonly string[] = [message],
  ) {
    super(message);
  }
}

/** Thrown when a task's executor_config cannot be applied to the RunTask template. */
export class InvalidExecutorConfigError extends UserInputError {
  override readonly name = 'InvalidExecutorConfig';
}

/** Thrown when a task's command or workload cannot run (not a list of strings, a NUL byte, not an ExecuteTask workload...). */
export class InvalidTaskCommandError extends UserInputError {
  override readonly name = 'InvalidTaskCommand';
}

/** Thrown when a task instance key (dag_id, task_id, run_id, try_number, map_index) is malformed. */
export class InvalidTaskKeyError extends UserInputError {
  override readonly name = 'InvalidTaskKey';
}

/** Thrown when a command-line invocation is malformed (unknown flag, missing value, bad number). */
export class UsageError extends UserInputError {
  override readonly name = 'UsageError';
}

/** Thrown by submit after end() or terminate(): the executor accepts no new task. */
export class ExecutorEndingError extends Error {
  override readonly name = 'ExecutorEnding';
}

/** Thrown when the ECS health check fails at start-up (client start() or worker start). */
export class EcsUnhealthyError extends Error {
  override readonly name = 'EcsUnhealthy';
}

/** Thrown when no worker polls the task queue a request needs (a query, the start-up probe). */
export class NoWorkerError extends Error {
  override readonly name = 'NoWorkerPolling';
}

/** Thrown when the task workflow, tracker or ARN asked for does not exist. */
export class NotFoundError extends Error {
  override readonly name = 'NotFound';
}

/** The `type` of every ApplicationFailure we raise; workflows and retry policies refer to these. */
export const FailureType = {
  /** Throttling, 5xx, network, timeouts: retried by Temporal with backoff, never a launch attempt. */
  EcsTransient: 'EcsTransientError',
  /** Expired/invalid/missing credentials: the worker rebuilds its ECS client and retries. */
  EcsCredentials: 'EcsCredentialsError',
  /** RunTask answered with `failures[]` (RESOURCE:MEMORY...) or a permanent API error: one launch attempt failed. */
  EcsLaunchFailed: 'EcsLaunchFailed',
  /** RunTask answered with neither tasks nor failures: an ECS-side internal error; the task fails at once. */
  EcsEmptyRunTaskResponse: 'EcsEmptyRunTaskResponse',
  /** RunTask kept failing with transient errors past the launch deadline: the task fails with the last error. */
  EcsLaunchDeadlineExceeded: 'EcsLaunchDeadlineExceeded',
  /** StopTask was refused for good (AccessDenied...): the task is still tracked until ECS says it stopped. */
  EcsStopRefused: 'EcsStopRefused',
  /** The task's executor_config cannot be applied: the task fails at once, before any RunTask. */
  InvalidExecutorConfig: 'InvalidExecutorConfig',
  /** The task's command or workload cannot run: the task fails at once. */
  InvalidTaskCommand: 'InvalidTaskCommand',
  /** The Airflow task ended FAILED: the task workflow fails with this type, the result in its details. */
  AirflowTaskFailed: 'AirflowTaskFailed',
} as const;
export type FailureTypeName = (typeof FailureType)[keyof typeof FailureType];

/** Failure types that end an activity for good: retrying the same call cannot help. */
export const NON_RETRYABLE_FAILURE_TYPES: readonly FailureTypeName[] = [
  FailureType.EcsLaunchFailed,
  FailureType.EcsEmptyRunTaskResponse,
  FailureType.EcsLaunchDeadlineExceeded,
  FailureType.EcsStopRefused,
  FailureType.InvalidExecutorConfig,
  FailureType.InvalidTaskCommand,
];
