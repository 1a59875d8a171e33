import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ECSClient } from '@aws-sdk/client-ecs';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { NativeConnection } from '@temporalio/worker';
import { EcsExecutorClient } from '../../src/client';
import { loadExecutorConfig, loadRuntimeConfig, type ExecutorConfig, type RuntimeConfig } from '../../src/settings';
import type { ObserverTuning } from '../../src/activities/deps';
import { EcsClientProvider } from '../../src/ecs/ecs-client';
import { startLocalEcs, type LocalEcs, type LocalEcsOptions } from '../../src/dev/local-ecs';
import pino from 'pino';
import { bufferLog } from './logging-environment';
import { createEcsWorker, type EcsWorker } from '../../src/worker';
import { and, executorScope, RUNNING } from '../../src/temporal/queries';
import { connectToDevServer } from './environments';
import { runWideBundle, runWideBundlePath } from './workflow-bundle';

/**
 * End-to-end harness: the run-wide Temporal dev server, a local ECS endpoint spoken to over HTTP
 * by the real @aws-sdk/client-ecs, our worker (in-process, or as a separate process that can be
 * SIGKILLed) and our client, each test file with its own task queue and executor name.
 */

const repoRoot = path.resolve(__dirname, '..', '..');
export const CREDENTIALS = { accessKeyId: 'test', secretAccessKey: 'test' };

export interface E2eContext {
  env: TestWorkflowEnvironment;
  ecs: LocalEcs;
  executorEnv: Record<string, string>;
  executor: ExecutorConfig;
  runtime: RuntimeConfig;
  client: EcsExecutorClient;
  /** A raw SDK client against the local endpoint, as someone else (or the original executor) would use. */
  sdk: ECSClient;
  startWorker(): Promise<EcsWorker>;
  /** Another client of the same executor, as a restarted scheduler would have. */
  newClient(): Promise<EcsExecutorClient>;
  /** Starts `ecs-executor worker` as its own process (for SIGKILL tests). */
  spawnWorker(): ChildProcess;
  teardown(): Promise<void>;
}

export interface E2eOptions {
  maxRunTaskAttempts?: number;
  localEcs?: LocalEcsOptions;
  /** A dev server of the test's own (one it restarts); by default the run-wide one. */
  temporalAddress?: string;
  /** More ECS_EXECUTOR_* settings for this test's workers and clients. */
  env?: Record<string, string>;
  /** The in-process workers' observer pacing (tests shorten refreshes and reconciliation). */
  observer?: Partial<ObserverTuning>;
}

/** Fast enough for tests, slow enough for a loaded 2-core machine. */
const E2E_OBSERVER: Partial<ObserverTuning> = { fullRefreshMs: 2_000, visibilityLagMs: 2_000, reconcileMs: 60 * 60_000 };

