import type { RetryPolicy } from '@temporalio/common';
import { proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import type { EcsActivities } from '../activities/contracts';
import { NON_RETRYABLE_FAILURE_TYPES } from '../errors';

/**
 * One proxy per timeout/retry profile. Transient and credential errors are retried here, by
 * Temporal, with backoff: they never consume one of Airflow's launch attempts. What is final is
 * decided by the failure's type (NON_RETRYABLE_FAILURE_TYPES), never by the call site.
 *
 * The short ECS calls are local activities: they run in the workflow task that asked for them, so a
 * launch costs one history event (a marker) instead of three, and no trip through a task queue.
 * RunTask stays idempotent across retries and worker crashes through its clientToken.
 */
const transientBackoff: RetryPolicy = {
  initialInterval: '1 second',
  backoffCoefficient: 2,
  maximumInterval: '1 minute',
  nonRetryableErrorTypes: [...NON_RETRYABLE_FAILURE_TYPES],
};

/** RunTask. Transient errors are retried until the worker's launch deadline (ECS_EXECUTOR_LAUNCH_DEADLINE_SECONDS), which the activity enforces. */
export const launchActivities = proxyLocalActivities<Pick<EcsActivities, 'launchEcsTask'>>({
  startToCloseTimeout: '1 minute',
  retry: transientBackoff,
});

/** StopTask: retried for a while; if it still fails the workflow keeps tracking and tries again later. */
export const stopActivities = proxyLocalActivities<Pick<EcsActivities, 'stopEcsTask'>>({
  startToCloseTimeout: '1 minute',
  scheduleToCloseTimeout: '10 minutes',
  retry: transientBackoff,
});

/** Makes sure the cluster's observer runs: cheap, cached by the worker; a failure only delays tracking. */
export const observerActivities = proxyLocalActivities<Pick<EcsActivities, 'ensureObserver'>>({
  startToCloseTimeout: '30 seconds',
  scheduleToCloseTimeout: '2 minutes',
  retry: transientBackoff,
});

/** The start-up probe and adoption's lookup: ordinary activities, so they prove a worker polls the queue. */
export const probeActivities = proxyActivities<Pick<EcsActivities, 'probeExecutor'>>({
  startToCloseTimeout: '1 minute',
  retry: { maximumAttempts: 1 },
});

export const lookupActivities = proxyActivities<Pick<EcsActivities, 'lookupEcsTasks'>>({
  startToCloseTimeout: '2 minutes',
  retry: { ...transientBackoff, maximumAttempts: 10 },
});
