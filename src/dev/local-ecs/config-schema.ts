import { LogDriver } from '@aws-sdk/client-ecs';
import { z } from 'zod';
import { ECS_OPERATIONS } from './operations/names';

/**
 * The local ECS config file (and the `config` option): clusters, task definitions, fault injection
 * and timings. Task definitions use RegisterTaskDefinition's input shape, so a file can be written
 * from (or copied into) a real registration.
 */

/** Milliseconds a timer waits: Node fires a longer timer after 1 ms instead, so refuse it here. */
const timerMs = z
  .number()
  .int()
  .min(0)
  .max(2 ** 31 - 1, 'at most 2147483647 ms (about 24.8 days), the longest a timer can wait');

const keyValuePair = z.object({ name: z.string(), value: z.string() });
const tag = z.object({ key: z.string().min(1).max(128), value: z.string().max(256).optional() });

/**
 * RegisterTaskDefinition's LogConfiguration. The endpoint stores and returns it; where a task's
 * output really goes is the endpoint's own business (see defaultTaskDefinition).
 */
const logConfigurationSchema = z.strictObject({
  logDriver: z.enum(Object.values(LogDriver) as [LogDriver, ...LogDriver[]]),
  options: z.record(z.string(), z.string()).optional(),
  secretOptions: z.array(z.strictObject({ name: z.string().min(1), valueFrom: z.string().min(1) })).optional(),
});

const containerDefinitionSchema = z.looseObject({
  name: z.string({ error: 'Container.name should not be null or empty.' }).min(1, 'Container.name should not be null or empty.'),
  image: z.string({ error: 'Container.image should not be null or empty.' }).min(1, 'Container.image should not be null or empty.'),
  command: z.array(z.string()).optional(),
  entryPoint: z.array(z.string()).optional(),
  environment: z.array(keyValuePair).optional(),
  essential: z.boolean().optional(),
  cpu: z.number().int().optional(),
  memory: z.number().int().optional(),
  memoryReservation: z.number().int().optional(),
  /** Seconds between SIGTERM and SIGKILL on stop (ECS: Fargate 2-120 s, default 30 s). */
  stopTimeout: z.number().int().min(0).optional(),
  workingDirectory: z.string().optional(),
  logConfiguration: logConfigurationSchema.optional(),
});

export const taskDefinitionInputSchema = z
  .looseObject({
    family: z
      .string({ error: 'Family should not be null or empty.' })
      .regex(/^[A-Za-z0-9_-]{1,255}$/, 'Family must be 1-255 letters, numbers, hyphens or underscores.'),
    containerDefinitions: z
      .array(containerDefinitionSchema, { error: 'Container definitions should not be null or empty.' })
      .min(1, 'Container definitions should not be null or empty.'),
    cpu: z.string().optional(),
    memory: z.string().optional(),
    networkMode: z.enum(['bridge', 'host', 'awsvpc', 'none']).optional(),
    requiresCompatibilities: z.array(z.string()).optional(),
    tags: z.array(tag).optional(),
  })
  .refine((td) => td.containerDefinitions.some((c) => c.essential !== false), {
    message: 'A task definition must have at least one essential container.',
    path: ['containerDefinitions'],
  })
  .refine((td) => new Set(td.containerDefinitions.map((c) => c.name)).size === td.containerDefinitions.length, {
    message: 'Container names must be unique within a task definition.',
    path: ['containerDefinitions'],
  });
export type TaskDefinitionInput = z.infer<typeof taskDefinitionInputSchema>;

const clusterConfigSchema = z.union([
  z.string().min(1),
  z.strictObject({ name: z.string().regex(/^[A-Za-z0-9_-]{1,255}$/, 'Cluster names are 1-255 letters, numbers, hyphens or underscores.'), tags: z.array(tag).optional() }),
]);
export type ClusterConfig = z.infer<typeof clusterConfigSchema>;

/**
 * When a fault fires: on each of the next `next` eligible events, then (or instead) with probability
 * `rate` per event. A fault given with neither fires on every eligible event.
 */
const trigger = {
  next: z.number().int().min(0, 'next must be 0 or more').optional(),
  rate: z.number().min(0, 'rate must be between 0 and 1').max(1, 'rate must be between 0 and 1').optional(),
};
const operations = z.array(z.enum(ECS_OPERATIONS)).optional();

