import { z } from 'zod';
import { taskIdFrom } from '../arns';
import { invalidParameter } from '../errors';
import { taskView, type WireObject } from '../wire-views';
import { checkTaskIdLength, parseInput, requireCluster, type EcsBackend } from './context';

const describeTasksSchema = z.looseObject({
  cluster: z.string().optional(),
  tasks: z.array(z.string()).optional(),
  include: z.array(z.enum(['TAGS'])).optional(),
});

/** Unknown (or expired, or vanished) tasks come back as `failures: [{arn, reason: "MISSING"}]`, HTTP 200. */
export function describeTasks(backend: EcsBackend, rawInput: unknown): WireObject {
  const input = parseInput(describeTasksSchema, rawInput);
  const cluster = requireCluster(backend, input.cluster);
  const requested = input.tasks ?? [];
  // Messages as real ECS sends them.
  if (requested.length === 0) throw invalidParameter('Tasks cannot be empty.');
  if (requested.length > 100) throw invalidParameter('taskIds can have at most 100 items.');
  backend.stats.described(requested.length);
  const includeTags = input.include?.includes('TAGS') ?? false;
  const tasks: WireObject[] = [];
  const failures: WireObject[] = [];
  const seen = new Set<string>();
  for (const identifier of requested) {
    const id = taskIdFrom(identifier);
    checkTaskIdLength(id);
    if (seen.has(id)) continue;
    seen.add(id);
    const task = backend.tasks.find(cluster.name, id);
    if (task) tasks.push(taskView(task, { includeTags }));
    else failures.push({ arn: identifier, reason: 'MISSING' });
  }
  return { tasks, failures };
}
