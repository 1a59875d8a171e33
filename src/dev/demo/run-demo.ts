import { createWriteStream, mkdirSync } from 'node:fs';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { EcsExecutorClient } from '../../client';
import type { TaskInstanceKey } from '../../contract/keys';
import type { AirflowTaskResult } from '../../contract/messages';
import { EcsClientProvider } from '../../ecs/ecs-client';
import { createLogger } from '../../logger';
import { loadExecutorConfig, loadRuntimeConfig } from '../../settings';
import { createEcsWorker, type EcsWorker } from '../../worker';
import { preferredPort, startDevServer, type DevServer } from '../dev-server';
import { startLocalEcs, type LocalEcs } from '../local-ecs';
import { stayUpHints, statusLine } from './lines';
import { demoLocalEcsConfig, demoSamples, type DemoSample } from './samples';

export interface DemoOptions {
  /** Exit after the summary (code 1 when a sample did not end as expected) instead of staying up. */
  exitAfterSummary: boolean;
  temporalPort?: number;
  uiPort?: number;
  ecsPort?: number;
  maxRunTaskAttempts?: number;
  out?: NodeJS.WritableStream;
}

const projectRoot = path.resolve(__dirname, '..', '..', '..');
const DEMO_EXECUTOR = 'demo';
const CREDENTIALS = { accessKeyId: 'demo', secretAccessKey: 'demo' };

/**
 * The one-command demo: a Temporal dev server with its Web UI, the local ECS endpoint, a worker,
 * and sample tasks that show success, relaunch, launch retry and terminate, live. Returns the
 * exit code; every process it started is stopped before it returns.
 */
export async function runDemo(options: DemoOptions): Promise<number> {
  const out = options.out ?? process.stdout;
  const say = (line: string) => out.write(`${line}\n`);
  const stack: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    for (const stop of stack.reverse()) await stop().catch(() => undefined);
    stack.length = 0;
  };

  // Our own shutdown: Ctrl-C must stop the worker, the ECS task processes and the dev server.
  // Worker and workflow logs go to a file, so the terminal shows only the demo's progress.
  const stateDir = path.join(projectRoot, '.cache', 'demo');
  mkdirSync(stateDir, { recursive: true });
  const workerLog = path.join(stateDir, 'worker.log');
  const workerLogStream = createWriteStream(workerLog, { flags: 'a' });
  Runtime.install({
    logger: new DefaultLogger('INFO', (entry) => {
      workerLogStream.write(`${new Date(Number(entry.timestampNanos / 1_000_000n)).toISOString()} ${entry.level} ${entry.message} ${JSON.stringify(entry.meta ?? {})}\n`);
    }),
    shutdownSignals: [],
  });
  let interrupted = false;
  const interrupt = new Promise<void>((resolve) => {
    const onSignal = () => {
      interrupted = true;
      resolve();
    };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
  });

  try {
    say('Starting the Temporal dev server (SQLite, Web UI)…');
    const devServer: DevServer = await startDevServer({
      port: options.temporalPort ?? (await preferredPort(7233)),
      uiPort: options.uiPort ?? (await preferredPort(8233)),
      // One SQLite file across demo runs: earlier runs stay visible in the UI.
      dbFilename: path.join(stateDir, 'temporal.db'),
      readyTimeoutMs: 120_000,
    });
    stack.push(() => devServer.stop());
    say(`  Temporal at ${devServer.address}, Web UI at ${devServer.uiUrl}`);

    const taskLogs = path.join(stateDir, 'task-logs');
    const ecs: LocalEcs = await startLocalEcs({
      port: options.ecsPort ?? 0,
      config: demoLocalEcsConfig(taskLogs),
      logDir: taskLogs,
      stopTimeoutMs: 5_000,
    });
    stack.push(() => ecs.stop());
    say(`  local ECS endpoint at ${ecs.url} (task logs in ${ecs.logDir})`);

    const env = {
      ECS_EXECUTOR_CLUSTER: 'demo',
      ECS_EXECUTOR_CONTAINER_NAME: 'airflow',
      ECS_EXECUTOR_TASK_DEFINITION: 'airflow',
      ECS_EXECUTOR_REGION_NAME: 'us-east-1',
      ECS_EXECUTOR_MAX_RUN_TASK_ATTEMPTS: String(options.maxRunTaskAttempts ?? 3),
      ECS_EXECUTOR_NAME: DEMO_EXECUTOR,
      ECS_EXECUTOR_TASK_QUEUE: 'ecs-executor-demo',
      ECS_EXECUTOR_POLL_INTERVAL_SECONDS: '0.5',
      ECS_EXECUTOR_TERMINATE_TIMEOUT_SECONDS: '60',
      // The demo shows each task's ECS status as it changes.
      ECS_EXECUTOR_REPORT_ECS_RUNNING: 'true',
      ECS_EXECUTOR_ENDPOINT_URL: ecs.url,
    };
    const executor = loadExecutorConfig(env);
    const runtime = loadRuntimeConfig(env);
    const logger = createLogger('warn', 'demo');
    const ecsClient = () => new EcsClientProvider({ region: 'us-east-1', endpoint: ecs.url, credentials: CREDENTIALS });

    const workerConnection = await NativeConnection.connect({ address: devServer.address });
    stack.push(() => workerConnection.close());
    const worker: EcsWorker = await createEcsWorker({
      connection: workerConnection,
      temporal: { address: devServer.address, namespace: devServer.namespace },
      runtime,
      executor,
      ecs: ecsClient(),
      checkHealth: true,
      logger,
    });
    const workerRun = worker.run();
    stack.push(async () => {
      worker.shutdown();
      await workerRun.catch(() => undefined);
    });
    say(`  worker polling task queue ${runtime.taskQueue}; its log: ${workerLog}`);

    const connection = await Connection.connect({ address: devServer.address });
    stack.push(() => connection.close());
    const client = await EcsExecutorClient.connect({
      client: new Client({ connection, namespace: devServer.namespace }),
      settings: { taskQueue: runtime.taskQueue, executorName: runtime.executorName, syncLagMs: runtime.syncLagMs },
      logger,
    });
    await client.start({ checkHealth: true });
    say('  health check passed: a worker polls the task queue and can reach ECS\n');

    const samples = demoSamples(executor.maxRunTaskAttempts);
    const results = await Promise.race([runSamples(client, samples, say), interrupt.then(() => undefined)]);
    if (!results) {
      say('\nInterrupted: stopping everything…');
      return 130;
    }
    const ok = printSummary(samples, results, say);
    say(`\nECS calls served by the local endpoint: ${JSON.stringify(ecs.stats().calls)}`);
    if (options.exitAfterSummary) {
      say(`\nStopping everything. The demo's Temporal state stays in ${path.join(stateDir, 'temporal.db')}: \`npm run demo\` shows these runs in the Web UI again.`);
      return ok ? 0 : 1;
    }
    const runId = results[0]?.key && 'runId' in results[0].key ? (results[0].key.runId ?? '') : '';
    const hints = stayUpHints({
      temporalAddress: devServer.address,
      namespace: devServer.namespace,
      uiUrl: devServer.uiUrl,
      taskQueue: runtime.taskQueue,
      executorName: DEMO_EXECUTOR,
      runId,
      node: process.execPath,
    });
    for (const line of hints) say(line);
    await interrupt;
    say('\nStopping…');
    return ok ? 0 : 1;
  } catch (err) {
    if (interrupted) return 130;
    say(`\ndemo failed: ${err instanceof Error ? err.message : String(err)}`);
    return 1;
  } finally {
    await stopAll();
    workerLogStream.end();
  }
}

