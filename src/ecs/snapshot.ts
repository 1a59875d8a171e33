import type { Container, Task } from '@aws-sdk/client-ecs';
import type { EcsContainerSnapshot, EcsTaskSnapshot } from '../types';

function iso(date: Date | undefined): string | undefined {
  return date === undefined ? undefined : date.toISOString();
}

function defined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

function toContainerSnapshot(container: Container): EcsContainerSnapshot {
  return defined({
    name: container.name,
    lastStatus: container.lastStatus,
    exitCode: container.exitCode,
    reason: container.reason,
  });
}

/**
 * Snapshots cross Temporal's JSON payload converter and are compared in tests, so they carry
 * only the fields the executor reads, with no `undefined` keys and dates as ISO strings.
 */
export function toTaskSnapshot(task: Task): EcsTaskSnapshot {
  return defined({
    // ECS always returns the ARN; '' keeps the type honest should an endpoint omit it.
    taskArn: task.taskArn ?? '',
    clusterArn: task.clusterArn,
    lastStatus: task.lastStatus,
    desiredStatus: task.desiredStatus,
    createdAt: iso(task.createdAt),
    startedAt: iso(task.startedAt),
    stoppingAt: iso(task.stoppingAt),
    stoppedAt: iso(task.stoppedAt),
    stopCode: task.stopCode,
    stoppedReason: task.stoppedReason,
    containers: (task.containers ?? []).map(toContainerSnapshot),
  });
}
