import { clusterArn, clusterNameFrom, type ArnContext } from './arns';
import type { ClusterConfig } from './config-schema';

export interface Tag {
  key: string;
  value?: string | undefined;
}

export interface ClusterRecord {
  name: string;
  arn: string;
  tags: Tag[];
}

/** The clusters this endpoint knows. `default` always exists: RunTask and friends fall back to it. */
export class ClusterRegistry {
  private readonly clusters = new Map<string, ClusterRecord>();

  constructor(
    private readonly arns: ArnContext,
    declared: readonly ClusterConfig[] = [],
  ) {
    this.add({ name: 'default' });
    for (const cluster of declared) this.add(typeof cluster === 'string' ? { name: cluster } : cluster);
  }

  /** By name or cluster ARN; an omitted identifier means `default`, as in ECS. */
  find(identifier: string | undefined): ClusterRecord | undefined {
    return this.clusters.get(clusterNameFrom(identifier ?? 'default'));
  }

  arnFor(identifier: string): string {
    return clusterArn(this.arns, clusterNameFrom(identifier));
  }

  private add(cluster: { name: string; tags?: Tag[] | undefined }): void {
    this.clusters.set(cluster.name, { name: cluster.name, arn: clusterArn(this.arns, cluster.name), tags: cluster.tags ?? [] });
  }
}
