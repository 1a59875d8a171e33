import { z } from 'zod';
import { LAUNCH_TYPES } from '../rules/run-task-shape';
import { DEFAULT_CODEC_KEY_ID } from '../temporal/codec';
import {
  boolean,
  capacityProviderStrategy,
  commaList,
  existingFile,
  httpUrl,
  jsonObject,
  MAX_TIMER_SECONDS,
  offOrSecondsToMs,
  oneOf,
  oneOrZero,
  optionalText,
  pattern,
  pollers,
  required,
  secondsToMs,
  wholeNumber,
} from './parsers';

/**
 * Every setting, defined once: its variable, Airflow's name for it, what it means, and the zod
 * schema that parses it, with its default. The loaders, `--help` and the README's tables all
 * read this table.
 */

export type SettingGroup = 'executor' | 'runtime';

export interface Setting<S extends z.ZodType = z.ZodType> {
  /** Our variable, e.g. ECS_EXECUTOR_CLUSTER. */
  readonly env: string;
  /** The key in Airflow's [aws_ecs_executor] section (executor settings only). */
  readonly airflowKey?: string;
  /** Airflow's variable for the same key, AIRFLOW__AWS_ECS_EXECUTOR__<KEY> (executor settings only). */
  readonly alias?: string;
  readonly group: SettingGroup;
  readonly description: string;
  /** Parses the raw text (undefined when unset); `.prefault(text)` is the default. */
  readonly schema: S;
  /** Never shown in a message (a key). */
  readonly secret?: boolean;
}

export const AIRFLOW_SECTION = 'aws_ecs_executor';
const OURS = 'ECS_EXECUTOR_';

function executor<S extends z.ZodType>(key: string, schema: S, description: string): Setting<S> {
  const suffix = key.toUpperCase();
  return { env: OURS + suffix, airflowKey: key, alias: `AIRFLOW__${AIRFLOW_SECTION.toUpperCase()}__${suffix}`, group: 'executor', description, schema };
}

function runtime<S extends z.ZodType>(suffix: string, schema: S, description: string, options: { secret?: boolean } = {}): Setting<S> {
  return { env: OURS + suffix, group: 'runtime', description, schema, ...options };
}

const TIMER_LIMIT = ' (at most what a timer can wait, about 24.8 days)';

export const EXECUTOR_SETTINGS = {
  cluster: executor('cluster', required('the ECS cluster name or ARN'), 'the ECS cluster name or ARN'),
  containerName: executor(
    'container_name',
    required('the name of the container that runs the Airflow command'),
    'the container in the task definition that runs the Airflow command',
  ),
  taskDefinition: executor(
    'task_definition',
    optionalText(),
    'task definition family, family:revision or ARN (required unless run_task_kwargs has taskDefinition)',
  ),
  launchType: executor('launch_type', oneOf(LAUNCH_TYPES).optional(), `${LAUNCH_TYPES.join(', ')}; mutually exclusive with capacity_provider_strategy`),
  capacityProviderStrategy: executor(
    'capacity_provider_strategy',
    capacityProviderStrategy().optional(),
    'JSON list of {"capacityProvider": name, "weight"?: n, "base"?: n}; mutually exclusive with launch_type',
  ),
  platformVersion: executor('platform_version', z.string().trim().prefault('LATEST'), 'Fargate platform version (dropped for other launch types)'),
  assignPublicIp: executor(
    'assign_public_ip',
    boolean().prefault('False'),
    'give the task a public IP (true/false; omitted for launch types other than FARGATE); True asks for an awsvpc network configuration, False asks for nothing',
  ),
  subnets: executor('subnets', commaList(), 'comma-separated subnet IDs (awsvpc network mode)'),
  securityGroups: executor('security_groups', commaList(), 'comma-separated security group IDs (needs subnets)'),
  regionName: executor('region_name', optionalText(), 'AWS region (default: the AWS SDK default chain)'),
  connId: executor(
    'conn_id',
    z.string().trim().prefault('aws_default'),
    'unused, accepted for compatibility with Airflow: credentials come from the AWS SDK default credential chain',
  ),
  maxRunTaskAttempts: executor('max_run_task_attempts', wholeNumber(1, 100).prefault('3'), 'attempts for launching a task and for re-running a failed one'),
  checkHealthOnStartup: executor(
    'check_health_on_startup',
    boolean().prefault('True'),
    'check the ECS connection before the client or a worker starts (true/false)',
  ),
  runTaskKwargs: executor(
    'run_task_kwargs',
    jsonObject('a JSON object like {"tags": [{"key": "team", "value": "data"}]}').prefault('{}'),
    'JSON object of RunTask arguments laid over the generated RunTask input (keys camel-cased as Airflow does; every key checked at start-up)',
  ),
} as const;

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