function sampleKey(sample: DemoSample, runId: string): TaskInstanceKey {
  return { dagId: 'demo_dag', taskId: sample.name, runId, tryNumber: 1, mapIndex: -1 };
}

/** Submits every sample, prints each state change as it happens, and returns the outcomes. */
async function runSamples(client: EcsExecutorClient, samples: DemoSample[], say: (line: string) => void): Promise<AirflowTaskResult[]> {
  const started = Date.now();
  const runId = `demo__${new Date(started).toISOString()}`;
  const stamp = () => `[${((Date.now() - started) / 1000).toFixed(1).padStart(5)}s]`;
  const width = Math.max(...samples.map((s) => s.name.length));
  for (const sample of samples) {
    await client.executeAsync(sampleKey(sample, runId), sample.command, 'default', sample.executorConfig);
    say(`${stamp()} ${sample.name.padEnd(width)}  submitted: ${sample.what}`);
  }
  const last = new Map<string, string>();
  const runningSince = new Map<string, number>();
  const terminated = new Set<string>();
  const done = new Map<string, AirflowTaskResult>();
  while (done.size < samples.length) {
    for (const sample of samples) {
      if (done.has(sample.name)) continue;
      const key = sampleKey(sample, runId);
      const status = await client.status(key).catch(() => undefined);
      if (!status) continue;
      const line = statusLine(status);
      if (last.get(sample.name) !== line) {
        last.set(sample.name, line);
        say(`${stamp()} ${sample.name.padEnd(width)}  ${line}`);
      }
      if (status.lastStatus === 'RUNNING' && !runningSince.has(sample.name)) runningSince.set(sample.name, Date.now());
      const since = runningSince.get(sample.name);
      if (sample.terminateAfterRunningMs !== undefined && since !== undefined && !terminated.has(sample.name) && Date.now() - since >= sample.terminateAfterRunningMs) {
        terminated.add(sample.name);
        say(`${stamp()} ${sample.name.padEnd(width)}  → sending terminate`);
        await client.terminateTask(key, 'terminated by the demo');
      }
      if (status.phase === 'DONE') done.set(sample.name, await client.result(key));
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return samples.map((s) => done.get(s.name)!);
}

function printSummary(samples: DemoSample[], results: AirflowTaskResult[], say: (line: string) => void): boolean {
  say('\nSummary');
  let ok = true;
  samples.forEach((sample, i) => {
    const result = results[i]!;
    const asExpected =
      result.state === sample.expect.state && result.attempts === sample.expect.attempts && result.terminated === sample.expect.terminated;
    ok &&= asExpected;
    say(`  ${asExpected ? 'ok  ' : 'FAIL'} ${sample.name.padEnd(7)} ${result.state.padEnd(7)} after ${result.attempts} attempt(s)${result.terminated ? ', terminated' : ''}: ${result.reason}`);
    if (!asExpected) say(`       expected ${JSON.stringify(sample.expect)}`);
  });
  say(ok ? '\nEvery sample ended as expected.' : '\nSome samples did not end as expected.');
  return ok;
}
