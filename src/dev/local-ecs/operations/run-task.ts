import { join } from 'node:path';
import { z } from 'zod';
import { containerArn, containerInstanceArn, newTaskId, taskArn } from '../arns';
import type { ClusterRecord } from '../clusters';
import { clientError, EcsError, invalidParameter } from '../errors';
import type { TaskDefinitionRecord } from '../task-definition-registry';
import type { LocalContainer, LocalTask } from '../task-model';
import { replayedStoppedTaskView, taskView, type WireObject } from '../wire-views';
import { launchTypeSchema, parseInput, requireCluster, type EcsBackend } from './context';

const keyValuePair = z.object({ name: z.string(), value: z.string() });

const containerOverrideSchema = z.looseObject({
  name: z.string().optional(),
  command: z.array(z.string()).optional(),
  environment: z.array(keyValuePair).optional(),
  cpu: z.number().int().optional(),
  memory: z.number().int().optional(),
  memoryReservation: z.number().int().optional(),
});

/** RunTask's input. Limits are enforced here because JS v3 validates nothing. */
const runTaskSchema = z.looseObject({
  cluster: z.string().optional(),
  taskDefinition: z.string(),
  count: z.number().int().min(1, 'count must be between 1 and 10').max(10, 'count must be between 1 and 10').optional(),
  launchType: launchTypeSchema.optional(),
  capacityProviderStrategy: z
    .array(
      z.object({
        capacityProvider: z.string().min(1),
        weight: z.number().int().min(0).max(1000).optional(),
        base: z.number().int().min(0).max(100000).optional(),
      }),
    )
    .max(20)
    .optional(),
  platformVersion: z.string().optional(),
  networkConfiguration: z
    .object({
      awsvpcConfiguration: z
        .object({
          subnets: z.array(z.string()).max(16),
          securityGroups: z.array(z.string()).max(5).optional(),
          assignPublicIp: z.enum(['ENABLED', 'DISABLED']).optional(),
        })
        .optional(),
    })
    .optional(),
  overrides: z
    .looseObject({
      containerOverrides: z.array(containerOverrideSchema).optional(),
      cpu: z.string().optional(),
      memory: z.string().optional(),
    })
    .optional(),
  startedBy: z.string().max(128).regex(/^[A-Za-z0-9_/-]*$/, 'startedBy may contain only letters, numbers, hyphens, underscores and slashes').optional(),
  group: z.string().max(255).optional(),
  tags: z
    .array(z.object({ key: z.string().min(1).max(128), value: z.string().max(256).optional() }))
    .max(50)
    .optional(),
  propagateTags: z.enum(['TASK_DEFINITION', 'SERVICE', 'NONE']).optional(),
  enableECSManagedTags: z.boolean().optional(),
  enableExecuteCommand: z.boolean().optional(),
  clientToken: z.string().min(1).max(64).regex(/^[\x21-\x7e]+$/, 'clientToken must be printable ASCII').optional(),
});
type RunTaskInput = z.infer<typeof runTaskSchema>;

/** Failure reasons that name the container instance that could not take the task (api_failures_messages). */
const INSTANCE_FAILURE_PREFIXES = ['RESOURCE:', 'AGENT', 'ATTRIBUTE', 'LOCATION'];

