import { DescribeTasksCommand, type DescribeTasksCommandOutput, type ECSClient } from '@aws-sdk/client-ecs';
import type { EcsTaskFailure, EcsTaskSnapshot } from '../types';
import { toTaskSnapshot } from './snapshot';
import { taskIdOf } from './task-arn';
import { chunk } from '../concurrency';


/** DescribeTasks accepts at most 100 task IDs or ARNs per call. */
export const DESCRIBE_TASKS_MAX_ARNS = 100;

/** ECS's failure reason for a task it does not know (never existed, or stopped over an hour ago). */
const MISSING_REASON = 'MISSING';

export type DescribeOutcome = { task: EcsTaskSnapshot } | { failure: EcsTaskFailure };


/**
 * Pairs each requested ARN with what one DescribeTasks response says about it. Tasks come back
 * with full ARNs even when asked by ID, and failures echo the string that was asked for, so tasks
 * are matched by task ID (unique within the one cluster a call describes). An ARN the response
 * does not mention at all is reported MISSING: ECS answers that way for unknown tasks, and the
 * caller must not wait forever.
 */
export function matchDescribeResults(
  requested: readonly string[],
  output: Pick<DescribeTasksCommandOutput, 'tasks' | 'failures'>,
): Map<string, DescribeOutcome> {
  const tasksById = new Map<string, EcsTaskSnapshot>();
  for (const task of output.tasks ?? []) {
    if (task.taskArn !== undefined) tasksById.set(taskIdOf(task.taskArn), toTaskSnapshot(task));
  }
  const failuresByArn = new Map<string, EcsTaskFailure>();
  for (const failure of output.failures ?? []) {
    if (failure.arn === undefined) continue;
    failuresByArn.set(failure.arn, {
      arn: failure.arn,
      reason: failure.reason ?? MISSING_REASON,
      ...(failure.detail !== undefined ? { detail: failure.detail } : {}),
    });
  }

  const results = new Map<string, DescribeOutcome>();
  for (const arn of requested) {
    const task = tasksById.get(taskIdOf(arn));
    const failure = failuresByArn.get(arn);
    if (task !== undefined) results.set(arn, { task });
    else results.set(arn, { failure: failure ?? { arn, reason: MISSING_REASON } });
  }
  return results;
}

/**
 * DescribeTasks for any number of ARNs (chunks of 100, one after another so a large adoption does
 * not spend the cluster-read throttling bucket in one burst). Every requested ARN appears exactly
 * once, either in `tasks` or in `failures`.
 */
export async function describeEcsTasks(
  client: ECSClient,
  cluster: string,
  taskArns: string[],
): Promise<{ tasks: EcsTaskSnapshot[]; failures: EcsTaskFailure[] }> {
  const tasks: EcsTaskSnapshot[] = [];
  const failures: EcsTaskFailure[] = [];
  const unique = [...new Set(taskArns)];
  for (const arns of chunk(unique, DESCRIBE_TASKS_MAX_ARNS)) {
    const output = await client.send(new DescribeTasksCommand({ cluster, tasks: arns }));
    for (const outcome of matchDescribeResults(arns, output).values()) {
      if ('task' in outcome) tasks.push(outcome.task);
      else failures.push(outcome.failure);
    }
  }
  return { tasks, failures };
}