export const RUNTIME_SETTINGS = {
  taskQueue: runtime('TASK_QUEUE', required('a task queue name').max(255, 'expected at most 255 characters').prefault('ecs-executor'), 'Temporal task queue of the workers'),
  executorName: runtime(
    'NAME',
    pattern(/^[A-Za-z0-9._-]{1,64}$/, 'expected 1 to 64 letters, digits, ".", "_" or "-" (it becomes part of workflow IDs)').prefault('default'),
    'name of this executor instance; scopes sync and terminate to its tasks ([A-Za-z0-9._-]+, at most 64)',
  ),
  pollIntervalMs: runtime(
    'POLL_INTERVAL_SECONDS',
    secondsToMs(0.1, MAX_TIMER_SECONDS, TIMER_LIMIT).prefault('10'),
    "seconds between the observer's DescribeTasks rounds (one observer per cluster polls every tracked task)",
  ),
  reportEcsRunning: runtime(
    'REPORT_ECS_RUNNING',
    boolean().prefault('false'),
    "also signal a task's workflow when ECS reports its task RUNNING, so `status` shows it (costs each task a workflow task and 4 history events; Airflow needs only the outcome)",
  ),
  trackingCheckMs: runtime(
    'TRACKING_CHECK_SECONDS',
    secondsToMs(1, MAX_TIMER_SECONDS, TIMER_LIMIT).prefault('1800'),
    "how often a tracked task's workflow makes sure its cluster's observer runs",
  ),
  launchDeadlineMs: runtime(
    'LAUNCH_DEADLINE_SECONDS',
    secondsToMs(1, MAX_TIMER_SECONDS, TIMER_LIMIT).prefault('1800'),
    'how long transient RunTask errors (throttling, 5xx, network) are retried before the task fails with the last error',
  ),
  terminateTimeoutMs: runtime(
    'TERMINATE_TIMEOUT_SECONDS',
    secondsToMs(1, MAX_TIMER_SECONDS, TIMER_LIMIT).prefault('900'),
    'after StopTask, seconds before StopTask is sent again while ECS still reports the task running',
  ),
  ecsCallTimeoutMs: runtime(
    'ECS_CALL_TIMEOUT_SECONDS',
    secondsToMs(1, 3600, ' (one request; an hour is already far more than ECS ever takes)').prefault('20'),
    'per-request timeout of every ECS call',
  ),
  observerHeartbeatTimeoutMs: runtime(
    'OBSERVER_HEARTBEAT_TIMEOUT_SECONDS',
    // The observer heartbeats on its own timer, every third of this (a second at least), whatever its polls do.
    secondsToMs(3, MAX_TIMER_SECONDS, TIMER_LIMIT).prefault('60'),
    "heartbeat timeout of the observer's activity: how soon a dead worker's observer moves to another worker",
  ),
  maxConcurrentEcsCalls: runtime(
    'MAX_CONCURRENT_ECS_CALLS',
    wholeNumber(1, 10_000).prefault('100'),
    'ECS call activities and local activities (RunTask, StopTask, DescribeTasks) one worker runs at once',
  ),
  maxCachedWorkflows: runtime(
    'MAX_CACHED_WORKFLOWS',
    wholeNumber(0, 100_000)
      .refine((n) => n !== 1, 'expected 0 (no cache) or at least 2: Temporal caches no fewer than 2 workflows')
      .prefault('500'),
    'workflows one worker keeps in memory (0: none); each costs about 0.4 MiB, a workflow not kept is replayed from its short history when woken',
  ),
  maxConcurrentWorkflowTasks: runtime(
    'MAX_CONCURRENT_WORKFLOW_TASKS',
    wholeNumber(2, 10_000).prefault('100'),
    'workflow tasks one worker runs at once (at most ECS_EXECUTOR_MAX_CACHED_WORKFLOWS unless that is 0)',
  ),
  workflowTaskPollers: runtime(
    'WORKFLOW_TASK_POLLERS',
    // Measured side by side (docs/design.md, eighth session): autoscaling launched 1.41x faster than the SDK's
    // default of 10 polls, at less CPU a task, and took a quarter of the submit rate of a server on the same cores.
    // A fixed number is at least 2: one poll for the sticky queue, one for the normal queue.
    pollers(2, 10_000).prefault('autoscaling'),
    "how one worker polls for workflow tasks: `autoscaling` (the SDK opens more polls, up to 100, while the server has work for them), or a number: at most that many polls open (the SDK's own default is 10), a fifth of them on the queue where each new task's launch waits",
  ),
  stickyQueueTimeoutMs: runtime(
    'STICKY_QUEUE_TIMEOUT_SECONDS',
    // Temporal's own default; shorter moves a dead worker's workflows sooner, at the cost of a replay whenever a live worker is merely slow.
    secondsToMs(1, 3600, ' (an hour)').prefault('10'),
    "how long a workflow's next workflow task waits for the worker that cached it before any worker may take it: how soon a dead worker's workflows move on",
  ),
  workflowDeadlockTimeoutMs: runtime(
    'WORKFLOW_DEADLOCK_TIMEOUT_SECONDS',
    // Node starts and joins a thread for each guarded call into workflow code: 3 to 8 ms a task, measured.
    // The SDK's own setup calls into the bundle run under it too: much below a second, on a loaded
    // machine, they can time out and the worker fail to start.
    offOrSecondsToMs(1, 3600, ' (an hour)').prefault('0'),
    "how long workflow code may run without yielding before its workflow task fails as a deadlock (the SDK's guard, 5 s in the SDK; 1 s at least); 0, the default, runs our workflow code unguarded, which saved 3 to 8 ms of worker CPU a task",
  ),
  workflowStackTraces: runtime(
    'WORKFLOW_STACK_TRACES',
    // The SDK hooks every promise of its workflow thread to keep its stack: 3.4 to 4.4 ms a task, measured.
    boolean().prefault('false'),
    "answer the Temporal UI's Stack Trace tab (the __stack_trace and __enhanced_stack_trace queries) for our workflows; on, the worker keeps a stack for every promise workflow code creates, 3.4 to 4.4 ms of worker CPU a task (off, the default, those queries say stack traces are not enabled)",
  ),
  syncLagMs: runtime(
    'SYNC_LAG_SECONDS',
    secondsToMs(0, 86_400, ' (a day)').prefault('10'),
    "how far behind sync()'s watermark a change may show in Temporal's visibility and still be reported within about 5 s (each sync re-reads at most 2 s; every 5 s one re-reads this far)",
  ),
  endpointUrl: runtime(
    'ENDPOINT_URL',
    httpUrl().optional(),
    'explicit ECS endpoint URL, e.g. the local ECS endpoint (default: the AWS endpoint for the region; `AWS_ENDPOINT_URL_ECS` works too)',
  ),
  workflowBundlePath: runtime(
    'WORKFLOW_BUNDLE',
    existingFile('build one with `npm run build:bundle`, or unset the variable to bundle at worker start').optional(),
    'path to a pre-built workflow bundle (`npm run build:bundle`; default: bundle at worker start)',
  ),
  logLevel: runtime('LOG_LEVEL', oneOf(LOG_LEVELS).prefault('info'), `log level: ${LOG_LEVELS.join(', ')}`),
  logPretty: runtime('LOG_PRETTY', oneOrZero().prefault('0'), '`1`: human-readable logs instead of JSON lines'),
  codecKeyFile: runtime(
    'CODEC_KEY_FILE',
    optionalText(),
    'JSON key ring {"current": id, "keys": {id: base64 key}} that encrypts payloads (AES-256-GCM); mutually exclusive with ECS_EXECUTOR_CODEC_KEY',
  ),
  codecKey: runtime('CODEC_KEY', optionalText(), 'one base64 AES-256 key that encrypts payloads (`openssl rand -base64 32`)', { secret: true }),
  codecServerToken: runtime(
    'CODEC_SERVER_TOKEN',
    optionalText(),
    'bearer token the codec server (`ecs-executor codec-server`) requires of its callers (16 characters at least)',
    { secret: true },
  ),
  codecKeyId: runtime(
    'CODEC_KEY_ID',
    optionalText(),
    `the id stored with payloads encrypted by ECS_EXECUTOR_CODEC_KEY (default: \`${DEFAULT_CODEC_KEY_ID}\`)`,
  ),
  team: runtime(
    'TEAM',
    pattern(/^[a-zA-Z0-9_-]{3,50}$/, "expected an Airflow team name: 3 to 50 letters, digits, '_' or '-'").optional(),
    "Airflow team (multi-team Airflow 3.3): the executor settings are then read from the team's `AIRFLOW__<TEAM>___AWS_ECS_EXECUTOR__<KEY>` and `[<team>=aws_ecs_executor]` only, as Airflow reads them",
  ),
  fromSource: runtime('FROM_SOURCE', oneOrZero().prefault('0'), '`1`: `bin/ecs-executor` runs the TypeScript sources even when `lib/` is built'),
} as const;