export function runTask(backend: EcsBackend, rawInput: unknown): WireObject {
  if (typeof (rawInput as { taskDefinition?: unknown }).taskDefinition !== 'string') {
    throw invalidParameter('TaskDefinition can not be blank.');
  }
  const input = parseInput(runTaskSchema, rawInput);
  const cluster = requireCluster(backend, input.cluster);
  const taskDefinition = backend.taskDefinitions.find(input.taskDefinition);
  if (!taskDefinition) throw clientError('TaskDefinition not found.');
  checkConsistency(input, taskDefinition);

  const familyFault = backend.faults.requestFault('RunTask', taskDefinition.family);
  if (familyFault) throw familyFault;

  if (input.clientToken !== undefined) {
    const replay = replayClientToken(backend, cluster, input);
    // An answer can be lost on its way back whether the call launched or replayed.
    if (replay && backend.faults.take('lostResponse', taskDefinition.family)) throw lostResponse();
    if (replay) return replay;
  }

  const count = input.count ?? 1;
  const failure = backend.faults.take('runTaskFailure', taskDefinition.family);
  const launched: LocalTask[] = [];
  const failures: Array<Record<string, string>> = [];
  let answer: WireObject[];
  if (failure) {
    for (let i = 0; i < count; i++) {
      const instanceFailure = INSTANCE_FAILURE_PREFIXES.some((p) => failure.reason.startsWith(p));
      failures.push({
        ...(instanceFailure ? { arn: containerInstanceArn(backend.arns, cluster.name) } : {}),
        reason: failure.reason,
        ...(failure.detail !== undefined ? { detail: failure.detail } : {}),
      });
    }
    answer = [];
  } else {
    const noTaskArn = backend.faults.take('noTaskArn', taskDefinition.family);
    const tasks = Array.from({ length: count }, () => newTask(backend, cluster, taskDefinition, input));
    if (!noTaskArn || noTaskArn.launches) for (const task of tasks) launched.push(launchTask(backend, task));
    answer = tasks.map((t) => taskView(t, { includeTags: true, withoutTaskArn: noTaskArn !== undefined }));
  }

  // An answer that launched nothing and refused nothing (an unlaunched noTaskArn) binds no token.
  if (input.clientToken !== undefined && (launched.length > 0 || failures.length > 0)) {
    backend.tasks.rememberToken(cluster.arn, input.clientToken, {
      fingerprint: fingerprint(input),
      taskIds: launched.map((t) => t.id),
      failures,
      createdAt: Date.now(),
    });
  }
  if (backend.faults.take('lostResponse', taskDefinition.family)) throw lostResponse();
  return { tasks: answer, failures };
}

/** What a client sees of a lost answer: a 5xx, although the call took effect. */
function lostResponse(): EcsError {
  return new EcsError('ServerException', 'Service was unable to process this request.');
}

/** Checks ECS makes against the task definition and between members. */
function checkConsistency(input: RunTaskInput, td: TaskDefinitionRecord): void {
  if (input.launchType !== undefined && input.capacityProviderStrategy !== undefined) {
    throw invalidParameter('Specifying both a launch type and capacity provider strategy is not supported. Remove one and try again.');
  }
  if ((input.capacityProviderStrategy ?? []).filter((s) => s.base !== undefined && s.base > 0).length > 1) {
    throw invalidParameter('Only one capacity provider in a capacity provider strategy can have a base specified.');
  }
  if (input.propagateTags === 'SERVICE') {
    throw invalidParameter('SERVICE is not a valid propagateTags value for RunTask: tasks it starts belong to no service.');
  }
  const reservedTag = (input.tags ?? []).find((t) => t.key.toLowerCase().startsWith('aws:'));
  if (reservedTag) throw invalidParameter(`Tag key ${reservedTag.key} is invalid: the aws: prefix is reserved for AWS use.`);
  if (input.overrides !== undefined && JSON.stringify(input.overrides).length > 8192) {
    throw invalidParameter('Container Overrides length must be at most 8192');
  }
  for (const override of input.overrides?.containerOverrides ?? []) {
    if (override.name === undefined) throw invalidParameter('Container override name must be specified.');
    if (!td.input.containerDefinitions.some((c) => c.name === override.name)) {
      throw invalidParameter(`Override for container named ${override.name} is not a container in the TaskDefinition.`);
    }
  }
  if (td.input.networkMode === 'awsvpc' && input.networkConfiguration?.awsvpcConfiguration === undefined) {
    throw invalidParameter("Network Configuration must be provided when networkMode 'awsvpc' is specified.");
  }
}

/**
 * Same token + same input: the original answer, nothing launched. Same token + any other input:
 * ConflictException naming the tasks bound to the token (ECS_Idempotency).
 */
function replayClientToken(backend: EcsBackend, cluster: ClusterRecord, input: RunTaskInput): WireObject | undefined {
  const record = backend.tasks.token(cluster.arn, input.clientToken as string);
  if (!record) return undefined;
  const taskArns = record.taskIds.map((id) => backend.tasks.get(id)?.arn).filter((arn): arn is string => arn !== undefined);
  if (record.fingerprint !== fingerprint(input)) {
    throw new EcsError(
      'ConflictException',
      'The RunTask request could not be processed due to conflicts. The provided clientToken is already in use with a different RunTask request. The resourceIds are the existing task ARNs which are already associated with the clientToken.',
      { resourceIds: taskArns },
    );
  }
  const tasks = record.taskIds
    .map((id) => backend.tasks.get(id))
    .filter((t): t is LocalTask => t !== undefined)
    .map((t) => (t.lastStatus === 'STOPPED' ? replayedStoppedTaskView(t) : taskView(t, { includeTags: true })));
  return { tasks, failures: record.failures };
}

