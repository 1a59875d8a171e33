import type { EcsTaskSnapshot, JsonObject } from '../types';

/**
 * What the workflows ask of the activities, and what they get back. Workflows import these as
 * types only; `createEcsActivities` (src/activities/index.ts) implements them.
 */

export interface RunEcsTaskInput {
  /** The complete RunTask request for this task (template + executor_config + command). */
  runTaskInput: JsonObject;
  /** Workflow ID and launch attempt: together they derive RunTask's idempotency clientToken. */
  workflowId: string;
  attempt: number;
}

/**
 * `launched`: ECS accepted the task. `failed`: this launch attempt failed for a reason that
 * retrying the same call will not fix (RunTask `failures[]`, or a non-transient API error);
 * the workflow counts it as an attempt. Transient and credential errors are thrown instead
 * (retryable), so Temporal retries them without consuming an attempt.
 */
export type RunEcsTaskResult =
  | { kind: 'launched'; task: EcsTaskSnapshot }
  | { kind: 'failed'; reasons: string[] };

export interface WaitForEcsTaskChangeInput {
  cluster: string;
  taskArn: string;
  /** The lastStatus the caller already knows; the activity returns once ECS reports another. */
  knownStatus?: string;
}

/**
 * `changed`: ECS reports a lastStatus other than `knownStatus`. `missing`: DescribeTasks reported
 * the ARN under `failures` (e.g. MISSING). `unchanged`: nothing changed within the activity's
 * maximum wait; the caller simply waits again (this keeps every activity bounded in time).
 */
export type WaitForEcsTaskChangeResult =
  | { kind: 'changed'; task: EcsTaskSnapshot }
  | { kind: 'unchanged'; task: EcsTaskSnapshot }
  | { kind: 'missing'; reason: string };

export interface StopEcsTaskInput {
  cluster: string;
  taskArn: string;
  reason: string;
}

/** `stopped`: StopTask accepted. `notFound`: ECS no longer knows the task (nothing to stop). */
export type StopEcsTaskResult = { kind: 'stopped'; task: EcsTaskSnapshot } | { kind: 'notFound'; reason: string };

/** Error types activities throw; workflows and retry policies refer to them by these names. */
export const ActivityErrorType = {
  /** Throttling, 5xx, network, timeouts: retried by Temporal, never a launch attempt. */
  Transient: 'EcsTransientError',
  /** Expired/invalid/missing credentials: the worker rebuilds its ECS client and retries. */
  Credentials: 'EcsCredentialsError',
  /** RunTask answered with neither tasks nor failures: an ECS-side internal error. */
  EmptyRunTaskResponse: 'EcsEmptyRunTaskResponse',
  /** A non-transient API error outside RunTask (e.g. AccessDenied on DescribeTasks). */
  ApiError: 'EcsApiError',
} as const;

export interface EcsActivities {
  runEcsTask(input: RunEcsTaskInput): Promise<RunEcsTaskResult>;
  waitForEcsTaskChange(input: WaitForEcsTaskChangeInput): Promise<WaitForEcsTaskChangeResult>;
  stopEcsTask(input: StopEcsTaskInput): Promise<StopEcsTaskResult>;
}
