import { ApplicationFailure } from '@temporalio/activity';
import { ActivityErrorType } from './contracts';
import type { EcsClientProvider } from '../ecs/ecs-client';
import { classifyEcsError, describeEcsError } from '../ecs/errors';

/**
 * The typed failures activities throw. Each keeps the SDK error as its cause, so the Temporal UI
 * shows the original error and stack next to our message.
 */
function failure(type: string, message: string, err: unknown, nonRetryable: boolean): ApplicationFailure {
  return ApplicationFailure.create({
    type,
    message,
    nonRetryable,
    ...(err instanceof Error ? { cause: err } : {}),
  });
}

export function transientFailure(operation: string, err: unknown): ApplicationFailure {
  return failure(
    ActivityErrorType.Transient,
    `${operation} failed with a transient ECS error (${describeEcsError(err)}); Temporal retries it with backoff`,
    err,
    false,
  );
}

export function credentialsFailure(operation: string, err: unknown): ApplicationFailure {
  return failure(
    ActivityErrorType.Credentials,
    `${operation} failed because the AWS credentials are missing, expired or invalid (${describeEcsError(err)}); ` +
      'the worker rebuilt its ECS client and retries. If this repeats, check the credential chain (AWS_PROFILE, env vars, SSO session, role)',
    err,
    false,
  );
}

export function apiFailure(operation: string, err: unknown, options: { nonRetryable: boolean }): ApplicationFailure {
  return failure(ActivityErrorType.ApiError, `${operation} failed: ${describeEcsError(err)}`, err, options.nonRetryable);
}

/**
 * Throws what Temporal should retry without consuming a launch attempt: transient errors as
 * EcsTransientError, credential errors as EcsCredentialsError after resetting the client (so the
 * retry re-reads the credential chain). Returns for a permanent error, which the caller handles.
 */
export function throwIfRetryable(ecs: EcsClientProvider, operation: string, err: unknown): void {
  switch (classifyEcsError(err)) {
    case 'transient':
      throw transientFailure(operation, err);
    case 'credentials':
      ecs.reset();
      throw credentialsFailure(operation, err);
    case 'permanent':
      return;
  }
}
