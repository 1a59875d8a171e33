import type { ClusterRecord, Tag } from './clusters';
import type { TaskDefinitionRecord } from './task-definition-registry';
import type { LocalContainer, LocalTask } from './task-model';

/** JSON shapes as the ECS API returns them. Timestamps are epoch seconds (awsJson1_1). */
export type WireObject = Record<string, unknown>;

const epochSeconds = (date: Date | undefined): number | undefined => (date === undefined ? undefined : date.getTime() / 1000);

/** Drops undefined members so the JSON carries only what ECS would send. */
function compact(value: WireObject): WireObject {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined));
}

/**
 * DescribeTasks of 100 tasks is the hot path of a benchmark, so the task views are built member by
 * member (undefined members are dropped by JSON.stringify) instead of through compact().
 */
function containerView(taskArn: string | undefined, c: LocalContainer): WireObject {
  return {
    containerArn: c.arn,
    taskArn,
    name: c.name,
    image: c.image,
    runtimeId: c.runtimeId,
    lastStatus: c.lastStatus,
    exitCode: c.exitCode,
    reason: c.reason,
    networkBindings: [],
    networkInterfaces: [],
    healthStatus: 'UNKNOWN',
    // ECS sends container cpu/memory as strings.
    cpu: String(c.cpu ?? 0),
    memory: c.memory === undefined ? undefined : String(c.memory),
    memoryReservation: c.memoryReservation === undefined ? undefined : String(c.memoryReservation),
  };
}

export function taskView(task: LocalTask, options: { includeTags: boolean; withoutTaskArn?: boolean }): WireObject {
  const arn = options.withoutTaskArn ? undefined : task.arn;
  return {
    taskArn: arn,
    clusterArn: task.clusterArn,
    taskDefinitionArn: task.taskDefinition.arn,
    lastStatus: task.lastStatus,
    desiredStatus: task.desiredStatus,
    version: task.version,
    createdAt: epochSeconds(task.createdAt),
    pullStartedAt: epochSeconds(task.pullStartedAt),
    pullStoppedAt: epochSeconds(task.pullStoppedAt),
    startedAt: epochSeconds(task.startedAt),
    connectivity: task.startedAt !== undefined ? 'CONNECTED' : undefined,
    connectivityAt: epochSeconds(task.connectivityAt),
    stoppingAt: epochSeconds(task.stoppingAt),
    executionStoppedAt: epochSeconds(task.executionStoppedAt),
    stoppedAt: epochSeconds(task.stoppedAt),
    stopCode: task.stopCode,
    stoppedReason: task.stoppedReason,
    startedBy: task.startedBy,
    group: task.group,
    launchType: task.launchType,
    capacityProviderName: task.capacityProviderName,
    platformVersion: task.platformVersion,
    platformFamily: task.launchType === 'FARGATE' ? 'Linux' : undefined,
    availabilityZone: task.availabilityZone,
    cpu: task.cpu,
    memory: task.memory,
    overrides: { containerOverrides: [], inferenceAcceleratorOverrides: [], ...task.overrides },
    attachments: [],
    attributes: [],
    healthStatus: 'UNKNOWN',
    enableExecuteCommand: task.enableExecuteCommand,
    containers: task.containers.map((c) => containerView(arn, c)),
    tags: options.includeTags ? task.tags : undefined,
  };
}

/** A clientToken replay of a stopped task carries only these three members (ECS_Idempotency). */
export function replayedStoppedTaskView(task: LocalTask): WireObject {
  return { taskArn: task.arn, lastStatus: task.lastStatus, desiredStatus: task.desiredStatus };
}

export function taskDefinitionView(td: TaskDefinitionRecord): WireObject {
  const { tags: _tags, ...input } = td.input;
  return compact({
    ...input,
    taskDefinitionArn: td.arn,
    family: td.family,
    revision: td.revision,
    status: 'ACTIVE',
    registeredAt: epochSeconds(td.registeredAt),
    containerDefinitions: input.containerDefinitions.map((c) => ({ essential: true, environment: [], ...c })),
    compatibilities: ['EC2', 'FARGATE'],
  });
}

export function clusterView(
  cluster: ClusterRecord,
  tasks: readonly LocalTask[],
  include: readonly string[],
): WireObject {
  const tags: Tag[] = cluster.tags;
  return compact({
    clusterArn: cluster.arn,
    clusterName: cluster.name,
    status: 'ACTIVE',
    registeredContainerInstancesCount: 0,
    runningTasksCount: tasks.filter((t) => t.lastStatus === 'RUNNING').length,
    pendingTasksCount: tasks.filter((t) => t.lastStatus === 'PROVISIONING' || t.lastStatus === 'PENDING').length,
    activeServicesCount: 0,
    statistics: [],
    capacityProviders: ['FARGATE', 'FARGATE_SPOT'],
    defaultCapacityProviderStrategy: [],
    settings: include.includes('SETTINGS') ? [{ name: 'containerInsights', value: 'disabled' }] : undefined,
    tags: include.includes('TAGS') ? tags : undefined,
  });
}
