import { ConfigError } from '../errors';
import type { JsonObject, JsonValue } from '../types';
import { camelCaseKeys } from './camel-case';
import { cloneJson, findNonJson, findTooDeep, isJsonObject } from './json';
import {
  MAX_RUN_TASK_DEPTH,
  problemsMessage,
  runTaskInputProblems,
  runTaskOverlayProblems,
  type CapacityProviderStrategyItem,
  type LaunchType,
  type RunTaskInputJson,
} from './run-task-shape';

/**
 * The RunTask input every task starts from (Airflow's `build_task_kwargs`), built once at
 * start-up so that bad configuration fails there, loudly, and not on the first task.
 * Per task, `buildTaskRunInput` merges executor_config over it and fills in the command.
 *
 * It takes plain settings and names them in messages by their Airflow key (`run_task_kwargs`),
 * or by `sources` when the caller knows where each came from (the settings loader passes the
 * variable or airflow.cfg line): this module knows no environment variable.
 */

/** The [aws_ecs_executor] settings the template is built from (the settings loader's ExecutorConfig has them all). */
export interface RunTaskTemplateSettings {
  cluster: string;
  containerName: string;
  taskDefinition?: string;
  launchType?: LaunchType;
  capacityProviderStrategy?: readonly CapacityProviderStrategyItem[];
  platformVersion: string;
  assignPublicIp: boolean;
  subnets: readonly string[];
  securityGroups: readonly string[];
  runTaskKwargs: JsonObject;
  /** How to name each setting in a message (e.g. `ECS_EXECUTOR_SUBNETS`); default: its Airflow key. */
  sources?: Partial<Record<TemplateSetting, string>>;
}

const AIRFLOW_KEYS = {
  cluster: 'cluster',
  containerName: 'container_name',
  taskDefinition: 'task_definition',
  launchType: 'launch_type',
  capacityProviderStrategy: 'capacity_provider_strategy',
  platformVersion: 'platform_version',
  assignPublicIp: 'assign_public_ip',
  subnets: 'subnets',
  securityGroups: 'security_groups',
  runTaskKwargs: 'run_task_kwargs',
} as const;
type TemplateSetting = keyof typeof AIRFLOW_KEYS;

export interface RunTaskTemplateDeps {
  /** DescribeClusters: does the cluster have a default capacity provider strategy? */
  clusterHasDefaultCapacityProviderStrategy(cluster: string): Promise<boolean>;
}

const TITLE = 'The RunTask template cannot be built from the [aws_ecs_executor] settings';

function labeller(settings: Pick<RunTaskTemplateSettings, 'sources'>): (setting: TemplateSetting) => string {
  return (setting) => settings.sources?.[setting] ?? AIRFLOW_KEYS[setting];
}

/** Only a network setting asks for awsvpc: subnets, security groups, or assign_public_ip True (False is Airflow's default, so it asks for nothing). */
function wantsAwsvpc(settings: Pick<RunTaskTemplateSettings, 'assignPublicIp' | 'subnets' | 'securityGroups'>): boolean {
  return settings.subnets.length > 0 || settings.securityGroups.length > 0 || settings.assignPublicIp;
}

/**
 * The rules between settings that need nothing else (no run_task_kwargs, no ECS): the settings
 * loader runs them in its single pass, so one message lists them with every other problem.
 */
