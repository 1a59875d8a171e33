import type { z } from 'zod';
import { ConfigError } from '../errors';
import { closestName } from '../rules/did-you-mean';
import { formatPath } from '../rules/json';
import { problemsMessage } from '../rules/run-task-shape';
import { templateSettingsProblems } from '../rules/run-task-template';
import { CODEC_ENV, loadCodecKeyRing, type CodecKeyRing } from '../temporal/codec';
import { AirflowCfgSyntaxError, airflowCfgPath, expandAirflowValue, readAirflowCfg, type AirflowCfg } from './airflow-cfg';
import {
  AIRFLOW_SECTION,
  ALL_SETTINGS,
  EXECUTOR_SETTINGS,
  REMOVED_SETTINGS,
  RUNTIME_SETTINGS,
  type ExecutorSettingName,
  type ExecutorSettings,
  type RuntimeSettings,
  type Setting,
} from './table';

/**
 * Reading the settings: each value from the first source that sets it, parsed by its schema,
 * then the rules between settings, all in one pass, so one ConfigError lists every problem, each
 * naming where the value came from, the value, and what is expected.
 *
 * Executor settings ([aws_ecs_executor]) come from, first set wins (an empty value is unset):
 *   1. ECS_EXECUTOR_<KEY>;
 *   2. without ECS_EXECUTOR_TEAM: AIRFLOW__AWS_ECS_EXECUTOR__<KEY>, then `<key>` in
 *      [aws_ecs_executor] of airflow.cfg;
 *      with ECS_EXECUTOR_TEAM=<team>: AIRFLOW__<TEAM>___AWS_ECS_EXECUTOR__<KEY> (team upper-cased,
 *      three underscores), then `<key>` in [<team>=aws_ecs_executor] of airflow.cfg. As in
 *      Airflow 3.3 (`conf.get(..., team_name=team)`), a team's executor does not fall back to
 *      the global values: only to the defaults;
 *   3. the default.
 * Runtime settings are ours alone: ECS_EXECUTOR_<NAME>, then the default.
 */

type Env = Readonly<Record<string, string | undefined>>;

interface Found {
  text: string;
  /** Where the text came from, as a user would look for it. */
  source: string;
}

interface Lookup {
  found?: Found;
  problem?: string;
}

/** How a group's values are looked up. */
interface Sources {
  read(setting: Setting): Lookup;
  /** For a missing required setting: every place it can be set. */
  howToSet(setting: Setting): string;
  /** For a missing required setting: a value that exists but is not read (a team's executor ignores the global ones). */
  ignored?(setting: Setting): string | undefined;
}

const TITLES = {
  executor: 'Invalid ECS executor configuration',
  runtime: 'Invalid ECS executor runtime configuration',
} as const;

function nonEmpty(text: string | undefined): string | undefined {
  return text === undefined || text.trim() === '' ? undefined : text;
}

function shown(setting: Setting, text: string): string {
  if (setting.secret) return ` (value hidden, ${text.length} characters)`;
  return `="${text.length > 200 ? `${text.slice(0, 200)}...` : text}"`;
}

function fromEnv(env: Env, name: string, expand: boolean): Found | undefined {
  const raw = env[name];
  const text = nonEmpty(raw === undefined || !expand ? raw : expandAirflowValue(raw, env));
  return text === undefined ? undefined : { text, source: name };
}

const ourSources = (env: Env): Sources => ({
  read: (setting) => ({ found: fromEnv(env, setting.env, false) }),
  howToSet: (setting) => setting.env,
});

function airflowSources(env: Env, team: string | undefined, cfg: AirflowCfg | undefined, cfgPath: string): Sources {
  const section = team === undefined ? AIRFLOW_SECTION : `${team}=${AIRFLOW_SECTION}`;
  const key = (setting: Setting) => setting.airflowKey as string;
  const airflowEnv = (setting: Setting) =>
    team === undefined ? (setting.alias as string) : `AIRFLOW__${team.toUpperCase()}___${AIRFLOW_SECTION.toUpperCase()}__${key(setting).toUpperCase()}`;
  const fromCfg = (name: string, setting: Setting): Lookup => {
    const got = cfg?.get(name, key(setting));
    if (got === undefined) return {};
    if ('problem' in got) return { problem: `${cfgPath}:${got.line}: ${got.problem}` };
    const text = nonEmpty(expandAirflowValue(got.value, env));
    return text === undefined ? {} : { found: { text, source: `${cfgPath}:${got.line} [${name}] ${key(setting)}` } };
  };
  return {
    read(setting) {
      const ours = fromEnv(env, setting.env, false) ?? fromEnv(env, airflowEnv(setting), true);
      return ours ? { found: ours } : fromCfg(section, setting);
    },
    howToSet: (setting) => `${setting.env}, ${airflowEnv(setting)} or ${key(setting)} in [${section}] of ${cfgPath}`,
    ignored(setting) {
      if (team === undefined) return undefined;
      const global = fromEnv(env, setting.alias as string, true) ?? fromCfg(AIRFLOW_SECTION, setting).found;
      return global && `${global.source} is set, but with ${RUNTIME_SETTINGS.team.env}=${team} Airflow reads only the team's values, and so do we`;
    },
  };
}

