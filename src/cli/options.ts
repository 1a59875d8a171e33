import { Option, type Command } from 'commander';
import type { z } from 'zod';
import { adoptedTaskInputSchema } from '../contract/inputs';
import { callbackKeySchema, taskInstanceKeySchema, type WorkloadKey } from '../contract/keys';
import { InvalidTaskKeyError, UsageError } from '../errors';

export interface KeyOptions {
  dagId?: string;
  taskId?: string;
  runId?: string;
  tryNumber: string;
  mapIndex: string;
  tiId?: string;
  callbackId?: string;
}

export interface TemporalOptions {
  address?: string;
  namespace?: string;
}

/** The task instance key flags (or --callback-id for an Airflow callback). */
export function withKeyOptions(command: Command): Command {
  return command
    .addOption(new Option('--dag-id <id>', 'Airflow dag_id'))
    .addOption(new Option('--task-id <id>', 'Airflow task_id'))
    .addOption(new Option('--run-id <id>', 'Airflow run_id'))
    .option('--try-number <n>', 'Airflow try_number', '1')
    .option('--map-index <n>', 'Airflow map_index (-1 when the task is not mapped)', '-1')
    .option('--ti-id <uuid>', 'the task instance UUID (Airflow 3)')
    .option('--callback-id <uuid>', 'an Airflow callback instead of a task instance (with --dag-id and --run-id when known)');
}

export function withTemporalOptions(command: Command): Command {
  return command
    .option('--address <host:port>', 'Temporal frontend address (default: TEMPORAL_ADDRESS, the Temporal profile, or localhost:7233)')
    .option('--namespace <ns>', 'Temporal namespace (default: TEMPORAL_NAMESPACE, the Temporal profile, or default)');
}

export function hasKey(options: KeyOptions): boolean {
  return options.callbackId !== undefined || options.dagId !== undefined || options.taskId !== undefined || options.runId !== undefined;
}

/** The flag each key field comes from, so a key problem names what to change. */
const KEY_FLAGS: Record<string, string> = {
  dagId: '--dag-id',
  taskId: '--task-id',
  runId: '--run-id',
  tryNumber: '--try-number',
  mapIndex: '--map-index',
  tiId: '--ti-id',
  callbackId: '--callback-id',
};

function keyProblems(error: z.ZodError): string {
  return error.issues.map((issue) => `${KEY_FLAGS[String(issue.path[0])] ?? 'key'}: ${issue.message}`).join('; ');
}

/**
 * The key the flags name, validated as the workflow contract validates it, before anything
 * connects: a bad key is a usage error (exit 2) that names the flag.
 */
export function parseKey(options: KeyOptions): WorkloadKey {
  if (options.callbackId !== undefined) {
    const stray = (['taskId', 'tiId'] as const).filter((k) => options[k] !== undefined).map((k) => KEY_FLAGS[k]);
    if (stray.length > 0) throw new UsageError(`--callback-id names a callback, not a task instance: drop ${stray.join(' and ')}`);
    const parsed = callbackKeySchema.safeParse({
      callbackId: options.callbackId,
      ...(options.dagId !== undefined ? { dagId: options.dagId } : {}),
      ...(options.runId !== undefined ? { runId: options.runId } : {}),
    });
    if (!parsed.success) throw new InvalidTaskKeyError(`invalid callback key: ${keyProblems(parsed.error)}`);
    return parsed.data;
  }
  const missing = (['dagId', 'taskId', 'runId'] as const).filter((k) => options[k] === undefined).map((k) => KEY_FLAGS[k]);
  if (missing.length > 0) throw new UsageError(`missing ${missing.join(', ')}: a task instance is named by --dag-id, --task-id and --run-id (or a callback by --callback-id)`);
  const parsed = taskInstanceKeySchema.safeParse({
    dagId: options.dagId,
    taskId: options.taskId,
    runId: options.runId,
    tryNumber: wholeNumber('--try-number', options.tryNumber),
    mapIndex: wholeNumber('--map-index', options.mapIndex, { min: -1 }),
    ...(options.tiId !== undefined ? { tiId: options.tiId } : {}),
  });
  if (!parsed.success) throw new InvalidTaskKeyError(`invalid task instance key: ${keyProblems(parsed.error)}`);
  return parsed.data;
}

/** A whole number written as one: "" or "1.5" or "2x" are usage errors, not 0 or 2. */
export function wholeNumber(flag: string, value: string, { min = 0, max = Number.MAX_SAFE_INTEGER } = {}): number {
  if (!/^-?\d+$/.test(value.trim())) throw new UsageError(`${flag} must be a whole number, got "${value}"`);
  const n = Number(value);
  if (n < min || n > max) {
    throw new UsageError(`${flag} must be ${max === Number.MAX_SAFE_INTEGER ? `${min} or more` : `from ${min} to ${max}`}, got ${value.trim()}`);
  }
  return n;
}

/** An ECS task ARN, checked as adoption checks it: a typo is a usage error, not "nothing found". */
export function taskArn(flag: string, value: string): string {
  const parsed = adoptedTaskInputSchema.shape.taskArn.safeParse(value);
  if (!parsed.success) throw new UsageError(`${flag} "${value}": ${parsed.error.issues[0]?.message ?? 'not an ECS task ARN'}`);
  return parsed.data;
}

export function parseJson(flag: string, value: string | undefined, example: string): unknown {
  if (value === undefined) return undefined;
  try {
    return JSON.parse(value) as unknown;
  } catch (err) {
    throw new UsageError(`${flag} must be JSON (e.g. '${example}'): ${(err as Error).message}`);
  }
}
