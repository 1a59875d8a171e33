import { continueAsNew, proxyActivities } from '@temporalio/workflow';
import type { EcsActivities } from '../activities/contracts';
import type { ObserverInput } from '../contract/inputs';

/** Each observer activity returns after an hour or so; the workflow starts it again, and continues as new every so often. */
const RUNS_BEFORE_CONTINUE_AS_NEW = 24;

/**
 * The one observer of a cluster for the workers of a task queue (workflow ID from both). Its
 * activity polls DescribeTasks for every tracked task and signals only the workflows whose state
 * changed; one activity at a time means no task is polled twice, and a dead worker's observer is
 * retried on another worker after the heartbeat timeout. Retries never stop: tracking must go on.
 */
export async function ecsObserverWorkflow(input: ObserverInput): Promise<void> {
  const { observeEcsCluster } = proxyActivities<Pick<EcsActivities, 'observeEcsCluster'>>({
    startToCloseTimeout: '3 hours',
    heartbeatTimeout: input.heartbeatTimeoutMs,
    retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds' },
    summary: `observe ECS cluster ${input.cluster}`,
  });
  for (let run = 0; run < RUNS_BEFORE_CONTINUE_AS_NEW; run++) {
    await observeEcsCluster({ cluster: input.cluster });
  }
  await continueAsNew<typeof ecsObserverWorkflow>(input);
}
