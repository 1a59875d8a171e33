import type { SdkError } from '@smithy/types';
import { isServerError, isThrottlingError, isTransientError } from '@smithy/service-error-classification';

/**
 * How the executor reacts to an error from an ECS call:
 * - `throttled`: ECS asked us to slow down; retried later, and an expected condition, not an error.
 * - `transient`: 5xx, timeouts, network; retried later. Neither ever consumes a launch attempt.
 * - `credentials`: rebuild the client so the credential chain runs again, then retry.
 * - `permanent`: retrying the same call will not help (bad parameters, IAM, unknown cluster...).
 * The AWS SDK's own classification decides throttling and transience; what is ours is only
 * Airflow's list of credential errors and the task-not-found answer.
 */
export type EcsErrorClass = 'throttled' | 'transient' | 'credentials' | 'permanent';

/** The names Airflow's ECS executor treats as invalid credentials (INVALID_CREDENTIALS_EXCEPTIONS), plus the SDK's "no credentials found". */
const CREDENTIAL_ERROR_NAMES: ReadonlySet<string> = new Set([
  'ExpiredTokenException',
  'InvalidClientTokenId',
  'UnrecognizedClientException',
  'CredentialsProviderError',
]);

function asSdkError(err: unknown): SdkError | undefined {
  return typeof err === 'object' && err !== null ? (err as SdkError) : undefined;
}

/** The error's name (SDK errors carry the ECS `__type` here), or undefined for non-errors. */
export function ecsErrorName(err: unknown): string | undefined {
  const name = asSdkError(err)?.name;
  return typeof name === 'string' ? name : undefined;
}

export function classifyEcsError(err: unknown): EcsErrorClass {
  const sdk = asSdkError(err);
  if (sdk === undefined) return 'permanent';
  if (CREDENTIAL_ERROR_NAMES.has(sdk.name)) return 'credentials';
  if (isThrottlingError(sdk)) return 'throttled';
  // A server fault without a status code (an endpoint that answered 5xx-like through the protocol).
  if (isTransientError(sdk) || isServerError(sdk) || sdk.$fault === 'server') return 'transient';
  return 'permanent';
}

/** Throttled or transient: Temporal retries it with backoff and it never counts as a launch attempt. */
export function isRetryableEcsError(err: unknown): boolean {
  const errorClass = classifyEcsError(err);
  return errorClass === 'throttled' || errorClass === 'transient' || errorClass === 'credentials';
}

/** `"<Name>: <message>"`, the form failure reasons and log lines use. */
export function describeEcsError(err: unknown): string {
  const sdk = asSdkError(err);
  if (sdk === undefined) return String(err);
  const name = ecsErrorName(err) ?? 'Error';
  const message = typeof sdk.message === 'string' ? sdk.message : '';
  return message === '' ? name : `${name}: ${message}`;
}

/**
 * StopTask's answer for a task ECS does not know: InvalidParameterException "The referenced task
 * was not found." (sometimes without the final period). Matched the way Airflow's check_health does.
 */
export function isTaskNotFoundError(err: unknown): boolean {
  const sdk = asSdkError(err);
  return (ecsErrorName(err) ?? '').includes('InvalidParameterException') && /task was not found/i.test(typeof sdk?.message === 'string' ? sdk.message : '');
}
