import { z } from 'zod';
import { InvalidExecutorConfigError } from '../errors';
import type { JsonObject } from '../types';
import { closestName } from './did-you-mean';
import { findNonJson, findTooDeep, formatPath, isJsonObject } from './json';

/**
 * The shape of ECS's RunTask request, every member and nested member, as
 * `@aws-sdk/client-ecs` defines `RunTaskCommandInput` (test/unit/run-task-shape.test.ts walks the
 * SDK's own schema and fails when the SDK gains or loses a member). Strict: an unknown key is an
 * error, because the SDK silently drops members it does not know, so a typo (`memmory`) or a
 * capitalised key (`StartedBy`) would launch a task without what the user asked for.
 * Workflow-safe: only zod and the JSON helpers.
 */

/** ECS's enums, as the SDK lists them (the test checks each against the SDK). */
export const ECS_ENUMS = {
  LaunchType: ['EC2', 'EXTERNAL', 'FARGATE', 'MANAGED_INSTANCES'],
  AssignPublicIp: ['DISABLED', 'ENABLED'],
  PropagateTags: ['NONE', 'SERVICE', 'TASK_DEFINITION'],
  EnvironmentFileType: ['s3'],
  ResourceType: ['GPU', 'InferenceAccelerator', 'NeuronDevice'],
  PlacementConstraintType: ['distinctInstance', 'memberOf'],
  PlacementStrategyType: ['binpack', 'random', 'spread'],
  EBSResourceType: ['volume'],
  TaskFilesystemType: ['ext3', 'ext4', 'ntfs', 'xfs'],
} as const;

export const LAUNCH_TYPES = ECS_ENUMS.LaunchType;
export type LaunchType = (typeof LAUNCH_TYPES)[number];

/** ECS: "A total of 8192 characters are allowed for overrides", JSON formatting included. */
export const MAX_OVERRIDES_CHARACTERS = 8192;

/** The deepest valid RunTask input has 8 levels of objects and lists; anything far deeper is a mistake (or an attack). */
export const MAX_RUN_TASK_DEPTH = 32;

const text = () => z.string();
const whole = () => z.number().int();

const tag = z.strictObject({
  key: text().min(1).max(128).optional(),
  value: text().max(256).optional(),
});
const tags = z.array(tag).max(50);

const capacityProviderStrategyItem = z.strictObject({
  capacityProvider: text(),
  weight: whole().min(0).max(1000).optional(),
  base: whole().min(0).max(100000).optional(),
});

const awsVpcConfiguration = z.strictObject({
  subnets: z.array(text()).max(16),
  securityGroups: z.array(text()).max(5).optional(),
  assignPublicIp: z.enum(ECS_ENUMS.AssignPublicIp).optional(),
});

const keyValuePair = z.strictObject({ name: text().optional(), value: text().optional() });

const environmentFile = z.strictObject({ value: text(), type: z.enum(ECS_ENUMS.EnvironmentFileType) });

// SharingStrategy is a union with one member today: exactly that member must be set.
const sharingStrategy = z.strictObject({
  nvidiaMps: z.strictObject({ memory: whole(), maxComputePercent: whole().optional() }),
});

const resourceRequirement = z.strictObject({
  value: text().optional(),
  type: z.enum(ECS_ENUMS.ResourceType),
  sharingStrategy: sharingStrategy.optional(),
});

const containerOverride = z.strictObject({
  name: text().optional(),
  command: z.array(text()).optional(),
  environment: z.array(keyValuePair).optional(),
  environmentFiles: z.array(environmentFile).optional(),
  cpu: whole().optional(),
  memory: whole().optional(),
  memoryReservation: whole().optional(),
  resourceRequirements: z.array(resourceRequirement).optional(),
});

const taskOverride = z.strictObject({
  containerOverrides: z.array(containerOverride).optional(),
  // Task-level cpu and memory are strings ("1024", "1 vCPU"), container-level ones integers: ECS's own asymmetry.
  cpu: text().optional(),
  inferenceAcceleratorOverrides: z.array(z.strictObject({ deviceName: text().optional(), deviceType: text().optional() })).optional(),
  executionRoleArn: text().optional(),
  memory: text().optional(),
  taskRoleArn: text().optional(),
  ephemeralStorage: z.strictObject({ sizeInGiB: whole().min(21).max(200) }).optional(),
});

