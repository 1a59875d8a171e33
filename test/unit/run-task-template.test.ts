import { ConfigError } from '../../src/errors';
import { buildRunTaskTemplate, templateSettingsProblems, type RunTaskTemplateDeps, type RunTaskTemplateSettings } from '../../src/rules/run-task-template';
import type { JsonObject } from '../../src/types';
import { deepFreeze } from './deep-freeze';

/** Settings as the loader returns them with nothing set but the basics (defaults applied). */
const BASE: RunTaskTemplateSettings = {
  cluster: 'airflow',
  containerName: 'base',
  taskDefinition: 'airflow-task:3',
  platformVersion: 'LATEST',
  assignPublicIp: false,
  subnets: [],
  securityGroups: [],
  runTaskKwargs: {},
};

/** A cluster with (true) or without (false) a default capacity provider strategy. */
function cluster(hasDefaultStrategy: boolean) {
  return { clusterHasDefaultCapacityProviderStrategy: jest.fn(async (_cluster: string) => hasDefaultStrategy) } satisfies RunTaskTemplateDeps;
}

const build = (settings: Partial<RunTaskTemplateSettings> = {}, deps = cluster(false)) => buildRunTaskTemplate({ ...BASE, ...settings }, deps);
const kwargs = (runTaskKwargs: JsonObject) => ({ runTaskKwargs });

async function rejection(promise: Promise<unknown>): Promise<ConfigError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ConfigError);
  return err as ConfigError;
}