export function templateSettingsProblems(
  settings: Pick<RunTaskTemplateSettings, 'launchType' | 'capacityProviderStrategy' | 'assignPublicIp' | 'subnets' | 'securityGroups' | 'sources'>,
): string[] {
  const label = labeller(settings);
  const problems: string[] = [];
  if (settings.launchType !== undefined && settings.capacityProviderStrategy !== undefined) {
    problems.push(
      `${label('launchType')} (${settings.launchType}) and ${label('capacityProviderStrategy')} are mutually exclusive, you can not provide both: set only one of them`,
    );
  }
  if (wantsAwsvpc(settings) && settings.subnets.length === 0) {
    const asking = [
      settings.securityGroups.length > 0 ? `${label('securityGroups')} (${settings.securityGroups.join(',')})` : undefined,
      settings.assignPublicIp ? `${label('assignPublicIp')} (True)` : undefined,
    ].filter((part) => part !== undefined);
    problems.push(
      `At least one subnet is required to run a task: ${asking.join(' and ')} ask${asking.length === 1 ? 's' : ''} for an awsvpc network configuration, ` +
        `which needs subnets: set ${label('subnets')} to comma-separated subnet IDs (e.g. "subnet-0abc,subnet-0def")`,
    );
  }
  return problems;
}

export async function buildRunTaskTemplate(settings: RunTaskTemplateSettings, deps: RunTaskTemplateDeps): Promise<RunTaskInputJson> {
  const label = labeller(settings);
  const problems: string[] = [];
  const fail = (list: readonly string[]) => new ConfigError(problemsMessage(TITLE, list), list);

  // 1. The settings that are RunTask arguments, then run_task_kwargs over them (shallow, as in
  //    Airflow; null removes a value). Its keys are camel-cased first so `task_definition`,
  //    `TaskDefinition` and `taskDefinition` are one key.
  const kwargs: JsonObject = { cluster: settings.cluster, platformVersion: settings.platformVersion };
  if (settings.taskDefinition) kwargs.taskDefinition = settings.taskDefinition;
  if (settings.launchType) kwargs.launchType = settings.launchType;
  if (settings.capacityProviderStrategy) kwargs.capacityProviderStrategy = settings.capacityProviderStrategy.map((item) => ({ ...item }));
  const overlay = camelCasedKwargs(settings.runTaskKwargs, label('runTaskKwargs'), problems);
  if (overlay) {
    for (const [key, value] of Object.entries(overlay)) {
      if (value === null) delete kwargs[key];
      else kwargs[key] = withoutNulls(value);
    }
  }
  problems.push(...templateSettingsProblems(settings));

  const taskDefinition = kwargs.taskDefinition;
  if (taskDefinition === undefined) {
    problems.push(`No task definition to run: set ${label('taskDefinition')}, or give "taskDefinition" in ${label('runTaskKwargs')}`);
  } else if (typeof taskDefinition === 'string' && taskDefinition.trim() === '') {
    problems.push(`${label('runTaskKwargs')}: taskDefinition is empty: expected a family, family:revision or ARN`);
  }
  if (kwargs.cluster === undefined) {
    problems.push(`No cluster to run in: ${label('runTaskKwargs')} sets cluster to null; set ${label('cluster')} instead`);
  } else if (typeof kwargs.cluster === 'string' && kwargs.cluster.trim() === '') {
    problems.push(`${label('runTaskKwargs')}: cluster is empty: expected a cluster name or ARN`);
  }

  // 2. ECS accepts one of the two. (Both from the settings was reported above.)
  const bothFromSettings = settings.launchType !== undefined && settings.capacityProviderStrategy !== undefined;
  if (kwargs.launchType !== undefined && kwargs.capacityProviderStrategy !== undefined && !bothFromSettings) {
    problems.push(
      `launchType (${JSON.stringify(kwargs.launchType)}) and capacityProviderStrategy are mutually exclusive, you can not provide both: ` +
        `set only one of ${label('launchType')} and ${label('capacityProviderStrategy')} (or launchType / capacityProviderStrategy in ${label('runTaskKwargs')})`,
    );
  }
  if (problems.length > 0) throw fail(problems);

  // 3. With neither, ECS uses the cluster's default strategy, and fails if there is none:
  //    Airflow then falls back to FARGATE, and so do we.
  if (kwargs.launchType === undefined && kwargs.capacityProviderStrategy === undefined) {
    if (!(await deps.clusterHasDefaultCapacityProviderStrategy(kwargs.cluster as string))) kwargs.launchType = 'FARGATE';
  }

  // 4. Platform versions and assignPublicIp exist only on Fargate. Airflow drops them for EC2;
  //    EXTERNAL (ECS Anywhere) and MANAGED_INSTANCES are not Fargate either. With a capacity
  //    provider strategy the provider may be Fargate, so both stay.
  const notFargate = kwargs.launchType !== undefined && kwargs.launchType !== 'FARGATE';
  if (notFargate) delete kwargs.platformVersion;

  // 5. One task instance is one ECS task (run_task_kwargs asking for more was rejected above).
  kwargs.count = 1;

  // 6. Airflow's rule: the first container override is the Airflow container; its command is
  //    filled in per task.
  kwargs.overrides = withAirflowContainer(kwargs.overrides, settings.containerName);

  // 7. Only when a network setting asks for awsvpc (then it replaces run_task_kwargs' own).
  if (wantsAwsvpc(settings)) {
    const awsvpcConfiguration: JsonObject = { subnets: [...settings.subnets] };
    if (settings.securityGroups.length > 0) awsvpcConfiguration.securityGroups = [...settings.securityGroups];
    if (!notFargate) awsvpcConfiguration.assignPublicIp = settings.assignPublicIp ? 'ENABLED' : 'DISABLED';
    kwargs.networkConfiguration = { awsvpcConfiguration };
  }

  // 8. What ECS will check, now rather than on the first task (the size of overrides, above all).
  const final = runTaskInputProblems(kwargs);
  if (final.length > 0) throw fail(final.map((problem) => `${label('runTaskKwargs')}: ${problem}`));
  return kwargs as RunTaskInputJson;
}

