import type { LookupInput, LookupResult, ProbeResult } from '../contract/inputs';
import { chunk } from '../concurrency';
import { describeEcsTasks, DESCRIBE_TASKS_MAX_ARNS } from '../ecs/describe';
import { describeEcsError } from '../ecs/errors';
import { checkEcsHealth } from '../ecs/health';
import { clusterOfTaskArn } from '../ecs/task-arn';
import type { EcsActivityDeps } from './deps';
import { throwIfRetryable } from './failures';

/** Airflow's check_health, run on a worker for a client's start(). */
export async function probeExecutor(deps: Pick<EcsActivityDeps, 'ecs' | 'executor'>, input: { checkHealth: boolean }): Promise<ProbeResult> {
  const now = new Date().toISOString();
  if (!input.checkHealth) return { now };
  return { now, health: await checkEcsHealth(deps.ecs.get(), deps.executor.cluster) };
}

/**
 * Which ARNs ECS still knows, each described in the cluster its ARN names (the worker's cluster for
 * legacy ARNs that name none). One cluster's errors do not hide the others' answers.
 */
export async function lookupEcsTasks(deps: Pick<EcsActivityDeps, 'ecs' | 'executor'>, input: LookupInput): Promise<LookupResult> {
  const byCluster = new Map<string, string[]>();
  for (const arn of new Set(input.taskArns)) {
    const cluster = clusterOfTaskArn(arn) ?? deps.executor.cluster;
    byCluster.set(cluster, [...(byCluster.get(cluster) ?? []), arn]);
  }
  const result: LookupResult = { found: [], notFound: [] };
  for (const [cluster, arns] of byCluster) {
    for (const batch of chunk(arns, DESCRIBE_TASKS_MAX_ARNS)) {
      try {
        const { tasks, failures } = await describeEcsTasks(deps.ecs.get(), cluster, batch);
        for (const task of tasks) result.found.push({ taskArn: task.taskArn, cluster, ...(task.lastStatus !== undefined ? { lastStatus: task.lastStatus } : {}) });
        for (const f of failures) result.notFound.push({ taskArn: f.arn, reason: f.detail !== undefined ? `${f.reason}: ${f.detail}` : f.reason });
      } catch (err) {
        throwIfRetryable(deps.ecs, 'DescribeTasks (adoption)', err);
        for (const arn of batch) result.notFound.push({ taskArn: arn, reason: `DescribeTasks on cluster "${cluster}" failed: ${describeEcsError(err)}` });
      }
    }
  }
  return result;
}
