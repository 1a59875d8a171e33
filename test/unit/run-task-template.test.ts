import { ConfigError, loadExecutorConfig, type ExecutorConfig } from '../../src/config';
import { buildRunTaskTemplate, type RunTaskTemplateDeps } from '../../src/rules/run-task-template';
import type { JsonObject } from '../../src/types';
import { deepFreeze } from './deep-freeze';

const BASE_ENV = {
  ECS_EXECUTOR_CLUSTER: 'airflow',
  ECS_EXECUTOR_CONTAINER_NAME: 'base',
  ECS_EXECUTOR_TASK_DEFINITION: 'airflow-task:3',
};

/** A config as loaded from env (defaults applied), with `env` over the basics. */
function config(env: Record<string, string> = {}): ExecutorConfig {
  return loadExecutorConfig({ ...BASE_ENV, ...env });
}

/** A cluster with (true) or without (false) a default capacity provider strategy. */
function cluster(hasDefaultStrategy: boolean) {
  return { clusterHasDefaultCapacityProviderStrategy: jest.fn(async (_cluster: string) => hasDefaultStrategy) } satisfies RunTaskTemplateDeps;
}

const build = (env: Record<string, string> = {}, deps = cluster(false)) => buildRunTaskTemplate(config(env), deps);
const kwargs = (value: JsonObject) => ({ ECS_EXECUTOR_RUN_TASK_KWARGS: JSON.stringify(value) });

async function rejection(promise: Promise<unknown>): Promise<ConfigError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ConfigError);
  return err as ConfigError;
}

