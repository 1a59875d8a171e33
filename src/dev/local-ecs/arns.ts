import { randomBytes, randomUUID } from 'node:crypto';

/** Long-format ECS ARNs (mandatory since 2021). */
export interface ArnContext {
  region: string;
  accountId: string;
}

const prefix = (ctx: ArnContext): string => `arn:aws:ecs:${ctx.region}:${ctx.accountId}`;

export const clusterArn = (ctx: ArnContext, name: string): string => `${prefix(ctx)}:cluster/${name}`;
export const taskArn = (ctx: ArnContext, cluster: string, taskId: string): string => `${prefix(ctx)}:task/${cluster}/${taskId}`;
export const taskDefinitionArn = (ctx: ArnContext, family: string, revision: number): string =>
  `${prefix(ctx)}:task-definition/${family}:${revision}`;
export const containerArn = (ctx: ArnContext, cluster: string, taskId: string): string =>
  `${prefix(ctx)}:container/${cluster}/${taskId}/${randomUUID()}`;
export const containerInstanceArn = (ctx: ArnContext, cluster: string): string =>
  `${prefix(ctx)}:container-instance/${cluster}/${newTaskId()}`;

/** Task IDs are 32 lowercase hex characters in the long ARN format. */
export const newTaskId = (): string => randomBytes(16).toString('hex');

/** A Docker-style container runtime id (64 hex). */
export const newRuntimeId = (): string => randomBytes(32).toString('hex');

/** `name` or `arn:aws:ecs:<region>:<account>:cluster/<name>` → name. */
export function clusterNameFrom(identifier: string): string {
  const match = /^arn:aws[\w-]*:ecs:[^:]*:[^:]*:cluster\/(.+)$/.exec(identifier);
  return match?.[1] ?? identifier;
}

/** A task ID, `task/<cluster>/<id>` ARN or legacy `task/<id>` ARN → the ID. */
export function taskIdFrom(identifier: string): string {
  if (!identifier.startsWith('arn:')) return identifier;
  const resource = identifier.split(':').slice(5).join(':');
  return resource.split('/').pop() ?? identifier;
}

interface TaskDefinitionRef {
  family: string;
  revision?: number;
}

/** `family`, `family:revision` or a task definition ARN; undefined when it parses as none of these. */
export function parseTaskDefinitionRef(identifier: string): TaskDefinitionRef | undefined {
  const arnMatch = /^arn:aws[\w-]*:ecs:[^:]*:[^:]*:task-definition\/(.+)$/.exec(identifier);
  const ref = arnMatch?.[1] ?? identifier;
  const match = /^([A-Za-z0-9_-]{1,255})(?::(\d+))?$/.exec(ref);
  if (!match?.[1]) return undefined;
  return match[2] === undefined ? { family: match[1] } : { family: match[1], revision: Number(match[2]) };
}
