import { Client, Connection } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import { NativeConnection, type WorkerOptions } from '@temporalio/worker';
import { createEcsActivities, type EcsActivityOptions } from './activities';
import type { EcsActivities } from './activities/contracts';
import type { ObserverTuning } from './activities/deps';
import { clusterHasDefaultCapacityProviderStrategy } from './ecs/cluster-capacity';
import { EcsClientProvider } from './ecs/ecs-client';
import { assertEcsHealthy } from './ecs/health';
import type { AppLogger } from './logger';
import { buildRunTaskTemplate } from './rules/run-task-template';
import type { ExecutorConfig, PollerSetting } from './settings';
import { workerClass } from './temporal/workflow-runtime';
import { ourWorkflowBundle } from './temporal/workflow-bundle';
import { temporalConnectConfig, type TemporalTarget } from './temporal-connection';
import type { JsonObject } from './types';

/** The worker's own settings (ECS_EXECUTOR_*), as the settings module loads them. */
export interface WorkerRuntime {
  taskQueue: string;
  pollIntervalMs: number;
  trackingCheckMs: number;
  launchDeadlineMs: number;
  terminateTimeoutMs: number;
  syncLagMs: number;
  reportEcsRunning: boolean;
  ecsCallTimeoutMs: number;
  observerHeartbeatTimeoutMs: number;
  maxConcurrentEcsCalls: number;
  maxCachedWorkflows: number;
  maxConcurrentWorkflowTasks: number;
  workflowTaskPollers: PollerSetting;
  stickyQueueTimeoutMs: number;
  /** 0: workflow code runs without the SDK's per-call watchdog (see temporal/workflow-runtime.ts). */
  workflowDeadlockTimeoutMs: number;
  /** false: the workflow thread keeps no stack per promise, and the stack-trace query is off. */
  workflowStackTraces: boolean;
  endpointUrl?: string;
  workflowBundlePath?: string;
}

export interface EcsWorkerOptions {
  runtime: WorkerRuntime;
  executor: ExecutorConfig;
  /** An open connection (tests); otherwise one is made from TEMPORAL_* settings. */
  connection?: NativeConnection;
  temporal?: TemporalTarget;
  /** Replaces the ECS client (tests, or custom credentials). */
  ecs?: EcsClientProvider;
  /** Replaces the activities entirely (workflow tests with fakes). */
  activities?: EcsActivities;
  /** A workflow bundle built once (tests); production uses ECS_EXECUTOR_WORKFLOW_BUNDLE or bundles at start. */
  workflowBundle?: WorkerOptions['workflowBundle'];
  /** Run the executor's health check before polling and refuse to start when unhealthy. Default: check_health_on_startup. */
  checkHealth?: boolean;
  /** The payload codec (encryption) when a key is configured. */
  dataConverter?: DataConverter;
  /** Shortens the observer's pacing (tests). */
  observer?: Partial<ObserverTuning>;
  logger?: AppLogger;
}

export interface EcsWorker {
  /** Runs until shutdown (SIGINT/SIGTERM are handled by the Temporal runtime) or a fatal error. */
  run(): Promise<void>;
  /** Runs until `promise` settles, then shuts down. */
  runUntil<R>(promise: Promise<R>): Promise<R>;
  shutdown(): void;
  ecs: EcsClientProvider;
}

/**
 * One worker process on one task queue: the task workflows, their local activities (RunTask,
 * StopTask), and the observers of the clusters its tasks run in. One ECS client and one Temporal
 * client are shared by every activity of the process. Bad configuration (the RunTask template)
 * and, by default, an unhealthy ECS connection stop start-up here, not on the first task.
 */
