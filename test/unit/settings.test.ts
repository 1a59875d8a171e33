import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '../../src/errors';
import { buildRunTaskTemplate } from '../../src/rules/run-task-template';
import {
  ALL_SETTINGS,
  EXECUTOR_SETTINGS,
  RUNTIME_SETTINGS,
  defaultText,
  envVarsHelp,
  isRequired,
  loadExecutorConfig,
  loadRuntimeConfig,
  settingsMarkdownTable,
} from '../../src/settings';

const dir = mkdtempSync(join(tmpdir(), 'settings-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** An AIRFLOW_HOME without airflow.cfg, so no test reads the machine's ~/airflow/airflow.cfg. */
const NO_CFG = { AIRFLOW_HOME: join(dir, 'empty-home') };
const REQUIRED = { ...NO_CFG, ECS_EXECUTOR_CLUSTER: 'airflow', ECS_EXECUTOR_CONTAINER_NAME: 'base' };

let cfgCount = 0;
/** Writes an airflow.cfg and returns the env that points Airflow (and us) at it. */
function airflowCfg(text: string): { AIRFLOW_CONFIG: string } {
  const path = join(dir, `airflow-${++cfgCount}.cfg`);
  writeFileSync(path, text);
  return { AIRFLOW_CONFIG: path };
}

/** The ConfigError `run` throws (fails the test if it throws nothing or something else). */
function configError(run: () => unknown): ConfigError {
  try {
    run();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error('expected a ConfigError, but nothing was thrown');
}

describe('loadExecutorConfig', () => {
  describe("defaults (Airflow's [aws_ecs_executor] defaults)", () => {
    it.each([
      ['taskDefinition', undefined],
      ['launchType', undefined],
      ['capacityProviderStrategy', undefined],
      ['platformVersion', 'LATEST'],
      ['assignPublicIp', false],
      ['subnets', []],
      ['securityGroups', []],
      ['regionName', undefined],
      ['connId', 'aws_default'],
      ['maxRunTaskAttempts', 3],
      ['checkHealthOnStartup', true],
      ['runTaskKwargs', {}],
      ['team', undefined],
      ['airflowConfigFile', undefined],
    ] as const)('defaults %s to %p', (field, expected) => {
      expect(loadExecutorConfig(REQUIRED)[field]).toEqual(expected);
    });
  });

  it.each([
    ['CLUSTER', 'prod-cluster', 'cluster', 'prod-cluster'],
    ['CONTAINER_NAME', 'airflow-worker', 'containerName', 'airflow-worker'],
    ['TASK_DEFINITION', 'airflow-task:7', 'taskDefinition', 'airflow-task:7'],
    ['LAUNCH_TYPE', 'EC2', 'launchType', 'EC2'],
    ['LAUNCH_TYPE', 'EXTERNAL', 'launchType', 'EXTERNAL'],
    ['LAUNCH_TYPE', 'MANAGED_INSTANCES', 'launchType', 'MANAGED_INSTANCES'],
    ['PLATFORM_VERSION', '1.4.0', 'platformVersion', '1.4.0'],
    ['SUBNETS', 'subnet-a,subnet-b', 'subnets', ['subnet-a', 'subnet-b']],
    ['REGION_NAME', 'eu-west-1', 'regionName', 'eu-west-1'],
    ['CONN_ID', 'my_aws', 'connId', 'my_aws'],
    ['MAX_RUN_TASK_ATTEMPTS', '5', 'maxRunTaskAttempts', 5],
    ['CHECK_HEALTH_ON_STARTUP', 'False', 'checkHealthOnStartup', false],
    ['RUN_TASK_KWARGS', '{"startedBy": "airflow"}', 'runTaskKwargs', { startedBy: 'airflow' }],
    [
      'CAPACITY_PROVIDER_STRATEGY',
      '[{"capacityProvider": "FARGATE_SPOT", "weight": 2, "base": 1}]',
      'capacityProviderStrategy',
      [{ capacityProvider: 'FARGATE_SPOT', weight: 2, base: 1 }],
    ],
  ] as const)('reads ECS_EXECUTOR_%s=%p into %s', (key, value, field, expected) => {
    expect(loadExecutorConfig({ ...REQUIRED, [`ECS_EXECUTOR_${key}`]: value })[field]).toEqual(expected);
  });

  it("reads Airflow's AIRFLOW__AWS_ECS_EXECUTOR__* names as aliases, and says so in sources", () => {
    const config = loadExecutorConfig({
      ...NO_CFG,
      AIRFLOW__AWS_ECS_EXECUTOR__CLUSTER: 'from-airflow',
      AIRFLOW__AWS_ECS_EXECUTOR__CONTAINER_NAME: 'base',
      AIRFLOW__AWS_ECS_EXECUTOR__MAX_RUN_TASK_ATTEMPTS: '7',
    });
    expect(config).toMatchObject({ cluster: 'from-airflow', containerName: 'base', maxRunTaskAttempts: 7 });
    expect(config.sources).toMatchObject({ cluster: 'AIRFLOW__AWS_ECS_EXECUTOR__CLUSTER', subnets: 'ECS_EXECUTOR_SUBNETS' });
  });

  it("prefers our ECS_EXECUTOR_* variable when Airflow's alias is set too", () => {
    const config = loadExecutorConfig({ ...REQUIRED, ECS_EXECUTOR_PLATFORM_VERSION: '1.4.0', AIRFLOW__AWS_ECS_EXECUTOR__PLATFORM_VERSION: '1.3.0' });
    expect(config.platformVersion).toBe('1.4.0');
  });

  it("treats an empty value as unset, so Airflow's alias (or the default) applies", () => {
    const config = loadExecutorConfig({
      ...REQUIRED,
      ECS_EXECUTOR_PLATFORM_VERSION: '',
      AIRFLOW__AWS_ECS_EXECUTOR__PLATFORM_VERSION: '1.3.0',
      ECS_EXECUTOR_MAX_RUN_TASK_ATTEMPTS: '  ',
    });
    expect(config).toMatchObject({ platformVersion: '1.3.0', maxRunTaskAttempts: 3 });
  });

  it("expands $VAR in Airflow's variables, as Airflow's expand_env_var does (ours are taken as given)", () => {
    const config = loadExecutorConfig({ ...NO_CFG, NAME: 'prod', AIRFLOW__AWS_ECS_EXECUTOR__CLUSTER: '${NAME}-cluster', ECS_EXECUTOR_CONTAINER_NAME: '$NAME' });
    expect(config).toMatchObject({ cluster: 'prod-cluster', containerName: '$NAME' });
  });

  it('reads process.env when no env is given', () => {
    const saved = { ...process.env };
    try {
      Object.assign(process.env, { ...NO_CFG, ECS_EXECUTOR_CLUSTER: 'from-process-env', ECS_EXECUTOR_CONTAINER_NAME: 'base' });
      expect(loadExecutorConfig().cluster).toBe('from-process-env');
    } finally {
      for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
      Object.assign(process.env, saved);
    }
  });

  it.each([
    ['ASSIGN_PUBLIC_IP', 'True', 'assignPublicIp', true],
    ['SECURITY_GROUPS', 'sg-1', 'securityGroups', ['sg-1']],
  ] as const)('reads ECS_EXECUTOR_%s=%p into %s (with subnets, which it needs)', (key, value, field, expected) => {
    expect(loadExecutorConfig({ ...REQUIRED, ECS_EXECUTOR_SUBNETS: 'subnet-a', [`ECS_EXECUTOR_${key}`]: value })[field]).toEqual(expected);
  });

  it.each([
    ['True', true],
    ['False', false],
    ['true', true],
    ['false', false],
    ['1', true],
    ['0', false],
    ['TRUE', true],
    ['t', true],
    ['f', false],
    [' True ', true],
    ['True # from the runbook', true],
  ])('accepts assign_public_ip=%p like Airflow getboolean (%p)', (value, expected) => {
    expect(loadExecutorConfig({ ...REQUIRED, ECS_EXECUTOR_SUBNETS: 'subnet-a', ECS_EXECUTOR_ASSIGN_PUBLIC_IP: value }).assignPublicIp).toBe(expected);
  });

  it('accepts assign_public_ip=False set explicitly without subnets: the template has no network configuration (issue 9, item 14)', async () => {
    const config = loadExecutorConfig({ ...REQUIRED, ECS_EXECUTOR_TASK_DEFINITION: 'td:1', ECS_EXECUTOR_ASSIGN_PUBLIC_IP: 'False' });
    const template = await buildRunTaskTemplate(config, { clusterHasDefaultCapacityProviderStrategy: async () => false });
    expect(template).not.toHaveProperty('networkConfiguration');
  });

  it('splits subnets and security groups on commas, trims them and drops empty parts', () => {
    const config = loadExecutorConfig({ ...REQUIRED, ECS_EXECUTOR_SUBNETS: ' subnet-a , ,subnet-b,', ECS_EXECUTOR_SECURITY_GROUPS: 'sg-1,, sg-2 ' });
    expect(config.subnets).toEqual(['subnet-a', 'subnet-b']);
    expect(config.securityGroups).toEqual(['sg-1', 'sg-2']);
  });

  it('accepts capacity_provider (snake_case) in the capacity provider strategy and keeps optional fields out', () => {
    const config = loadExecutorConfig({ ...REQUIRED, ECS_EXECUTOR_CAPACITY_PROVIDER_STRATEGY: '[{"capacity_provider": "FARGATE"}]' });
    expect(config.capacityProviderStrategy).toStrictEqual([{ capacityProvider: 'FARGATE' }]);
  });

  describe('rejects bad values, naming the variable, the value and what is expected', () => {
    it.each(['zero', '0', '-1', '1.5', '101'])('max_run_task_attempts=%p', (value) => {
      const err = configError(() => loadExecutorConfig({ ...REQUIRED, ECS_EXECUTOR_MAX_RUN_TASK_ATTEMPTS: value }));
      expect(err.problems).toEqual([`ECS_EXECUTOR_MAX_RUN_TASK_ATTEMPTS="${value}": expected a whole number from 1 to 100`]);
    });

    it("names Airflow's alias when the bad value came from it", () => {
      const err = configError(() => loadExecutorConfig({ ...REQUIRED, AIRFLOW__AWS_ECS_EXECUTOR__MAX_RUN_TASK_ATTEMPTS: 'many' }));
      expect(err.problems).toEqual(['AIRFLOW__AWS_ECS_EXECUTOR__MAX_RUN_TASK_ATTEMPTS="many": expected a whole number from 1 to 100']);
    });

    it('a missing cluster: says every place it can be set', () => {
      const err = configError(() => loadExecutorConfig({ ...NO_CFG, ECS_EXECUTOR_CONTAINER_NAME: 'base' }));
      expect(err.problems).toEqual([
        `ECS_EXECUTOR_CLUSTER is not set: set ECS_EXECUTOR_CLUSTER, AIRFLOW__AWS_ECS_EXECUTOR__CLUSTER or cluster in [aws_ecs_executor] of ${NO_CFG.AIRFLOW_HOME}/airflow.cfg to the ECS cluster name or ARN`,
      ]);
    });

    it('a launch type ECS does not know (case matters, as in the ECS API)', () => {
      const err = configError(() => loadExecutorConfig({ ...REQUIRED, ECS_EXECUTOR_LAUNCH_TYPE: 'fargate' }));
      expect(err.problems).toEqual(['ECS_EXECUTOR_LAUNCH_TYPE="fargate": expected one of EC2, EXTERNAL, FARGATE, MANAGED_INSTANCES (case matters)']);
    });

    it('a boolean that is not true/false/1/0', () => {
      const err = configError(() => loadExecutorConfig({ ...REQUIRED, ECS_EXECUTOR_CHECK_HEALTH_ON_STARTUP: 'maybe' }));
      expect(err.problems).toEqual(['ECS_EXECUTOR_CHECK_HEALTH_ON_STARTUP="maybe": expected true or false (also True/False, 1/0)']);
    });

    it('run_task_kwargs that is not valid JSON', () => {
      const err = configError(() => loadExecutorConfig({ ...REQUIRED, ECS_EXECUTOR_RUN_TASK_KWARGS: '{tags: 1}' }));
      expect(err.problems[0]).toMatch(/^ECS_EXECUTOR_RUN_TASK_KWARGS="\{tags: 1\}": expected a JSON object .*this is not valid JSON/);
    });

    it('run_task_kwargs that is JSON but not an object', () => {
      const err = configError(() => loadExecutorConfig({ ...REQUIRED, ECS_EXECUTOR_RUN_TASK_KWARGS: '["a"]' }));
      expect(err.problems).toEqual(['ECS_EXECUTOR_RUN_TASK_KWARGS="["a"]": expected a JSON object ({...}), not a list or a single value']);
    });

    it('run_task_kwargs nested 20,000 levels deep: a message, not a stack overflow', () => {
      const err = configError(() => loadExecutorConfig({ ...REQUIRED, ECS_EXECUTOR_RUN_TASK_KWARGS: '{"a":'.repeat(20_000) + '{}' + '}'.repeat(20_000) }));
      expect(err.problems[0]).toMatch(/^ECS_EXECUTOR_RUN_TASK_KWARGS="\{"a":\{"a":.*\.\.\.": nested too deeply, at a\.a\.a\.a\.a\.a\.\.\. \(more than 32 levels/);
    });

    it('a capacity provider strategy that is not a list', () => {
      const err = configError(() => loadExecutorConfig({ ...REQUIRED, ECS_EXECUTOR_CAPACITY_PROVIDER_STRATEGY: '{"capacityProvider": "FARGATE"}' }));
      expect(err.problems[0]).toMatch(/^ECS_EXECUTOR_CAPACITY_PROVIDER_STRATEGY="\{"capacityProvider": "FARGATE"\}": expected a JSON list/);
    });

    it('a capacity provider strategy item without a provider name, pointing at the item', () => {
      const err = configError(() => loadExecutorConfig({ ...REQUIRED, ECS_EXECUTOR_CAPACITY_PROVIDER_STRATEGY: '[{"weight": 1}]' }));
      expect(err.problems).toEqual(['ECS_EXECUTOR_CAPACITY_PROVIDER_STRATEGY="[{"weight": 1}]": at [0]: expected "capacityProvider" (a capacity provider name)']);
    });

    it('a capacity provider strategy item with a bad weight, pointing at the field', () => {
      const err = configError(() => loadExecutorConfig({ ...REQUIRED, ECS_EXECUTOR_CAPACITY_PROVIDER_STRATEGY: '[{"capacityProvider": "X", "weight": "heavy"}]' }));
      expect(err.problems[0]).toMatch(/^ECS_EXECUTOR_CAPACITY_PROVIDER_STRATEGY=".*": at \[0\]\.weight: .*expected number/);
    });
  });

  describe('rules between settings, in the same pass as every other problem', () => {
    it('launch_type with capacity_provider_strategy', () => {
      const err = configError(() =>
        loadExecutorConfig({ ...REQUIRED, ECS_EXECUTOR_LAUNCH_TYPE: 'FARGATE', ECS_EXECUTOR_CAPACITY_PROVIDER_STRATEGY: '[{"capacityProvider": "cp"}]' }),
      );
      expect(err.problems).toEqual([
        'ECS_EXECUTOR_LAUNCH_TYPE (FARGATE) and ECS_EXECUTOR_CAPACITY_PROVIDER_STRATEGY are mutually exclusive, you can not provide both: set only one of them',
      ]);
    });

    it('security groups or assign_public_ip True without subnets, naming where each came from', () => {
      const err = configError(() => loadExecutorConfig({ ...REQUIRED, ECS_EXECUTOR_SECURITY_GROUPS: 'sg-1', AIRFLOW__AWS_ECS_EXECUTOR__ASSIGN_PUBLIC_IP: 'True' }));
      expect(err.problems).toEqual([
        'At least one subnet is required to run a task: ECS_EXECUTOR_SECURITY_GROUPS (sg-1) and AIRFLOW__AWS_ECS_EXECUTOR__ASSIGN_PUBLIC_IP (True) ask for an awsvpc network configuration, ' +
          'which needs subnets: set ECS_EXECUTOR_SUBNETS to comma-separated subnet IDs (e.g. "subnet-0abc,subnet-0def")',
      ]);
    });

    it('lists every problem at once, field and cross-field ones together, in one error named InvalidConfiguration', () => {
      const err = configError(() =>
        loadExecutorConfig({
          ...NO_CFG,
          ECS_EXECUTOR_LAUNCH_TYPE: 'ECS',
          ECS_EXECUTOR_MAX_RUN_TASK_ATTEMPTS: 'zero',
          ECS_EXECUTOR_ASSIGN_PUBLIC_IP: 'yes',
          ECS_EXECUTOR_SECURITY_GROUPS: 'sg-1',
        }),
      );
      expect(err.name).toBe('InvalidConfiguration');
      expect(err.problems).toHaveLength(6);
      expect(err.message).toMatch(/^Invalid ECS executor configuration \(6 problems\):/);
      for (const start of [
        'ECS_EXECUTOR_CLUSTER is not set',
        'ECS_EXECUTOR_CONTAINER_NAME is not set',
        'ECS_EXECUTOR_LAUNCH_TYPE="ECS"',
        'ECS_EXECUTOR_MAX_RUN_TASK_ATTEMPTS="zero"',
        'ECS_EXECUTOR_ASSIGN_PUBLIC_IP="yes"',
        'At least one subnet is required',
      ]) {
        expect(err.message).toContain(`  - ${start}`);
      }
    });
  });

  it('hands the RunTask template builder names it can use in messages (ECS_EXECUTOR_*, not its own keys)', async () => {
    const config = loadExecutorConfig({ ...REQUIRED, AIRFLOW__AWS_ECS_EXECUTOR__RUN_TASK_KWARGS: '{"startedby": "x"}', ECS_EXECUTOR_TASK_DEFINITION: 'td:1' });
    const err = await buildRunTaskTemplate(config, { clusterHasDefaultCapacityProviderStrategy: async () => false }).catch((e: unknown) => e);
    expect((err as ConfigError).problems).toEqual(['AIRFLOW__AWS_ECS_EXECUTOR__RUN_TASK_KWARGS: startedby: unknown key (did you mean "startedBy"?)']);
  });

  describe("Airflow's airflow.cfg", () => {
    it('reads [aws_ecs_executor] from the file AIRFLOW_CONFIG names, and says where each value came from', () => {
      const cfg = airflowCfg('[core]\nexecutor = x\n\n[aws_ecs_executor]\ncluster = from-cfg\ncontainer_name = base\nsubnets = subnet-a, subnet-b\n');
      const config = loadExecutorConfig(cfg);
      expect(config).toMatchObject({ cluster: 'from-cfg', containerName: 'base', subnets: ['subnet-a', 'subnet-b'], airflowConfigFile: cfg.AIRFLOW_CONFIG });
      expect(config.sources.cluster).toBe(`${cfg.AIRFLOW_CONFIG}:5 [aws_ecs_executor] cluster`);
    });

    it('finds $AIRFLOW_HOME/airflow.cfg, and ~/airflow/airflow.cfg when AIRFLOW_HOME is not set', () => {
      const home = join(dir, 'home');
      mkdirSync(join(home, 'airflow'), { recursive: true });
      writeFileSync(join(home, 'airflow', 'airflow.cfg'), '[aws_ecs_executor]\ncluster = from-home\ncontainer_name = base\n');
      expect(loadExecutorConfig({ HOME: home }).cluster).toBe('from-home');
      expect(loadExecutorConfig({ AIRFLOW_HOME: join(home, 'airflow') }).cluster).toBe('from-home');
    });

    it('goes without a file that does not exist', () => {
      expect(loadExecutorConfig({ ...REQUIRED, AIRFLOW_CONFIG: join(dir, 'missing.cfg') }).airflowConfigFile).toBeUndefined();
    });

    it('ranks it below every variable: ECS_EXECUTOR_* > AIRFLOW__AWS_ECS_EXECUTOR__* > airflow.cfg > default', () => {
      const cfg = airflowCfg('[aws_ecs_executor]\ncluster = cfg\ncontainer_name = cfg\nplatform_version = cfg\nregion_name = cfg\n');
      const config = loadExecutorConfig({ ...cfg, ECS_EXECUTOR_CLUSTER: 'ours', AIRFLOW__AWS_ECS_EXECUTOR__CLUSTER: 'airflow', AIRFLOW__AWS_ECS_EXECUTOR__PLATFORM_VERSION: 'airflow' });
      expect(config).toMatchObject({ cluster: 'ours', platformVersion: 'airflow', regionName: 'cfg', connId: 'aws_default' });
    });

    it('reads values as Airflow does: continuation lines, %% for %, $VAR expanded', () => {
      const cfg = airflowCfg(
        '[aws_ecs_executor]\ncluster = ${CLUSTER_NAME}\ncontainer_name = base\nrun_task_kwargs = {\n    "tags": [{"key": "share", "value": "100%%"}]\n    }\n',
      );
      expect(loadExecutorConfig({ ...cfg, CLUSTER_NAME: 'expanded' })).toMatchObject({
        cluster: 'expanded',
        runTaskKwargs: { tags: [{ key: 'share', value: '100%' }] },
      });
    });

    it('names the file, line, section and key of a bad value', () => {
      const cfg = airflowCfg('[aws_ecs_executor]\ncluster = c\ncontainer_name = base\nmax_run_task_attempts = zero\n');
      expect(configError(() => loadExecutorConfig(cfg)).problems).toEqual([
        `${cfg.AIRFLOW_CONFIG}:4 [aws_ecs_executor] max_run_task_attempts="zero": expected a whole number from 1 to 100`,
      ]);
    });

    it("reports a lone % as Airflow's parser would refuse it", () => {
      const cfg = airflowCfg('[aws_ecs_executor]\ncluster = c\ncontainer_name = base\nrun_task_kwargs = {"startedBy": "100%"}\n');
      expect(configError(() => loadExecutorConfig(cfg)).problems[0]).toMatch(
        new RegExp(`^${cfg.AIRFLOW_CONFIG.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:4: \\[aws_ecs_executor\\] run_task_kwargs: '%' must be followed by '%' or '\\('`),
      );
    });

    it('lists syntax errors of the file with the other problems', () => {
      const cfg = airflowCfg('cluster = before any section\n[aws_ecs_executor]\ncluster = a\ncluster = b\n');
      const err = configError(() => loadExecutorConfig({ ...cfg, ECS_EXECUTOR_MAX_RUN_TASK_ATTEMPTS: '0' }));
      expect(err.problems).toEqual([
        `${cfg.AIRFLOW_CONFIG}:1: a key before any [section] header: put it under a section such as [aws_ecs_executor]`,
        `${cfg.AIRFLOW_CONFIG}:4: key cluster in [aws_ecs_executor] already exists: keep one`,
        expect.stringMatching(/^ECS_EXECUTOR_CLUSTER is not set/),
        expect.stringMatching(/^ECS_EXECUTOR_CONTAINER_NAME is not set/),
        'ECS_EXECUTOR_MAX_RUN_TASK_ATTEMPTS="0": expected a whole number from 1 to 100',
      ]);
    });
  });

  describe('ECS_EXECUTOR_TEAM (multi-team Airflow 3.3)', () => {
    const TEAM_CFG = '[aws_ecs_executor]\ncluster = global\ncontainer_name = global\n\n[team_a=aws_ecs_executor]\ncluster = team-cfg\ncontainer_name = team\n';

    it("reads the team's AIRFLOW__<TEAM>___AWS_ECS_EXECUTOR__<KEY> (team upper-cased, three underscores) before its airflow.cfg section", () => {
      const config = loadExecutorConfig({ ...airflowCfg(TEAM_CFG), ECS_EXECUTOR_TEAM: 'team_a', AIRFLOW__TEAM_A___AWS_ECS_EXECUTOR__CLUSTER: 'team-env' });
      expect(config).toMatchObject({ team: 'team_a', cluster: 'team-env', containerName: 'team' });
      expect(config.sources.cluster).toBe('AIRFLOW__TEAM_A___AWS_ECS_EXECUTOR__CLUSTER');
      expect(config.sources.containerName).toMatch(/:7 \[team_a=aws_ecs_executor\] container_name$/);
    });

    it('still lets ECS_EXECUTOR_* win over the team values', () => {
      expect(loadExecutorConfig({ ...airflowCfg(TEAM_CFG), ECS_EXECUTOR_TEAM: 'team_a', ECS_EXECUTOR_CLUSTER: 'ours' }).cluster).toBe('ours');
    });

    it("does not fall back to the global values, as Airflow's team executor does not: only to the defaults", () => {
      const cfg = airflowCfg('[aws_ecs_executor]\ncluster = global\ncontainer_name = base\nplatform_version = 1.3.0\n\n[team_a=aws_ecs_executor]\ncontainer_name = team\n');
      const err = configError(() => loadExecutorConfig({ ...cfg, ECS_EXECUTOR_TEAM: 'team_a', AIRFLOW__AWS_ECS_EXECUTOR__SUBNETS: 'subnet-g' }));
      expect(err.problems).toEqual([
        `ECS_EXECUTOR_CLUSTER is not set: set ECS_EXECUTOR_CLUSTER, AIRFLOW__TEAM_A___AWS_ECS_EXECUTOR__CLUSTER or cluster in [team_a=aws_ecs_executor] of ${cfg.AIRFLOW_CONFIG} ` +
          `to the ECS cluster name or ARN (${cfg.AIRFLOW_CONFIG}:2 [aws_ecs_executor] cluster is set, but with ECS_EXECUTOR_TEAM=team_a Airflow reads only the team's values, and so do we)`,
      ]);
      const config = loadExecutorConfig({ ...cfg, ECS_EXECUTOR_TEAM: 'team_a', ECS_EXECUTOR_CLUSTER: 'c', AIRFLOW__AWS_ECS_EXECUTOR__SUBNETS: 'subnet-g' });
      expect(config).toMatchObject({ platformVersion: 'LATEST', subnets: [] });
    });

    it("uses [DEFAULT] values in the team's section, as configparser does", () => {
      const cfg = airflowCfg('[DEFAULT]\nregion_name = eu-west-1\n\n[team_a=aws_ecs_executor]\ncluster = c\ncontainer_name = base\n');
      expect(loadExecutorConfig({ ...cfg, ECS_EXECUTOR_TEAM: 'team_a' }).regionName).toBe('eu-west-1');
    });

    it("rejects a name Airflow would not accept for a team", () => {
      const err = configError(() => loadExecutorConfig({ ...REQUIRED, ECS_EXECUTOR_TEAM: 'a b' }));
      expect(err.problems).toEqual(["ECS_EXECUTOR_TEAM=\"a b\": expected an Airflow team name: 3 to 50 letters, digits, '_' or '-'"]);
    });
  });
});

describe('loadRuntimeConfig', () => {
  it.each([
    ['taskQueue', 'ecs-executor'],
    ['executorName', 'default'],
    ['pollIntervalMs', 10_000],
    ['trackingCheckMs', 1_800_000],
    ['launchDeadlineMs', 1_800_000],
    ['terminateTimeoutMs', 900_000],
    ['ecsCallTimeoutMs', 20_000],
    ['observerHeartbeatTimeoutMs', 60_000],
    ['maxConcurrentEcsCalls', 100],
    ['maxCachedWorkflows', 500],
    ['maxConcurrentWorkflowTasks', 100],
    ['workflowTaskPollers', { type: 'autoscaling' }],
    ['stickyQueueTimeoutMs', 10_000],
    ['workflowDeadlockTimeoutMs', 0],
    ['workflowStackTraces', false],
    ['syncLagMs', 10_000],
    ['endpointUrl', undefined],
    ['workflowBundlePath', undefined],
    ['logLevel', 'info'],
    ['logPretty', false],
    ['codecKeyRing', undefined],
    ['team', undefined],
    ['fromSource', false],
  ] as const)('defaults %s to %p', (field, expected) => {
    expect(loadRuntimeConfig({})[field]).toEqual(expected);
  });

  it.each([
    ['TASK_QUEUE', 'ecs-prod', 'taskQueue', 'ecs-prod'],
    ['NAME', 'team-a.prod_1', 'executorName', 'team-a.prod_1'],
    ['POLL_INTERVAL_SECONDS', '2.5', 'pollIntervalMs', 2500],
    ['POLL_INTERVAL_SECONDS', '0.1', 'pollIntervalMs', 100],
    ['TRACKING_CHECK_SECONDS', '600', 'trackingCheckMs', 600_000],
    ['LAUNCH_DEADLINE_SECONDS', '120', 'launchDeadlineMs', 120_000],
    ['TERMINATE_TIMEOUT_SECONDS', '30', 'terminateTimeoutMs', 30_000],
    ['ECS_CALL_TIMEOUT_SECONDS', '5', 'ecsCallTimeoutMs', 5_000],
    ['OBSERVER_HEARTBEAT_TIMEOUT_SECONDS', '120', 'observerHeartbeatTimeoutMs', 120_000],
    ['MAX_CONCURRENT_ECS_CALLS', '5', 'maxConcurrentEcsCalls', 5],
    ['MAX_CACHED_WORKFLOWS', '0', 'maxCachedWorkflows', 0],
    ['MAX_CONCURRENT_WORKFLOW_TASKS', '50', 'maxConcurrentWorkflowTasks', 50],
    ['WORKFLOW_TASK_POLLERS', '10', 'workflowTaskPollers', { type: 'simple-maximum', maximum: 10 }],
    ['WORKFLOW_TASK_POLLERS', ' 40 ', 'workflowTaskPollers', { type: 'simple-maximum', maximum: 40 }],
    ['WORKFLOW_TASK_POLLERS', '2', 'workflowTaskPollers', { type: 'simple-maximum', maximum: 2 }],
    ['STICKY_QUEUE_TIMEOUT_SECONDS', '2', 'stickyQueueTimeoutMs', 2_000],
    ['WORKFLOW_DEADLOCK_TIMEOUT_SECONDS', '5', 'workflowDeadlockTimeoutMs', 5_000],
    ['WORKFLOW_DEADLOCK_TIMEOUT_SECONDS', '1.5', 'workflowDeadlockTimeoutMs', 1_500],
    ['WORKFLOW_DEADLOCK_TIMEOUT_SECONDS', ' 0.0 ', 'workflowDeadlockTimeoutMs', 0],
    ['WORKFLOW_DEADLOCK_TIMEOUT_SECONDS', '0', 'workflowDeadlockTimeoutMs', 0],
    ['WORKFLOW_STACK_TRACES', 'true', 'workflowStackTraces', true],
    ['SYNC_LAG_SECONDS', '0', 'syncLagMs', 0],
    ['ENDPOINT_URL', 'http://127.0.0.1:4566', 'endpointUrl', 'http://127.0.0.1:4566'],
    ['LOG_LEVEL', 'debug', 'logLevel', 'debug'],
    ['LOG_PRETTY', '1', 'logPretty', true],
    ['TEAM', 'team_a', 'team', 'team_a'],
    ['FROM_SOURCE', '1', 'fromSource', true],
  ] as const)('reads ECS_EXECUTOR_%s=%p into %s', (key, value, field, expected) => {
    expect(loadRuntimeConfig({ [`ECS_EXECUTOR_${key}`]: value })[field]).toEqual(expected);
  });

  describe('bounds (issue 9, item 11)', () => {
    it.each([
      ['POLL_INTERVAL_SECONDS', '0.0001', 'expected a number of seconds from 0.1 to 2,147,483 (at most what a timer can wait, about 24.8 days)'],
      ['POLL_INTERVAL_SECONDS', '3000000', 'expected a number of seconds from 0.1 to 2,147,483 (at most what a timer can wait, about 24.8 days)'],
      ['POLL_INTERVAL_SECONDS', 'soon', 'expected a number of seconds from 0.1 to 2,147,483 (at most what a timer can wait, about 24.8 days)'],
      ['TRACKING_CHECK_SECONDS', '3000000', 'expected a number of seconds from 1 to 2,147,483 (at most what a timer can wait, about 24.8 days)'],
      ['LAUNCH_DEADLINE_SECONDS', '0', 'expected a number of seconds from 1 to 2,147,483 (at most what a timer can wait, about 24.8 days)'],
      ['TERMINATE_TIMEOUT_SECONDS', 'forever', 'expected a number of seconds from 1 to 2,147,483 (at most what a timer can wait, about 24.8 days)'],
      ['OBSERVER_HEARTBEAT_TIMEOUT_SECONDS', '3000000', 'expected a number of seconds from 3 to 2,147,483 (at most what a timer can wait, about 24.8 days)'],
      ['OBSERVER_HEARTBEAT_TIMEOUT_SECONDS', '1', 'expected a number of seconds from 3 to 2,147,483 (at most what a timer can wait, about 24.8 days)'],
      ['ECS_CALL_TIMEOUT_SECONDS', '7200', 'expected a number of seconds from 1 to 3,600 (one request; an hour is already far more than ECS ever takes)'],
      ['STICKY_QUEUE_TIMEOUT_SECONDS', '0.5', 'expected a number of seconds from 1 to 3,600 (an hour)'],
      ['WORKFLOW_DEADLOCK_TIMEOUT_SECONDS', '7200', 'expected 0 (off) or a number of seconds from 1 to 3,600 (an hour)'],
      // It would round to 0 ms: the guard the user asked for would be quietly off.
      ['WORKFLOW_DEADLOCK_TIMEOUT_SECONDS', '-1', 'expected 0 (off) or a number of seconds from 1 to 3,600 (an hour)'],
      ['WORKFLOW_DEADLOCK_TIMEOUT_SECONDS', '0.0004', 'expected 0 (off) or a number of seconds from 1 to 3,600 (an hour)'],
      ['WORKFLOW_DEADLOCK_TIMEOUT_SECONDS', '0.5', 'expected 0 (off) or a number of seconds from 1 to 3,600 (an hour)'],
      ['SYNC_LAG_SECONDS', '100000', 'expected a number of seconds from 0 to 86,400 (a day)'],
      ['MAX_CONCURRENT_ECS_CALLS', '99999999999', 'expected a whole number from 1 to 10,000'],
      ['MAX_CONCURRENT_ECS_CALLS', '0', 'expected a whole number from 1 to 10,000'],
      ['MAX_CONCURRENT_WORKFLOW_TASKS', '99999999999', 'expected a whole number from 2 to 10,000'],
      ['MAX_CACHED_WORKFLOWS', '1', 'expected 0 (no cache) or at least 2: Temporal caches no fewer than 2 workflows'],
      ['MAX_CACHED_WORKFLOWS', '2.5', 'expected a whole number from 0 to 100,000'],
      ['WORKFLOW_TASK_POLLERS', '1', 'expected autoscaling, or a whole number of polls from 2 to 10,000'],
      ['WORKFLOW_TASK_POLLERS', '99999', 'expected autoscaling, or a whole number of polls from 2 to 10,000'],
      ['WORKFLOW_TASK_POLLERS', 'Autoscaling', 'expected autoscaling, or a whole number of polls from 2 to 10,000'],
      ['WORKFLOW_TASK_POLLERS', 'auto', 'expected autoscaling, or a whole number of polls from 2 to 10,000'],
      ['WORKFLOW_TASK_POLLERS', '4.5', 'expected autoscaling, or a whole number of polls from 2 to 10,000'],
    ])('rejects ECS_EXECUTOR_%s=%p', (key, value, expected) => {
      // The cached-workflows cases lower the workflow tasks too, so only the value under test is wrong.
      const env = key === 'MAX_CACHED_WORKFLOWS' ? { ECS_EXECUTOR_MAX_CONCURRENT_WORKFLOW_TASKS: '2' } : {};
      const err = configError(() => loadRuntimeConfig({ ...env, [`ECS_EXECUTOR_${key}`]: value }));
      expect(err.problems).toEqual([`ECS_EXECUTOR_${key}="${value}": ${expected}`]);
    });
  });

  it('rejects an executor name with characters outside [A-Za-z0-9._-] or longer than 64', () => {
    for (const value of ['team a/prod', 'x'.repeat(65)]) {
      const err = configError(() => loadRuntimeConfig({ ECS_EXECUTOR_NAME: value }));
      expect(err.problems).toEqual([`ECS_EXECUTOR_NAME="${value}": expected 1 to 64 letters, digits, ".", "_" or "-" (it becomes part of workflow IDs)`]);
    }
  });

  it.each(['localhost:4566', 'ftp://example.com', 'not a url'])('rejects endpoint URL %p: only http(s) URLs', (value) => {
    const err = configError(() => loadRuntimeConfig({ ECS_EXECUTOR_ENDPOINT_URL: value }));
    expect(err.problems).toEqual([`ECS_EXECUTOR_ENDPOINT_URL="${value}": expected an http(s) URL like http://127.0.0.1:4566`]);
  });

  it('rejects a log level pino does not know', () => {
    const err = configError(() => loadRuntimeConfig({ ECS_EXECUTOR_LOG_LEVEL: 'verbose' }));
    expect(err.problems).toEqual(['ECS_EXECUTOR_LOG_LEVEL="verbose": expected one of fatal, error, warn, info, debug, trace, silent (case matters)']);
  });

  it('rejects ECS_EXECUTOR_LOG_PRETTY other than 1 or 0 (the logger compares with "1")', () => {
    expect(configError(() => loadRuntimeConfig({ ECS_EXECUTOR_LOG_PRETTY: 'true' })).problems).toEqual(['ECS_EXECUTOR_LOG_PRETTY="true": expected 1 or 0']);
  });

  describe('ECS_EXECUTOR_WORKFLOW_BUNDLE', () => {
    it('accepts a file that exists', () => {
      const bundle = join(dir, 'bundle.js');
      writeFileSync(bundle, '// bundle');
      expect(loadRuntimeConfig({ ECS_EXECUTOR_WORKFLOW_BUNDLE: bundle }).workflowBundlePath).toBe(bundle);
    });

    it('rejects a missing file as a settings problem, not a raw ENOENT at worker start (issue 9, item 11)', () => {
      const missing = join(dir, 'no-such-bundle.js');
      expect(configError(() => loadRuntimeConfig({ ECS_EXECUTOR_WORKFLOW_BUNDLE: missing })).problems).toEqual([
        `ECS_EXECUTOR_WORKFLOW_BUNDLE="${missing}": no such file: build one with \`npm run build:bundle\`, or unset the variable to bundle at worker start`,
      ]);
    });

    it('rejects a directory', () => {
      expect(configError(() => loadRuntimeConfig({ ECS_EXECUTOR_WORKFLOW_BUNDLE: dir })).problems[0]).toMatch(/: not a file: build one/);
    });
  });

  describe('removed and unknown variables are problems, never silently ignored', () => {
    it.each([
      ['ECS_EXECUTOR_MAX_WAIT_SECONDS', '3600', /was removed: per-task wait activities are gone: one observer per cluster polls DescribeTasks every ECS_EXECUTOR_POLL_INTERVAL_SECONDS/],
      ['ECS_EXECUTOR_MAX_CONCURRENT_WAITS', '2000', /was removed: .*share the ECS call slots, ECS_EXECUTOR_MAX_CONCURRENT_ECS_CALLS/],
    ])('%s, saying what replaces it', (name, value, expected) => {
      const [problem] = configError(() => loadRuntimeConfig({ [name]: value })).problems;
      expect(problem).toMatch(new RegExp(`^${name}="${value}" is set, but this setting was removed`));
      expect(problem).toMatch(expected);
      expect(problem).toMatch(new RegExp(`Unset ${name}$`));
    });

    it('an unknown ECS_EXECUTOR_ variable, with the setting it most likely meant', () => {
      expect(configError(() => loadRuntimeConfig({ ECS_EXECUTOR_POLL_INTERVAL: '5' })).problems).toEqual([
        'ECS_EXECUTOR_POLL_INTERVAL is not a setting of this executor (did you mean ECS_EXECUTOR_POLL_INTERVAL_SECONDS?): unset it, or see `ecs-executor --help` for every setting',
      ]);
    });

    it('leaves other variables and empty ones alone', () => {
      expect(() => loadRuntimeConfig({ PATH: '/bin', ECS_EXECUTOR_SOMETHING: '', AIRFLOW__CORE__EXECUTOR: 'x' })).not.toThrow();
    });
  });

  describe('rules between settings, in the same pass', () => {
    it.each([
      [
        { ECS_EXECUTOR_TRACKING_CHECK_SECONDS: '5' },
        'ECS_EXECUTOR_TRACKING_CHECK_SECONDS (5 s) is shorter than ECS_EXECUTOR_POLL_INTERVAL_SECONDS (10 s): expected at least one poll interval (checking the observer more often than it polls does nothing)',
      ],
      [
        { ECS_EXECUTOR_TERMINATE_TIMEOUT_SECONDS: '5' },
        'ECS_EXECUTOR_TERMINATE_TIMEOUT_SECONDS (5 s) is shorter than ECS_EXECUTOR_POLL_INTERVAL_SECONDS (10 s): expected at least one poll interval, or StopTask is sent again before the observer could see the task stop',
      ],
      [
        { ECS_EXECUTOR_LAUNCH_DEADLINE_SECONDS: '10' },
        'ECS_EXECUTOR_LAUNCH_DEADLINE_SECONDS (10 s) is shorter than ECS_EXECUTOR_ECS_CALL_TIMEOUT_SECONDS (20 s): expected at least one ECS call timeout, or a launch fails before its first RunTask could answer',
      ],
      [
        { ECS_EXECUTOR_MAX_CACHED_WORKFLOWS: '50' },
        'ECS_EXECUTOR_MAX_CONCURRENT_WORKFLOW_TASKS (100) is more than ECS_EXECUTOR_MAX_CACHED_WORKFLOWS (50): ' +
          'Temporal runs at most as many workflow tasks as it caches workflows (unless the cache is 0); lower the first or raise the second',
      ],
    ])('%j', (env, expected) => {
      expect(configError(() => loadRuntimeConfig(env)).problems).toEqual([expected]);
    });

    it.each([
      [{ ECS_EXECUTOR_WORKFLOW_TASK_POLLERS: '101' }, 101, 100],
      [{ ECS_EXECUTOR_WORKFLOW_TASK_POLLERS: '20', ECS_EXECUTOR_MAX_CONCURRENT_WORKFLOW_TASKS: '10' }, 20, 10],
    ])('refuses more workflow-task polls than workflow-task slots: %j', (env, polls, slots) => {
      expect(configError(() => loadRuntimeConfig(env)).problems).toEqual([
        `ECS_EXECUTOR_WORKFLOW_TASK_POLLERS (${polls}) is more than ECS_EXECUTOR_MAX_CONCURRENT_WORKFLOW_TASKS (${slots}): ` +
          'each poll needs a free workflow-task slot, so the worker never opens more polls than it runs workflow tasks at once; lower the first or raise the second',
      ]);
    });

    it('lets the autoscaling poller run with any number of workflow-task slots (it opens a poll only when a slot is free)', () => {
      const config = loadRuntimeConfig({ ECS_EXECUTOR_WORKFLOW_TASK_POLLERS: 'autoscaling', ECS_EXECUTOR_MAX_CONCURRENT_WORKFLOW_TASKS: '2' });
      expect(config.workflowTaskPollers).toEqual({ type: 'autoscaling' });
    });

    it('allows more workflow tasks than cached workflows when the cache is off', () => {
      expect(loadRuntimeConfig({ ECS_EXECUTOR_MAX_CACHED_WORKFLOWS: '0' }).maxConcurrentWorkflowTasks).toBe(100);
    });

    it('lists every problem at once, field, removed and cross-field ones together', () => {
      const err = configError(() =>
        loadRuntimeConfig({ ECS_EXECUTOR_NAME: 'a b', ECS_EXECUTOR_LOG_LEVEL: 'loud', ECS_EXECUTOR_MAX_WAIT_SECONDS: '-1', ECS_EXECUTOR_TRACKING_CHECK_SECONDS: '2' }),
      );
      expect(err.name).toBe('InvalidConfiguration');
      expect(err.problems).toHaveLength(4);
      expect(err.message).toMatch(/^Invalid ECS executor runtime configuration \(4 problems\):/);
    });
  });

  describe('payload codec settings', () => {
    const key = Buffer.alloc(32, 7).toString('base64');

    it('returns the key ring of ECS_EXECUTOR_CODEC_KEY, with its id', () => {
      const ring = loadRuntimeConfig({ ECS_EXECUTOR_CODEC_KEY: key, ECS_EXECUTOR_CODEC_KEY_ID: 'k1' }).codecKeyRing;
      expect(ring?.currentKeyId).toBe('k1');
      expect(Buffer.from(ring?.keys.get('k1') ?? []).toString('base64')).toBe(key);
    });

    it('keeps the key itself out of the returned settings', () => {
      expect(Object.keys(loadRuntimeConfig({ ECS_EXECUTOR_CODEC_KEY: key }))).not.toEqual(expect.arrayContaining(['codecKey', 'codecKeyFile', 'codecKeyId']));
    });

    it("lists the codec's problems with the others, never showing the key", () => {
      const err = configError(() => loadRuntimeConfig({ ECS_EXECUTOR_CODEC_KEY: 'c2VjcmV0', ECS_EXECUTOR_NAME: 'a b' }));
      expect(err.problems).toHaveLength(2);
      expect(err.message).toContain('ECS_EXECUTOR_CODEC_KEY decodes to 6 bytes, but AES-256 needs exactly 32');
      expect(err.message).not.toContain('c2VjcmV0');
    });
  });
});

describe('the settings table', () => {
  it('lists each variable once', () => {
    const names = ALL_SETTINGS.map((setting) => setting.env);
    expect(new Set(names).size).toBe(names.length);
  });

  it("gives every executor setting Airflow's AIRFLOW__AWS_ECS_EXECUTOR__ name as alias and its [aws_ecs_executor] key", () => {
    const executor = Object.values(EXECUTOR_SETTINGS);
    expect(executor).toHaveLength(14);
    for (const setting of executor) {
      expect(setting.alias).toBe(setting.env.replace(/^ECS_EXECUTOR_/, 'AIRFLOW__AWS_ECS_EXECUTOR__'));
      expect(setting.env).toBe(`ECS_EXECUTOR_${setting.airflowKey?.toUpperCase()}`);
    }
  });

  it('lists every runtime setting, without an Airflow alias', () => {
    const runtime = Object.values(RUNTIME_SETTINGS);
    expect(runtime.map((setting) => setting.env)).toEqual([
      'ECS_EXECUTOR_TASK_QUEUE',
      'ECS_EXECUTOR_NAME',
      'ECS_EXECUTOR_POLL_INTERVAL_SECONDS',
      'ECS_EXECUTOR_REPORT_ECS_RUNNING',
      'ECS_EXECUTOR_TRACKING_CHECK_SECONDS',
      'ECS_EXECUTOR_LAUNCH_DEADLINE_SECONDS',
      'ECS_EXECUTOR_TERMINATE_TIMEOUT_SECONDS',
      'ECS_EXECUTOR_ECS_CALL_TIMEOUT_SECONDS',
      'ECS_EXECUTOR_OBSERVER_HEARTBEAT_TIMEOUT_SECONDS',
      'ECS_EXECUTOR_MAX_CONCURRENT_ECS_CALLS',
      'ECS_EXECUTOR_MAX_CACHED_WORKFLOWS',
      'ECS_EXECUTOR_MAX_CONCURRENT_WORKFLOW_TASKS',
      'ECS_EXECUTOR_WORKFLOW_TASK_POLLERS',
      'ECS_EXECUTOR_STICKY_QUEUE_TIMEOUT_SECONDS',
      'ECS_EXECUTOR_WORKFLOW_DEADLOCK_TIMEOUT_SECONDS',
      'ECS_EXECUTOR_WORKFLOW_STACK_TRACES',
      'ECS_EXECUTOR_SYNC_LAG_SECONDS',
      'ECS_EXECUTOR_ENDPOINT_URL',
      'ECS_EXECUTOR_WORKFLOW_BUNDLE',
      'ECS_EXECUTOR_LOG_LEVEL',
      'ECS_EXECUTOR_LOG_PRETTY',
      'ECS_EXECUTOR_CODEC_KEY_FILE',
      'ECS_EXECUTOR_CODEC_KEY',
      'ECS_EXECUTOR_CODEC_SERVER_TOKEN',
      'ECS_EXECUTOR_CODEC_KEY_ID',
      'ECS_EXECUTOR_TEAM',
      'ECS_EXECUTOR_FROM_SOURCE',
    ]);
    for (const setting of runtime) expect(setting.alias).toBeUndefined();
  });

  it('shows the defaults the loaders apply (setting each shown default changes nothing)', () => {
    const withDefaults = Object.fromEntries(ALL_SETTINGS.flatMap((setting) => (defaultText(setting) === undefined ? [] : [[setting.env, defaultText(setting)]])));
    const { sources: _given, ...given } = loadExecutorConfig({ ...REQUIRED, ...withDefaults });
    const { sources: _defaulted, ...defaulted } = loadExecutorConfig(REQUIRED);
    expect(given).toEqual(defaulted);
    expect(loadRuntimeConfig(withDefaults)).toEqual(loadRuntimeConfig({}));
  });

  it('marks only cluster and container_name as required', () => {
    expect(ALL_SETTINGS.filter(isRequired).map((setting) => setting.env)).toEqual(['ECS_EXECUTOR_CLUSTER', 'ECS_EXECUTOR_CONTAINER_NAME']);
  });

  it('prints every variable in the --help text, with the default its schema applies', () => {
    const help = envVarsHelp();
    for (const setting of ALL_SETTINGS) expect(help).toContain(`  ${setting.env} `);
    expect(help).toMatch(/ECS_EXECUTOR_POLL_INTERVAL_SECONDS\s+seconds between .*\(default 10\)/);
    expect(help).toMatch(/ECS_EXECUTOR_CLUSTER\s+the ECS cluster name or ARN \(required; alias AIRFLOW__AWS_ECS_EXECUTOR__CLUSTER\)/);
  });

  it('renders each group as a Markdown table, default from the schema', () => {
    const executor = settingsMarkdownTable('executor').split('\n');
    expect(executor.slice(0, 2)).toEqual(['| variable (Airflow alias) | default | meaning |', '|---|---|---|']);
    expect(executor).toContain('| `ECS_EXECUTOR_CLUSTER`<br>(`AIRFLOW__AWS_ECS_EXECUTOR__CLUSTER`) | **required** | the ECS cluster name or ARN |');
    expect(executor).toHaveLength(2 + 14);
    const runtime = settingsMarkdownTable('runtime').split('\n');
    expect(runtime).toContain("| `ECS_EXECUTOR_POLL_INTERVAL_SECONDS` | `10` | seconds between the observer's DescribeTasks rounds (one observer per cluster polls every tracked task) |");
    expect(runtime).toContain('| `ECS_EXECUTOR_ENDPOINT_URL` | – | explicit ECS endpoint URL, e.g. the local ECS endpoint (default: the AWS endpoint for the region; `AWS_ENDPOINT_URL_ECS` works too) |');
  });
});
