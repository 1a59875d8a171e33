import { InvalidExecutorConfigError, InvalidTaskCommandError } from '../errors';
import type { JsonObject } from '../types';
import { cloneJson, findNonJson, findTooDeep, isJsonObject } from './json';
import {
  MAX_RUN_TASK_DEPTH,
  overridesSizeProblem,
  preview,
  problemsMessage,
  runTaskInputProblems,
  runTaskOverlayProblems,
  type RunTaskInputJson,
} from './run-task-shape';

/**
 * One task's RunTask input (Airflow's `_run_task_kwargs`): the template with the task's
 * executor_config deep-merged over it, and the task's command in the Airflow container.
 * Pure and workflow-safe (zod and the JSON helpers only); never mutates its inputs.
 */

const EXECUTOR_CONTAINER_ENV = { name: 'AIRFLOW_IS_EXECUTOR_CONTAINER', value: 'true' } as const;

/** Airflow forbids these two at the top of executor_config: the executor owns them. */
export const RESERVED_KEYS = ['name', 'command'] as const;

/**
 * Checks a task's command: a non-empty list of strings, none with a NUL byte (no process can
 * receive one: ECS would fail the launch, three times). Returns a copy.
 */
export function validateTaskCommand(command: unknown): string[] {
  if (!Array.isArray(command) || command.length === 0 || !command.every((part) => typeof part === 'string')) {
    throw new InvalidTaskCommandError(`The task command must be a non-empty list of strings, got ${preview(command, ['command'])}`);
  }
  const parts = command as string[];
  for (const [i, part] of parts.entries()) {
    const at = part.indexOf('\u0000');
    if (at >= 0) {
      throw new InvalidTaskCommandError(
        `Part ${i + 1} of ${parts.length} of the task command contains a NUL byte (\\0) at character ${at + 1} (${preview(part, ['command'])}): ` +
          'no process can receive an argument with one; remove it from the command',
      );
    }
  }
  return [...parts];
}

/**
 * Checks a task's executor_config without the template, so a client can run it at submit: a
 * plain JSON object, not nested absurdly deep, without `name` or `command` (Airflow's rule), with
 * `count` 1 if present, and every key a RunTask member in its place, with the right type (as
 * something merged over the template: objects may be partial, `null` unsets the template's
 * value, list items must be complete). No executor_config (undefined or null) is `{}`.
 * Throws one InvalidExecutorConfigError listing every problem.
 */
export function validateExecutorConfig(executorConfig: unknown): JsonObject {
  if (executorConfig === undefined || executorConfig === null) return {};
  const fail = (problems: string[]) => new InvalidExecutorConfigError(problemsMessage('Invalid executor_config', problems));
  // First, before any recursive walk: 20,000 levels would overflow the stack of every one of them.
  const tooDeep = findTooDeep(executorConfig, MAX_RUN_TASK_DEPTH);
  if (tooDeep) throw fail([`executor_config is nested too deeply, at ${tooDeep}; a RunTask input is never deeper than 8 levels`]);
  if (!isJsonObject(executorConfig)) {
    throw fail([`executor_config must be a JSON object of RunTask arguments (e.g. {"overrides": {...}}), got ${preview(executorConfig, [])}`]);
  }
  const nonJson = findNonJson(executorConfig);
  if (nonJson) throw fail([`executor_config must be plain JSON, but ${nonJson}`]);

  const problems: string[] = [];
  const reserved = RESERVED_KEYS.filter((key) => key in executorConfig);
  if (reserved.length > 0) {
    problems.push(
      `Executor Config should never override "name" or "command": this executor_config sets ${reserved.map((k) => `"${k}"`).join(' and ')}. ` +
        'The executor sets the container name (the container_name setting) and the task command itself; remove these keys.',
    );
  }
  const rest = Object.fromEntries(Object.entries(executorConfig).filter(([key]) => !(RESERVED_KEYS as readonly string[]).includes(key)));
  problems.push(...runTaskOverlayProblems(rest));
  if (problems.length > 0) throw fail(problems);
  return executorConfig;
}

/**
 * Validates the command and the executor_config (see validateExecutorConfig), merges, fills in
 * the command, then checks the result as ECS will (shape, launchType xor
 * capacityProviderStrategy, 8,192 characters of overrides). An overrides too long because of the
 * command is an InvalidTaskCommandError; every other problem an InvalidExecutorConfigError.
 */
export function buildTaskRunInput(
  template: JsonObject,
  args: { containerName: string; command: readonly string[]; executorConfig?: unknown },
): RunTaskInputJson {
  const { containerName } = args;
  const command = validateTaskCommand(args.command);
  const merged = mergeOverlay(template, validateExecutorConfig(args.executorConfig));
  // executor_config may only say 1 (or null): one Airflow task is one ECS task, whatever was merged.
  merged.count = 1;

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
  container.command = command;

  const environment = container.environment ?? [];
  if (!Array.isArray(environment)) {
    throw new InvalidExecutorConfigError(
      `The "${containerName}" container override has environment=${preview(environment, ['environment'])}: expected a list of {"name", "value"} objects`,
    );
  }
  // Exactly one marker entry, however often the input passed through here before.
  container.environment = [
    ...environment.filter((entry) => !(isJsonObject(entry) && entry.name === EXECUTOR_CONTAINER_ENV.name)),
    { ...EXECUTOR_CONTAINER_ENV },
  ];

  const problems = runTaskInputProblems(merged);
  if (problems.length > 0) {
    const message = problemsMessage("The task's RunTask input (the template with executor_config merged over it) is not valid", problems);
    const size = overridesSizeProblem(merged.overrides);
    const onlyTheCommandIsTooLong = size !== undefined && size.byCommand && problems.length === 1 && problems[0] === size.message;
    throw onlyTheCommandIsTooLong ? new InvalidTaskCommandError(message) : new InvalidExecutorConfigError(message);
  }
  return merged as RunTaskInputJson;
}

/**
 * Airflow's merge_dicts (objects merge recursively, everything else, lists too, replaces), plus
 * one rule of ours: `null` removes the value underneath (e.g. `{"launchType": null}` to use a
 * capacity provider strategy over a template that names a launch type). Returns a new object.
 */
function mergeOverlay(base: JsonObject, over: JsonObject): JsonObject {
  const result = cloneJson(base);
  for (const [key, value] of Object.entries(over)) {
    if (value === null) {
      delete result[key];
      continue;
    }
    const current = result[key];
    result[key] = isJsonObject(value) ? mergeOverlay(isJsonObject(current) ? current : {}, value) : cloneJson(value);
  }
  return result;
}

