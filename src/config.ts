import { z } from 'zod';
import { isJsonObject } from './rules/json';
import type { JsonObject } from './types';

/**
 * The executor's configuration, read from environment variables. Executor keys mirror Airflow's
 * `[aws_ecs_executor]` section (spec section 1) and also accept Airflow's own env var names, so an
 * existing Airflow deployment's settings work unchanged; runtime keys are ours alone.
 */

/** Bad configuration, found at load or when building the RunTask template: fail start-up loudly. */
export class ConfigError extends Error {
  override readonly name = 'InvalidExecutorConfig';
  constructor(
    message: string,
    /** Each problem on its own, as listed in the message. */
    readonly problems: readonly string[] = [message],
  ) {
    super(message);
  }
}

/** One environment variable, for `--help` and the README. */
export interface EnvVarSpec {
  name: string;
  /** Airflow's name for the same setting; ours wins when both are set. */
  alias?: string;
  group: 'executor' | 'runtime';
  required: boolean;
  /** The default as a user would write it (undefined: no default). */
  default?: string;
  description: string;
}

const OURS = 'ECS_EXECUTOR_';
const AIRFLOW = 'AIRFLOW__AWS_ECS_EXECUTOR__';

function executorVar(key: string, description: string, opts: { default?: string; required?: boolean } = {}): EnvVarSpec {
  const suffix = key.toUpperCase();
  return { name: OURS + suffix, alias: AIRFLOW + suffix, group: 'executor', required: opts.required ?? false, default: opts.default, description };
}

function runtimeVar(suffix: string, description: string, defaultValue?: string): EnvVarSpec {
  return { name: OURS + suffix, group: 'runtime', required: false, default: defaultValue, description };
}

// Field names are the TypeScript (camelCase) names; each maps to the Airflow key it reads.
const EXECUTOR_VARS = {
  cluster: executorVar('cluster', 'the ECS cluster name or ARN', { required: true }),
  containerName: executorVar('container_name', 'the container in the task definition that runs the Airflow command', { required: true }),
  taskDefinition: executorVar(
    'task_definition',
    'task definition family, family:revision or ARN (required unless run_task_kwargs has taskDefinition)',
  ),
  launchType: executorVar('launch_type', 'FARGATE or EC2; mutually exclusive with capacity_provider_strategy'),
  capacityProviderStrategy: executorVar(
    'capacity_provider_strategy',
    'JSON list of {"capacityProvider": name, "weight"?: n, "base"?: n}; mutually exclusive with launch_type',
  ),
  platformVersion: executorVar('platform_version', 'Fargate platform version (dropped for EC2)', { default: 'LATEST' }),
  assignPublicIp: executorVar('assign_public_ip', 'give the task a public IP (true/false; omitted for EC2)', { default: 'False' }),
  subnets: executorVar('subnets', 'comma-separated subnet IDs (awsvpc network mode)'),
  securityGroups: executorVar('security_groups', 'comma-separated security group IDs'),
  regionName: executorVar('region_name', 'AWS region (default: the AWS SDK default chain)'),
  connId: executorVar(
    'conn_id',
    'unused, accepted for compatibility with Airflow: credentials come from the AWS SDK default credential chain',
    { default: 'aws_default' },
  ),
  maxRunTaskAttempts: executorVar('max_run_task_attempts', 'attempts for launching a task and for re-running a failed one', { default: '3' }),
  checkHealthOnStartup: executorVar('check_health_on_startup', 'check the ECS connection at start-up (true/false)', { default: 'True' }),
  runTaskKwargs: executorVar('run_task_kwargs', 'JSON object overlaid on the generated RunTask input', { default: '{}' }),
} as const satisfies Record<string, EnvVarSpec>;

const RUNTIME_VARS = {
  taskQueue: runtimeVar('TASK_QUEUE', 'Temporal task queue of the workers', 'ecs-executor'),
  executorName: runtimeVar('NAME', 'name of this executor instance; scopes sync and terminate to its tasks ([A-Za-z0-9._-]+)', 'default'),
  pollIntervalMs: runtimeVar('POLL_INTERVAL_SECONDS', 'seconds between DescribeTasks polls', '10'),
  maxWaitMs: runtimeVar('MAX_WAIT_SECONDS', 'seconds one wait activity runs before it returns "unchanged" and is started again', '3600'),
  maxConcurrentWaits: runtimeVar('MAX_CONCURRENT_WAITS', 'wait activities one worker runs at once', '2000'),
  maxConcurrentEcsCalls: runtimeVar('MAX_CONCURRENT_ECS_CALLS', 'short ECS call activities (RunTask, StopTask) one worker runs at once', '50'),
  endpointUrl: runtimeVar('ENDPOINT_URL', 'explicit ECS endpoint URL, e.g. the local ECS endpoint (default: the AWS endpoint for the region)'),
  workflowBundlePath: runtimeVar('WORKFLOW_BUNDLE', 'path to a pre-built workflow bundle (default: bundle at worker start)'),
  terminateTimeoutMs: runtimeVar('TERMINATE_TIMEOUT_SECONDS', 'seconds terminate waits for the ECS task to reach STOPPED', '900'),
  logLevel: runtimeVar('LOG_LEVEL', 'log level: fatal, error, warn, info, debug, trace or silent', 'info'),
} as const satisfies Record<string, EnvVarSpec>;