const placementConstraint = z.strictObject({ type: z.enum(ECS_ENUMS.PlacementConstraintType).optional(), expression: text().optional() });
const placementStrategy = z.strictObject({ type: z.enum(ECS_ENUMS.PlacementStrategyType).optional(), field: text().optional() });

const managedEbsVolume = z.strictObject({
  encrypted: z.boolean().optional(),
  kmsKeyId: text().optional(),
  volumeType: text().optional(),
  sizeInGiB: whole().optional(),
  snapshotId: text().optional(),
  volumeInitializationRate: whole().optional(),
  iops: whole().optional(),
  throughput: whole().optional(),
  tagSpecifications: z
    .array(
      z.strictObject({
        resourceType: z.enum(ECS_ENUMS.EBSResourceType),
        tags: tags.optional(),
        propagateTags: z.enum(ECS_ENUMS.PropagateTags).optional(),
      }),
    )
    .optional(),
  roleArn: text(),
  terminationPolicy: z.strictObject({ deleteOnTermination: z.boolean() }).optional(),
  filesystemType: z.enum(ECS_ENUMS.TaskFilesystemType).optional(),
});

/** A final RunTask input, as it is sent to ECS. `count` is ours: one Airflow task is one ECS task. */
export const runTaskInputSchema = z.strictObject({
  capacityProviderStrategy: z.array(capacityProviderStrategyItem).max(20).optional(),
  cluster: text().optional(),
  count: z.literal(1).optional(),
  enableECSManagedTags: z.boolean().optional(),
  enableExecuteCommand: z.boolean().optional(),
  group: text().optional(),
  launchType: z.enum(LAUNCH_TYPES).optional(),
  networkConfiguration: z.strictObject({ awsvpcConfiguration: awsVpcConfiguration.optional() }).optional(),
  overrides: taskOverride.optional(),
  placementConstraints: z.array(placementConstraint).max(10).optional(),
  placementStrategy: z.array(placementStrategy).max(5).optional(),
  platformVersion: text().optional(),
  propagateTags: z.enum(ECS_ENUMS.PropagateTags).optional(),
  referenceId: text().optional(),
  // ECS takes up to 128 of these; anything else fails every launch attempt at ECS.
  startedBy: text().max(128).regex(/^[A-Za-z0-9_/-]*$/, 'startedBy may contain only letters, digits, "_", "/" and "-"').optional(),
  tags: tags.optional(),
  taskDefinition: text(),
  clientToken: text().max(64).optional(),
  volumeConfigurations: z.array(z.strictObject({ name: text(), managedEBSVolume: managedEbsVolume.optional() })).optional(),
});

export type RunTaskInput = z.infer<typeof runTaskInputSchema>;
/** A validated RunTask input that is also plain JSON (it travels through Temporal). */
export type RunTaskInputJson = RunTaskInput & JsonObject;
export type CapacityProviderStrategyItem = z.infer<typeof capacityProviderStrategyItem>;

function unwrap(schema: z.ZodType): z.ZodType {
  let inner = schema;
  while (inner instanceof z.ZodOptional || inner instanceof z.ZodNullable) inner = inner.unwrap() as z.ZodType;
  return inner;
}

/**
 * The shape of something merged over a RunTask input (executor_config over the template,
 * run_task_kwargs over the settings): objects merge, so every member of an object is optional
 * and `null` unsets the value underneath; a list replaces the list underneath, so each item of a
 * list must be complete, as in a final input.
 */
function overlayOf(schema: z.ZodType): z.ZodType {
  const inner = unwrap(schema);
  if (!(inner instanceof z.ZodObject)) return inner;
  const members = Object.entries(inner.shape as Record<string, z.ZodType>).map(([key, member]) => [key, overlayOf(member).nullable().optional()]);
  return z.strictObject(Object.fromEntries(members) as Record<string, z.ZodType>);
}

/** Members the executor sets itself on every launch: an overlay may not (the message says why). */
const RESERVED_OVERLAY_MEMBERS: Readonly<Record<string, string>> = {
  clientToken: 'the executor sets it (one token per launch attempt, so a retried RunTask never starts a second task); remove it',
};

const runTaskOverlaySchema = (overlayOf(runTaskInputSchema) as z.ZodObject).omit({ clientToken: true });

/** JSON schemas of both shapes, for the Python package (`z.toJSONSchema`). */
export function runTaskJsonSchema(kind: 'input' | 'overlay'): Record<string, unknown> {
  return z.toJSONSchema(kind === 'input' ? runTaskInputSchema : runTaskOverlaySchema) as Record<string, unknown>;
}

