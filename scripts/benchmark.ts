/**
 * Benchmark: how the executor scales with the number of concurrently tracked tasks.
 *
 * One Temporal dev server and one local ECS endpoint for the whole run; for each size N a fresh
 * executor (name, task queue, worker, DescribeTasks batcher) submits N tasks that each run
 * `sleep <task-seconds>` as a local process, and waits until every one has succeeded. Prints
 * figures, never asserts timings; exits non-zero only when a task did not succeed (or the run
 * was interrupted or timed out).
 *
 *   npm run bench -- --sizes 10,50,200 --task-seconds 20 --poll-seconds 1
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode, DefaultLogger, NativeConnection, Runtime, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { EcsExecutorClient } from '../src/client';
import { loadExecutorConfig, loadRuntimeConfig } from '../src/config';
import { startDevServer } from '../src/dev/dev-server';
import type { DescribeTasksBatcherStats } from '../src/ecs/describe-batcher';
import { EcsClientProvider } from '../src/ecs/ecs-client';
import { startLocalEcs, type LocalEcs } from '../src/local-ecs';
import { createLogger } from '../src/logger';
import type { AirflowTaskResult } from '../src/messages';
import type { TaskInstanceKey } from '../src/types';
import { createEcsWorker } from '../src/worker';

const CREDENTIALS = { accessKeyId: 'test', secretAccessKey: 'test' };
/** What Airflow's original executor puts in one DescribeTasks call (the API allows 100). */
const AIRFLOW_DESCRIBE_BATCH = 99;
const MONITOR_EVERY_MS = 100;
const CLEANUP_TIMEOUT_MS = 60_000;

interface Options {
  sizes: number[];
  taskSeconds: number;
  pollSeconds: number;
  timeoutSeconds: number;
  submitConcurrency: number;
}

const USAGE = `usage: npm run bench -- [--sizes 10,50,200] [--task-seconds 20] [--poll-seconds 1]
                        [--submit-concurrency 1] [--timeout-seconds 900]`;

