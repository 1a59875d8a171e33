/**
 * How the executor reacts to an error from an ECS call:
 * - `transient`: retry later (throttling, 5xx, timeouts, network); never a launch attempt.
 * - `credentials`: rebuild the client so the credential chain runs again, then retry
 *   (Airflow's INVALID_CREDENTIALS_EXCEPTIONS, or no credentials at all).
 * - `permanent`: retrying the same call will not help (bad parameters, IAM, unknown cluster...).
 */
export type EcsErrorClass = 'transient' | 'credentials' | 'permanent';

/** The names Airflow's ECS executor treats as invalid credentials, plus the SDK's "no credentials found". */
const CREDENTIAL_ERROR_NAMES: ReadonlySet<string> = new Set([
  'ExpiredTokenException',
  'InvalidClientTokenId',
  'UnrecognizedClientException',
  'CredentialsProviderError',
]);

/**
 * ThrottlingException is not in ECS's service model, so the SDK throws a plain ECSServiceException
 * with that name; the other names mirror the SDK's own throttling list.
 */
const THROTTLING_ERROR_NAMES: ReadonlySet<string> = new Set([
  'ThrottlingException',
  'Throttling',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'ThrottledException',
  'SlowDown',
]);

const SERVER_ERROR_NAMES: ReadonlySet<string> = new Set([
  'ServerException',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'InternalFailure',
  'InternalServerError',
  'InternalServerException',
]);

const TIMEOUT_ERROR_NAMES: ReadonlySet<string> = new Set(['TimeoutError', 'RequestTimeout', 'RequestTimeoutException']);

/** Node.js system error codes for timeouts and network failures (the SDK retries the same ones). */
const NETWORK_ERROR_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
]);

/** Errors chain through `cause` (the SDK wraps socket errors); stop somewhere. */
const MAX_CAUSE_DEPTH = 5;

function field(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined;
}

function stringField(value: unknown, key: string): string | undefined {
  const v = field(value, key);
  return typeof v === 'string' ? v : undefined;
}

/** The error's name (SDK errors carry the ECS `__type` here), or undefined for non-errors. */
export function ecsErrorName(err: unknown): string | undefined {
  return stringField(err, 'name');
}

function isTransient(err: unknown, depth: number): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const name = ecsErrorName(err) ?? '';
  // The SDK aborts a request only when asked to (a cancelled caller): not something to retry.
  if (name === 'AbortError') return false;
  const status = field(field(err, '$metadata'), 'httpStatusCode');
  const code = stringField(err, 'code') ?? '';
  const message = stringField(err, 'message') ?? '';
  return (
    THROTTLING_ERROR_NAMES.has(name) ||
    SERVER_ERROR_NAMES.has(name) ||
    TIMEOUT_ERROR_NAMES.has(name) ||
    (typeof status === 'number' && (status === 429 || status >= 500)) ||
    field(err, '$fault') === 'server' ||
    field(err, '$retryable') !== undefined ||
    NETWORK_ERROR_CODES.has(code) ||
    /socket hang up/i.test(message) ||
    // A request signed with a clock-skewed time; the SDK corrects its clock offset and retries.
    (name === 'InvalidSignatureException' && /signature expired/i.test(message)) ||
    (depth < MAX_CAUSE_DEPTH && isTransient(field(err, 'cause'), depth + 1))
  );
}

export function classifyEcsError(err: unknown): EcsErrorClass {
  const name = ecsErrorName(err);
  if (name !== undefined && CREDENTIAL_ERROR_NAMES.has(name)) return 'credentials';
  return isTransient(err, 0) ? 'transient' : 'permanent';
}

/** `"<Name>: <message>"`, the form failure reasons and log lines use. */
export function describeEcsError(err: unknown): string {
  if (typeof err !== 'object' || err === null) return String(err);
  const name = ecsErrorName(err) ?? 'Error';
  const message = stringField(err, 'message') ?? '';
  return message === '' ? name : `${name}: ${message}`;
}

/**
 * StopTask's answer for a task ECS does not know: InvalidParameterException "The referenced task
 * was not found." (sometimes without the final period). Matched the way Airflow's check_health does.
 */
export function isTaskNotFoundError(err: unknown): boolean {
  return (
    (ecsErrorName(err) ?? '').includes('InvalidParameterException') &&
    /task was not found/i.test(stringField(err, 'message') ?? '')
  );
}
