import { z } from 'zod';
import { invalidParameter } from '../errors';
import type { LocalTask } from '../task-model';
import type { WireObject } from '../wire-views';
import { launchTypeSchema, parseInput, requireCluster, type EcsBackend } from './context';

const listTasksSchema = z.looseObject({
  cluster: z.string().optional(),
  containerInstance: z.string().optional(),
  family: z.string().optional(),
  startedBy: z.string().optional(),
  serviceName: z.string().optional(),
  desiredStatus: z.enum(['RUNNING', 'PENDING', 'STOPPED']).optional(),
  launchType: launchTypeSchema.optional(),
  maxResults: z.number().int().min(1, 'maxResults must be between 1 and 100').max(100, 'maxResults must be between 1 and 100').optional(),
  nextToken: z.string().optional(),
});

export function listTasks(backend: EcsBackend, rawInput: unknown): WireObject {
  const input = parseInput(listTasksSchema, rawInput);
  const cluster = requireCluster(backend, input.cluster);
  // ECS filters on desiredStatus RUNNING unless told otherwise; no task ever has desiredStatus PENDING.
  const desiredStatus = input.desiredStatus ?? 'RUNNING';
  const matches = (task: LocalTask): boolean =>
    task.desiredStatus === desiredStatus &&
    (input.family === undefined || task.taskDefinition.family === input.family) &&
    (input.startedBy === undefined || task.startedBy === input.startedBy) &&
    (input.launchType === undefined || task.launchType === input.launchType) &&
    // Tasks a service starts are in group `service:<name>`; this endpoint has no container instances.
    (input.serviceName === undefined || task.group === `service:${input.serviceName}`) &&
    input.containerInstance === undefined;
  const arns = backend.tasks.list(cluster.name).filter(matches).map((t) => t.arn);

  const offset = input.nextToken === undefined ? 0 : decodeToken(input.nextToken);
  const pageSize = input.maxResults ?? 100;
  const page = arns.slice(offset, offset + pageSize);
  const next = offset + pageSize < arns.length ? encodeToken(offset + pageSize) : undefined;
  return next === undefined ? { taskArns: page } : { taskArns: page, nextToken: next };
}

/** nextToken is opaque to callers; here it is the offset into the filtered list. */
const encodeToken = (offset: number): string => Buffer.from(JSON.stringify({ offset })).toString('base64url');

function decodeToken(token: string): number {
  try {
    const value: unknown = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    const offset = (value as { offset?: unknown }).offset;
    if (typeof offset === 'number' && Number.isInteger(offset) && offset >= 0) return offset;
  } catch {
    // fall through to the error below
  }
  throw invalidParameter('Invalid nextToken: pass the nextToken from a previous ListTasks response unchanged.');
}