/** Every environment variable the executor reads, in the order `--help` should show them. */
export const ENV_VARS: readonly EnvVarSpec[] = [...Object.values(EXECUTOR_VARS), ...Object.values(RUNTIME_VARS)];

/** ENV_VARS as aligned text for `--help`. */
export function envVarsHelp(): string {
  const width = Math.max(...ENV_VARS.map((v) => v.name.length));
  return ENV_VARS.map((v) => {
    const notes = [v.required ? 'required' : undefined, v.default !== undefined ? `default ${v.default}` : undefined, v.alias ? `alias ${v.alias}` : undefined]
      .filter((n) => n !== undefined)
      .join('; ');
    return `  ${v.name.padEnd(width)}  ${v.description}${notes ? ` (${notes})` : ''}`;
  }).join('\n');
}

// ---- value parsers: each takes the raw env string and says what it expected when it fails ----

const required = (what: string) => z.string({ error: `expected ${what}` }).trim().min(1, `expected ${what}`);

/** Airflow's conf.getboolean accepts t/true/1 and f/false/0, in any case. */
const boolean = () =>
  z
    .string()
    .trim()
    .pipe(z.stringbool({ truthy: ['true', 't', '1'], falsy: ['false', 'f', '0'], error: 'expected true or false (also True/False, 1/0)' }));

const wholeNumber = (min: number) => {
  const expected = `expected a whole number of at least ${min}`;
  return z.string().trim().regex(/^\d+$/, expected).transform(Number).pipe(z.number().int().min(min, expected));
};

const secondsToMs = () => {
  const expected = 'expected a number of seconds greater than 0';
  return z
    .string()
    .trim()
    .regex(/^\d+(\.\d+)?$/, expected)
    .transform(Number)
    .pipe(z.number().positive(expected))
    .transform((s) => Math.round(s * 1000));
};

const commaList = () =>
  z.string().transform((text) =>
    text
      .split(',')
      .map((part) => part.trim())
      .filter((part) => part.length > 0),
  );

const json = (expected: string) =>
  z.string().transform((text, ctx): unknown => {
    try {
      return JSON.parse(text);
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: `expected ${expected}; this is not valid JSON (${(err as Error).message})` });
      return z.NEVER;
    }
  });

const capacityProviderItem = z
  .strictObject({
    capacityProvider: z.string().min(1).optional(),
    // Airflow users write snake_case; the RunTask API wants camelCase.
    capacity_provider: z.string().min(1).optional(),
    weight: z.number().int().min(0).max(1000).optional(),
    base: z.number().int().min(0).max(100000).optional(),
  })
  .refine((item) => (item.capacityProvider ?? item.capacity_provider) !== undefined, 'expected "capacityProvider" (a capacity provider name)')
  .transform(({ capacityProvider, capacity_provider, weight, base }) => ({
    capacityProvider: (capacityProvider ?? capacity_provider) as string,
    ...(weight !== undefined && { weight }),
    ...(base !== undefined && { base }),
  }));

const executorConfigSchema = z.object({
  cluster: required('the ECS cluster name or ARN'),
  containerName: required('the name of the container that runs the Airflow command'),
  taskDefinition: z.string().trim().optional(),
  launchType: z.enum(['FARGATE', 'EC2'], { error: 'expected FARGATE or EC2' }).optional(),
  capacityProviderStrategy: json('a JSON list like [{"capacityProvider": "FARGATE_SPOT", "weight": 1}]')
    .pipe(z.array(capacityProviderItem, { error: 'expected a JSON list of capacity provider items' }))
    .optional(),
  platformVersion: z.string().trim().default('LATEST'),
  assignPublicIp: boolean().default(false),
  /** Whether assign_public_ip was set at all: only then does it alone call for a network configuration. */
  assignPublicIpGiven: z.boolean(),
  subnets: commaList().default([]),
  securityGroups: commaList().default([]),
  regionName: z.string().trim().optional(),
  connId: z.string().trim().default('aws_default'),
  maxRunTaskAttempts: wholeNumber(1).default(3),
  checkHealthOnStartup: boolean().default(true),
  runTaskKwargs: json('a JSON object like {"tags": [{"key": "team", "value": "data"}]}')
    .pipe(z.custom<JsonObject>(isJsonObject, 'expected a JSON object ({...}), not a list or a single value'))
    .default({}),
});