function newTask(backend: EcsBackend, cluster: ClusterRecord, td: TaskDefinitionRecord, input: RunTaskInput): LocalTask {
  const id = newTaskId();
  const family = td.family;
  const overridesByName = new Map((input.overrides?.containerOverrides ?? []).map((o) => [o.name, o]));
  const containers: LocalContainer[] = td.input.containerDefinitions.map((def) => {
    const override = overridesByName.get(def.name);
    const command = override?.command ?? def.command ?? [];
    return {
      name: def.name,
      arn: containerArn(backend.arns, cluster.name, id),
      image: def.image,
      essential: def.essential ?? true,
      // Docker semantics: ENTRYPOINT + CMD; RunTask's command override replaces CMD only.
      argv: [...(def.entryPoint ?? []), ...command],
      environment: Object.fromEntries([...(def.environment ?? []), ...(override?.environment ?? [])].map((e) => [e.name, e.value])),
      workingDirectory: def.workingDirectory,
      stopTimeoutMs: def.stopTimeout !== undefined ? def.stopTimeout * 1000 : backend.stopTimeoutMs,
      cpu: override?.cpu ?? def.cpu,
      memory: override?.memory ?? def.memory,
      memoryReservation: override?.memoryReservation ?? def.memoryReservation,
      lastStatus: 'PENDING',
    };
  });
  const capacityProvider = input.capacityProviderStrategy?.[0]?.capacityProvider;
  const launchType = input.launchType ?? (capacityProvider?.startsWith('FARGATE') ? 'FARGATE' : 'EC2');
  const task: LocalTask = {
    id,
    arn: taskArn(backend.arns, cluster.name, id),
    clusterName: cluster.name,
    clusterArn: cluster.arn,
    taskDefinition: td,
    lastStatus: 'PROVISIONING',
    statusHistory: ['PROVISIONING'],
    desiredStatus: 'RUNNING',
    version: 1,
    createdAt: new Date(),
    startedBy: input.startedBy,
    group: input.group ?? `family:${family}`,
    tags: input.tags ?? (input.propagateTags === 'TASK_DEFINITION' ? (td.input.tags ?? []) : []),
    launchType,
    availabilityZone: `${backend.arns.region}a`,
    capacityProviderName: capacityProvider,
    // ECS resolves LATEST to the current Fargate platform version.
    platformVersion: launchType === 'FARGATE' ? (input.platformVersion === undefined || input.platformVersion === 'LATEST' ? '1.4.0' : input.platformVersion) : undefined,
    cpu: input.overrides?.cpu ?? td.input.cpu,
    memory: input.overrides?.memory ?? td.input.memory,
    overrides: input.overrides ?? {},
    enableExecuteCommand: input.enableExecuteCommand ?? false,
    containers,
    logFile: backend.execution === 'process' ? join(backend.logDir, `${id}.log`) : undefined,
    clientToken: input.clientToken,
  };
  return task;
}

function launchTask(backend: EcsBackend, task: LocalTask): LocalTask {
  const family = task.taskDefinition.family;
  const vanish = backend.faults.take('vanish', family);
  if (vanish) task.vanishesAt = task.createdAt.getTime() + vanish.afterMs;
  const slow = backend.faults.take('slowProvisioning', family);
  const failToStart = backend.faults.take('failToStart', family);

  backend.tasks.add(task);
  backend.stats.taskLaunched(task.lastStatus);
  backend.lifecycle.launch(task, {
    extraProvisioningMs: slow?.extraMs ?? 0,
    ...(failToStart
      ? { failToStartReason: failToStart.reason ?? `CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref ${task.containers[0]?.image ?? 'image'}: not found` }
      : {}),
  });
  backend.logger.debug({ taskArn: task.arn, family, argv: task.containers.map((c) => c.argv) }, 'task launched');
  return task;
}

/** Canonical JSON (sorted keys) of the request minus its clientToken. */
function fingerprint(input: RunTaskInput): string {
  const { clientToken: _token, ...rest } = input;
  return canonicalJson(rest);
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