describe('buildRunTaskTemplate', () => {
  describe('1. settings, then run_task_kwargs over them', () => {
    it('starts from the settings that are RunTask arguments', async () => {
      const template = await build({ launchType: 'FARGATE' });
      expect(template).toMatchObject({ cluster: 'airflow', taskDefinition: 'airflow-task:3', launchType: 'FARGATE', platformVersion: 'LATEST' });
    });

    it('leaves out the executor-only settings (container name, subnets, conn id, attempts)', async () => {
      const template = await build({ launchType: 'FARGATE' });
      expect(Object.keys(template).sort()).toEqual(['cluster', 'count', 'launchType', 'overrides', 'platformVersion', 'taskDefinition']);
    });

    it('lets run_task_kwargs override the platform_version setting', async () => {
      expect((await build({ platformVersion: '1.4.0', ...kwargs({ platformVersion: '1.3.0' }) })).platformVersion).toBe('1.3.0');
    });

    it('treats snake_case run_task_kwargs keys like camelCase ones (task_definition overrides the setting)', async () => {
      const template = await build(kwargs({ task_definition: 'other-task:9' }));
      expect(template.taskDefinition).toBe('other-task:9');
      expect(template).not.toHaveProperty('task_definition');
    });

    it("camel-cases capitalised keys as Airflow does, leaving tag contents as given (issue 9, item 12)", async () => {
      const tags = [{ key: 'Cost_Center', value: 'data_eng' }];
      const template = await build({ launchType: 'FARGATE', ...kwargs({ StartedBy: 'me', PlatformVersion: '1.4.0', Tags: tags }) });
      expect(template).toMatchObject({ startedBy: 'me', platformVersion: '1.4.0', tags });
      expect(Object.keys(template)).not.toEqual(expect.arrayContaining(['StartedBy', 'PlatformVersion', 'Tags']));
    });

    it('passes other RunTask arguments from run_task_kwargs through', async () => {
      const template = await build(kwargs({ startedBy: 'airflow', enableExecuteCommand: true, propagateTags: 'TASK_DEFINITION' }));
      expect(template).toMatchObject({ startedBy: 'airflow', enableExecuteCommand: true, propagateTags: 'TASK_DEFINITION' });
    });

    it('overlays run_task_kwargs shallowly: its networkConfiguration replaces, never merges', async () => {
      const network = { awsvpcConfiguration: { subnets: ['subnet-k'] } };
      expect((await build(kwargs({ networkConfiguration: network }))).networkConfiguration).toEqual(network);
    });

    it('lets null in run_task_kwargs remove a value the settings gave', async () => {
      expect(await build({ launchType: 'FARGATE', ...kwargs({ platformVersion: null }) })).not.toHaveProperty('platformVersion');
    });

    it('rejects run_task_kwargs that spell one key two ways, naming both', async () => {
      const err = await rejection(build(kwargs({ task_definition: 'a:1', taskDefinition: 'b:2' })));
      expect(err.problems).toEqual([
        'run_task_kwargs: the top level sets both "task_definition" and "taskDefinition", which mean the same RunTask field "taskDefinition": keep one',
      ]);
    });
  });

  describe('unknown or ill-typed run_task_kwargs keys, rejected at start-up with their path (issue 9, item 13)', () => {
    it.each([
      [{ startedby: 'x' }, 'run_task_kwargs: startedby: unknown key (did you mean "startedBy"?)'],
      [{ overrides: { containerOverrides: [{ memmory: 512 }] } }, 'run_task_kwargs: overrides.containerOverrides[0].memmory: unknown key (did you mean "memory"?)'],
      [{ overrides: ['x'] }, 'run_task_kwargs: overrides: expected an object, got a list of 1'],
      [{ overrides: { containerOverrides: { name: 'base' } } }, 'run_task_kwargs: overrides.containerOverrides: expected a list, got an object'],
      [{ taskDefinition: 7 }, 'run_task_kwargs: taskDefinition: expected a string, got 7'],
      [{ cluster: ['a'] }, 'run_task_kwargs: cluster: expected a string, got ["a"]'],
      [{ clientToken: 'mine' }, 'run_task_kwargs: clientToken: the executor sets it (one token per launch attempt, so a retried RunTask never starts a second task); remove it'],
    ])('%j', async (runTaskKwargs, expected) => {
      expect((await rejection(build(kwargs(runTaskKwargs as JsonObject)))).problems).toEqual([expected]);
    });

    it('lists every problem in one message', async () => {
      const err = await rejection(build(kwargs({ startedby: 'x', count: 2, overrides: { memory: 1 } })));
      expect(err.problems).toHaveLength(3);
      expect(err.message).toMatch(/^The RunTask template cannot be built from the \[aws_ecs_executor\] settings \(3 problems\):/);
    });

    it('does not ask ECS about the cluster when run_task_kwargs is wrong', async () => {
      const deps = cluster(false);
      await rejection(build(kwargs({ startedby: 'x' }), deps));
      expect(deps.clusterHasDefaultCapacityProviderStrategy).not.toHaveBeenCalled();
    });
  });

  describe('task definition and cluster', () => {
    it('takes the task definition from run_task_kwargs when the setting is not set', async () => {
      expect((await build({ taskDefinition: undefined, ...kwargs({ taskDefinition: 'from-kwargs:1' }) })).taskDefinition).toBe('from-kwargs:1');
    });

    it('fails when neither the setting nor run_task_kwargs gives a task definition, saying how to give one', async () => {
      const err = await rejection(build({ taskDefinition: undefined }));
      expect(err.problems).toEqual(['No task definition to run: set task_definition, or give "taskDefinition" in run_task_kwargs']);
    });

    it('names the settings by their sources when the caller gives them (the settings loader does)', async () => {
      const sources = { taskDefinition: 'ECS_EXECUTOR_TASK_DEFINITION', runTaskKwargs: 'AIRFLOW__AWS_ECS_EXECUTOR__RUN_TASK_KWARGS' };
      const err = await rejection(build({ taskDefinition: undefined, sources }));
      expect(err.problems).toEqual([
        'No task definition to run: set ECS_EXECUTOR_TASK_DEFINITION, or give "taskDefinition" in AIRFLOW__AWS_ECS_EXECUTOR__RUN_TASK_KWARGS',
      ]);
    });

    it('rejects an empty task definition from run_task_kwargs', async () => {
      expect((await rejection(build(kwargs({ taskDefinition: ' ' })))).problems).toEqual([
        'run_task_kwargs: taskDefinition is empty: expected a family, family:revision or ARN',
      ]);
    });
  });

  describe('2. launch type and capacity provider strategy', () => {
    const strategy = [{ capacityProvider: 'FARGATE_SPOT', weight: 1 }];

    it('rejects both from the settings as mutually exclusive, naming both', async () => {
      const err = await rejection(build({ launchType: 'FARGATE', capacityProviderStrategy: strategy }));
      expect(err.problems).toEqual(['launch_type (FARGATE) and capacity_provider_strategy are mutually exclusive, you can not provide both: set only one of them']);
    });

    it('rejects a launch type setting combined with a strategy from run_task_kwargs (snake_case too)', async () => {
      const err = await rejection(build({ launchType: 'EC2', ...kwargs({ capacity_provider_strategy: [{ capacity_provider: 'cp' }] }) }));
      expect(err.problems).toEqual([
        'launchType ("EC2") and capacityProviderStrategy are mutually exclusive, you can not provide both: ' +
          'set only one of launch_type and capacity_provider_strategy (or launchType / capacityProviderStrategy in run_task_kwargs)',
      ]);
    });

    it('does not ask ECS about the cluster when the combination is invalid', async () => {
      const deps = cluster(false);
      await rejection(build({ launchType: 'FARGATE', capacityProviderStrategy: strategy }, deps));
      expect(deps.clusterHasDefaultCapacityProviderStrategy).not.toHaveBeenCalled();
    });

    it('passes a configured capacity provider strategy through as RunTask wants it', async () => {
      const template = await build({ capacityProviderStrategy: [{ capacityProvider: 'FARGATE_SPOT', weight: 2, base: 1 }] });
      expect(template.capacityProviderStrategy).toStrictEqual([{ capacityProvider: 'FARGATE_SPOT', weight: 2, base: 1 }]);
      expect(template).not.toHaveProperty('launchType');
    });

    it('camelCases a capacity provider strategy given in run_task_kwargs', async () => {
      const template = await build(kwargs({ capacity_provider_strategy: [{ capacity_provider: 'cp', weight: 1 }] }));
      expect(template.capacityProviderStrategy).toEqual([{ capacityProvider: 'cp', weight: 1 }]);
    });

    it.each(['EC2', 'FARGATE', 'EXTERNAL', 'MANAGED_INSTANCES'] as const)('accepts launch type %s (issue 9, item 15)', async (launchType) => {
      expect((await build({ launchType })).launchType).toBe(launchType);
    });
  });

  describe('3. neither launch type nor strategy', () => {
    it('asks whether the cluster has a default capacity provider strategy', async () => {
      const deps = cluster(false);
      await build({}, deps);
      expect(deps.clusterHasDefaultCapacityProviderStrategy).toHaveBeenCalledWith('airflow');
    });

    it('asks about the cluster run_task_kwargs names, when it overrides the setting', async () => {
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
      await build({ launchType: 'EC2' }, deps);
      expect(deps.clusterHasDefaultCapacityProviderStrategy).not.toHaveBeenCalled();
    });

    it('lets a failure to describe the cluster propagate unchanged', async () => {
      const failure = new Error('AccessDeniedException');
      const deps = { clusterHasDefaultCapacityProviderStrategy: jest.fn(async () => Promise.reject(failure)) };
      await expect(buildRunTaskTemplate(BASE, deps)).rejects.toBe(failure);
    });
  });

  describe('4. launch types other than FARGATE', () => {
    it.each(['EC2', 'EXTERNAL', 'MANAGED_INSTANCES'] as const)('drops the platform version silently for %s', async (launchType) => {
      expect(await build({ launchType, platformVersion: '1.4.0' })).not.toHaveProperty('platformVersion');
    });

    it('drops a platform version given in run_task_kwargs for EC2 too', async () => {
      const template = await build(kwargs({ launch_type: 'EC2', platform_version: '1.4.0' }));
      expect(template.launchType).toBe('EC2');
      expect(template).not.toHaveProperty('platformVersion');
    });

    it('keeps the platform version for FARGATE', async () => {
      expect((await build({ launchType: 'FARGATE', platformVersion: '1.4.0' })).platformVersion).toBe('1.4.0');
    });
  });

  describe('5. count', () => {
    it('always asks for exactly one task', async () => {
      expect((await build()).count).toBe(1);
    });

    it('rejects run_task_kwargs asking for more than one task, instead of launching untracked copies (issue 9, item 6)', async () => {
      expect((await rejection(build(kwargs({ count: 3 })))).problems).toEqual([
        'run_task_kwargs: count: 3, but one Airflow task runs as exactly one ECS task: count must be 1 (or left out)',
      ]);
    });

    it('accepts count 1 in run_task_kwargs', async () => {
      expect((await build(kwargs({ count: 1 }))).count).toBe(1);
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
      expect(template.overrides).toEqual({ containerOverrides: [{ name: 'base', command: [], memory: 512, environment: [{ name: 'A', value: '1' }] }] });
    });

    it('keeps other overrides and later container overrides untouched', async () => {
      const sidecar = { name: 'sidecar', cpu: 128 };
      const template = await build(kwargs({ overrides: { taskRoleArn: 'arn:role', containerOverrides: [{}, sidecar] } }));
      expect(template.overrides).toEqual({ taskRoleArn: 'arn:role', containerOverrides: [{ name: 'base', command: [] }, sidecar] });
    });

    it('fills an empty containerOverrides list with the Airflow container', async () => {
      expect((await build(kwargs({ overrides: { containerOverrides: [] } }))).overrides).toEqual({ containerOverrides: [{ name: 'base', command: [] }] });
    });

    it("rejects overrides longer than ECS's 8,192 characters at start-up, saying what takes the room", async () => {
      const environment = [{ name: 'BIG', value: 'v'.repeat(9000) }];
      const [problem] = (await rejection(build(kwargs({ overrides: { containerOverrides: [{ environment }] } })))).problems;
      expect(problem).toMatch(/^run_task_kwargs: overrides: 9,\d{3} characters as JSON, over ECS's limit of 8,192; the environment of container "base"/);
    });
  });

  describe('7. network configuration', () => {
    it('builds no network configuration when no subnets, security groups or assign_public_ip True are given', async () => {
      expect(await build()).not.toHaveProperty('networkConfiguration');
    });

    it('builds none for assign_public_ip False without subnets, as Airflow does (issue 9, item 14)', async () => {
      expect(await build({ assignPublicIp: false, sources: { assignPublicIp: 'ECS_EXECUTOR_ASSIGN_PUBLIC_IP' } })).not.toHaveProperty('networkConfiguration');
    });

    it('builds awsvpcConfiguration from subnets, with assignPublicIp DISABLED by default', async () => {
      const template = await build({ subnets: ['subnet-a', 'subnet-b'] });
      expect(template.networkConfiguration).toStrictEqual({ awsvpcConfiguration: { subnets: ['subnet-a', 'subnet-b'], assignPublicIp: 'DISABLED' } });
    });

    it('adds security groups and assignPublicIp ENABLED when given', async () => {
      const template = await build({ subnets: ['subnet-a'], securityGroups: ['sg-1', 'sg-2'], assignPublicIp: true });
      expect(template.networkConfiguration).toStrictEqual({ awsvpcConfiguration: { subnets: ['subnet-a'], securityGroups: ['sg-1', 'sg-2'], assignPublicIp: 'ENABLED' } });
    });

    it.each(['EC2', 'EXTERNAL', 'MANAGED_INSTANCES'] as const)('omits assignPublicIp (a Fargate field) for %s', async (launchType) => {
      const template = await build({ launchType, subnets: ['subnet-a'], assignPublicIp: true });
      expect(template.networkConfiguration).toStrictEqual({ awsvpcConfiguration: { subnets: ['subnet-a'] } });
    });

    it('requires a subnet when only security groups are given, saying which setting asked', async () => {
      expect((await rejection(build({ securityGroups: ['sg-1'] }))).problems).toEqual([
        'At least one subnet is required to run a task: security_groups (sg-1) asks for an awsvpc network configuration, ' +
          'which needs subnets: set subnets to comma-separated subnet IDs (e.g. "subnet-0abc,subnet-0def")',
      ]);
    });

    it('requires a subnet when assign_public_ip is True', async () => {
      expect((await rejection(build({ assignPublicIp: true }))).problems[0]).toMatch(/^At least one subnet is required to run a task: assign_public_ip \(True\) asks/);
    });

    it('replaces a networkConfiguration from run_task_kwargs when subnets are configured', async () => {
      const template = await build({ subnets: ['subnet-a'], ...kwargs({ networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-k'] } } }) });
      expect(template.networkConfiguration).toEqual({ awsvpcConfiguration: { subnets: ['subnet-a'], assignPublicIp: 'DISABLED' } });
    });
  });

  describe('8. camelCase keys', () => {
    it('converts snake_case keys at every depth, through lists', async () => {
      const template = await build(
        kwargs({
          overrides: { task_role_arn: 'arn:role', container_overrides: [{ memory_reservation: 256, resource_requirements: [{ type: 'GPU', value: '1' }] }] },
          enable_execute_command: true,
        }),
      );
      expect(template).toMatchObject({
        enableExecuteCommand: true,
        overrides: { taskRoleArn: 'arn:role', containerOverrides: [{ name: 'base', command: [], memoryReservation: 256, resourceRequirements: [{ type: 'GPU', value: '1' }] }] },
      });
    });

    it('leaves what is inside tags as given', async () => {
      const tags = [{ key: 'cost_center', value: 'data_eng' }];
      const template = await build(kwargs({ tags, propagate_tags: 'TASK_DEFINITION' }));
      expect(template.tags).toEqual(tags);
      expect(template.propagateTags).toBe('TASK_DEFINITION');
    });

    it('leaves tags nested deeper as given too', async () => {
      const volume = { name: 'v', managedEBSVolume: { role_arn: 'arn:r', tag_specifications: [{ resource_type: 'volume', tags: [{ key: 'k_1', value: 'v_1' }] }] } };
      const template = await build(kwargs({ volume_configurations: [volume] }));
      expect(template.volumeConfigurations).toEqual([
        { name: 'v', managedEBSVolume: { roleArn: 'arn:r', tagSpecifications: [{ resourceType: 'volume', tags: [{ key: 'k_1', value: 'v_1' }] }] } },
      ]);
    });
  });

  describe('9. JSON', () => {
    it('returns a template that survives a JSON round trip unchanged', async () => {
      const template = await build({ subnets: ['subnet-a'], ...kwargs({ tags: [{ key: 'a', value: 'b' }] }) });
      expect(JSON.parse(JSON.stringify(template))).toStrictEqual(template);
    });

    it.each([
      ['NaN', Number.NaN, 'startedBy is NaN'],
      ['a function', () => 1, 'startedBy is a function'],
      ['a Date', new Date(0), 'startedBy is a Date, not a plain object'],
    ])('rejects %s in run_task_kwargs, naming where it is', async (_label, bad, where) => {
      const err = await rejection(build({ runTaskKwargs: { startedBy: bad } as unknown as JsonObject }));
      expect(err.problems).toEqual([`AWS ECS Executor config values must be JSON serializable: ${where}. Check run_task_kwargs.`]);
    });

    it('rejects run_task_kwargs nested 20,000 levels deep with a message, not a stack overflow', async () => {
      let deep: JsonObject = {};
      for (let i = 0; i < 20_000; i++) deep = { overrides: deep };
      const [problem] = (await rejection(build({ runTaskKwargs: deep }))).problems;
      expect(problem).toMatch(/^run_task_kwargs: nested too deeply, at overrides\.overrides.*\(more than 32 levels of objects and lists\)/);
    });
  });

  it('never mutates the settings, and shares no objects with them', async () => {
    const frozen = deepFreeze({
      ...BASE,
      subnets: ['subnet-a'],
      capacityProviderStrategy: [{ capacityProvider: 'cp' }],
      runTaskKwargs: { overrides: { containerOverrides: [{ memory: 1 }] }, tags: [{ key: 'a', value: 'b' }] },
    });
    const snapshot = JSON.stringify(frozen);
    const template = await buildRunTaskTemplate(frozen, cluster(false));
    (template.tags as JsonObject[])[0]!.key = 'changed';
    ((template.networkConfiguration as JsonObject).awsvpcConfiguration as { subnets: string[] }).subnets.push('subnet-z');
    (template.capacityProviderStrategy as JsonObject[])[0]!.weight = 5;
    expect(JSON.stringify(frozen)).toBe(snapshot);
  });

  it('fails with ConfigError named InvalidConfiguration', async () => {
    expect((await rejection(build({ securityGroups: ['sg-1'] }))).name).toBe('InvalidConfiguration');
  });
});

describe('templateSettingsProblems (the settings loader runs it in its single pass)', () => {
  it('finds nothing wrong with the defaults', () => {
    expect(templateSettingsProblems(BASE)).toEqual([]);
  });

  it('reports both rules at once, by source', () => {
    const problems = templateSettingsProblems({
      ...BASE,
      launchType: 'FARGATE',
      capacityProviderStrategy: [{ capacityProvider: 'cp' }],
      securityGroups: ['sg-1'],
      assignPublicIp: true,
      sources: { launchType: 'ECS_EXECUTOR_LAUNCH_TYPE', subnets: 'ECS_EXECUTOR_SUBNETS' },
    });
    expect(problems).toEqual([
      'ECS_EXECUTOR_LAUNCH_TYPE (FARGATE) and capacity_provider_strategy are mutually exclusive, you can not provide both: set only one of them',
      'At least one subnet is required to run a task: security_groups (sg-1) and assign_public_ip (True) ask for an awsvpc network configuration, ' +
        'which needs subnets: set ECS_EXECUTOR_SUBNETS to comma-separated subnet IDs (e.g. "subnet-0abc,subnet-0def")',
    ]);
  });
});