// ---- problems, one line each: "<path>: <what is wrong> (<what is expected>)" ----

const EXPECTED: Readonly<Record<string, string>> = {
  string: 'a string',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  array: 'a list',
  object: 'an object',
};

function valueAt(value: unknown, path: readonly PropertyKey[]): unknown {
  let current = value;
  for (const key of path) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}

/**
 * A wrong value as a message may show it. Failure messages travel unencrypted (Temporal stores
 * them in plain text), and what sits under `overrides` (commands, environment values) or in a
 * command may be a secret: there a string or a container is shown by its kind only. Elsewhere the
 * value helps the user most, and is shown.
 */
export function preview(value: unknown, path: readonly PropertyKey[] = ['overrides']): string {
  const sensitive = path.some((p) => p === 'overrides' || p === 'command' || p === 'environment' || p === 'secrets');
  if (sensitive && value !== null && typeof value !== 'number' && typeof value !== 'boolean') {
    if (typeof value === 'string') return `a string of ${value.length} character${value.length === 1 ? '' : 's'}`;
    return Array.isArray(value) ? `a list of ${value.length}` : typeof value === 'object' ? 'an object' : `a ${typeof value}`;
  }
  const shown = JSON.stringify(value) ?? String(value);
  return shown.length > 80 ? `${shown.slice(0, 80)}...` : shown;
}

function membersAt(schema: z.ZodType, path: readonly PropertyKey[]): string[] {
  let current = unwrap(schema);
  for (const key of path) {
    if (current instanceof z.ZodObject) current = unwrap((current.shape as Record<string, z.ZodType>)[String(key)] ?? z.never());
    else if (current instanceof z.ZodArray) current = unwrap(current.element as z.ZodType);
    else return [];
  }
  return current instanceof z.ZodObject ? Object.keys(current.shape as object) : [];
}

function issueProblems(issue: z.core.$ZodIssue, input: unknown, schema: z.ZodType): string[] {
  const at = (path: readonly PropertyKey[]) => formatPath(path) || 'the input';
  const value = valueAt(input, issue.path);
  switch (issue.code) {
    case 'unrecognized_keys': {
      const members = membersAt(schema, issue.path);
      return issue.keys.map((key) => {
        const reserved = issue.path.length === 0 ? RESERVED_OVERLAY_MEMBERS[key] : undefined;
        if (reserved) return `${key}: ${reserved}`;
        const suggestion = closestName(key, members);
        const hint = suggestion ? `did you mean "${suggestion}"?` : `expected one of ${members.map((m) => `"${m}"`).join(', ')}`;
        return `${at([...issue.path, key])}: unknown key (${hint})`;
      });
    }
    case 'invalid_type': {
      const expected = EXPECTED[issue.expected] ?? issue.expected;
      return [value === undefined ? `${at(issue.path)}: missing (expected ${expected})` : `${at(issue.path)}: expected ${expected}, got ${preview(value, issue.path)}`];
    }
    case 'invalid_value': {
      if (issue.path.length === 1 && issue.path[0] === 'count') {
        return [`count: ${preview(value, issue.path)}, but one Airflow task runs as exactly one ECS task: count must be 1 (or left out)`];
      }
      return [`${at(issue.path)}: expected one of ${issue.values.map((v) => preview(v, [])).join(', ')}, got ${preview(value, issue.path)}`];
    }
    case 'too_big':
    case 'too_small': {
      const bound = issue.code === 'too_big' ? `at most ${String(issue.maximum)}` : `at least ${String(issue.minimum)}`;
      const unit = issue.origin === 'array' ? ' items' : issue.origin === 'string' ? ' characters' : '';
      const got = issue.origin === 'array' || issue.origin === 'string' ? `${(value as { length: number }).length}${unit}` : preview(value, issue.path);
      return [`${at(issue.path)}: expected ${bound}${unit}, got ${got}`];
    }
    default:
      return [`${at(issue.path)}: ${issue.message}`];
  }
}

function shapeProblems(value: unknown, schema: z.ZodType): string[] {
  const tooDeep = findTooDeep(value, MAX_RUN_TASK_DEPTH);
  if (tooDeep) return [`nested too deeply at ${tooDeep}; a RunTask input is never deeper than 8 levels`];
  const nonJson = findNonJson(value);
  if (nonJson) return [`not plain JSON: ${nonJson}`];
  const result = schema.safeParse(value);
  return result.success ? [] : result.error.issues.flatMap((issue) => issueProblems(issue, value, schema));
}