describe('buildRunTaskTemplate', () => {
  describe('1. config keys, then run_task_kwargs over them', () => {
    it('starts from the config keys that are RunTask arguments', async () => {
      const template = await build({ ECS_EXECUTOR_LAUNCH_TYPE: 'FARGATE' });
      expect(template).toMatchObject({ cluster: 'airflow', taskDefinition: 'airflow-task:3', launchType: 'FARGATE', platformVersion: 'LATEST' });
    });

    it('leaves out the executor-only keys (container name, subnets, conn id, attempts)', async () => {
      const template = await build({ ECS_EXECUTOR_LAUNCH_TYPE: 'FARGATE' });
      expect(Object.keys(template).sort()).toEqual(['cluster', 'count', 'launchType', 'overrides', 'platformVersion', 'taskDefinition']);
    });

    it('uses the default platform version LATEST when none is set', async () => {
      expect((await build()).platformVersion).toBe('LATEST');
    });

    it('lets the platform_version key override the default', async () => {
      expect((await build({ ECS_EXECUTOR_PLATFORM_VERSION: '1.4.0' })).platformVersion).toBe('1.4.0');
    });

    it('lets run_task_kwargs override the platform_version key', async () => {
      const template = await build({ ECS_EXECUTOR_PLATFORM_VERSION: '1.4.0', ...kwargs({ platformVersion: '1.3.0' }) });
      expect(template.platformVersion).toBe('1.3.0');
    });

    it('treats snake_case run_task_kwargs keys like camelCase ones (task_definition overrides the key)', async () => {
      const template = await build(kwargs({ task_definition: 'other-task:9' }));
      expect(template.taskDefinition).toBe('other-task:9');
      expect(template).not.toHaveProperty('task_definition');
    });

    it('passes other RunTask arguments from run_task_kwargs through', async () => {
      const template = await build(kwargs({ startedBy: 'airflow', enableExecuteCommand: true, propagateTags: 'TASK_DEFINITION' }));
      expect(template).toMatchObject({ startedBy: 'airflow', enableExecuteCommand: true, propagateTags: 'TASK_DEFINITION' });
    });

    it('overlays run_task_kwargs shallowly: its networkConfiguration replaces, never merges', async () => {
      const network = { awsvpcConfiguration: { subnets: ['subnet-k'] } };
      expect((await build(kwargs({ networkConfiguration: network }))).networkConfiguration).toEqual(network);
    });

    it('rejects run_task_kwargs that spell one key two ways, naming both', async () => {
      const err = await rejection(build(kwargs({ task_definition: 'a:1', taskDefinition: 'b:2' })));
      expect(err.message).toBe(
        'ECS_EXECUTOR_RUN_TASK_KWARGS: the top level sets both "task_definition" and "taskDefinition", which mean the same RunTask field "taskDefinition": keep one',
      );
    });
  });

  describe('task definition', () => {
    it('takes the task definition from run_task_kwargs when the key is not set', async () => {
      const env = { ECS_EXECUTOR_CLUSTER: 'airflow', ECS_EXECUTOR_CONTAINER_NAME: 'base', ...kwargs({ taskDefinition: 'from-kwargs:1' }) };
      expect((await buildRunTaskTemplate(loadExecutorConfig(env), cluster(false))).taskDefinition).toBe('from-kwargs:1');
    });

    it('fails when neither the key nor run_task_kwargs gives a task definition, saying how to give one', async () => {
      const noTaskDefinition = loadExecutorConfig({ ECS_EXECUTOR_CLUSTER: 'airflow', ECS_EXECUTOR_CONTAINER_NAME: 'base' });
      const err = await rejection(buildRunTaskTemplate(noTaskDefinition, cluster(false)));
      expect(err.message).toBe(
        'No taskDefinition to run: set ECS_EXECUTOR_TASK_DEFINITION (or AIRFLOW__AWS_ECS_EXECUTOR__TASK_DEFINITION), or give "taskDefinition" in ECS_EXECUTOR_RUN_TASK_KWARGS',
      );
    });

    it('rejects a task definition in run_task_kwargs that is not a string, showing the value', async () => {
      const err = await rejection(build(kwargs({ taskDefinition: 7 })));
      expect(err.message).toBe('ECS_EXECUTOR_RUN_TASK_KWARGS has taskDefinition=7: expected a non-empty string');
    });

    it('rejects a cluster in run_task_kwargs that is not a string', async () => {
      const err = await rejection(build(kwargs({ cluster: ['a'] })));
      expect(err.message).toBe('ECS_EXECUTOR_RUN_TASK_KWARGS has cluster=["a"]: expected a non-empty string');
    });
  });

  describe('2. launch type and capacity provider strategy', () => {
    const strategy = '[{"capacityProvider": "FARGATE_SPOT", "weight": 1}]';

    it('rejects both from config as mutually exclusive, naming both settings', async () => {
      const err = await rejection(build({ ECS_EXECUTOR_LAUNCH_TYPE: 'FARGATE', ECS_EXECUTOR_CAPACITY_PROVIDER_STRATEGY: strategy }));
      expect(err.message).toMatch(/^launchType \("FARGATE"\) and capacityProviderStrategy are mutually exclusive, you can not provide both/);
      expect(err.message).toContain('set only one of ECS_EXECUTOR_LAUNCH_TYPE and ECS_EXECUTOR_CAPACITY_PROVIDER_STRATEGY');
    });

    it('rejects a launch type key combined with a strategy from run_task_kwargs (snake_case too)', async () => {
      const env = { ECS_EXECUTOR_LAUNCH_TYPE: 'EC2', ...kwargs({ capacity_provider_strategy: [{ capacity_provider: 'cp' }] }) };
      expect((await rejection(build(env))).message).toMatch(/mutually exclusive/);
    });

    it('does not ask ECS about the cluster when the combination is invalid', async () => {
      const deps = cluster(false);
      await rejection(build({ ECS_EXECUTOR_LAUNCH_TYPE: 'FARGATE', ECS_EXECUTOR_CAPACITY_PROVIDER_STRATEGY: strategy }, deps));
      expect(deps.clusterHasDefaultCapacityProviderStrategy).not.toHaveBeenCalled();
    });

    it('passes a configured capacity provider strategy through as RunTask wants it', async () => {
      const template = await build({ ECS_EXECUTOR_CAPACITY_PROVIDER_STRATEGY: '[{"capacity_provider": "FARGATE_SPOT", "weight": 2, "base": 1}]' });
      expect(template.capacityProviderStrategy).toStrictEqual([{ capacityProvider: 'FARGATE_SPOT', weight: 2, base: 1 }]);
      expect(template).not.toHaveProperty('launchType');
    });

    it('camelCases a capacity provider strategy given in run_task_kwargs', async () => {
      const template = await build(kwargs({ capacity_provider_strategy: [{ capacity_provider: 'cp', weight: 1 }] }));
      expect(template.capacityProviderStrategy).toEqual([{ capacityProvider: 'cp', weight: 1 }]);
    });
  });

  describe('3. neither launch type nor strategy', () => {
    it('asks whether the cluster has a default capacity provider strategy', async () => {
      const deps = cluster(false);
      await build({}, deps);
      expect(deps.clusterHasDefaultCapacityProviderStrategy).toHaveBeenCalledWith('airflow');
    });

    it('asks about the cluster run_task_kwargs names, when it overrides the key', async () => {
      const deps = cluster(false);
      await build(kwargs({ cluster: 'other-cluster' }), deps);
      expect(deps.clusterHasDefaultCapacityProviderStrategy).toHaveBeenCalledWith('other-cluster');
    });

    it('uses launch type FARGATE when the cluster has no default strategy', async () => {
      expect((await build({}, cluster(false))).launchType).toBe('FARGATE');
    });

    it("sets neither when the cluster has a default strategy, so ECS uses the cluster's", async () => {
      const template = await build({}, cluster(true));
      expect(template).not.toHaveProperty('launchType');
      expect(template).not.toHaveProperty('capacityProviderStrategy');
    });

    it('does not ask about the cluster when a launch type is given', async () => {
      const deps = cluster(false);
      await build({ ECS_EXECUTOR_LAUNCH_TYPE: 'EC2' }, deps);
      expect(deps.clusterHasDefaultCapacityProviderStrategy).not.toHaveBeenCalled();
    });

    it('does not ask about the cluster when a strategy is given', async () => {
      const deps = cluster(false);
      await build({ ECS_EXECUTOR_CAPACITY_PROVIDER_STRATEGY: '[{"capacityProvider": "cp"}]' }, deps);
      expect(deps.clusterHasDefaultCapacityProviderStrategy).not.toHaveBeenCalled();
    });

    it('lets a failure to describe the cluster propagate unchanged', async () => {
      const failure = new Error('AccessDeniedException');
      const deps = { clusterHasDefaultCapacityProviderStrategy: jest.fn(async () => Promise.reject(failure)) };
      await expect(buildRunTaskTemplate(config(), deps)).rejects.toBe(failure);
    });
  });

  describe('4. EC2', () => {
    it('drops the platform version silently for EC2', async () => {
      const template = await build({ ECS_EXECUTOR_LAUNCH_TYPE: 'EC2', ECS_EXECUTOR_PLATFORM_VERSION: '1.4.0' });
      expect(template).not.toHaveProperty('platformVersion');
    });

    it('drops a platform version given in run_task_kwargs for EC2 too', async () => {
      const template = await build(kwargs({ launch_type: 'EC2', platform_version: '1.4.0' }));
      expect(template.launchType).toBe('EC2');
      expect(template).not.toHaveProperty('platformVersion');
    });

    it('keeps the platform version for FARGATE', async () => {
      expect((await build({ ECS_EXECUTOR_LAUNCH_TYPE: 'FARGATE', ECS_EXECUTOR_PLATFORM_VERSION: '1.4.0' })).platformVersion).toBe('1.4.0');
    });
  });

  describe('5. count', () => {
    it('always asks for exactly one task', async () => {
      expect((await build()).count).toBe(1);
    });

    it('forces count to 1 even when run_task_kwargs asks for more', async () => {
      expect((await build(kwargs({ count: 3 }))).count).toBe(1);
    });
  });

  describe('6. the Airflow container override', () => {
    it('creates overrides.containerOverrides[0] with the container name and an empty command', async () => {
      expect((await build()).overrides).toEqual({ containerOverrides: [{ name: 'base', command: [] }] });
    });

    it('keeps the rest of a first container override from run_task_kwargs, and replaces its name and command', async () => {
      const template = await build(
        kwargs({ overrides: { containerOverrides: [{ name: 'other', command: ['echo'], memory: 512, environment: [{ name: 'A', value: '1' }] }] } }),
      );
      expect(template.overrides).toEqual({
        containerOverrides: [{ name: 'base', command: [], memory: 512, environment: [{ name: 'A', value: '1' }] }],
      });
    });

    it('keeps other overrides and later container overrides untouched', async () => {
      const sidecar = { name: 'sidecar', cpu: 128 };
      const template = await build(kwargs({ overrides: { taskRoleArn: 'arn:role', containerOverrides: [{}, sidecar] } }));
      expect(template.overrides).toEqual({ taskRoleArn: 'arn:role', containerOverrides: [{ name: 'base', command: [] }, sidecar] });
    });

    it('fills an empty containerOverrides list with the Airflow container', async () => {
      const template = await build(kwargs({ overrides: { containerOverrides: [] } }));
      expect(template.overrides).toEqual({ containerOverrides: [{ name: 'base', command: [] }] });
    });

    it('rejects overrides that are not an object, showing the value', async () => {
      const err = await rejection(build(kwargs({ overrides: ['x'] })));
      expect(err.message).toBe('ECS_EXECUTOR_RUN_TASK_KWARGS has overrides=["x"]: expected an object like {"containerOverrides": [...]}');
    });

    it('rejects containerOverrides that is not a list of objects, showing the value', async () => {
      const err = await rejection(build(kwargs({ overrides: { containerOverrides: { name: 'base' } } })));
      expect(err.message).toBe(
        'ECS_EXECUTOR_RUN_TASK_KWARGS has overrides.containerOverrides={"name":"base"}: expected a list of objects like [{"name": "base"}]',
      );
    });
  });

  describe('7. network configuration', () => {
    it('builds no network configuration when no subnets, security groups or assign_public_ip are given', async () => {
      expect(await build()).not.toHaveProperty('networkConfiguration');
    });

    it('builds awsvpcConfiguration from subnets, with assignPublicIp DISABLED by default', async () => {
      const template = await build({ ECS_EXECUTOR_SUBNETS: 'subnet-a,subnet-b' });
      expect(template.networkConfiguration).toStrictEqual({ awsvpcConfiguration: { subnets: ['subnet-a', 'subnet-b'], assignPublicIp: 'DISABLED' } });
    });

    it('adds security groups and assignPublicIp ENABLED when given', async () => {
      const template = await build({ ECS_EXECUTOR_SUBNETS: 'subnet-a', ECS_EXECUTOR_SECURITY_GROUPS: 'sg-1,sg-2', ECS_EXECUTOR_ASSIGN_PUBLIC_IP: 'True' });
      expect(template.networkConfiguration).toStrictEqual({
        awsvpcConfiguration: { subnets: ['subnet-a'], securityGroups: ['sg-1', 'sg-2'], assignPublicIp: 'ENABLED' },
      });
    });

    it('omits assignPublicIp for EC2', async () => {
      const template = await build({ ECS_EXECUTOR_LAUNCH_TYPE: 'EC2', ECS_EXECUTOR_SUBNETS: 'subnet-a', ECS_EXECUTOR_ASSIGN_PUBLIC_IP: 'True' });
      expect(template.networkConfiguration).toStrictEqual({ awsvpcConfiguration: { subnets: ['subnet-a'] } });
    });

    it('requires a subnet when only security groups are given', async () => {
      const err = await rejection(build({ ECS_EXECUTOR_SECURITY_GROUPS: 'sg-1' }));
      expect(err.message).toMatch(/^At least one subnet is required to run a task\./);
      expect(err.message).toContain('set ECS_EXECUTOR_SUBNETS to comma-separated subnet IDs');
    });

    it('requires a subnet when assign_public_ip is given explicitly, even as False', async () => {
      const err = await rejection(build({ ECS_EXECUTOR_ASSIGN_PUBLIC_IP: 'False' }));
      expect(err.message).toMatch(/^At least one subnet is required to run a task\./);
    });

    it('replaces a networkConfiguration from run_task_kwargs when subnets are configured', async () => {
      const template = await build({ ECS_EXECUTOR_SUBNETS: 'subnet-a', ...kwargs({ networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-k'] } } }) });
      expect(template.networkConfiguration).toEqual({ awsvpcConfiguration: { subnets: ['subnet-a'], assignPublicIp: 'DISABLED' } });
    });
  });

  describe('8. camelCase keys', () => {
    it('converts snake_case keys at every depth, through lists', async () => {
      const template = await build(
        kwargs({
          overrides: { task_role_arn: 'arn:role', container_overrides: [{ memory_reservation: 256, resource_requirements: [{ type: 'GPU', value: '1' }] }] },
          enable_ecs_managed_tags: true,
        }),
      );
      expect(template).toMatchObject({
        enableEcsManagedTags: true,
        overrides: { taskRoleArn: 'arn:role', containerOverrides: [{ name: 'base', command: [], memoryReservation: 256, resourceRequirements: [{ type: 'GPU', value: '1' }] }] },
      });
    });

    it('leaves what is inside tags as given', async () => {
      const tags = [{ key: 'cost_center', value: 'data_eng', extra_field: 'x' }];
      const template = await build(kwargs({ tags, propagate_tags: 'TASK_DEFINITION' }));
      expect(template.tags).toEqual(tags);
      expect(template.propagateTags).toBe('TASK_DEFINITION');
    });

    it('leaves dict-style tags keys as given (as Airflow does)', async () => {
      const template = await build(kwargs({ tags: { cost_center: 'data_eng' } }));
      expect(template.tags).toEqual({ cost_center: 'data_eng' });
    });

    it('leaves tags nested deeper as given too', async () => {
      const volume = { name: 'v', managed_ebs_volume: { tag_specifications: [{ resource_type: 'volume', tags: [{ key: 'k', value: 'v', my_key: 1 }] }] } };
      const template = await build(kwargs({ volume_configurations: [volume] }));
      expect(template.volumeConfigurations).toEqual([
        { name: 'v', managedEbsVolume: { tagSpecifications: [{ resourceType: 'volume', tags: [{ key: 'k', value: 'v', my_key: 1 }] }] } },
      ]);
    });
  });

  describe('9. JSON', () => {
    it('returns a template that survives a JSON round trip unchanged', async () => {
      const template = await build({ ECS_EXECUTOR_SUBNETS: 'subnet-a', ...kwargs({ tags: [{ key: 'a', value: 'b' }] }) });
      expect(JSON.parse(JSON.stringify(template))).toStrictEqual(template);
    });

    it.each([
      ['NaN', Number.NaN, 'startedBy is NaN'],
      ['a function', () => 1, 'startedBy is a function'],
      ['a Date', new Date(0), 'startedBy is a Date, not a plain object'],
    ])('rejects %s in run_task_kwargs, naming where it is', async (_label, bad, where) => {
      const withBad = { ...config(), runTaskKwargs: { startedBy: bad } } as unknown as ExecutorConfig;
      const err = await rejection(buildRunTaskTemplate(withBad, cluster(false)));
      expect(err.message).toBe(`AWS ECS Executor config values must be JSON serializable: ${where}. Check ECS_EXECUTOR_RUN_TASK_KWARGS.`);
    });
  });

  it('never mutates the config, and shares no objects with it', async () => {
    const frozen = deepFreeze(
      config({
        ECS_EXECUTOR_SUBNETS: 'subnet-a',
        ECS_EXECUTOR_CAPACITY_PROVIDER_STRATEGY: '[{"capacityProvider": "cp"}]',
        ...kwargs({ overrides: { containerOverrides: [{ memory: 1 }] }, tags: [{ key: 'a', value: 'b' }] }),
      }),
    );
    const snapshot = JSON.stringify(frozen);
    const template = await buildRunTaskTemplate(frozen, cluster(false));
    (template.tags as JsonObject[])[0]!.key = 'changed';
    ((template.networkConfiguration as JsonObject).awsvpcConfiguration as { subnets: string[] }).subnets.push('subnet-z');
    (template.capacityProviderStrategy as JsonObject[])[0]!.weight = 5;
    expect(JSON.stringify(frozen)).toBe(snapshot);
  });

  it('fails with ConfigError named InvalidExecutorConfig', async () => {
    const err = await rejection(build({ ECS_EXECUTOR_SECURITY_GROUPS: 'sg-1' }));
    expect(err.name).toBe('InvalidExecutorConfig');
  });
});
