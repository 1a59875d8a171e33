import { Option, type Command } from 'commander';
import type { WorkloadKeyInput } from '../contract/keys';
import { UsageError } from '../errors';

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
    .option('--callback-id <uuid>', 'an Airflow callback instead of a task instance');
}

export function withTemporalOptions(command: Command): Command {
  return command
    .option('--address <host:port>', 'Temporal frontend address (default: TEMPORAL_ADDRESS or localhost:7233)')
    .option('--namespace <ns>', 'Temporal namespace (default: TEMPORAL_NAMESPACE or default)');
}

export function hasKey(options: KeyOptions): boolean {
  return options.callbackId !== undefined || options.dagId !== undefined || options.taskId !== undefined || options.runId !== undefined;
}

/** The key the flags name; the rest of its validation is the contract's (at submit, status...). */
export function parseKey(options: KeyOptions): WorkloadKeyInput {
  if (options.callbackId !== undefined) {
    return { callbackId: options.callbackId, ...(options.dagId ? { dagId: options.dagId } : {}), ...(options.runId ? { runId: options.runId } : {}) };
  }
  const missing = (['dagId', 'taskId', 'runId'] as const).filter((k) => options[k] === undefined).map((k) => `--${k.replace('Id', '-id')}`);
  if (missing.length > 0) throw new UsageError(`missing ${missing.join(', ')}: a task instance is named by --dag-id, --task-id and --run-id (or --callback-id)`);
  return {
    dagId: options.dagId!,
    taskId: options.taskId!,
    runId: options.runId!,
    tryNumber: wholeNumber('--try-number', options.tryNumber),
    mapIndex: wholeNumber('--map-index', options.mapIndex, { min: -1 }),
    ...(options.tiId !== undefined ? { tiId: options.tiId } : {}),
  };
}

/** A whole number written as one: "" or "1.5" or "2x" are usage errors, not 0 or 2. */
export function wholeNumber(flag: string, value: string, { min = 0, max = Number.MAX_SAFE_INTEGER } = {}): number {
  if (!/^-?\d+$/.test(value.trim())) throw new UsageError(`${flag} must be a whole number, got "${value}"`);
  const n = Number(value);
  if (n < min || n > max) throw new UsageError(`${flag} must be from ${min} to ${max}, got ${n}`);
  return n;
}

export function parseJson(flag: string, value: string | undefined, example: string): unknown {
  if (value === undefined) return undefined;
  try {
    return JSON.parse(value) as unknown;
  } catch (err) {
    throw new UsageError(`${flag} must be JSON (e.g. '${example}'): ${(err as Error).message}`);
  }
}
