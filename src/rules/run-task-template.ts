import { ConfigError, type ExecutorConfig } from '../config';
import type { JsonObject, JsonValue } from '../types';
import { camelCaseKeys } from './camel-case';
import { findNonJson, isJsonObject } from './json';

/**
 * The RunTask input every task starts from (Airflow's `build_task_kwargs`, spec section 1), built
 * once at start-up so that bad configuration fails there, loudly, and not on the first task.
 * Per task, `buildTaskRunInput` merges executor_config over it and fills in the command.
 */

export interface RunTaskTemplateDeps {
  /** DescribeClusters: does the cluster have a default capacity provider strategy? */
  clusterHasDefaultCapacityProviderStrategy(cluster: string): Promise<boolean>;
}

const KWARGS_VAR = 'ECS_EXECUTOR_RUN_TASK_KWARGS';

export async function buildRunTaskTemplate(config: ExecutorConfig, deps: RunTaskTemplateDeps): Promise<JsonObject> {
  // 1. The config keys that are RunTask arguments, then run_task_kwargs over them (shallow, as in
  //    Airflow). Its keys are camelCased first so `task_definition` and `taskDefinition` are one key.
  const kwargs: JsonObject = { cluster: config.cluster, platformVersion: config.platformVersion };
  if (config.taskDefinition) kwargs.taskDefinition = config.taskDefinition;
  if (config.launchType) kwargs.launchType = config.launchType;
  if (config.capacityProviderStrategy) {
    kwargs.capacityProviderStrategy = config.capacityProviderStrategy.map((item) => ({ ...item }));
  }
  Object.assign(kwargs, camelCasedKwargs(config.runTaskKwargs));

  requireString(kwargs, 'cluster', 'ECS_EXECUTOR_CLUSTER');
  requireString(kwargs, 'taskDefinition', 'ECS_EXECUTOR_TASK_DEFINITION (or AIRFLOW__AWS_ECS_EXECUTOR__TASK_DEFINITION)');

  // 2-3. ECS accepts one of the two. With neither, ECS uses the cluster's default strategy, and
  //      fails if there is none: Airflow then falls back to FARGATE, and so do we.
  const hasLaunchType = kwargs.launchType !== undefined;
  if (hasLaunchType && kwargs.capacityProviderStrategy !== undefined) {
    throw new ConfigError(
      `launchType (${JSON.stringify(kwargs.launchType)}) and capacityProviderStrategy are mutually exclusive, you can not provide both: ` +
        'set only one of ECS_EXECUTOR_LAUNCH_TYPE and ECS_EXECUTOR_CAPACITY_PROVIDER_STRATEGY ' +
        `(or launchType / capacityProviderStrategy in ${KWARGS_VAR})`,
    );
  }
  if (!hasLaunchType && kwargs.capacityProviderStrategy === undefined) {
    if (!(await deps.clusterHasDefaultCapacityProviderStrategy(kwargs.cluster as string))) kwargs.launchType = 'FARGATE';
  }

  // 4. Platform versions exist only for Fargate; RunTask rejects one for EC2.
  const isEc2 = kwargs.launchType === 'EC2';
  if (isEc2) delete kwargs.platformVersion;

  // 5. One task instance is one ECS task.
  kwargs.count = 1;

  // 6. Airflow's rule: the first container override is the Airflow container; its command is
  //    filled in per task.
  kwargs.overrides = withAirflowContainer(kwargs.overrides, config.containerName);

  // 7. Only when the user asked for awsvpc networking: RunTask rejects a configuration without subnets.
  const wantsNetwork = config.subnets.length > 0 || config.securityGroups.length > 0 || config.assignPublicIpGiven;
  if (wantsNetwork) {
    if (config.subnets.length === 0) {
      throw new ConfigError(
        'At least one subnet is required to run a task. Security groups or assign_public_ip are set, which need an awsvpc ' +
          'network configuration: set ECS_EXECUTOR_SUBNETS to comma-separated subnet IDs (e.g. "subnet-0abc,subnet-0def")',
      );
    }
    const awsvpcConfiguration: JsonObject = { subnets: [...config.subnets] };
    if (config.securityGroups.length > 0) awsvpcConfiguration.securityGroups = [...config.securityGroups];
    // assignPublicIp is a Fargate-only field.
    if (!isEc2) awsvpcConfiguration.assignPublicIp = config.assignPublicIp ? 'ENABLED' : 'DISABLED';
    kwargs.networkConfiguration = { awsvpcConfiguration };
  }

  // 9. The template travels through Temporal as JSON: anything JSON would drop or rewrite is a bug.
  const nonJson = findNonJson(kwargs);
  if (nonJson) {
    throw new ConfigError(`AWS ECS Executor config values must be JSON serializable: ${nonJson}. Check ${KWARGS_VAR}.`);
  }
  return kwargs;
}

// 8. snake_case -> camelCase, except inside tags.
function camelCasedKwargs(runTaskKwargs: JsonObject): JsonObject {
  try {
    return camelCaseKeys(runTaskKwargs);
  } catch (err) {
    throw new ConfigError(`${KWARGS_VAR}: ${(err as Error).message}`);
  }
}

function requireString(kwargs: JsonObject, key: string, envVar: string): void {
  const value = kwargs[key];
  if (value === undefined) {
    throw new ConfigError(`No ${key} to run: set ${envVar}, or give "${key}" in ${KWARGS_VAR}`);
  }
  if (typeof value !== 'string' || value.trim() === '') {
    throw new ConfigError(`${KWARGS_VAR} has ${key}=${JSON.stringify(value)}: expected a non-empty string`);
  }
}

function withAirflowContainer(overrides: JsonValue | undefined, containerName: string): JsonObject {
  if (overrides !== undefined && !isJsonObject(overrides)) {
    throw new ConfigError(`${KWARGS_VAR} has overrides=${JSON.stringify(overrides)}: expected an object like {"containerOverrides": [...]}`);
  }
  const list = overrides?.containerOverrides ?? [];
  if (!Array.isArray(list) || !list.every(isJsonObject)) {
    throw new ConfigError(
      `${KWARGS_VAR} has overrides.containerOverrides=${JSON.stringify(list)}: expected a list of objects like [{"name": "${containerName}"}]`,
    );
  }
  const [first = {}, ...rest] = list;
  return { ...overrides, containerOverrides: [{ ...first, name: containerName, command: [] }, ...rest] };
}
