import { StopTaskCommand } from '@aws-sdk/client-ecs';
import { describeEcsError, isTaskNotFoundError } from '../ecs/errors';
import { toTaskSnapshot } from '../ecs/snapshot';
import { FailureType } from '../errors';
import type { StopEcsTaskInput, StopEcsTaskResult } from './contracts';
import type { EcsActivityDeps } from './deps';
import { failure, throwIfRetryable } from './failures';

/** StopTask rejects a reason longer than 255 characters; a stop must not fail over its label. */
const MAX_STOP_REASON_LENGTH = 255;

/** StopTask, as a local activity. A refusal (AccessDenied...) fails as EcsStopRefused: the workflow keeps tracking the task. */
export async function stopEcsTask(deps: Pick<EcsActivityDeps, 'ecs' | 'ecsCallTimeoutMs'>, input: StopEcsTaskInput): Promise<StopEcsTaskResult> {
  const reason = input.reason.slice(0, MAX_STOP_REASON_LENGTH);
  try {
    const output = await deps.ecs
      .get()
      .send(new StopTaskCommand({ cluster: input.cluster, task: input.taskArn, reason }), { abortSignal: AbortSignal.timeout(deps.ecsCallTimeoutMs) });
    const task = output.task !== undefined ? toTaskSnapshot(output.task) : { taskArn: input.taskArn, containers: [] };
    return { kind: 'accepted', task: { ...task, taskArn: task.taskArn || input.taskArn } };
  } catch (err) {
    if (isTaskNotFoundError(err)) return { kind: 'notFound', reason: describeEcsError(err) };
    throwIfRetryable(deps.ecs, 'StopTask', err);
    throw failure(FailureType.EcsStopRefused, `StopTask for ${input.taskArn} on cluster "${input.cluster}" was refused: ${describeEcsError(err)}`, {
      cause: err,
    });
  }
}
