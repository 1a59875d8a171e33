import { LaunchType } from '@aws-sdk/client-ecs';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { ArnContext } from '../arns';
import type { ClusterRecord, ClusterRegistry } from '../clusters';
import { clusterNotFound, invalidParameter } from '../errors';
import type { FaultInjector } from '../faults';
import type { ExecutionMode } from '../config-schema';
import type { StatsRecorder } from '../stats';
import type { TaskDefinitionRegistry } from '../task-definition-registry';
import type { TaskLifecycle } from '../task-lifecycle';
import type { TaskStore } from '../task-store';

/** Everything an operation handler works with. */
export interface EcsBackend {
  arns: ArnContext;
  clusters: ClusterRegistry;
  taskDefinitions: TaskDefinitionRegistry;
  tasks: TaskStore;
  lifecycle: TaskLifecycle;
  faults: FaultInjector;
  stats: StatsRecorder;
  execution: ExecutionMode;
  logDir: string;
  stopTimeoutMs: number;
  logger: Logger;
}

/** Parses an operation's input; the first problem becomes an InvalidParameterException, like ECS. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.infer<S> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const where = issue && issue.path.length > 0 ? `${issue.path.map(String).join('.')}: ` : '';
  throw invalidParameter(`${where}${issue?.message ?? 'Invalid request.'}`);
}

export function requireCluster(backend: EcsBackend, identifier: string | undefined): ClusterRecord {
  const cluster = backend.clusters.find(identifier);
  if (!cluster) throw clusterNotFound();
  return cluster;
}

/** ECS accepts 32-character (long format) and 36-character (legacy UUID) task IDs. */
export function checkTaskIdLength(taskId: string): void {
  if (taskId.length !== 32 && taskId.length !== 36) throw invalidParameter('taskId length should be one of [32,36]');
}

/** Every launch type the SDK knows (EC2, FARGATE, EXTERNAL, MANAGED_INSTANCES…), so a new one is accepted without a change here. */
export const launchTypeSchema = z.enum(Object.values(LaunchType) as [LaunchType, ...LaunchType[]]);
