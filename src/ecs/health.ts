import { type ECSClient, StopTaskCommand } from '@aws-sdk/client-ecs';
import { EcsUnhealthyError } from '../errors';
import { classifyEcsError, describeEcsError, ecsErrorName, isTaskNotFoundError } from './errors';

/** A well-formed task ID no real task has, as Airflow's check_health uses. */
export const HEALTH_CHECK_TASK_ID = 'a'.repeat(32);
const HEALTH_CHECK_STOP_REASON = 'Airflow Executor health check';

export interface EcsHealth {
  healthy: boolean;
  message: string;
}

const NO_TASK_CAN_RUN = 'No task can run until this is fixed';

/** The start-up gate of the client and the worker: the health check, or EcsUnhealthyError saying why. */
export async function assertEcsHealthy(client: ECSClient, cluster: string): Promise<EcsHealth> {
  const health = await checkEcsHealth(client, cluster);
  if (!health.healthy) throw new EcsUnhealthyError(health.message);
  return health;
}

/**
 * Airflow's check_health (docs/airflow-behaviour.md, "5. Health check"; docs/ecs-api.md, "StopTask"):
 * StopTask on a task that cannot exist. Only "task was not found" proves at once that the cluster
 * exists, the credentials work and they may call ECS; every other answer, including success,
 * means tasks would fail.
 */
export async function checkEcsHealth(client: ECSClient, cluster: string): Promise<EcsHealth> {
  try {
    await client.send(new StopTaskCommand({ cluster, task: HEALTH_CHECK_TASK_ID, reason: HEALTH_CHECK_STOP_REASON }));
  } catch (err) {
    return healthFromError(err, cluster);
  }
  return {
    healthy: false,
    message:
      `ECS health check failed for cluster "${cluster}": StopTask on the made-up task ID ${HEALTH_CHECK_TASK_ID} succeeded, ` +
      `which real ECS never does. ${NO_TASK_CAN_RUN}: check that the endpoint (AWS_ENDPOINT_URL or the configured endpoint) is ECS.`,
  };
}

function healthFromError(err: unknown, cluster: string): EcsHealth {
  const name = ecsErrorName(err) ?? '';
  const error = describeEcsError(err);
  if (isTaskNotFoundError(err)) {
    return { healthy: true, message: `ECS health check passed: cluster "${cluster}" is reachable and the credentials may call StopTask.` };
  }
  if (name.includes('AccessDeniedException')) {
    return unhealthy(
      cluster,
      `the credentials lack permissions (${error})`,
      'grant the worker\'s IAM identity ecs:RunTask, ecs:DescribeTasks and ecs:StopTask on this cluster, and check which identity the credential chain (AWS_PROFILE, env vars, role) resolves to',
    );
  }
  if (name.includes('ClusterNotFoundException')) {
    return unhealthy(
      cluster,
      `cluster "${cluster}" was not found (${error})`,
      'check the cluster name or ARN and the region (AWS_REGION / region_name) the executor uses',
    );
  }
  const hint = {
    credentials: 'check the AWS credentials: they are missing, expired or invalid (AWS_PROFILE, env vars, SSO session, role)',
    throttled: 'ECS is throttling this account and region: try again shortly, or lower the request rate of other clients',
    transient: 'check network access to the ECS endpoint and the region; ECS may also be unavailable',
    permanent: 'check the cluster, the region and the credentials',
  }[classifyEcsError(err)];
  return unhealthy(cluster, error, hint);
}

function unhealthy(cluster: string, what: string, check: string): EcsHealth {
  return { healthy: false, message: `ECS health check failed for cluster "${cluster}": ${what}. ${NO_TASK_CAN_RUN}: ${check}.` };
}