/**
 * run_task_kwargs, camel-cased and checked as something laid over the settings (every key a
 * RunTask member of the right type). Problems go to `problems`, each prefixed with the setting.
 */
function camelCasedKwargs(runTaskKwargs: JsonObject, name: string, problems: string[]): JsonObject | undefined {
  const tooDeep = findTooDeep(runTaskKwargs, MAX_RUN_TASK_DEPTH);
  if (tooDeep) {
    problems.push(`${name}: nested too deeply, at ${tooDeep}; a RunTask input is never deeper than 8 levels`);
    return undefined;
  }
  // The template travels through Temporal as JSON: anything JSON would drop or rewrite is a bug.
  const nonJson = findNonJson(runTaskKwargs);
  if (nonJson) {
    problems.push(`AWS ECS Executor config values must be JSON serializable: ${nonJson}. Check ${name}.`);
    return undefined;
  }
  let camel: JsonObject;
  try {
    camel = camelCaseKeys(runTaskKwargs);
  } catch (err) {
    problems.push(`${name}: ${(err as Error).message}`);
    return undefined;
  }
  const shape = runTaskOverlayProblems(camel);
  problems.push(...shape.map((problem) => `${name}: ${problem}`));
  return shape.length > 0 ? undefined : camel;
}

/** A copy without null object members: in an overlay, null means "not set". */
function withoutNulls(value: JsonValue): JsonValue {
  if (Array.isArray(value)) return cloneJson(value);
  if (!isJsonObject(value)) return value;
  return Object.fromEntries(Object.entries(value).flatMap(([key, inner]) => (inner === null ? [] : [[key, withoutNulls(inner)]])));
}

function withAirflowContainer(overrides: JsonValue | undefined, containerName: string): JsonObject {
  // The shape check has made sure overrides is an object and containerOverrides a list of objects.
  const given = isJsonObject(overrides) ? overrides : {};
  const list = Array.isArray(given.containerOverrides) ? given.containerOverrides.filter(isJsonObject) : [];
  const [first = {}, ...rest] = list;
  return { ...given, containerOverrides: [{ ...first, name: containerName, command: [] }, ...rest] };
}
