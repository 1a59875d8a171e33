import type { EcsContainerSnapshot } from '../types';
import type { EcsObservation } from './messages';

/**
 * Checks an ecsObservation signal's argument, by hand rather than with zod: workflow code runs it,
 * and a workflow's modules are initialised for every workflow. Returns the observation, or every
 * problem found.
 */
export function parseObservation(raw: unknown): { observation: EcsObservation } | { problems: string[] } {
  const problems: string[] = [];
  if (!isRecord(raw)) return { problems: ['expected an object {taskArn, kind, task?, reason?}'] };
  for (const key of Object.keys(raw)) if (!['taskArn', 'kind', 'task', 'reason'].includes(key)) problems.push(`${key}: unknown key`);
  if (!nonEmptyString(raw.taskArn)) problems.push('taskArn: expected the ECS task ARN');
  if (raw.kind !== 'RUNNING' && raw.kind !== 'FINISHED' && raw.kind !== 'MISSING') problems.push('kind: expected RUNNING, FINISHED or MISSING');
  if (raw.reason !== undefined && (typeof raw.reason !== 'string' || raw.reason.length > 4096)) problems.push('reason: expected a string of at most 4096 characters');
  if (raw.task !== undefined) problems.push(...snapshotProblems(raw.task).map((p) => `task.${p}`));
  if ((raw.kind === 'RUNNING' || raw.kind === 'FINISHED') && raw.task === undefined) problems.push(`task: a ${String(raw.kind)} observation carries the task`);
  if (problems.length > 0) return { problems };
  return { observation: raw as unknown as EcsObservation };
}

const SNAPSHOT_STRINGS = ['clusterArn', 'lastStatus', 'desiredStatus', 'createdAt', 'startedAt', 'stoppingAt', 'stoppedAt', 'stopCode', 'stoppedReason'] as const;

function snapshotProblems(task: unknown): string[] {
  if (!isRecord(task)) return ['expected an ECS task snapshot object'];
  const problems: string[] = [];
  if (!nonEmptyString(task.taskArn)) problems.push('taskArn: expected the ECS task ARN');
  for (const key of SNAPSHOT_STRINGS) if (task[key] !== undefined && typeof task[key] !== 'string') problems.push(`${key}: expected a string`);
  if (!Array.isArray(task.containers)) problems.push('containers: expected a list');
  else task.containers.forEach((c, i) => problems.push(...containerProblems(c).map((p) => `containers[${i}].${p}`)));
  return problems;
}

function containerProblems(container: unknown): string[] {
  if (!isRecord(container)) return ['expected a container object'];
  const c = container as Partial<Record<keyof EcsContainerSnapshot, unknown>>;
  const problems: string[] = [];
  for (const key of ['name', 'lastStatus', 'reason'] as const) if (c[key] !== undefined && typeof c[key] !== 'string') problems.push(`${key}: expected a string`);
  if (c.exitCode !== undefined && c.exitCode !== null && !Number.isInteger(c.exitCode)) problems.push('exitCode: expected a whole number');
  return problems;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function nonEmptyString(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0;
}