export async function startE2e(options: E2eOptions = {}): Promise<E2eContext> {
  const env = await connectToDevServer(options.temporalAddress);
  const ecs = await startLocalEcs({
    lifecycle: { provisioningMs: 50, pendingMs: 50, deactivatingMs: 20, deprovisioningMs: 20 },
    logDir: mkdtempSync(path.join(tmpdir(), 'e2e-local-ecs-')),
    stopTimeoutMs: 2_000,
    ...options.localEcs,
  });
  const name = `e2e-${randomUUID().slice(0, 8)}`;
  const executorEnv: Record<string, string> = {
    ECS_EXECUTOR_CLUSTER: 'default',
    ECS_EXECUTOR_CONTAINER_NAME: 'airflow',
    ECS_EXECUTOR_TASK_DEFINITION: 'airflow',
    ECS_EXECUTOR_LAUNCH_TYPE: 'FARGATE',
    ECS_EXECUTOR_REGION_NAME: 'us-east-1',
    ECS_EXECUTOR_MAX_RUN_TASK_ATTEMPTS: String(options.maxRunTaskAttempts ?? 3),
    ECS_EXECUTOR_TASK_QUEUE: name,
    ECS_EXECUTOR_NAME: name,
    ECS_EXECUTOR_POLL_INTERVAL_SECONDS: '0.2',
    ECS_EXECUTOR_TERMINATE_TIMEOUT_SECONDS: '60',
    ECS_EXECUTOR_OBSERVER_HEARTBEAT_TIMEOUT_SECONDS: '5',
    ECS_EXECUTOR_SYNC_LAG_SECONDS: '5',
    // The tests wait for ECS's RUNNING before acting on a running task.
    ECS_EXECUTOR_REPORT_ECS_RUNNING: 'true',
    ECS_EXECUTOR_ENDPOINT_URL: ecs.url,
    ECS_EXECUTOR_LOG_LEVEL: 'warn',
    ...options.env,
  };
  const executor = loadExecutorConfig(executorEnv);
  const runtime = loadRuntimeConfig(executorEnv);
  const ecsProvider = () => new EcsClientProvider({ region: 'us-east-1', endpoint: ecs.url, credentials: CREDENTIALS });
  const logger = pino({ name: 'e2e', level: 'info' }, { write: (line: string) => bufferLog(line.trimEnd()) });
  const newClient = () =>
    EcsExecutorClient.connect({
      client: env.client,
      settings: { taskQueue: runtime.taskQueue, executorName: runtime.executorName, syncLagMs: runtime.syncLagMs },
      logger,
    });
  const client = await newClient();
  const sdk = new ECSClient({ region: 'us-east-1', endpoint: ecs.url, credentials: CREDENTIALS });
  const workers: EcsWorker[] = [];
  const running: Promise<void>[] = [];
  const children: ChildProcess[] = [];

  return {
    env,
    ecs,
    executorEnv,
    executor,
    runtime,
    client,
    sdk,
    newClient,
    async startWorker() {
      const connection = await NativeConnection.connect({ address: env.address });
      const worker = await createEcsWorker({
        connection,
        temporal: { address: env.address },
        runtime,
        executor,
        ecs: ecsProvider(),
        workflowBundle: runWideBundle(),
        observer: { ...E2E_OBSERVER, ...options.observer },
        logger,
      });
      workers.push(worker);
      running.push(worker.run().finally(() => connection.close()));
      return worker;
    },
    spawnWorker() {
      const child = spawn(process.execPath, [path.join(repoRoot, 'bin', 'ecs-executor'), 'worker'], {
        env: {
          ...process.env,
          // The run-wide bundle: the spawned worker starts without running webpack (a test's env may say otherwise).
          ECS_EXECUTOR_WORKFLOW_BUNDLE: runWideBundlePath(),
          ...executorEnv,
          TEMPORAL_ADDRESS: env.address,
          AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
          AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
          AWS_REGION: 'us-east-1',
          ECS_EXECUTOR_FROM_SOURCE: '1',
        },
        stdio: ['ignore', 'ignore', 'inherit'],
      });
      children.push(child);
      return child;
    },
    async teardown() {
      for (const worker of workers) worker.shutdown();
      await Promise.allSettled(running);
      for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await client.close();
      sdk.destroy();
      await ecs.stop();
      await env.teardown();
    },
  };
}

export { eventually } from './eventually';

/**
 * Terminates every task workflow of an executor that visibility lists as running, so the run-wide
 * server does not carry them on. Visibility lags: a workflow listed as running may have ended since,
 * and that one is already done.
 */
export async function terminateRunning(client: Client, executorName: string, reason: string): Promise<void> {
  const ended: Promise<unknown>[] = [];
  for await (const info of client.workflow.list({ query: and(executorScope(executorName), RUNNING) })) {
    ended.push(
      client.workflow
        .getHandle(info.workflowId)
        .terminate(reason)
        .catch((err: unknown) => {
          if (!(err instanceof WorkflowNotFoundError)) throw err;
        }),
    );
  }
  await Promise.all(ended);
}

export function uniqueKey(taskId = 'task') {
  return { dagId: 'e2e_dag', taskId: `${taskId}-${randomUUID().slice(0, 8)}`, runId: 'manual__2026-11-26', tryNumber: 1, mapIndex: -1 };
}

/** A container command (exec form) that runs node code: the local endpoint runs it as a process. */
export function nodeCommand(code: string): string[] {
  return [process.execPath, '-e', code];
}

/** Whether a process with this pid exists. */
export { processExists as isAlive } from '../local-ecs/helpers';

/**
 * A task that runs until the test opens its gate (a file appears), so a test can observe RUNNING
 * however slow the machine is, instead of racing a timed sleep. The task gives up after
 * `maxMs` (exit code 124, never mistaken for success) so nothing outlives a failed test for long.
 */
export class Gate {
  readonly file: string;

  constructor(name: string) {
    this.file = path.join(mkdtempSync(path.join(tmpdir(), `e2e-gate-${name}-`)), 'open');
  }

  /** The container command; it records its pid in `pidFile` when given. */
  command({ exitCode = 0, pidFile, maxMs = 120_000 }: { exitCode?: number; pidFile?: string; maxMs?: number } = {}): string[] {
    const gate = JSON.stringify(this.file);
    const recordPid = pidFile ? `fs.writeFileSync(${JSON.stringify(pidFile)}, String(process.pid));` : '';
    return nodeCommand(
      `const fs = require('fs'); ${recordPid} const giveUp = Date.now() + ${maxMs};` +
        ` (function wait() { if (fs.existsSync(${gate})) process.exit(${exitCode}); if (Date.now() > giveUp) process.exit(124); setTimeout(wait, 50); })();`,
    );
  }

  open(): void {
    writeFileSync(this.file, '');
  }
}
