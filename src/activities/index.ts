import type { Logger } from '@temporalio/common';
import type { DescribeTasksBatcher } from '../ecs/describe-batcher';
import type { EcsClientProvider } from '../ecs/ecs-client';
import type { EcsActivities } from './contracts';
import { runEcsTask } from './run-ecs-task';
import { stopEcsTask } from './stop-ecs-task';
import { waitForEcsTaskChange } from './wait-for-ecs-task-change';

export { launchClientToken } from './run-ecs-task';
export type { WaitHeartbeat } from './wait-for-ecs-task-change';

export interface EcsActivityDeps {
  /** The worker's ECS client; reset after credential errors. */
  ecs: EcsClientProvider;
  /** The worker's shared DescribeTasks batcher (built with `() => ecs.get()`). */
  batcher: DescribeTasksBatcher;
  /** Time between DescribeTasks polls of one waiting task. */
  pollIntervalMs: number;
  /** How long one waitForEcsTaskChange activity waits before returning `unchanged`. */
  maxWaitMs: number;
  /** Defaults to the activity context's logger (which tags lines with the activity). */
  logger?: Logger;
}

export function createEcsActivities(deps: EcsActivityDeps): EcsActivities {
  if (!Number.isFinite(deps.pollIntervalMs) || deps.pollIntervalMs <= 0) {
    throw new RangeError(`pollIntervalMs must be a positive number of milliseconds, got ${deps.pollIntervalMs}`);
  }
  if (!Number.isFinite(deps.maxWaitMs) || deps.maxWaitMs < 0) {
    throw new RangeError(`maxWaitMs must be 0 or more milliseconds, got ${deps.maxWaitMs}`);
  }
  return {
    runEcsTask: (input) => runEcsTask(deps.ecs, input),
    waitForEcsTaskChange: (input) => waitForEcsTaskChange(deps, input),
    stopEcsTask: (input) => stopEcsTask(deps.ecs, input),
  };
}