export async function createEcsWorker(options: EcsWorkerOptions): Promise<EcsWorker> {
  const { runtime, executor } = options;
  const target = temporalConnectConfig(options.temporal);
  const ownsConnection = options.connection === undefined;
  const connection = options.connection ?? (await NativeConnection.connect(target.connectionOptions));
  const ecs =
    options.ecs ?? new EcsClientProvider({ region: executor.regionName, endpoint: runtime.endpointUrl, requestTimeoutMs: runtime.ecsCallTimeoutMs });

  // The observer lists and signals through an ordinary client connection of its own, opened on first use.
  let clientConnection: Promise<Connection> | undefined;
  let temporalClient: Client | undefined;
  const openClient = async () => {
    clientConnection ??= Connection.connect(target.connectionOptions);
    temporalClient ??= new Client({ connection: await clientConnection, namespace: target.namespace, dataConverter: options.dataConverter });
    return temporalClient;
  };

  let activities = options.activities;
  if (activities === undefined) {
    if (options.checkHealth ?? executor.checkHealthOnStartup) {
      const health = await assertEcsHealthy(ecs.get(), executor.cluster);
      options.logger?.info({ cluster: executor.cluster }, health.message);
    }
    const template = await buildRunTaskTemplate(executor, {
      clusterHasDefaultCapacityProviderStrategy: (cluster) => clusterHasDefaultCapacityProviderStrategy(ecs.get(), cluster),
    });
    const client = await openClient();
    const activityOptions: EcsActivityOptions = {
      ecs,
      temporal: () => client,
      namespace: target.namespace,
      taskQueue: runtime.taskQueue,
      executor: { cluster: executor.cluster, containerName: executor.containerName },
      runTaskTemplate: () => Promise.resolve<JsonObject>(template),
      trackingSettings: {
        maxAttempts: executor.maxRunTaskAttempts,
        trackingCheckMs: runtime.trackingCheckMs,
        terminateTimeoutMs: runtime.terminateTimeoutMs,
      },
      launchDeadlineMs: runtime.launchDeadlineMs,
      ecsCallTimeoutMs: runtime.ecsCallTimeoutMs,
      observerHeartbeatTimeoutMs: runtime.observerHeartbeatTimeoutMs,
      // Visibility lags the same for the observer as for sync(): one allowance for both.
      observer: { pollIntervalMs: runtime.pollIntervalMs, visibilityLagMs: runtime.syncLagMs, reportEcsRunning: runtime.reportEcsRunning, ...options.observer },
    };
    activities = createEcsActivities(activityOptions);
  }

  const { workflowsPath, preloadModules } = ourWorkflowBundle();
  const workflowSource: Pick<WorkerOptions, 'workflowsPath' | 'workflowBundle' | 'bundlerOptions'> = options.workflowBundle
    ? { workflowBundle: options.workflowBundle }
    : runtime.workflowBundlePath
      ? { workflowBundle: { codePath: runtime.workflowBundlePath } }
      : { workflowsPath, bundlerOptions: { preloadModules } };

  const worker = await workerClass({ deadlockTimeoutMs: runtime.workflowDeadlockTimeoutMs, stackTraces: runtime.workflowStackTraces }).create({
    connection,
    namespace: target.namespace,
    taskQueue: runtime.taskQueue,
    ...workflowSource,
    activities,
    dataConverter: options.dataConverter,
    maxCachedWorkflows: runtime.maxCachedWorkflows,
    maxConcurrentWorkflowTaskExecutions: runtime.maxConcurrentWorkflowTasks,
    workflowTaskPollerBehavior: runtime.workflowTaskPollers,
    stickyQueueScheduleToStartTimeout: runtime.stickyQueueTimeoutMs,
    maxConcurrentActivityTaskExecutions: runtime.maxConcurrentEcsCalls,
    maxConcurrentLocalActivityExecutions: runtime.maxConcurrentEcsCalls,
  });

  const close = async () => {
    if (clientConnection !== undefined) await (await clientConnection).close();
    if (ownsConnection) await connection.close();
  };
  // The configured cluster's observer runs from the start, so tasks adopted there are tracked at once.
  const ensureObserver = () =>
    activities.ensureObserver({ cluster: executor.cluster }).catch((err: unknown) => options.logger?.warn({ err }, 'could not start the observer'));
  return {
    ecs,
    shutdown: () => {
      if (worker.getState() === 'RUNNING') worker.shutdown();
    },
    async run() {
      try {
        await Promise.all([worker.run(), ensureObserver()]);
      } finally {
        await close();
      }
    },
    async runUntil<R>(promise: Promise<R>): Promise<R> {
      try {
        const [result] = await Promise.all([worker.runUntil(promise), ensureObserver()]);
        return result;
      } finally {
        await close();
      }
    },
  };
}
