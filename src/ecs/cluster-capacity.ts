import { DescribeClustersCommand, type ECSClient } from '@aws-sdk/client-ecs';

/**
 * DescribeClusters for the RunTask template's fallback: with neither launch type nor capacity
 * provider strategy configured, Airflow uses FARGATE unless the cluster has a default strategy.
 */
export async function clusterHasDefaultCapacityProviderStrategy(client: ECSClient, cluster: string): Promise<boolean> {
  const output = await client.send(new DescribeClustersCommand({ clusters: [cluster] }));
  const found = output.clusters?.[0];
  if (!found) {
    const reason = output.failures?.[0]?.reason ?? 'not returned';
    throw new Error(
      `ECS cluster "${cluster}" could not be described (${reason}): check ECS_EXECUTOR_CLUSTER, the region and the credentials`,
    );
  }
  return (found.defaultCapacityProviderStrategy ?? []).length > 0;
}