/** Groups digits like ECS's docs do: 8192 -> "8,192". */
export function formatCount(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** What is wrong with the size of `overrides`, and whether the command is what takes the room. */
export interface OverridesSizeProblem {
  message: string;
  /** The largest part is a container's command (the Airflow 3 workload JSON rides in it). */
  byCommand: boolean;
}

/** ECS's limit on the JSON of `overrides`, naming what takes the room: a container's command or its environment. */
export function overridesSizeProblem(overrides: unknown): OverridesSizeProblem | undefined {
  if (overrides === undefined) return undefined;
  const length = JSON.stringify(overrides)?.length ?? 0;
  if (length <= MAX_OVERRIDES_CHARACTERS) return undefined;
  const head = `overrides: ${formatCount(length)} characters as JSON, over ECS's limit of ${formatCount(MAX_OVERRIDES_CHARACTERS)}`;
  const parts: { size: number; what: string; fix: string; byCommand: boolean }[] = [];
  const containers = isJsonObject(overrides) && Array.isArray(overrides.containerOverrides) ? overrides.containerOverrides : [];
  for (const container of containers) {
    if (!isJsonObject(container)) continue;
    const name = typeof container.name === 'string' ? `container "${container.name}"` : 'a container';
    if (container.command !== undefined) {
      const fix = 'pass large data through XCom or a file, not the command';
      parts.push({ size: JSON.stringify(container.command).length, what: `the command of ${name}`, fix, byCommand: true });
    }
    if (container.environment !== undefined) {
      const fix = 'move large values into the task definition, an environment file (environmentFiles) or a secret';
      parts.push({ size: JSON.stringify(container.environment).length, what: `the environment of ${name}`, fix, byCommand: false });
    }
  }
  const largest = parts.sort((a, b) => b.size - a.size)[0];
  if (!largest) return { message: `${head}: make the overrides smaller`, byCommand: false };
  return { message: `${head}; ${largest.what} is ${formatCount(largest.size)} of them: ${largest.fix}`, byCommand: largest.byCommand };
}

/**
 * Every problem of a final RunTask input: depth, plain JSON, the shape, ECS's rules that the
 * shape cannot say (launchType xor capacityProviderStrategy, the size of overrides).
 */
export function runTaskInputProblems(value: unknown): string[] {
  const problems = shapeProblems(value, runTaskInputSchema);
  if (problems.length > 0 || !isJsonObject(value)) return problems;
  if (value.launchType !== undefined && value.capacityProviderStrategy !== undefined) {
    problems.push(
      `launchType (${preview(value.launchType, [])}) and capacityProviderStrategy are both set, but ECS accepts only one of them: ` +
        'when executor_config sets one over a template that has the other, set the other to null in executor_config',
    );
  }
  const size = overridesSizeProblem(value.overrides);
  if (size) problems.push(size.message);
  return problems;
}

/** Every problem of something merged over a RunTask input (see overlayOf): depth, plain JSON, the shape, reserved members. */
export function runTaskOverlayProblems(value: unknown): string[] {
  return shapeProblems(value, runTaskOverlaySchema);
}

/** Makes the error a validation throws, from its message and the problems it lists. */
export type ProblemsError = (message: string, problems: readonly string[]) => Error;

const invalidExecutorConfig: ProblemsError = (message) => new InvalidExecutorConfigError(message);

/** One message listing every problem: "<title> (2 problems):\n  - a\n  - b". */
export function problemsMessage(title: string, problems: readonly string[]): string {
  const count = problems.length === 1 ? '1 problem' : `${problems.length} problems`;
  return `${title} (${count}):\n${problems.map((p) => `  - ${p}`).join('\n')}`;
}

/**
 * Checks a final RunTask input and returns it typed. Throws what `options.error` makes (default
 * InvalidExecutorConfigError; the template builder makes a ConfigError) listing every problem,
 * each with its full path, e.g. `overrides.containerOverrides[0].memmory: unknown key (did you mean "memory"?)`.
 */
export function validateRunTaskInput(value: unknown, options: { what?: string; error?: ProblemsError } = {}): RunTaskInputJson {
  const problems = runTaskInputProblems(value);
  if (problems.length > 0) {
    const makeError = options.error ?? invalidExecutorConfig;
    throw makeError(problemsMessage(`${options.what ?? 'The RunTask input'} is not a valid RunTask input`, problems), problems);
  }
  return value as RunTaskInputJson;
}
