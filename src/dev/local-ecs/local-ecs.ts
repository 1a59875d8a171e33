import { mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino, { type Logger } from 'pino';
import { ADMIN_PREFIX, handleAdminRequest, type AdminControls } from './admin-api';
import { taskIdFrom } from './arns';
import { ClusterRegistry } from './clusters';
import type { ExecutionMode, FaultsConfig, FaultsConfigInput, LifecycleDelays, LocalEcsConfig, LocalEcsConfigInput } from './config-schema';
import type { ContainerRunner } from './container-runner';
import { FaultInjector } from './faults';
import { startHttpServer } from './http-server';
import { HungCalls, type HungCall } from './hung-calls';
import { loadLocalEcsConfig, parseFaultsConfig, parseLocalEcsConfig } from './load-config';
import { OPERATION_HANDLERS, type EcsBackend } from './operations';
import type { EcsOperation } from './operations/names';
import { ProcessRunner } from './process-runner';
import { handleEcsRequest } from './protocol';
import { seededRandom, type RandomSource } from './random';
import { matchesFilter, RunTaskRequestLog, taskRecord, type LocalTaskRecord, type RunTaskRequestRecord, type TaskRecordFilter } from './records';
import { ScriptedRunner } from './scripted-runner';
import { StatsRecorder, type LocalEcsStats } from './stats';
import { defaultTaskDefinition, TaskDefinitionRegistry } from './task-definition-registry';
import { TaskLifecycle } from './task-lifecycle';
import type { TaskStatus } from './task-model';
import { TaskStore } from './task-store';

export interface LocalEcsOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** For ARNs. Default us-east-1. */
  region?: string;
  /** For ARNs. Default 000000000000. */
  accountId?: string;
  /** A config file path or an already-built config object; explicit options below win over it. */
  config?: string | LocalEcsConfigInput;
  /**
   * `process` (default): container commands run as local OS processes. `scripted`: nothing is
   * spawned; commands are interpreted (sleep, exit, true, false, sh -c of those: see
   * scripted-commands.ts), so a benchmark can run 10,000 tasks at the cost of timers.
   */
  execution?: ExecutionMode;
  /** Where per-task log files go (`<logDir>/<taskId>.log`, process mode). Default `<os.tmpdir()>/local-ecs/logs`. */
  logDir?: string;
  lifecycle?: Partial<LifecycleDelays>;
  /** How long STOPPED tasks stay describable. Default 1 hour (ECS: "at least one hour"). */
  stoppedTaskRetentionMs?: number;
  /** SIGTERM → SIGKILL grace when a container definition sets no stopTimeout. Default 30 s (ECS's default). */
  stopTimeoutMs?: number;
  /** RunTask requests kept for `runTaskRequests()` (the oldest go first). Default 20,000. */
  maxRecordedRunTaskRequests?: number;
  /** Replaces the config's faults. */
  faults?: FaultsConfigInput;
  /** Random source for fault rates; wins over `randomSeed`. Default Math.random. */
  random?: RandomSource;
  randomSeed?: number;
  /** Default: a silent pino logger. */
  logger?: Logger;
}

export interface LocalEcs {
  /** `http://<host>:<port>`: pass as the ECS client's `endpoint`. */
  readonly url: string;
  readonly port: number;
  readonly region: string;
  readonly accountId: string;
  readonly execution: ExecutionMode;
  readonly logDir: string;
  stats(): LocalEcsStats;
  /** Zeroes call, error, launch, container and fault counters and empties the RunTask record (not the task list). */
  resetStats(): void;
  /** The current fault config, with what is left of every `next` count. */
  faults(): FaultsConfig;
  /** Replaces every fault; throws LocalEcsConfigError when the config is invalid. */
  setFaults(faults: FaultsConfigInput): void;
  clearFaults(): void;
  /** The log file of a task (ID or ARN) this endpoint launched and still retains (none in scripted mode). */
  logFile(task: string): string | undefined;
  /** Every lastStatus of a task (ID or ARN) this endpoint launched and still retains, in order. */
  statusHistory(task: string): readonly TaskStatus[] | undefined;
  /** Every retained task in launch order (GET /_local/tasks). */
  tasks(filter?: TaskRecordFilter): LocalTaskRecord[];
  /** Every RunTask request received since the last reset, in order (GET /_local/run-task-requests). */
  runTaskRequests(): { requests: RunTaskRequestRecord[]; dropped: number };
  /** Calls a `hang` fault holds open right now (GET /_local/hung-calls). */
  hungCalls(): HungCall[];
  /** Lets held calls (all, or one operation's) run now; returns how many (POST /_local/hung-calls/release). */
  releaseHungCalls(operation?: EcsOperation): number;
  /** Stops the server (held calls are never answered), then ends every task container and waits until they have exited. */
  stop(): Promise<void>;
}

