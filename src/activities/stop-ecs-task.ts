import { StopTaskCommand } from '@aws-sdk/client-ecs';
import type { EcsClientProvider } from '../ecs/ecs-client';
import { describeEcsError, isTaskNotFoundError } from '../ecs/errors';
import { toTaskSnapshot } from '../ecs/snapshot';
import type { StopEcsTaskInput, StopEcsTaskResult } from './contracts';
import { apiFailure, throwIfRetryable } from './errors';

/** StopTask rejects a reason longer than 255 characters; a stop must not fail over its label. */
const MAX_STOP_REASON_LENGTH = 255;

export async function stopEcsTask(ecs: EcsClientProvider, input: StopEcsTaskInput): Promise<StopEcsTaskResult> {
  const reason = input.reason.slice(0, MAX_STOP_REASON_LENGTH);
  try {
    const output = await ecs.get().send(new StopTaskCommand({ cluster: input.cluster, task: input.taskArn, reason }));
    const task = output.task !== undefined ? toTaskSnapshot(output.task) : { taskArn: input.taskArn, containers: [] };
    return { kind: 'stopped', task };
  } catch (err) {
    if (isTaskNotFoundError(err)) return { kind: 'notFound', reason: describeEcsError(err) };
    throwIfRetryable(ecs, 'StopTask', err);
    throw apiFailure(`StopTask for ${input.taskArn} on cluster "${input.cluster}"`, err, { nonRetryable: true });
  }
}