const OPTION_FLAGS = {
  sizes: { type: 'string' },
  'task-seconds': { type: 'string' },
  'poll-seconds': { type: 'string' },
  'timeout-seconds': { type: 'string' },
  'submit-concurrency': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

function parseOptions(argv: string[]): Options {
  const values = (() => {
    try {
      return parseArgs({ args: argv, options: OPTION_FLAGS }).values;
    } catch (err) {
      throw new Error(`${(err as Error).message}\n${USAGE}`, { cause: err });
    }
  })();
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  const positive = (flag: string, raw: string, integer: boolean): number => {
    const value = Number(raw);
    if (!Number.isFinite(value) || value <= 0 || (integer && !Number.isInteger(value))) {
      throw new Error(`${flag} expects a positive ${integer ? 'integer' : 'number'}, got ${JSON.stringify(raw)}\n${USAGE}`);
    }
    return value;
  };
  const option = (name: 'task-seconds' | 'poll-seconds' | 'timeout-seconds' | 'submit-concurrency', fallback: number, integer = false): number => {
    const raw = values[name];
    return raw === undefined ? fallback : positive(`--${name}`, raw, integer);
  };
  return {
    sizes: values.sizes !== undefined ? values.sizes.split(',').map((s) => positive('--sizes', s.trim(), true)) : [10, 50, 200],
    taskSeconds: option('task-seconds', 20),
    pollSeconds: option('poll-seconds', 1),
    timeoutSeconds: option('timeout-seconds', 900),
    submitConcurrency: option('submit-concurrency', 1, true),
  };
}

interface SizeResult {
  n: number;
  submitSeconds: number;
  /** From the first submit until ECS (the local endpoint) reports all N RUNNING. */
  allRunningSeconds?: number;
  /** From the first submit until the executor's search attributes say all N are launched (Airflow RUNNING, set after RunTask). */
  executorAllRunningSeconds?: number;
  wallSeconds: number;
  succeeded: number;
  failures: string[];
  describeCalls: number;
  /** DescribeTasks calls per second while all N were RUNNING at once. */
  steadyCallsPerSecond?: number;
  steadySeconds?: number;
  steadyArnsPerCall?: number;
  arnsPerCall: number;
  batcher: DescribeTasksBatcherStats;
  otherCalls: Record<string, number>;
}

class Interrupted extends Error {}

async function main(): Promise<number> {
  const options = parseOptions(process.argv.slice(2));
  // Our own signal handling: Ctrl-C must stop the worker, the task processes and the dev server.
  Runtime.install({ logger: new DefaultLogger('WARN'), shutdownSignals: [] });

  let abortReason: string | undefined;
  let abort!: (reason: string) => void;
  const aborted = new Promise<never>((_, reject) => {
    abort = (reason) => {
      abortReason ??= reason;
      reject(new Interrupted(abortReason));
    };
  });
  aborted.catch(() => undefined);
  const untilAborted = <T>(promise: Promise<T>): Promise<T> => Promise.race([promise, aborted]);
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    signals += 1;
    if (signals > 1) {
      process.stderr.write(`\n${signal} again: exiting without waiting for cleanup\n`);
      process.exit(130);
    }
    process.stderr.write(`\n${signal}: stopping the benchmark and cleaning up (press again to exit at once)…\n`);
    abort(`interrupted by ${signal}`);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const overall = setTimeout(() => abort(`overall timeout of ${options.timeoutSeconds} s reached`), options.timeoutSeconds * 1000);

  const cleanups: (() => Promise<void>)[] = [];
  const cleanup = async () => {
    const all = (async () => {
      while (cleanups.length > 0) await cleanups.pop()!().catch((err: unknown) => process.stderr.write(`cleanup: ${String(err)}\n`));
    })();
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        process.stderr.write(`cleanup did not finish within ${CLEANUP_TIMEOUT_MS / 1000} s; exiting anyway\n`);
        resolve();
      }, CLEANUP_TIMEOUT_MS);
    });
    await Promise.race([all, late]);
    clearTimeout(timer);
  };

  const results: SizeResult[] = [];
  const say = (line: string) => process.stdout.write(`${line}\n`);
  try {
    say(
      `Benchmark: sizes ${options.sizes.join(', ')}; each task runs 'sleep ${options.taskSeconds}'; poll interval ${options.pollSeconds} s; ` +
        `submit concurrency ${options.submitConcurrency}; overall timeout ${options.timeoutSeconds} s`,
    );
    say('Starting the Temporal dev server (headless, in memory) and the local ECS endpoint…');
    const devServer = await untilAborted(startDevServer({ ui: false, readyTimeoutMs: 120_000 }));
    cleanups.push(() => devServer.stop());
    const logDir = mkdtempSync(path.join(tmpdir(), 'bench-local-ecs-'));
    cleanups.push(async () => rmSync(logDir, { recursive: true, force: true }));
    const ecs = await untilAborted(startLocalEcs({ logDir, stopTimeoutMs: 2_000 }));
    cleanups.push(() => ecs.stop());
    const connection = await untilAborted(Connection.connect({ address: devServer.address }));
    cleanups.push(() => connection.close());
    const temporal = new Client({ connection, namespace: devServer.namespace });
    const noop = () => undefined;
    const bundle = await untilAborted(
      bundleWorkflowCode({
        workflowsPath: require.resolve('../src/workflows'),
        logger: { trace: noop, debug: noop, info: noop, warn: noop, error: noop, log: noop },
      }),
    );
    say(`  Temporal at ${devServer.address}, local ECS at ${ecs.url}\n`);

    for (const n of options.sizes) {
      say(`N=${n}: submitting ${n} tasks…`);
      const result = await runSize({ n, options, ecs, temporal, address: devServer.address, bundle, untilAborted, cleanups });
      results.push(result);
      say(
        `  done in ${result.wallSeconds.toFixed(1)} s: ${result.succeeded}/${n} SUCCESS, ${result.describeCalls} DescribeTasks calls` +
          (result.failures.length > 0 ? `; not successful: ${result.failures.slice(0, 5).join('; ')}` : ''),
      );
    }
    say('');
    printTable(results, options, say);
    say('');
    printConclusion(results, options, say);
    const failed = results.reduce((sum, r) => sum + (r.n - r.succeeded), 0);
    if (failed > 0) {
      say(`\nFAILED: ${failed} task(s) did not end in SUCCESS.`);
      return 1;
    }
    return 0;
  } catch (err) {
    if (err instanceof Interrupted) {
      say(`\nBenchmark stopped: ${err.message}.`);
      if (results.length > 0) printTable(results, options, say);
      return abortReason?.startsWith('interrupted') ? 130 : 2;
    }
    process.stderr.write(`\nbenchmark failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    return 1;
  } finally {
    clearTimeout(overall);
    say('Cleaning up (worker, task processes, local ECS, dev server)…');
    await cleanup();
  }
}

interface RunSizeArgs {
  n: number;
  options: Options;
  ecs: LocalEcs;
  temporal: Client;
  address: string;
  bundle: WorkflowBundleWithSourceMap;
  untilAborted: <T>(promise: Promise<T>) => Promise<T>;
  cleanups: (() => Promise<void>)[];
}

async function runSize({ n, options, ecs, temporal, address, bundle, untilAborted, cleanups }: RunSizeArgs): Promise<SizeResult> {
  const name = `bench-${n}-${randomUUID().slice(0, 8)}`;
  const env: Record<string, string> = {
    ECS_EXECUTOR_CLUSTER: 'default',
    ECS_EXECUTOR_CONTAINER_NAME: 'airflow',
    ECS_EXECUTOR_TASK_DEFINITION: 'airflow',
    ECS_EXECUTOR_LAUNCH_TYPE: 'FARGATE',
    ECS_EXECUTOR_REGION_NAME: 'us-east-1',
    ECS_EXECUTOR_MAX_RUN_TASK_ATTEMPTS: '1',
    ECS_EXECUTOR_TASK_QUEUE: name,
    ECS_EXECUTOR_NAME: name,
    ECS_EXECUTOR_POLL_INTERVAL_SECONDS: String(options.pollSeconds),
    ECS_EXECUTOR_MAX_WAIT_SECONDS: String(Math.max(3600, options.pollSeconds)),
    ECS_EXECUTOR_TERMINATE_TIMEOUT_SECONDS: '60',
    ECS_EXECUTOR_ENDPOINT_URL: ecs.url,
    ECS_EXECUTOR_LOG_LEVEL: 'warn',
  };
  const executor = loadExecutorConfig(env);
  const runtime = loadRuntimeConfig(env);
  const logger = createLogger('warn', 'bench');
  const ecsProvider = () => new EcsClientProvider({ region: 'us-east-1', endpoint: ecs.url, credentials: CREDENTIALS });

  const workerConnection = await untilAborted(NativeConnection.connect({ address }));
  const worker = await untilAborted(createEcsWorker({ connection: workerConnection, runtime, executor, ecs: ecsProvider(), workflowBundle: bundle, logger }));
  const workerRun = worker.run();
  let workerStopped = false;
  const stopWorker = async () => {
    if (workerStopped) return;
    workerStopped = true;
    worker.shutdown();
    await workerRun.catch((err: unknown) => process.stderr.write(`worker: ${String(err)}\n`));
    await workerConnection.close().catch(() => undefined);
  };
  cleanups.push(stopWorker);
  const client = await untilAborted(EcsExecutorClient.connect({ client: temporal, executor, runtime, ecs: ecsProvider(), logger, syncLookbackMs: 0 }));
  await untilAborted(client.start());

  // Earlier sizes' tasks are all STOPPED by now, so RUNNING counts only this size's tasks.
  ecs.resetStats();
  const started = Date.now();
  const seconds = (at: number) => (at - started) / 1000;
  let allRunningAt: number | undefined;
  let steadyStart: { at: number; calls: number; batcher: DescribeTasksBatcherStats } | undefined;
  let steadyEnd: { at: number; calls: number; batcher: DescribeTasksBatcherStats } | undefined;
  const monitor = setInterval(() => {
    const now = Date.now();
    const stats = ecs.stats();
    const running = stats.tasksByLastStatus.RUNNING ?? 0;
    if (steadyStart === undefined && running >= n) {
      allRunningAt = now;
      steadyStart = { at: now, calls: stats.calls.DescribeTasks, batcher: worker.batcher.stats() };
    } else if (steadyStart !== undefined && steadyEnd === undefined && running < n) {
      steadyEnd = { at: now, calls: stats.calls.DescribeTasks, batcher: worker.batcher.stats() };
    }
  }, MONITOR_EVERY_MS);

  // The executor's own view: its search attributes, read the way a scheduler's sync would.
  let executorAllRunningAt: number | undefined;
  let watching = true;
  const watchExecutor = (async () => {
    while (watching && executorAllRunningAt === undefined) {
      try {
        const { count } = await temporal.workflow.count(`EcsExecutorName = '${name}' AND AirflowState IN ('RUNNING', 'SUCCESS')`);
        if (count >= n) executorAllRunningAt = Date.now();
      } catch {
        // Visibility hiccup: try again on the next round.
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  })();

  const runId = `bench__${new Date(started).toISOString()}`;
  const keys: TaskInstanceKey[] = Array.from({ length: n }, (_, i) => ({
    dagId: 'bench_dag',
    taskId: `sleep_${String(i).padStart(4, '0')}`,
    runId,
    tryNumber: 1,
    mapIndex: -1,
  }));
  const command = ['sleep', String(options.taskSeconds)];
  try {
    let next = 0;
    const submitter = async () => {
      for (let i = next++; i < keys.length; i = next++) await client.executeAsync(keys[i]!, command);
    };
    await untilAborted(Promise.all(Array.from({ length: Math.min(options.submitConcurrency, n) }, submitter)));
    const submittedAt = Date.now();

    const outcomes = await untilAborted(
      Promise.all(keys.map((key) => client.result(key).then((r): AirflowTaskResult | string => r, (err: unknown) => `${key.taskId}: ${String(err)}`))),
    );
    const doneAt = Date.now();
    clearInterval(monitor);
    watching = false;
    await watchExecutor;

    const failures = outcomes.flatMap((o) => (typeof o === 'string' ? [o] : o.state === 'SUCCESS' ? [] : [`${o.key.taskId}: ${o.state} (${o.reason})`]));
    const stats = ecs.stats();
    const batcher = worker.batcher.stats();
    const end = steadyEnd ?? (steadyStart ? { at: doneAt, calls: stats.calls.DescribeTasks, batcher } : undefined);
    const steadySeconds = steadyStart && end ? (end.at - steadyStart.at) / 1000 : undefined;
    const steadyCalls = steadyStart && end ? end.calls - steadyStart.calls : undefined;
    const steadyBatcherCalls = steadyStart && end ? end.batcher.calls - steadyStart.batcher.calls : 0;
    const otherCalls = Object.fromEntries(Object.entries(stats.calls).filter(([op, count]) => op !== 'DescribeTasks' && count > 0));
    return {
      n,
      submitSeconds: seconds(submittedAt),
      allRunningSeconds: allRunningAt === undefined ? undefined : seconds(allRunningAt),
      executorAllRunningSeconds: executorAllRunningAt === undefined ? undefined : seconds(executorAllRunningAt),
      wallSeconds: seconds(doneAt),
      succeeded: n - failures.length,
      failures,
      describeCalls: stats.calls.DescribeTasks,
      steadySeconds,
      steadyCallsPerSecond: steadySeconds && steadyCalls !== undefined && steadySeconds > 0 ? steadyCalls / steadySeconds : undefined,
      steadyArnsPerCall: steadyStart && end && steadyBatcherCalls > 0 ? (end.batcher.arns - steadyStart.batcher.arns) / steadyBatcherCalls : undefined,
      arnsPerCall: batcher.calls > 0 ? batcher.arns / batcher.calls : 0,
      batcher,
      otherCalls,
    };
  } finally {
    clearInterval(monitor);
    watching = false;
    await client.close();
    await stopWorker();
  }
}

function printTable(results: SizeResult[], options: Options, say: (line: string) => void): void {
  const fmt = (value: number | undefined, digits = 1) => (value === undefined ? 'n/a' : value.toFixed(digits));
  const header = [
    'N',
    'submit/s',
    'all RUNNING (ECS) s',
    'all launched (executor) s',
    'all SUCCESS s',
    'ok',
    'DescribeTasks calls',
    'calls/s, all running',
    'ARNs/call (all)',
    'ARNs/call (all running)',
    'naive calls/s',
    'Airflow calls/sync',
  ];
  const rows = results.map((r) => [
    String(r.n),
    fmt(r.n / r.submitSeconds),
    fmt(r.allRunningSeconds),
    fmt(r.executorAllRunningSeconds),
    fmt(r.wallSeconds),
    `${r.succeeded}/${r.n}`,
    String(r.describeCalls),
    r.steadyCallsPerSecond === undefined ? 'n/a' : `${fmt(r.steadyCallsPerSecond)} (${fmt(r.steadySeconds)} s)`,
    fmt(r.arnsPerCall),
    fmt(r.steadyArnsPerCall),
    fmt(r.n / options.pollSeconds),
    String(Math.ceil(r.n / AIRFLOW_DESCRIBE_BATCH)),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ')} |`;
  say(line(header));
  say(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const row of rows) say(line(row));
  say(
    `\nnaive calls/s = one DescribeTasks per task per poll (N / ${options.pollSeconds} s); Airflow calls/sync = ceil(N/${AIRFLOW_DESCRIBE_BATCH}), ` +
      `the original executor's batches per sync. "all running" = the window in which ECS reported all N tasks RUNNING at once.`,
  );
  for (const r of results) {
    const other = Object.entries(r.otherCalls).map(([op, count]) => `${op} ${count}`).join(', ');
    say(`  N=${r.n}: batcher ${r.batcher.requests} describe requests → ${r.batcher.calls} calls (${r.batcher.failedCalls} failed); other ECS calls: ${other || 'none'}`);
  }
}

function printConclusion(results: SizeResult[], options: Options, say: (line: string) => void): void {
  const largest = results.reduce<SizeResult | undefined>((best, r) => (best === undefined || r.n > best.n ? r : best), undefined);
  if (largest === undefined) return;
  const naive = largest.n / options.pollSeconds;
  const airflowPerSecond = Math.ceil(largest.n / AIRFLOW_DESCRIBE_BATCH) / options.pollSeconds;
  const observed = largest.steadyCallsPerSecond;
  say('Conclusion:');
  if (observed === undefined) {
    say(`  At N=${largest.n} the run never had all tasks RUNNING at once, so there is no steady-state figure.`);
    return;
  }
  const overWall = largest.wallSeconds - options.taskSeconds;
  const ideal = Math.ceil(largest.n / 100) / options.pollSeconds;
  say(
    `  With ${largest.n} tasks tracked at once, the worker sent ${observed.toFixed(1)} DescribeTasks calls/s ` +
      `(${largest.steadyArnsPerCall?.toFixed(1) ?? 'n/a'} ARNs per call) where polling each task on its own would send ${naive.toFixed(0)}/s: ` +
      `${(naive / observed).toFixed(1)}x fewer calls. Airflow's original executor sends ${airflowPerSecond.toFixed(0)} call(s) per sync ` +
      `(batches of 99) at one sync per ${options.pollSeconds} s; one round of batches of 100 per poll interval is ${ideal.toFixed(1)}/s.`,
  );
  say(
    `  ${observed <= ideal * 1.5 ? 'The waits share one poll tick per cluster, so' : 'Calls exceed one round per interval, although'} ` +
      `every wait of a worker is answered by one round of DescribeTasks per poll interval, whenever it started.`,
  );
  say(
    `  End to end, ${largest.n} ${options.taskSeconds}-second tasks took ${largest.wallSeconds.toFixed(1)} s from first submit to last SUCCESS ` +
      `(${overWall.toFixed(1)} s over the task length), with submission at ${(largest.n / largest.submitSeconds).toFixed(1)} tasks/s.`,
  );
  const perSize = results.map((r) => `N=${r.n}: ${r.steadyCallsPerSecond?.toFixed(1) ?? 'n/a'}/s`).join(', ');
  say(`  DescribeTasks calls/s while all were running, by size: ${perSize}.`);
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`benchmark failed: ${String(err)}\n`);
    process.exit(1);
  },
);