const DEFAULT_LIFECYCLE_DELAYS: LifecycleDelays = { provisioningMs: 200, pendingMs: 200, deactivatingMs: 100, deprovisioningMs: 100 };
const DEFAULT_STOPPED_TASK_RETENTION_MS = 60 * 60 * 1000;
const DEFAULT_STOP_TIMEOUT_MS = 30_000;
const DEFAULT_LOG_DIR = join(tmpdir(), 'local-ecs', 'logs');
const DEFAULT_MAX_RECORDED_RUN_TASK_REQUESTS = 20_000;

export async function startLocalEcs(options: LocalEcsOptions = {}): Promise<LocalEcs> {
  const fromFile = await resolveConfig(options.config);
  // Explicit options win over the config, and are held to the same rules.
  const explicit = parseLocalEcsConfig(
    definedOnly({
      execution: options.execution,
      region: options.region,
      accountId: options.accountId,
      logDir: options.logDir,
      lifecycle: options.lifecycle,
      stoppedTaskRetentionMs: options.stoppedTaskRetentionMs,
      stopTimeoutMs: options.stopTimeoutMs,
      maxRecordedRunTaskRequests: options.maxRecordedRunTaskRequests,
      randomSeed: options.randomSeed,
    }),
    'startLocalEcs options',
  );
  const config: LocalEcsConfig = { ...fromFile, ...explicit, lifecycle: { ...fromFile.lifecycle, ...explicit.lifecycle } };
  const logger = options.logger ?? pino({ level: 'silent' });
  const region = config.region ?? 'us-east-1';
  const accountId = config.accountId ?? '000000000000';
  const arns = { region, accountId };
  const execution = config.execution ?? 'process';
  const logDir = config.logDir ?? DEFAULT_LOG_DIR;
  // Scripted containers print nothing, so there is no directory to make.
  if (execution === 'process') await mkdir(logDir, { recursive: true });
  const random = options.random ?? seededOrDefault(config.randomSeed);

  const hungCalls = new HungCalls();
  const runTaskRequests = new RunTaskRequestLog(config.maxRecordedRunTaskRequests ?? DEFAULT_MAX_RECORDED_RUN_TASK_REQUESTS);
  // The runner reports starts to `stats`, which reads the runner's live count back: each refers to the other.
  const runner: ContainerRunner =
    execution === 'process'
      ? new ProcessRunner({ baseEnv: processEnv, onSpawned: () => stats.containerStarted(true) })
      : new ScriptedRunner({ onStarted: () => stats.containerStarted(false) });
  const stats = new StatsRecorder(execution, {
    runningContainers: () => runner.running,
    runningProcesses: () => (runner.mode === 'process' ? runner.running : 0),
    hungCalls: () => hungCalls.count,
    runTaskRequests: () => ({ recorded: runTaskRequests.recorded, dropped: runTaskRequests.dropped }),
  });
  const tasks = new TaskStore(config.stoppedTaskRetentionMs ?? DEFAULT_STOPPED_TASK_RETENTION_MS, (task) =>
    stats.taskForgotten(task.lastStatus),
  );
  const lifecycle = new TaskLifecycle({
    delays: { ...DEFAULT_LIFECYCLE_DELAYS, ...definedOnly(config.lifecycle ?? {}) },
    runner,
    logger,
    onStatus: (task, from, to) => {
      stats.taskStatusChanged(from, to);
      if (to === 'STOPPED') tasks.stopped(task);
    },
  });
  const faults = new FaultInjector(options.faults === undefined ? (config.faults ?? {}) : parseFaultsConfig(options.faults), {
    random,
    arns,
    onInjected: (kind) => stats.faultInjected(kind),
  });
  const backend: EcsBackend = {
    arns,
    clusters: new ClusterRegistry(arns, config.clusters),
    taskDefinitions: new TaskDefinitionRegistry(arns, config.taskDefinitions ?? [], defaultTaskDefinition(execution, logDir)),
    tasks,
    lifecycle,
    faults,
    stats,
    execution,
    logDir,
    stopTimeoutMs: config.stopTimeoutMs ?? DEFAULT_STOP_TIMEOUT_MS,
    logger,
  };

  const controls: AdminControls = {
    stats: () => {
      tasks.forgetExpired();
      return stats.snapshot();
    },
    resetStats: () => {
      stats.reset();
      runTaskRequests.reset();
    },
    faults: () => faults.snapshot(),
    setFaults: (next) => faults.set(next),
    tasks: (filter) => {
      const now = Date.now();
      return tasks
        .all()
        .filter((t) => matchesFilter(t, filter))
        .map((t) => taskRecord(t, now));
    },
    runTaskRequests: () => ({ requests: runTaskRequests.list(), dropped: runTaskRequests.dropped }),
    hungCalls: () => hungCalls.list(),
    releaseHungCalls: (operation) => hungCalls.release(operation),
  };

  const host = options.host ?? '127.0.0.1';
  const server = await startHttpServer({
    host,
    port: options.port ?? 0,
    logger,
    handle: (request) => {
      if (request.path.startsWith(ADMIN_PREFIX)) return handleAdminRequest(request.method, request.path, request.query, request.body, controls);
      return handleEcsRequest(request, {
        stats,
        faults,
        hungCalls,
        runTaskRequests,
        familyOf: (input) => (typeof input.taskDefinition === 'string' ? backend.taskDefinitions.find(input.taskDefinition)?.family : undefined),
        call: (operation, input) => OPERATION_HANDLERS[operation](backend, input),
        onUnexpected: (err) => logger.error({ err }, 'local ECS operation failed unexpectedly'),
      });
    },
  });

  // A safety net for a host process that exits without calling stop(): leave no orphaned containers.
  const killOnExit = (): void => runner.killAllNow();
  process.on('exit', killOnExit);
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${server.port}`;
  logger.info({ url, execution, logDir }, 'local ECS endpoint listening');

  let stopping: Promise<void> | undefined;
  return {
    url,
    port: server.port,
    region,
    accountId,
    execution,
    logDir,
    stats: controls.stats,
    resetStats: controls.resetStats,
    faults: controls.faults,
    setFaults: (next) => faults.set(parseFaultsConfig(next)),
    clearFaults: () => faults.set({}),
    logFile: (task) => tasks.get(taskIdFrom(task))?.logFile,
    statusHistory: (task) => {
      const history = tasks.get(taskIdFrom(task))?.statusHistory;
      return history ? [...history] : undefined;
    },
    tasks: (filter = {}) => controls.tasks(filter),
    runTaskRequests: controls.runTaskRequests,
    hungCalls: controls.hungCalls,
    releaseHungCalls: controls.releaseHungCalls,
    stop: () => {
      stopping ??= (async () => {
        hungCalls.dropAll();
        await server.close();
        await lifecycle.shutdown();
        process.off('exit', killOnExit);
      })();
      return stopping;
    },
  };
}

async function resolveConfig(config: LocalEcsOptions['config']): Promise<LocalEcsConfig> {
  if (config === undefined) return parseLocalEcsConfig({});
  if (typeof config === 'string') return loadLocalEcsConfig(config);
  return parseLocalEcsConfig(config, 'local ECS config (options.config)');
}

/** Drops undefined members, so an option left out does not replace the config's value. */
function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

const seededOrDefault = (seed: number | undefined): RandomSource => (seed === undefined ? Math.random : seededRandom(seed));

const processEnv = (): Record<string, string> =>
  Object.fromEntries(Object.entries(process.env).filter((e): e is [string, string] => e[1] !== undefined));
