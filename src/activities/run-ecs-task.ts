import { createHash } from 'node:crypto';
import { type Failure, RunTaskCommand, type RunTaskCommandInput, type RunTaskCommandOutput } from '@aws-sdk/client-ecs';
import { ApplicationFailure } from '@temporalio/activity';
import { describeEcsError } from '../ecs/errors';
import type { EcsClientProvider } from '../ecs/ecs-client';
import { toTaskSnapshot } from '../ecs/snapshot';
import { ActivityErrorType, type RunEcsTaskInput, type RunEcsTaskResult } from './contracts';
import { throwIfRetryable } from './errors';

/**
 * RunTask's idempotency token for one launch attempt of one workflow. ECS returns the original
 * task for a repeated token instead of starting another, so a RunTask retried after a timeout or
 * a worker crash never launches twice; a new attempt gets a new token, so a relaunch really
 * launches. ECS allows at most 64 ASCII characters: a sha256 hex digest is exactly 64.
 */
export function launchClientToken(workflowId: string, attempt: number): string {
  // The NUL separator keeps ("wf-1", 23) and ("wf-12", 3) apart.
  return createHash('sha256').update(`${workflowId}\u0000${attempt}`).digest('hex');
}

/** Like Airflow's executor logs them: the reason, with the ARN and detail when ECS gives them. */
function formatRunTaskFailure(failure: Failure): string {
  const extras = [
    ...(failure.arn !== undefined ? [`arn: ${failure.arn}`] : []),
    ...(failure.detail !== undefined ? [`detail: ${failure.detail}`] : []),
  ];
  const reason = failure.reason ?? 'unknown reason';
  return extras.length > 0 ? `${reason} (${extras.join(', ')})` : reason;
}

export async function runEcsTask(ecs: EcsClientProvider, input: RunEcsTaskInput): Promise<RunEcsTaskResult> {
  const clientToken = launchClientToken(input.workflowId, input.attempt);
  // The config module builds runTaskInput with exactly RunTask's camelCase members.
  const request = { ...(input.runTaskInput as unknown as RunTaskCommandInput), clientToken };

  let output: RunTaskCommandOutput;
  try {
    output = await ecs.get().send(new RunTaskCommand(request));
  } catch (err) {
    throwIfRetryable(ecs, 'RunTask', err);
    return { kind: 'failed', reasons: [describeEcsError(err)] };
  }

  const task = output.tasks?.[0];
  if (task !== undefined) return { kind: 'launched', task: toTaskSnapshot(task) };
  const failures = output.failures ?? [];
  if (failures.length > 0) return { kind: 'failed', reasons: failures.map(formatRunTaskFailure) };

  throw ApplicationFailure.create({
    type: ActivityErrorType.EmptyRunTaskResponse,
    nonRetryable: true,
    message:
      `ECS internal error: RunTask on cluster "${request.cluster ?? 'default'}" returned neither tasks nor failures ` +
      `(request ID ${output.$metadata?.requestId ?? 'unknown'}; response ${JSON.stringify({ tasks: output.tasks, failures: output.failures })}). ` +
      'Nothing was launched; check the ECS service health for the region',
  });
}
