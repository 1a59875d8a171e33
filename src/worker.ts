import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { createEcsActivities } from './activities';
import type { EcsActivities } from './activities/contracts';
import type { ExecutorConfig, RuntimeConfig } from './config';
import { DescribeTasksBatcher } from './ecs/describe-batcher';
import { EcsClientProvider } from './ecs/ecs-client';
import { assertEcsHealthy } from './ecs/health';
import type { AppLogger } from './logger';
import { temporalConnectConfig, type TemporalTarget } from './temporal-connection';
import { waitsTaskQueue } from './workflow-ids';

export interface EcsWorkerOptions {
  runtime: Pick<
    RuntimeConfig,
    'taskQueue' | 'pollIntervalMs' | 'maxWaitMs' | 'maxConcurrentWaits' | 'maxConcurrentEcsCalls' | 'endpointUrl' | 'workflowBundlePath'
  >;
  /** Region and cluster come from the executor config; the region may also come from the SDK chain. */
  executor: Pick<ExecutorConfig, 'regionName' | 'cluster'>;
  /** An open connection (tests); otherwise one is made from TEMPORAL_* settings. */
  connection?: NativeConnection;
  temporal?: TemporalTarget;
  /** Replaces the ECS client (tests, or custom credentials). */
  ecs?: EcsClientProvider;
  /** Replaces the activities entirely (workflow tests with fakes). */
  activities?: EcsActivities;
  /** A workflow bundle built once (tests); production uses ECS_EXECUTOR_WORKFLOW_BUNDLE or bundles at start. */
  workflowBundle?: WorkerOptions['workflowBundle'];
  /** Run the executor's health check before polling; refuse to start when unhealthy. */
  checkHealth?: boolean;
  logger?: AppLogger;
}

export interface EcsWorker {
  /** Runs until shutdown (SIGINT/SIGTERM are handled by the Temporal runtime) or a fatal error. */
  run(): Promise<void>;
  /** Runs both workers until `promise` settles, then shuts them down. */
  runUntil<R>(promise: Promise<R>): Promise<R>;
  shutdown(): void;
  batcher: DescribeTasksBatcher;
  ecs: EcsClientProvider;
}

/**
 * One worker process, two task queues: the main queue runs workflows and the short ECS calls
 * (RunTask, StopTask); `<queue>-waits` runs the long DescribeTasks waits. Separate queues give
 * separate slot budgets, so thousands of waits never delay a launch. One ECS client and one
 * DescribeTasks batcher are shared by every activity of the process.
 */
export async function createEcsWorker(options: EcsWorkerOptions): Promise<EcsWorker> {
  const { runtime } = options;
  const target = temporalConnectConfig(options.temporal);
  const ownsConnection = options.connection === undefined;
  const connection = options.connection ?? (await NativeConnection.connect(target.connectionOptions));
  const ecs = options.ecs ?? new EcsClientProvider({ region: options.executor.regionName, endpoint: runtime.endpointUrl });
  const batcher = new DescribeTasksBatcher(() => ecs.get());

  if (options.checkHealth) {
    const health = await assertEcsHealthy(ecs.get(), options.executor.cluster);
    options.logger?.info({ cluster: options.executor.cluster }, health.message);
  }

  const activities =
    options.activities ??
    createEcsActivities({ ecs, batcher, pollIntervalMs: runtime.pollIntervalMs, maxWaitMs: runtime.maxWaitMs });

  const workflowSource: Pick<WorkerOptions, 'workflowsPath' | 'workflowBundle'> = options.workflowBundle
    ? { workflowBundle: options.workflowBundle }
    : runtime.workflowBundlePath
      ? { workflowBundle: { codePath: runtime.workflowBundlePath } }
      : { workflowsPath: require.resolve('./workflows') };

  const main = await Worker.create({
    connection,
    namespace: target.namespace,
    taskQueue: runtime.taskQueue,
    ...workflowSource,
    activities: { runEcsTask: activities.runEcsTask, stopEcsTask: activities.stopEcsTask },
    maxConcurrentActivityTaskExecutions: runtime.maxConcurrentEcsCalls,
  });
  const waits = await Worker.create({
    connection,
    namespace: target.namespace,
    taskQueue: waitsTaskQueue(runtime.taskQueue),
    activities: { waitForEcsTaskChange: activities.waitForEcsTaskChange },
    maxConcurrentActivityTaskExecutions: runtime.maxConcurrentWaits,
    // Waits spend their time asleep between polls: many per slot budget, polled generously.
    maxConcurrentActivityTaskPolls: 10,
  });

  const closeConnection = async () => {
    if (ownsConnection) await connection.close();
  };
  const shutdown = () => {
    for (const worker of [main, waits]) {
      if (worker.getState() === 'RUNNING') worker.shutdown();
    }
  };
  return {
    batcher,
    ecs,
    shutdown,
    async run() {
      const runs = [main.run(), waits.run()];
      try {
        await Promise.all(runs);
      } catch (err) {
        // One worker failing takes the other down too: half a worker would strand tasks.
        shutdown();
        await Promise.allSettled(runs);
        throw err;
      } finally {
        await closeConnection();
      }
    },
    async runUntil<R>(promise: Promise<R>): Promise<R> {
      try {
        const [result] = await Promise.all([main.runUntil(promise), waits.runUntil(promise)]);
        return result;
      } finally {
        await closeConnection();
      }
    },
  };
}
