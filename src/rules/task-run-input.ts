import type { JsonObject } from '../types';
import { cloneJson, findNonJson, isJsonObject } from './json';
import { InvalidTaskCommandError } from './workload-command';

/**
 * One task's RunTask input (Airflow's `_run_task_kwargs`, spec section 2): the template with the
 * task's executor_config deep-merged over it, and the task's command in the Airflow container.
 * Pure and workflow-safe (no imports besides types and the JSON helpers); never mutates its inputs.
 */

/** An executor_config that cannot be applied. The name is what users search for. */
export class InvalidExecutorConfigError extends Error {
  override readonly name = 'InvalidExecutorConfig';
}

const EXECUTOR_CONTAINER_ENV = { name: 'AIRFLOW_IS_EXECUTOR_CONTAINER', value: 'true' } as const;

/**
 * Checks a task's executor_config at submit time. No executor_config (undefined or null) is `{}`.
 * `name` and `command` belong to the executor: Airflow rejects them, and so do we.
 */
export function validateExecutorConfig(executorConfig: unknown): JsonObject {
  if (executorConfig === undefined || executorConfig === null) return {};
  if (!isJsonObject(executorConfig)) {
    throw new InvalidExecutorConfigError(
      `executor_config must be a JSON object of RunTask arguments (e.g. {"overrides": {...}}), got ${describe(executorConfig)}`,
    );
  }
  const nonJson = findNonJson(executorConfig);
  if (nonJson) throw new InvalidExecutorConfigError(`executor_config must be plain JSON, but ${nonJson}`);
  const reserved = ['name', 'command'].filter((key) => key in executorConfig);
  if (reserved.length > 0) {
    throw new InvalidExecutorConfigError(
      `Executor Config should never override "name" or "command": this executor_config sets ${reserved.map((k) => `"${k}"`).join(' and ')}. ` +
        'The executor sets the container name (ECS_EXECUTOR_CONTAINER_NAME) and the task command itself; remove these keys.',
    );
  }
  return executorConfig;
}

/** Validates the command and the executor_config (see validateExecutorConfig), then merges and fills in. */
export function buildTaskRunInput(
  template: JsonObject,
  args: { containerName: string; command: string[]; executorConfig?: unknown },
): JsonObject {
  const { containerName, command } = args;
  if (!Array.isArray(command) || command.length === 0 || !command.every((part) => typeof part === 'string')) {
    throw new InvalidTaskCommandError(`The task command must be a non-empty list of strings, got ${describe(command)}`);
  }
  const merged = deepMerge(template, validateExecutorConfig(args.executorConfig));

  const overrides = merged.overrides;
  const list = isJsonObject(overrides) ? overrides.containerOverrides : undefined;
  const container = Array.isArray(list) ? list.find((c): c is JsonObject => isJsonObject(c) && c.name === containerName) : undefined;
  if (!container) {
    throw new InvalidExecutorConfigError(
      `No container override named "${containerName}" in overrides.containerOverrides, so there is nowhere to put the task's command. ` +
        `A list in executor_config replaces the template's list instead of merging with it: if executor_config sets ` +
        `overrides.containerOverrides, include {"name": "${containerName}", ...} in it.`,
    );
  }
  container.command = [...command];

  const environment = container.environment ?? [];
  if (!Array.isArray(environment)) {
    throw new InvalidExecutorConfigError(
      `The "${containerName}" container override has environment=${describe(environment)}: expected a list of {"name", "value"} objects`,
    );
  }
  // Exactly one marker entry, however often the input passed through here before.
  container.environment = [
    ...environment.filter((entry) => !(isJsonObject(entry) && entry.name === EXECUTOR_CONTAINER_ENV.name)),
    { ...EXECUTOR_CONTAINER_ENV },
  ];
  return merged;
}

/** Airflow's merge_dicts: objects merge recursively, everything else (lists too) replaces. Returns a new object. */
function deepMerge(base: JsonObject, over: JsonObject): JsonObject {
  const result = cloneJson(base);
  for (const [key, value] of Object.entries(over)) {
    const current = result[key];
    result[key] = isJsonObject(current) && isJsonObject(value) ? deepMerge(current, value) : cloneJson(value);
  }
  return result;
}

function describe(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (typeof value === 'function') return 'a function';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 200 ? `${text.slice(0, 200)}...` : text;
}