export type ExecutorConfig = z.infer<typeof executorConfigSchema>;

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const runtimeConfigSchema = z.object({
  taskQueue: required('a task queue name').default('ecs-executor'),
  executorName: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9._-]+$/, 'expected letters, digits, ".", "_" or "-" only (it becomes part of workflow IDs)')
    .default('default'),
  pollIntervalMs: secondsToMs().default(10_000),
  maxWaitMs: secondsToMs().default(3_600_000),
  maxConcurrentWaits: wholeNumber(1).default(2000),
  maxConcurrentEcsCalls: wholeNumber(1).default(50),
  endpointUrl: z.url({ protocol: /^https?$/, error: 'expected an http(s) URL like http://127.0.0.1:4566' }).optional(),
  workflowBundlePath: z.string().trim().optional(),
  terminateTimeoutMs: secondsToMs().default(900_000),
  logLevel: z.enum(LOG_LEVELS, { error: `expected one of ${LOG_LEVELS.join(', ')}` }).default('info'),
});

export type RuntimeConfig = z.infer<typeof runtimeConfigSchema>;

// ---- loading ----

interface RawValue {
  value: string | undefined;
  /** The env var the value came from (ours, or Airflow's alias). */
  source: string;
}

/** Empty values count as unset, so `FOO=` in a compose file means "use the default". */
function readVar(env: NodeJS.ProcessEnv, spec: EnvVarSpec): RawValue {
  for (const name of spec.alias === undefined ? [spec.name] : [spec.name, spec.alias]) {
    const value = env[name];
    if (value !== undefined && value.trim() !== '') return { value, source: name };
  }
  return { value: undefined, source: spec.name };
}

function describeProblem(spec: EnvVarSpec, raw: RawValue, issue: z.core.$ZodIssue): string {
  const nested = issue.path.slice(1).map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('');
  const where = nested ? `at ${nested.replace(/^\./, '')}: ` : '';
  if (raw.value !== undefined) return `${raw.source}="${raw.value}": ${where}${issue.message}`;
  if (spec.required) {
    const names = spec.alias ? `${spec.name} or ${spec.alias}` : spec.name;
    return `${spec.name} is not set: set ${names} to ${spec.description}`;
  }
  return `${spec.name} (default ${spec.default ?? 'unset'}): ${issue.message}`;
}

function load<S extends z.ZodType>(
  schema: S,
  specs: Record<string, EnvVarSpec>,
  env: NodeJS.ProcessEnv,
  extra: Record<string, unknown>,
  title: string,
): z.infer<S> {
  const raw = Object.fromEntries(Object.entries(specs).map(([field, spec]) => [field, readVar(env, spec)]));
  const input = { ...Object.fromEntries(Object.entries(raw).map(([field, r]) => [field, r.value])), ...extra };
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const field = String(issue.path[0]);
    const spec = specs[field];
    const r = raw[field];
    return spec && r ? describeProblem(spec, r, issue) : `${field}: ${issue.message}`;
  });
  throw configError(title, problems);
}

function configError(title: string, problems: string[]): ConfigError {
  const count = problems.length === 1 ? '1 problem' : `${problems.length} problems`;
  return new ConfigError(`${title} (${count}):\n${problems.map((p) => `  - ${p}`).join('\n')}`, problems);
}

/** Reads and validates the executor keys (spec section 1); every problem is reported at once. */
export function loadExecutorConfig(env: NodeJS.ProcessEnv = process.env): ExecutorConfig {
  const assignPublicIpGiven = readVar(env, EXECUTOR_VARS.assignPublicIp).value !== undefined;
  return load(executorConfigSchema, EXECUTOR_VARS, env, { assignPublicIpGiven }, 'Invalid ECS executor configuration');
}

/** Reads and validates our own runtime settings (worker, polling, endpoint, logging). */
export function loadRuntimeConfig(env: NodeJS.ProcessEnv = process.env): RuntimeConfig {
  const config = load(runtimeConfigSchema, RUNTIME_VARS, env, {}, 'Invalid ECS executor runtime configuration');
  // A wait shorter than one poll interval would return before it ever polled.
  if (config.maxWaitMs < config.pollIntervalMs) {
    throw configError('Invalid ECS executor runtime configuration', [
      `${RUNTIME_VARS.maxWaitMs.name} (${config.maxWaitMs / 1000}s) is shorter than ${RUNTIME_VARS.pollIntervalMs.name} (${config.pollIntervalMs / 1000}s): ` +
        'expected a maximum wait of at least one poll interval',
    ]);
  }
  return config;
}