const faultSpecSchema = z.strictObject({
  /**
   * The request is accepted and its connection held open with no answer, until it is released
   * (admin API), `forMs` elapses, or the endpoint stops. A released call then runs as if it had
   * just arrived; a call whose client gave up meanwhile never runs.
   */
  hang: z.strictObject({ ...trigger, operations, forMs: timerMs.optional() }).optional(),
  /** HTTP 400 ThrottlingException "Rate exceeded" (ECS's token buckets). */
  throttle: z.strictObject({ ...trigger, operations }).optional(),
  /** HTTP 500 ServerException, before the operation does anything. */
  serverError: z.strictObject({ ...trigger, operations, message: z.string().optional() }).optional(),
  /**
   * Any ECS error, before the operation does anything, e.g. StopTask refused with
   * AccessDeniedException. HTTP 400 unless `httpStatus` says otherwise (ServerException: 500).
   */
  error: z
    .strictObject({
      ...trigger,
      operations,
      code: z.string().regex(/^[A-Za-z][A-Za-z0-9]*$/, 'code must be an ECS error name such as AccessDeniedException'),
      message: z.string().optional(),
      httpStatus: z.number().int().min(400, 'httpStatus must be 400-599').max(599, 'httpStatus must be 400-599').optional(),
    })
    .optional(),
  /** RunTask launches the task(s), then answers 500 as if the response were lost: SDK retries must reuse clientToken. */
  lostResponse: z.strictObject({ ...trigger }).optional(),
  /**
   * RunTask answers 200 with tasks that carry no `taskArn`. With `launches: true` the tasks are
   * launched all the same (an answer mangled on the way back); by default nothing is launched.
   */
  noTaskArn: z.strictObject({ ...trigger, launches: z.boolean().default(false) }).optional(),
  /** RunTask answers 200 with `failures[]` and no tasks (e.g. RESOURCE:MEMORY, AGENT, Fargate capacity text). */
  runTaskFailure: z.strictObject({ ...trigger, reason: z.string().min(1).default('RESOURCE:MEMORY'), detail: z.string().optional() }).optional(),
  /** Extra time in PROVISIONING. */
  slowProvisioning: z.strictObject({ ...trigger, extraMs: timerMs }).optional(),
  /** The task stops before it starts: stopCode TaskFailedToStart, no startedAt. */
  failToStart: z.strictObject({ ...trigger, reason: z.string().min(1).optional() }).optional(),
  /** The task disappears: DescribeTasks reports it MISSING `afterMs` after RunTask. */
  vanish: z.strictObject({ ...trigger, afterMs: z.number().int().min(0).default(0) }).optional(),
});
export type FaultSpec = z.infer<typeof faultSpecSchema>;
export type FaultKind = keyof FaultSpec;

export const faultsConfigSchema = z.strictObject({
  /** Faults for every call to this endpoint. */
  endpoint: faultSpecSchema.optional(),
  /** Faults for RunTask calls (and the tasks they launch) of one task definition family. */
  families: z.record(z.string(), faultSpecSchema).optional(),
});
export type FaultsConfig = z.infer<typeof faultsConfigSchema>;
export type FaultsConfigInput = z.input<typeof faultsConfigSchema>;

const lifecycleDelaysSchema = z.strictObject({
  /** PROVISIONING → PENDING (ENI setup on awsvpc). */
  provisioningMs: timerMs.optional(),
  /** PENDING → RUNNING (image pull, container creation). */
  pendingMs: timerMs.optional(),
  /** Stop decided (DEACTIVATING) → STOPPING, when containers get SIGTERM. */
  deactivatingMs: timerMs.optional(),
  /** All containers exited → STOPPED (DEPROVISIONING). */
  deprovisioningMs: timerMs.optional(),
});
export type LifecycleDelays = Required<z.infer<typeof lifecycleDelaysSchema>>;

/**
 * `process`: every container command runs as a local OS process. `scripted`: no process at all;
 * commands are interpreted (see scripted-commands.ts), so 10,000 tasks cost a few timers.
 */
const EXECUTION_MODES = ['process', 'scripted'] as const;
export type ExecutionMode = (typeof EXECUTION_MODES)[number];

export const localEcsConfigSchema = z.strictObject({
  execution: z.enum(EXECUTION_MODES).optional(),
  region: z.string().min(1).optional(),
  accountId: z.string().regex(/^\d{12}$/, 'accountId must be 12 digits').optional(),
  logDir: z.string().min(1).optional(),
  lifecycle: lifecycleDelaysSchema.optional(),
  stoppedTaskRetentionMs: z.number().int().min(0).optional(),
  stopTimeoutMs: timerMs.optional(),
  randomSeed: z.number().int().optional(),
  /** RunTask requests kept for GET /_local/run-task-requests (oldest dropped first). */
  maxRecordedRunTaskRequests: z.number().int().min(0).optional(),
  clusters: z.array(clusterConfigSchema).optional(),
  taskDefinitions: z.array(taskDefinitionInputSchema).optional(),
  faults: faultsConfigSchema.optional(),
});
export type LocalEcsConfig = z.infer<typeof localEcsConfigSchema>;
export type LocalEcsConfigInput = z.input<typeof localEcsConfigSchema>;