interface Parsed<T> {
  values: Partial<T>;
  sources: Record<string, string>;
  problems: string[];
}

function parseGroup<T>(settings: Record<string, Setting>, sources: Sources): Parsed<T> {
  const values: Record<string, unknown> = {};
  const where: Record<string, string> = {};
  const problems: string[] = [];
  for (const [field, setting] of Object.entries(settings)) {
    const { found, problem } = sources.read(setting);
    if (problem) {
      problems.push(problem);
      continue;
    }
    where[field] = found?.source ?? setting.env;
    const result = setting.schema.safeParse(found?.text);
    if (result.success) {
      values[field] = result.data;
    } else if (found === undefined) {
      const ignored = sources.ignored?.(setting);
      problems.push(`${setting.env} is not set: set ${sources.howToSet(setting)} to ${setting.description}${ignored ? ` (${ignored})` : ''}`);
    } else {
      problems.push(...result.error.issues.map((issue: z.core.$ZodIssue) => describeIssue(setting, found, issue)));
    }
  }
  return { values: values as Partial<T>, sources: where, problems };
}

function describeIssue(setting: Setting, found: Found, issue: z.core.$ZodIssue): string {
  const at = issue.path.length > 0 ? `at ${formatPath(issue.path)}: ` : '';
  return `${found.source}${shown(setting, found.text)}: ${at}${issue.message}`;
}

function has<T, K extends keyof T>(values: Partial<T>, ...fields: K[]): values is Partial<T> & Pick<T, K> {
  return fields.every((field) => field in values);
}

function fail(title: string, problems: readonly string[]): ConfigError {
  return new ConfigError(problemsMessage(title, problems), problems);
}

/** ECS_EXECUTOR_TEAM, checked: the executor settings' sources depend on it. */
function readTeam(env: Env, problems: string[]): string | undefined {
  const found = fromEnv(env, RUNTIME_SETTINGS.team.env, false);
  const result = RUNTIME_SETTINGS.team.schema.safeParse(found?.text);
  if (result.success) return result.data;
  if (found) problems.push(...result.error.issues.map((issue) => describeIssue(RUNTIME_SETTINGS.team, found, issue)));
  return undefined;
}

export type ExecutorConfig = ExecutorSettings & {
  /** ECS_EXECUTOR_TEAM: the Airflow team whose values were read, if any. */
  team: string | undefined;
  /** Where each value came from (a variable, or `path:line [section] key`); an unset one names the variable to set. */
  sources: Record<ExecutorSettingName, string>;
  /** The airflow.cfg that was read, if there was one. */
  airflowConfigFile: string | undefined;
};

/** Reads and checks the executor settings (Airflow's [aws_ecs_executor]); every problem is reported at once. */
export function loadExecutorConfig(env: Env = process.env): ExecutorConfig {
  const problems: string[] = [];
  const team = readTeam(env, problems);
  const cfgPath = airflowCfgPath(env);
  let cfg: AirflowCfg | undefined;
  try {
    cfg = readAirflowCfg(env);
  } catch (err) {
    if (!(err instanceof AirflowCfgSyntaxError)) throw err;
    problems.push(...err.problems);
  }
  const parsed = parseGroup<ExecutorSettings>(EXECUTOR_SETTINGS, airflowSources(env, team, cfg, cfgPath));
  problems.push(...parsed.problems);
  const { values } = parsed;
  const sources = parsed.sources as Record<ExecutorSettingName, string>;
  // A setting that did not parse has its own problem listed; here it counts as not set, so no
  // rule reports it a second time.
  problems.push(
    ...templateSettingsProblems({
      launchType: values.launchType,
      capacityProviderStrategy: values.capacityProviderStrategy,
      assignPublicIp: values.assignPublicIp ?? false,
      subnets: values.subnets ?? [],
      securityGroups: values.securityGroups ?? [],
      sources,
    }),
  );
  if (problems.length > 0) throw fail(TITLES.executor, problems);
  return { ...(values as ExecutorSettings), team, sources, airflowConfigFile: cfg?.path };
}

export type RuntimeConfig = Omit<RuntimeSettings, 'codecKeyFile' | 'codecKey' | 'codecKeyId'> & {
  /** The payload codec's keys (from ECS_EXECUTOR_CODEC_KEY_FILE or ECS_EXECUTOR_CODEC_KEY); undefined: payloads are stored in plain text. */
  codecKeyRing: CodecKeyRing | undefined;
};

