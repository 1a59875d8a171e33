import { ApplicationFailure, ApplicationFailureCategory } from '@temporalio/common';
import type { EcsClientProvider } from '../ecs/ecs-client';
import { classifyEcsError, describeEcsError } from '../ecs/errors';
import { FailureType, type FailureTypeName } from '../errors';

/**
 * The typed failures activities throw. Each keeps the SDK error as its cause, so the Temporal UI
 * shows the original error next to our message. Whether Temporal retries one is decided by its
 * type (NON_RETRYABLE_FAILURE_TYPES in the workflows' retry policies), not here.
 */
export function failure(
  type: FailureTypeName,
  message: string,
  options: { cause?: unknown; details?: unknown[]; benign?: boolean } = {},
): ApplicationFailure {
  return ApplicationFailure.create({
    type,
    message,
    ...(options.cause instanceof Error ? { cause: options.cause } : {}),
    ...(options.details !== undefined ? { details: options.details } : {}),
    // Expected conditions (throttling, a cluster out of capacity) must not read as errors in logs and metrics.
    ...(options.benign ? { category: ApplicationFailureCategory.BENIGN } : {}),
  });
}

/**
 * Throws what Temporal should retry without consuming a launch attempt: throttling and transient
 * errors as EcsTransientError (throttling marked benign), credential errors as EcsCredentialsError
 * after resetting the client (so the retry re-reads the credential chain). Returns for a permanent
 * error, which the caller handles.
 */
export function throwIfRetryable(ecs: EcsClientProvider, operation: string, err: unknown): void {
  switch (classifyEcsError(err)) {
    case 'throttled':
      throw failure(FailureType.EcsTransient, `${operation} was throttled by ECS (${describeEcsError(err)}); Temporal retries it with backoff`, {
        cause: err,
        benign: true,
      });
    case 'transient':
      throw failure(FailureType.EcsTransient, `${operation} failed with a transient ECS error (${describeEcsError(err)}); Temporal retries it with backoff`, {
        cause: err,
      });
    case 'credentials':
      ecs.reset();
      throw failure(
        FailureType.EcsCredentials,
        `${operation} failed because the AWS credentials are missing, expired or invalid (${describeEcsError(err)}); ` +
          'the worker rebuilt its ECS client and retries. If this repeats, check the credential chain (AWS_PROFILE, env vars, SSO session, role)',
        { cause: err },
      );
    case 'permanent':
      return;
  }
}
