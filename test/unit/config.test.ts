import { ConfigError, ENV_VARS, envVarsHelp, loadExecutorConfig, loadRuntimeConfig } from '../../src/config';

const REQUIRED = { ECS_EXECUTOR_CLUSTER: 'airflow', ECS_EXECUTOR_CONTAINER_NAME: 'base' };

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
  describe('defaults (spec section 1)', () => {
    const config = () => loadExecutorConfig(REQUIRED);

    it.each([
      ['taskDefinition', undefined],
      ['launchType', undefined],
      ['capacityProviderStrategy', undefined],
      ['platformVersion', 'LATEST'],
      ['assignPublicIp', false],
      ['assignPublicIpGiven', false],
      ['subnets', []],
      ['securityGroups', []],
      ['regionName', undefined],
      ['connId', 'aws_default'],
      ['maxRunTaskAttempts', 3],
      ['checkHealthOnStartup', true],
      ['runTaskKwargs', {}],
    ] as const)('defaults %s to %p', (field, expected) => {
      expect(config()[field]).toEqual(expected);
    });
  });

  it.each([
    ['CLUSTER', 'prod-cluster', 'cluster', 'prod-cluster'],
    ['CONTAINER_NAME', 'airflow-worker', 'containerName', 'airflow-worker'],
    ['TASK_DEFINITION', 'airflow-task:7', 'taskDefinition', 'airflow-task:7'],
    ['LAUNCH_TYPE', 'EC2', 'launchType', 'EC2'],
    ['PLATFORM_VERSION', '1.4.0', 'platformVersion', '1.4.0'],
    ['ASSIGN_PUBLIC_IP', 'True', 'assignPublicIp', true],
    ['SUBNETS', 'subnet-a,subnet-b', 'subnets', ['subnet-a', 'subnet-b']],
    ['SECURITY_GROUPS', 'sg-1', 'securityGroups', ['sg-1']],
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

  it("reads Airflow's AIRFLOW__AWS_ECS_EXECUTOR__* names as aliases", () => {
    const config = loadExecutorConfig({
      AIRFLOW__AWS_ECS_EXECUTOR__CLUSTER: 'from-airflow',
      AIRFLOW__AWS_ECS_EXECUTOR__CONTAINER_NAME: 'base',
      AIRFLOW__AWS_ECS_EXECUTOR__MAX_RUN_TASK_ATTEMPTS: '7',
    });
    expect(config).toMatchObject({ cluster: 'from-airflow', containerName: 'base', maxRunTaskAttempts: 7 });
  });

  it("prefers our ECS_EXECUTOR_* variable when Airflow's alias is set too", () => {
    const config = loadExecutorConfig({
      ...REQUIRED,
      ECS_EXECUTOR_PLATFORM_VERSION: '1.4.0',
      AIRFLOW__AWS_ECS_EXECUTOR__PLATFORM_VERSION: '1.3.0',
    });
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

  it('reads process.env when no env is given', () => {
    const saved = { ...process.env };
    try {
      Object.assign(process.env, { ECS_EXECUTOR_CLUSTER: 'from-process-env', ECS_EXECUTOR_CONTAINER_NAME: 'base' });
      expect(loadExecutorConfig().cluster).toBe('from-process-env');
    } finally {
      for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
      Object.assign(process.env, saved);
    }
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
  ])('accepts assign_public_ip=%p like Airflow getboolean (%p)', (value, expected) => {
    expect(loadExecutorConfig({ ...REQUIRED, ECS_EXECUTOR_ASSIGN_PUBLIC_IP: value }).assignPublicIp).toBe(expected);
  });

  it('records that assign_public_ip was given explicitly, even as False', () => {
    expect(loadExecutorConfig({ ...REQUIRED, ECS_EXECUTOR_ASSIGN_PUBLIC_IP: 'False' }).assignPublicIpGiven).toBe(true);
  });

  it("records assign_public_ip given through Airflow's alias as explicit", () => {
    expect(loadExecutorConfig({ ...REQUIRED, AIRFLOW__AWS_ECS_EXECUTOR__ASSIGN_PUBLIC_IP: 'True' }).assignPublicIpGiven).toBe(true);
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
    it('max_run_task_attempts that is not a number', () => {
      const err = configError(() => loadExecutorConfig({ ...REQUIRED, ECS_EXECUTOR_MAX_RUN_TASK_ATTEMPTS: 'zero' }));
      expect(err.problems).toEqual(['ECS_EXECUTOR_MAX_RUN_TASK_ATTEMPTS="zero": expected a whole number of at least 1']);
    });

    it.each(['0', '-1', '1.5'])('max_run_task_attempts=%p (below 1 or not whole)', (value) => {
      const err = configError(() => loadExecutorConfig({ ...REQUIRED, ECS_EXECUTOR_MAX_RUN_TASK_ATTEMPTS: value }));
      expect(err.problems).toEqual([`ECS_EXECUTOR_MAX_RUN_TASK_ATTEMPTS="${value}": expected a whole number of at least 1`]);
    });

    it("names Airflow's alias when the bad value came from it", () => {
      const err = configError(() => loadExecutorConfig({ ...REQUIRED, AIRFLOW__AWS_ECS_EXECUTOR__MAX_RUN_TASK_ATTEMPTS: 'many' }));
      expect(err.problems).toEqual(['AIRFLOW__AWS_ECS_EXECUTOR__MAX_RUN_TASK_ATTEMPTS="many": expected a whole number of at least 1']);
    });

    it('a missing cluster: says to set ECS_EXECUTOR_CLUSTER or AIRFLOW__AWS_ECS_EXECUTOR__CLUSTER', () => {
      const err = configError(() => loadExecutorConfig({ ECS_EXECUTOR_CONTAINER_NAME: 'base' }));
      expect(err.problems).toEqual([
        'ECS_EXECUTOR_CLUSTER is not set: set ECS_EXECUTOR_CLUSTER or AIRFLOW__AWS_ECS_EXECUTOR__CLUSTER to the ECS cluster name or ARN',
      ]);
    });

    it('a missing container name: says which variables to set', () => {
      const err = configError(() => loadExecutorConfig({ ECS_EXECUTOR_CLUSTER: 'airflow' }));
      expect(err.problems[0]).toMatch(/^ECS_EXECUTOR_CONTAINER_NAME is not set: set ECS_EXECUTOR_CONTAINER_NAME or AIRFLOW__AWS_ECS_EXECUTOR__CONTAINER_NAME to /);
    });

    it('a launch type other than FARGATE or EC2 (case matters, as in the ECS API)', () => {
      const err = configError(() => loadExecutorConfig({ ...REQUIRED, ECS_EXECUTOR_LAUNCH_TYPE: 'fargate' }));
      expect(err.problems).toEqual(['ECS_EXECUTOR_LAUNCH_TYPE="fargate": expected FARGATE or EC2']);
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

    it('lists every problem at once, in one error named InvalidExecutorConfig', () => {
      const err = configError(() =>
        loadExecutorConfig({ ECS_EXECUTOR_LAUNCH_TYPE: 'ECS', ECS_EXECUTOR_MAX_RUN_TASK_ATTEMPTS: 'zero', ECS_EXECUTOR_ASSIGN_PUBLIC_IP: 'yes' }),
      );
      expect(err.name).toBe('InvalidExecutorConfig');
      expect(err.problems).toHaveLength(5);
      expect(err.message).toMatch(/^Invalid ECS executor configuration \(5 problems\):/);
      for (const name of ['ECS_EXECUTOR_CLUSTER', 'ECS_EXECUTOR_CONTAINER_NAME', 'ECS_EXECUTOR_LAUNCH_TYPE="ECS"', 'ECS_EXECUTOR_MAX_RUN_TASK_ATTEMPTS="zero"', 'ECS_EXECUTOR_ASSIGN_PUBLIC_IP="yes"']) {
        expect(err.message).toContain(`  - ${name}`);
      }
    });
  });
});

describe('loadRuntimeConfig', () => {
  it.each([
    ['taskQueue', 'ecs-executor'],
    ['executorName', 'default'],
    ['pollIntervalMs', 10_000],
    ['maxWaitMs', 3_600_000],
    ['maxConcurrentWaits', 2000],
    ['maxConcurrentEcsCalls', 50],
    ['endpointUrl', undefined],
    ['workflowBundlePath', undefined],
    ['terminateTimeoutMs', 900_000],
    ['logLevel', 'info'],
  ] as const)('defaults %s to %p', (field, expected) => {
    expect(loadRuntimeConfig({})[field]).toEqual(expected);
  });

  it.each([
    ['TASK_QUEUE', 'ecs-prod', 'taskQueue', 'ecs-prod'],
    ['NAME', 'team-a.prod_1', 'executorName', 'team-a.prod_1'],
    ['POLL_INTERVAL_SECONDS', '2.5', 'pollIntervalMs', 2500],
    ['MAX_WAIT_SECONDS', '60', 'maxWaitMs', 60_000],
    ['MAX_CONCURRENT_WAITS', '100', 'maxConcurrentWaits', 100],
    ['MAX_CONCURRENT_ECS_CALLS', '5', 'maxConcurrentEcsCalls', 5],
    ['ENDPOINT_URL', 'http://127.0.0.1:4566', 'endpointUrl', 'http://127.0.0.1:4566'],
    ['WORKFLOW_BUNDLE', '/opt/bundle.js', 'workflowBundlePath', '/opt/bundle.js'],
    ['TERMINATE_TIMEOUT_SECONDS', '30', 'terminateTimeoutMs', 30_000],
    ['LOG_LEVEL', 'debug', 'logLevel', 'debug'],
  ] as const)('reads ECS_EXECUTOR_%s=%p into %s', (key, value, field, expected) => {
    expect(loadRuntimeConfig({ [`ECS_EXECUTOR_${key}`]: value })[field]).toEqual(expected);
  });

  it('rejects an executor name with characters outside [A-Za-z0-9._-]', () => {
    const err = configError(() => loadRuntimeConfig({ ECS_EXECUTOR_NAME: 'team a/prod' }));
    expect(err.problems).toEqual(['ECS_EXECUTOR_NAME="team a/prod": expected letters, digits, ".", "_" or "-" only (it becomes part of workflow IDs)']);
  });

  it.each(['0', '-5', 'soon'])('rejects a poll interval of %p seconds', (value) => {
    const err = configError(() => loadRuntimeConfig({ ECS_EXECUTOR_POLL_INTERVAL_SECONDS: value }));
    expect(err.problems).toEqual([`ECS_EXECUTOR_POLL_INTERVAL_SECONDS="${value}": expected a number of seconds greater than 0`]);
  });

  it.each(['0', '2.5', 'lots'])('rejects max concurrent waits of %p', (value) => {
    const err = configError(() => loadRuntimeConfig({ ECS_EXECUTOR_MAX_CONCURRENT_WAITS: value }));
    expect(err.problems).toEqual([`ECS_EXECUTOR_MAX_CONCURRENT_WAITS="${value}": expected a whole number of at least 1`]);
  });

  it('rejects max concurrent ECS calls below 1', () => {
    const err = configError(() => loadRuntimeConfig({ ECS_EXECUTOR_MAX_CONCURRENT_ECS_CALLS: '0' }));
    expect(err.problems).toEqual(['ECS_EXECUTOR_MAX_CONCURRENT_ECS_CALLS="0": expected a whole number of at least 1']);
  });

  it('rejects a terminate timeout that is not a positive number of seconds', () => {
    const err = configError(() => loadRuntimeConfig({ ECS_EXECUTOR_TERMINATE_TIMEOUT_SECONDS: 'forever' }));
    expect(err.problems).toEqual(['ECS_EXECUTOR_TERMINATE_TIMEOUT_SECONDS="forever": expected a number of seconds greater than 0']);
  });

  it.each(['localhost:4566', 'ftp://example.com', 'not a url'])('rejects endpoint URL %p: only http(s) URLs', (value) => {
    const err = configError(() => loadRuntimeConfig({ ECS_EXECUTOR_ENDPOINT_URL: value }));
    expect(err.problems).toEqual([`ECS_EXECUTOR_ENDPOINT_URL="${value}": expected an http(s) URL like http://127.0.0.1:4566`]);
  });

  it('rejects a log level pino does not know', () => {
    const err = configError(() => loadRuntimeConfig({ ECS_EXECUTOR_LOG_LEVEL: 'verbose' }));
    expect(err.problems).toEqual(['ECS_EXECUTOR_LOG_LEVEL="verbose": expected one of fatal, error, warn, info, debug, trace, silent']);
  });

  it('rejects a maximum wait shorter than one poll interval', () => {
    const err = configError(() => loadRuntimeConfig({ ECS_EXECUTOR_MAX_WAIT_SECONDS: '5', ECS_EXECUTOR_POLL_INTERVAL_SECONDS: '10' }));
    expect(err.problems).toEqual([
      'ECS_EXECUTOR_MAX_WAIT_SECONDS (5s) is shorter than ECS_EXECUTOR_POLL_INTERVAL_SECONDS (10s): expected a maximum wait of at least one poll interval',
    ]);
  });

  it('lists every problem at once', () => {
    const err = configError(() => loadRuntimeConfig({ ECS_EXECUTOR_NAME: 'a b', ECS_EXECUTOR_LOG_LEVEL: 'loud', ECS_EXECUTOR_MAX_WAIT_SECONDS: '-1' }));
    expect(err.name).toBe('InvalidExecutorConfig');
    expect(err.problems).toHaveLength(3);
    expect(err.message).toMatch(/^Invalid ECS executor runtime configuration \(3 problems\):/);
  });
});

describe('ENV_VARS', () => {
  it('lists each variable once', () => {
    const names = ENV_VARS.map((v) => v.name);
    expect(new Set(names).size).toBe(names.length);
  });

  it("gives every executor key Airflow's AIRFLOW__AWS_ECS_EXECUTOR__ name as alias", () => {
    const executorVars = ENV_VARS.filter((v) => v.group === 'executor');
    expect(executorVars).toHaveLength(14);
    for (const v of executorVars) expect(v.alias).toBe(v.name.replace(/^ECS_EXECUTOR_/, 'AIRFLOW__AWS_ECS_EXECUTOR__'));
  });

  it('lists every runtime variable, without an Airflow alias', () => {
    const runtime = ENV_VARS.filter((v) => v.group === 'runtime');
    expect(runtime.map((v) => v.name)).toEqual([
      'ECS_EXECUTOR_TASK_QUEUE',
      'ECS_EXECUTOR_NAME',
      'ECS_EXECUTOR_POLL_INTERVAL_SECONDS',
      'ECS_EXECUTOR_MAX_WAIT_SECONDS',
      'ECS_EXECUTOR_MAX_CONCURRENT_WAITS',
      'ECS_EXECUTOR_MAX_CONCURRENT_ECS_CALLS',
      'ECS_EXECUTOR_ENDPOINT_URL',
      'ECS_EXECUTOR_WORKFLOW_BUNDLE',
      'ECS_EXECUTOR_TERMINATE_TIMEOUT_SECONDS',
      'ECS_EXECUTOR_LOG_LEVEL',
    ]);
    for (const v of runtime) expect(v.alias).toBeUndefined();
  });

  it('documents the defaults the loaders actually apply (setting each documented default changes nothing)', () => {
    const withDefaults = Object.fromEntries(ENV_VARS.filter((v) => v.default !== undefined).map((v) => [v.name, v.default]));
    expect(loadExecutorConfig({ ...REQUIRED, ...withDefaults })).toEqual({ ...loadExecutorConfig(REQUIRED), assignPublicIpGiven: true });
    expect(loadRuntimeConfig(withDefaults)).toEqual(loadRuntimeConfig({}));
  });

  it('marks only cluster and container_name as required', () => {
    expect(ENV_VARS.filter((v) => v.required).map((v) => v.name)).toEqual(['ECS_EXECUTOR_CLUSTER', 'ECS_EXECUTOR_CONTAINER_NAME']);
  });

  it('prints every variable with its description in the --help text', () => {
    const help = envVarsHelp();
    for (const v of ENV_VARS) expect(help).toContain(`${v.name} `);
    expect(help).toMatch(/ECS_EXECUTOR_CONN_ID\s+unused, accepted for compatibility with Airflow/);
  });
});
