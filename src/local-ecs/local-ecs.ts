import { mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino, { type Logger } from 'pino';
import { ADMIN_PREFIX, handleAdminRequest } from './admin-api';
import { taskIdFrom } from './arns';
import { ClusterRegistry } from './clusters';
import type { FaultsConfig, FaultsConfigInput, LifecycleDelays, LocalEcsConfig, LocalEcsConfigInput } from './config-schema';
import { FaultInjector } from './faults';
import { startHttpServer } from './http-server';
import { loadLocalEcsConfig, parseFaultsConfig, parseLocalEcsConfig } from './load-config';
import { OPERATION_HANDLERS, type EcsBackend } from './operations';
import { handleEcsRequest } from './protocol';
import { ProcessRunner } from './process-runner';
import { seededRandom, type RandomSource } from './random';
import { CallCounter, type LocalEcsStats } from './stats';
import { TaskDefinitionRegistry } from './task-definitions';
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
  /** Where per-task log files go (`<logDir>/<taskId>.log`). Default `<os.tmpdir()>/local-ecs/logs`. */
  logDir?: string;
  lifecycle?: Partial<LifecycleDelays>;
  /** How long STOPPED tasks stay describable. Default 1 hour (ECS: "at least one hour"). */
  stoppedTaskRetentionMs?: number;
  /** SIGTERM → SIGKILL grace when a container definition sets no stopTimeout. Default 30 s (ECS's default). */
  stopTimeoutMs?: number;
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
  readonly logDir: string;
  stats(): LocalEcsStats;
  /** Zeroes call, error, launch and fault counters (not the task list). */
  resetStats(): void;
  /** The current fault config, with what is left of every `next` count. */
  faults(): FaultsConfig;
  /** Replaces every fault; throws LocalEcsConfigError when the config is invalid. */
  setFaults(faults: FaultsConfigInput): void;
  clearFaults(): void;
  /** The log file of a task (ID or ARN) this endpoint launched and still retains. */
  logFile(task: string): string | undefined;
  /** Every lastStatus of a task (ID or ARN) this endpoint launched and still retains, in order. */
  statusHistory(task: string): readonly TaskStatus[] | undefined;
  /** Stops the server, then kills every task process it started and waits until they have exited. */
  stop(): Promise<void>;
}

export const DEFAULT_LIFECYCLE_DELAYS: LifecycleDelays = { provisioningMs: 200, pendingMs: 200, deactivatingMs: 100, deprovisioningMs: 100 };
export const DEFAULT_STOPPED_TASK_RETENTION_MS = 60 * 60 * 1000;
export const DEFAULT_STOP_TIMEOUT_MS = 30_000;
export const DEFAULT_LOG_DIR = join(tmpdir(), 'local-ecs', 'logs');

export async function startLocalEcs(options: LocalEcsOptions = {}): Promise<LocalEcs> {
  const config = await resolveConfig(options.config);
  const logger = options.logger ?? pino({ level: 'silent' });
  const region = options.region ?? config.region ?? 'us-east-1';
  const accountId = options.accountId ?? config.accountId ?? '000000000000';
  const arns = { region, accountId };
  const logDir = options.logDir ?? config.logDir ?? DEFAULT_LOG_DIR;
  await mkdir(logDir, { recursive: true });
  const random = options.random ?? seededOrDefault(options.randomSeed ?? config.randomSeed);

  const processes = new ProcessRunner();
  const lifecycle = new TaskLifecycle({
    delays: { ...DEFAULT_LIFECYCLE_DELAYS, ...config.lifecycle, ...options.lifecycle },
    processes,
    processEnv: () => Object.fromEntries(Object.entries(process.env).filter((e): e is [string, string] => e[1] !== undefined)),
    logger,
  });
  const faults = new FaultInjector(options.faults === undefined ? (config.faults ?? {}) : parseFaultsConfig(options.faults), random);
  const tasks = new TaskStore(options.stoppedTaskRetentionMs ?? config.stoppedTaskRetentionMs ?? DEFAULT_STOPPED_TASK_RETENTION_MS);
  const backend: EcsBackend = {
    arns,
    clusters: new ClusterRegistry(arns, config.clusters),
    taskDefinitions: new TaskDefinitionRegistry(arns, config.taskDefinitions),
    tasks,
    lifecycle,
    faults,
    counters: { tasksLaunched: 0 },
    logDir,
    stopTimeoutMs: options.stopTimeoutMs ?? config.stopTimeoutMs ?? DEFAULT_STOP_TIMEOUT_MS,
    logger,
  };
  const counter = new CallCounter();
  let spawnedBaseline = 0;

  const stats = (): LocalEcsStats => {
    const tasksByLastStatus: Partial<Record<TaskStatus, number>> = {};
    for (const task of tasks.all()) tasksByLastStatus[task.lastStatus] = (tasksByLastStatus[task.lastStatus] ?? 0) + 1;
    return {
      calls: { ...counter.calls },
      totalCalls: counter.total,
      errors: { ...counter.errors },
      tasksLaunched: backend.counters.tasksLaunched,
      processesSpawned: processes.spawned - spawnedBaseline,
      runningProcesses: processes.running,
      tasksByLastStatus,
      faultsInjected: faults.injected(),
    };
  };
  const controls = {
    stats,
    resetStats: () => {
      counter.reset();
      backend.counters.tasksLaunched = 0;
      spawnedBaseline = processes.spawned;
      faults.resetCounts();
    },
    faults: () => faults.snapshot(),
    setFaults: (next: FaultsConfig) => faults.set(next),
  };

  const server = await startHttpServer({
    host: options.host ?? '127.0.0.1',
    port: options.port ?? 0,
    logger,
    handle: (request) => {
      if (request.path.startsWith(ADMIN_PREFIX)) return handleAdminRequest(request.method, request.path, request.body, controls);
      return handleEcsRequest(request.headers, request.body, {
        before: (operation) => {
          counter.record(operation);
          const fault = faults.requestFault(operation);
          if (fault) throw fault;
        },
        call: (operation, input) => OPERATION_HANDLERS[operation](backend, input),
        onError: (error) => counter.recordError(error.code),
        onUnexpected: (err) => logger.error({ err }, 'local ECS operation failed unexpectedly'),
      });
    },
  });

  // A safety net for a host process that exits without calling stop(): leave no orphaned containers.
  const killOnExit = (): void => processes.killAllNow();
  process.on('exit', killOnExit);
  const host = options.host ?? '127.0.0.1';
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${server.port}`;
  logger.info({ url, logDir }, 'local ECS endpoint listening');

  let stopping: Promise<void> | undefined;
  return {
    url,
    port: server.port,
    region,
    accountId,
    logDir,
    stats,
    resetStats: controls.resetStats,
    faults: controls.faults,
    setFaults: (next) => faults.set(parseFaultsConfig(next)),
    clearFaults: () => faults.set({}),
    logFile: (task) => tasks.get(taskIdFrom(task))?.logFile,
    statusHistory: (task) => {
      const history = tasks.get(taskIdFrom(task))?.statusHistory;
      return history ? [...history] : undefined;
    },
    stop: () => {
      stopping ??= (async () => {
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

const seededOrDefault = (seed: number | undefined): RandomSource => (seed === undefined ? Math.random : seededRandom(seed));
