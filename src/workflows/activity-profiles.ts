import { proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { EcsActivities } from '../activities/contracts';
import { ActivityErrorType } from '../activities/contracts';
import { waitsTaskQueue } from '../workflow-ids';

/**
 * One proxy per timeout/retry profile. Transient and credential errors are retried here, by
 * Temporal, with backoff and without limit: they never consume one of Airflow's launch attempts.
 */

const unlimitedBackoff = {
  initialInterval: '1 second',
  backoffCoefficient: 2,
  maximumInterval: '1 minute',
} as const;

/** RunTask: short; only an empty RunTask response (an ECS internal error) is final. */
export const launchActivities = proxyActivities<Pick<EcsActivities, 'runEcsTask'>>({
  startToCloseTimeout: '1 minute',
  retry: { ...unlimitedBackoff, nonRetryableErrorTypes: [ActivityErrorType.EmptyRunTaskResponse] },
});

/** StopTask: short; a permanent API error is reported to the workflow, which keeps tracking. */
export const stopActivities = proxyActivities<Pick<EcsActivities, 'stopEcsTask'>>({
  startToCloseTimeout: '1 minute',
  retry: { ...unlimitedBackoff, maximumAttempts: 20 },
});

/**
 * DescribeTasks waits: long, heartbeating (a dead worker is noticed within the heartbeat
 * timeout and the wait resumes elsewhere), on their own task queue and slot budget.
 */
export function waitActivities(): Pick<EcsActivities, 'waitForEcsTaskChange'> {
  return proxyActivities<Pick<EcsActivities, 'waitForEcsTaskChange'>>({
    taskQueue: waitsTaskQueue(workflowInfo().taskQueue),
    startToCloseTimeout: '4 hours',
    heartbeatTimeout: '30 seconds',
    retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds' },
  });
}