const seconds = (ms: number) => `${ms / 1000} s`;

/** Reads and checks our own runtime settings (worker, observer, timeouts, endpoint, logging, codec); every problem at once. */
export function loadRuntimeConfig(env: Env = process.env): RuntimeConfig {
  const problems: string[] = [];
  const known = new Set([...ALL_SETTINGS.map((setting) => setting.env), ...Object.keys(REMOVED_SETTINGS)]);
  for (const name of Object.keys(env).sort()) {
    const value = nonEmpty(env[name]);
    if (value === undefined || !name.startsWith('ECS_EXECUTOR_')) continue;
    const removed = REMOVED_SETTINGS[name];
    if (removed !== undefined) {
      problems.push(`${name}="${value}" is set, but this setting was removed: ${removed}. Unset ${name}`);
    } else if (!known.has(name)) {
      const suggestion = closestName(name, [...known].filter((k) => REMOVED_SETTINGS[k] === undefined));
      problems.push(
        `${name} is not a setting of this executor${suggestion ? ` (did you mean ${suggestion}?)` : ''}: ` +
          'unset it, or see `ecs-executor --help` for every setting',
      );
    }
  }

  const parsed = parseGroup<RuntimeSettings>(RUNTIME_SETTINGS, ourSources(env));
  problems.push(...parsed.problems);
  const { values } = parsed;
  const name = (field: keyof typeof RUNTIME_SETTINGS) => RUNTIME_SETTINGS[field].env;

  if (has(values, 'trackingCheckMs', 'pollIntervalMs') && values.trackingCheckMs < values.pollIntervalMs) {
    problems.push(
      `${name('trackingCheckMs')} (${seconds(values.trackingCheckMs)}) is shorter than ${name('pollIntervalMs')} (${seconds(values.pollIntervalMs)}): ` +
        'expected at least one poll interval (checking the observer more often than it polls does nothing)',
    );
  }
  if (has(values, 'terminateTimeoutMs', 'pollIntervalMs') && values.terminateTimeoutMs < values.pollIntervalMs) {
    problems.push(
      `${name('terminateTimeoutMs')} (${seconds(values.terminateTimeoutMs)}) is shorter than ${name('pollIntervalMs')} (${seconds(values.pollIntervalMs)}): ` +
        'expected at least one poll interval, or StopTask is sent again before the observer could see the task stop',
    );
  }
  if (has(values, 'launchDeadlineMs', 'ecsCallTimeoutMs') && values.launchDeadlineMs < values.ecsCallTimeoutMs) {
    problems.push(
      `${name('launchDeadlineMs')} (${seconds(values.launchDeadlineMs)}) is shorter than ${name('ecsCallTimeoutMs')} (${seconds(values.ecsCallTimeoutMs)}): ` +
        'expected at least one ECS call timeout, or a launch fails before its first RunTask could answer',
    );
  }
  if (
    has(values, 'maxConcurrentWorkflowTasks', 'maxCachedWorkflows') &&
    values.maxCachedWorkflows > 0 &&
    values.maxConcurrentWorkflowTasks > values.maxCachedWorkflows
  ) {
    problems.push(
      `${name('maxConcurrentWorkflowTasks')} (${values.maxConcurrentWorkflowTasks}) is more than ${name('maxCachedWorkflows')} (${values.maxCachedWorkflows}): ` +
        'Temporal runs at most as many workflow tasks as it caches workflows (unless the cache is 0); lower the first or raise the second',
    );
  }

  if (
    has(values, 'workflowTaskPollers', 'maxConcurrentWorkflowTasks') &&
    values.workflowTaskPollers.type === 'simple-maximum' &&
    values.workflowTaskPollers.maximum > values.maxConcurrentWorkflowTasks
  ) {
    problems.push(
      `${name('workflowTaskPollers')} (${values.workflowTaskPollers.maximum}) is more than ${name('maxConcurrentWorkflowTasks')} (${values.maxConcurrentWorkflowTasks}): ` +
        'each poll needs a free workflow-task slot, so the worker never opens more polls than it runs workflow tasks at once; lower the first or raise the second',
    );
  }
  let codecKeyRing: CodecKeyRing | undefined;
  if (has(values, 'codecKeyFile', 'codecKey', 'codecKeyId')) {
    try {
      codecKeyRing = loadCodecKeyRing({
        [CODEC_ENV.keyFile]: values.codecKeyFile,
        [CODEC_ENV.key]: values.codecKey,
        [CODEC_ENV.keyId]: values.codecKeyId,
      });
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      problems.push(...err.problems);
    }
  }
  if (problems.length > 0) throw fail(TITLES.runtime, problems);
  const { codecKeyFile: _file, codecKey: _key, codecKeyId: _id, ...rest } = values as RuntimeSettings;
  return { ...rest, codecKeyRing };
}
