import { z } from 'zod';
import { invalidParameter } from '../errors';
import { clusterView, type WireObject } from '../wire-views';
import { parseInput, type EcsBackend } from './context';

const describeClustersSchema = z.looseObject({
  clusters: z.array(z.string()).optional(),
  include: z.array(z.enum(['ATTACHMENTS', 'CONFIGURATIONS', 'SETTINGS', 'STATISTICS', 'TAGS'])).optional(),
});

/** Unknown clusters are `failures` with reason MISSING, never ClusterNotFoundException. */
export function describeClusters(backend: EcsBackend, rawInput: unknown): WireObject {
  const input = parseInput(describeClustersSchema, rawInput);
  const requested = input.clusters === undefined || input.clusters.length === 0 ? ['default'] : input.clusters;
  if (requested.length > 100) throw invalidParameter('clusters can have at most 100 items.');
  const clusters: WireObject[] = [];
  const failures: WireObject[] = [];
  for (const identifier of requested) {
    const cluster = backend.clusters.find(identifier);
    if (cluster) clusters.push(clusterView(cluster, backend.tasks.list(cluster.name), input.include ?? []));
    else failures.push({ arn: backend.clusters.arnFor(identifier), reason: 'MISSING' });
  }
  return { clusters, failures };
}