/** Settings that existed and are gone: set, they are a problem that says what replaces them. */
export const REMOVED_SETTINGS: Readonly<Record<string, string>> = {
  ECS_EXECUTOR_MAX_WAIT_SECONDS:
    'per-task wait activities are gone: one observer per cluster polls DescribeTasks every ECS_EXECUTOR_POLL_INTERVAL_SECONDS, ' +
    "and a task's workflow checks on its observer every ECS_EXECUTOR_TRACKING_CHECK_SECONDS",
  ECS_EXECUTOR_MAX_CONCURRENT_WAITS:
    "per-task wait activities are gone: the observer's DescribeTasks calls share the ECS call slots, ECS_EXECUTOR_MAX_CONCURRENT_ECS_CALLS",
};

export type ExecutorSettingName = keyof typeof EXECUTOR_SETTINGS;

type SchemasOf<T extends Record<string, Setting>> = { [K in keyof T]: T[K]['schema'] };

/** The parsed values of each group: what the loaders return, inferred from the schemas. */
export type ExecutorSettings = z.infer<z.ZodObject<SchemasOf<typeof EXECUTOR_SETTINGS>>>;
export type RuntimeSettings = z.infer<z.ZodObject<SchemasOf<typeof RUNTIME_SETTINGS>>>;

/** Every setting, in the order `--help` and the README list them. */
export const ALL_SETTINGS: readonly Setting[] = [...Object.values(EXECUTOR_SETTINGS), ...Object.values(RUNTIME_SETTINGS)];

/** The default as a user would write it, read from the schema; undefined when there is none. */
export function defaultText(setting: Setting): string | undefined {
  return setting.schema instanceof z.ZodPrefault ? String(setting.schema.def.defaultValue) : undefined;
}

/** A setting is required when unset does not parse (no default, not optional). */
export function isRequired(setting: Setting): boolean {
  return !setting.schema.safeParse(undefined).success;
}
