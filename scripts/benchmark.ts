/**
 * The benchmark (never a timed test): how fast and how cheaply the executor launches and tracks
 * N tasks, against the Temporal floor and, with --compare-airflow, Airflow's own AwsEcsExecutor
 * on the same endpoint in the same run. Every process is its own (dev server, local ECS endpoint in
 * scripted mode, our worker with default settings, the Airflow harness), so CPU and memory are
 * each one's own. Figures are medians over --runs runs, with min–max.
 *
 *   npm run bench -- [--sizes 1000] [--runs 3] [--task-seconds 20] [--compare-airflow]
 *   npm run bench -- --tracked 10000 [--tracked-seconds 300] [--tracked-spread-seconds 0]    (10,000 long-running tasks on one worker)
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode, DefaultLogger, Runtime } from '@temporalio/worker';
import pino from 'pino';
import { EcsExecutorClient, type SubmitRequest } from '../src/client';
import { FRESH_OVERLAP_MS, type FeedStats } from '../src/client/sync';
import { observerWorkflowId } from '../src/contract/ids';
import { measureEndpointCeiling } from '../src/dev/local-ecs/measure-ceiling';
import { startedByMarker } from '../src/rules/started-by';
import { ourWorkflowBundle } from '../src/temporal/workflow-bundle';
import { collectHistoryStats, perTask, type HistoryEvent } from './bench/history-stats';
import { readProcCpu } from './bench/proc-stats';
import { buildCompiled, REPO, startLocalEcsProcess, startTemporal, startWorkerProcess, type Proc } from './bench/stack';
import { combineRuns, formatNumber, formatTable, percentile, printComparisonTable, type ComparisonRow, type Figures } from './bench/stats';
import { deltaTemporalMetrics, rpcPerTask, scrapeTemporalMetricsSettled } from './bench/temporal-metrics';

const USAGE = `usage: npm run bench -- [--sizes 1000] [--runs 3] [--task-seconds 20] [--sync-seconds 1] [--compare-airflow]
                        [--tracked 10000 [--tracked-seconds 300] [--tracked-spread-seconds 0]] [--timeout-seconds 1800]
                        [--worker-env KEY=VALUE ...]   (experiments: our worker's settings; default: none)`;

interface Options {
  /** KEY=VALUE settings for our worker, for experiments; the figures a reader is shown use the defaults. */
  workerEnv: Record<string, string>;
  sizes: number[];
  runs: number;
  taskSeconds: number;
  /** Task i of n runs taskSeconds + taskSpreadSeconds × i / n: its stops spread over that much more time than its launches. */
  taskSpreadSeconds: number;
  syncSeconds: number;
  compareAirflow: boolean;
  tracked: number;
  trackedSeconds: number;
  trackedSpreadSeconds: number;
  timeoutSeconds: number;
}

function parseOptions(argv: string[]): Options {
  const { values } = parseArgs({
    args: argv,
    options: {
      sizes: { type: 'string' },
      runs: { type: 'string' },
      'task-seconds': { type: 'string' },
      'sync-seconds': { type: 'string' },
      'compare-airflow': { type: 'boolean' },
      tracked: { type: 'string' },
      'tracked-seconds': { type: 'string' },
      'tracked-spread-seconds': { type: 'string' },
      'timeout-seconds': { type: 'string' },
      'worker-env': { type: 'string', multiple: true },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  const positive = (flag: string, raw: string | undefined, fallback: number): number => {
    if (raw === undefined) return fallback;
    const n = Number(raw);
    if (!Number.isFinite(n) || n <= 0) throw new Error(`${flag} expects a positive number, got ${JSON.stringify(raw)}\n${USAGE}`);
    return n;
  };
  const nonNegative = (flag: string, raw: string | undefined): number => {
    if (raw === undefined) return 0;
    const n = Number(raw);
    if (!Number.isFinite(n) || n < 0) throw new Error(`${flag} expects a number of seconds, 0 or more, got ${JSON.stringify(raw)}\n${USAGE}`);
    return n;
  };
  const workerEnv = Object.fromEntries(
    (values['worker-env'] ?? []).map((pair) => {
      const at = pair.indexOf('=');
      if (at < 1) throw new Error(`--worker-env expects KEY=VALUE, got ${JSON.stringify(pair)}\n${USAGE}`);
      return [pair.slice(0, at), pair.slice(at + 1)];
    }),
  );
  return {
    workerEnv,
    sizes: values.sizes !== undefined ? values.sizes.split(',').map((s) => positive('--sizes', s.trim(), 0)) : [1000],
    runs: positive('--runs', values.runs, 3),
    taskSeconds: positive('--task-seconds', values['task-seconds'], 20),
    taskSpreadSeconds: 0,
    syncSeconds: positive('--sync-seconds', values['sync-seconds'], 1),
    compareAirflow: values['compare-airflow'] ?? false,
    tracked: values.tracked !== undefined ? positive('--tracked', values.tracked, 0) : 0,
    trackedSeconds: positive('--tracked-seconds', values['tracked-seconds'], 300),
    trackedSpreadSeconds: nonNegative('--tracked-spread-seconds', values['tracked-spread-seconds']),
    timeoutSeconds: positive('--timeout-seconds', values['timeout-seconds'], 1800),
  };
}

const say = (line = '') => process.stdout.write(`${line}\n`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const cacheDir = path.join(REPO, '.cache', 'bench');

/** The default poll interval: the benchmark runs the worker on default settings. */
const POLL_SECONDS = 10;

type OursFigure =
  | 'launchPerSecond'
  | 'stopPerSecond'
  | 'submitPerSecond'
  | 'eventsPerTask'
  | 'observerEventsPerTask'
  | 'rpcPerTask'
  | 'persistencePerTask'
  | 'cpuMsPerTask'
  | 'launchCpuMsPerTask'
  | 'launchWorkerCpuMsPerTask'
  | 'launchServerCores'
  | 'launchWorkerCores'
  | 'launchClientCores'
  | 'launchCeilingServerElsewhere'
  | 'replaysPerTask'
  | 'syncRowsPerTask'
  | 'clientCpuMsPerTask'
  | 'workerCpuMsPerTask'
  | 'serverCpuMsPerTask'
  | 'endpointCpuMsPerTask'
  | 'detectP50'
  | 'detectP99'
  | 'detectMax'
  | 'detectLate'
  | 'describePerInterval'
  | 'arnsPerCall'
  | 'workerPeakRssMiB'
  | 'serverPeakRssMiB'
  | 'floorStartsPerSecond'
  | 'floorCompletionsPerSecond'
  | 'floorCpuMsPerWorkflow'
  | 'launchFloorPerSecond'
  | 'launchFloorCpuMs'
  | 'airflowLaunchPerSecond'
  | 'airflowSubmitPerSecond'
  | 'airflowCpuMsPerTask'
  | 'airflowDetectP50'
  | 'airflowDetectP99'
  | 'airflowDescribePerInterval'
  | 'airflowArnsPerCall'
  | 'failures';

/** CPU seconds of each process since the run started, at one moment. */
interface CpuSample {
  at: number;
  worker: number;
  server: number;
  client: number;
  total: number;
}

interface RunDetail {
  eventsByType: Record<string, number>;
  rpcByGroup: Record<string, number>;
  persistenceByOperation: Record<string, number>;
  notes: string[];
}

interface Stack {
  temporalAddress: string;
  metricsPort: number;
  temporal: Proc;
  ecsUrl: string;
  ecs: Proc;
  client: Client;
  connection: Connection;
  stop(): Promise<void>;
}

async function startStack(log: (line: string) => void): Promise<Stack> {
  const { server, proc: temporal, metricsPort } = await startTemporal();
  const { url: ecsUrl, proc: ecs } = await startLocalEcsProcess(log);
  const connection = await Connection.connect({ address: server.address });
  const client = new Client({ connection });
  return {
    temporalAddress: server.address,
    metricsPort,
    temporal,
    ecsUrl,
    ecs,
    client,
    connection,
    async stop() {
      await connection.close();
      await ecs.stop();
      await temporal.stop();
    },
  };
}

/**
 * The local endpoint's own ceiling, on an endpoint of its own with nothing else running: measured
 * beside a starting dev server, it read anywhere from 234 to 1,766 RunTask/s.
 */
async function reportEndpointCeiling(log: (line: string) => void): Promise<void> {
  const { url, proc } = await startLocalEcsProcess(log);
  try {
    const ceiling = await measureEndpointCeiling({ url, phaseMs: 2_000 });
    say(
      `local ECS endpoint's own ceiling (scripted mode, one client, nothing else running): ${formatNumber(ceiling.runTaskPerSecond, 0)} RunTask/s, ` +
        `${formatNumber(ceiling.describeTasksPerSecond, 0)} DescribeTasks(100 ARNs)/s`,
    );
  } finally {
    await proc.stop();
  }
}

async function getJson<T>(url: string): Promise<T> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return (await response.json()) as T;
}

interface EcsTaskRecord {
  taskArn: string;
  createdAt: number;
  stoppedAt?: number;
  executionStoppedAt?: number;
}

async function buildBundles(): Promise<{ executor: string; floor: string }> {
  mkdirSync(cacheDir, { recursive: true });
  const quiet = { trace: () => undefined, debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined, log: () => undefined };
  const executor = path.join(cacheDir, 'workflow-bundle.js');
  const floor = path.join(cacheDir, 'floor-bundle.js');
  writeFileSync(executor, (await bundleWorkflowCode({ ...ourWorkflowBundle(), logger: quiet })).code);
  writeFileSync(floor, (await bundleWorkflowCode({ workflowsPath: path.join(REPO, 'scripts', 'bench', 'floor-workflows.ts'), logger: quiet })).code);
  return { executor, floor };
}

const eventMs = (event: HistoryEvent | undefined): number | undefined =>
  event?.eventTime ? Number(event.eventTime.seconds ?? 0) * 1000 + Math.floor((event.eventTime.nanos ?? 0) / 1e6) : undefined;

interface ClosingTimes {
  signalAt?: number;
  /** The first workflow task a worker started after the last signal: the server's dispatch ends here, the worker's work begins. */
  pickedUpAt?: number;
  closedAt?: number;
}

/** The time of the last signal, of the workflow task that took it up, and of the closing event of one run, if it closed. */
function closingTimes(events: readonly HistoryEvent[]): ClosingTimes {
  let signalIndex = events.length - 1;
  while (signalIndex >= 0 && !events[signalIndex]!.workflowExecutionSignaledEventAttributes) signalIndex -= 1;
  const signalAt = eventMs(events[signalIndex]);
  const pickedUpAt = signalIndex < 0 ? undefined : eventMs(events.slice(signalIndex).find((event) => event.workflowTaskStartedEventAttributes));
  const last = events[events.length - 1];
  const closed = last?.workflowExecutionCompletedEventAttributes ?? last?.workflowExecutionFailedEventAttributes;
  return {
    ...(signalAt !== undefined ? { signalAt } : {}),
    ...(pickedUpAt !== undefined ? { pickedUpAt } : {}),
    ...(closed ? { closedAt: eventMs(last) } : {}),
  };
}

/** Whether visibility showed changes late: each shown further behind the watermark than a routine read lists waits for a full read. */
function syncReadSplit(stats: Readonly<FeedStats>): string {
  return `sync() reported ${stats.changesReported} changes, ${stats.changesShownLate} shown more than ${FRESH_OVERLAP_MS / 1000} s behind its watermark (left to a full read); the furthest behind: ${formatNumber(stats.maxLatenessMs / 1000, 1)} s; the slowest read took ${formatNumber(stats.slowestReadMs / 1000, 1)} s`;
}

/** p50/p99 of each stage of detection, so a reader can tell whether the observer, the worker and server, or sync() is slow. */
function detectionSplit(
  finals: ReadonlyMap<string, { at: number; arn?: string }>,
  byArn: ReadonlyMap<string, EcsTaskRecord>,
  eventTimes: ReadonlyMap<string, ClosingTimes>,
): string {
  const stoppedToSignal: number[] = [];
  const signalToClosed: number[] = [];
  const signalToPickedUp: number[] = [];
  const pickedUpToClosed: number[] = [];
  const closedToSync: number[] = [];
  for (const [workflowId, final] of finals) {
    const task = final.arn !== undefined ? byArn.get(final.arn) : undefined;
    const stoppedAt = task?.executionStoppedAt ?? task?.stoppedAt;
    const { signalAt, pickedUpAt, closedAt } = eventTimes.get(workflowId) ?? {};
    if (stoppedAt === undefined || signalAt === undefined || closedAt === undefined) continue;
    stoppedToSignal.push((signalAt - stoppedAt) / 1000);
    signalToClosed.push((closedAt - signalAt) / 1000);
    if (pickedUpAt !== undefined) {
      signalToPickedUp.push((pickedUpAt - signalAt) / 1000);
      pickedUpToClosed.push((closedAt - pickedUpAt) / 1000);
    }
    closedToSync.push((final.at - closedAt) / 1000);
  }
  const p50p99 = (values: number[]) => `${formatNumber(percentile(values, 50), 2)} / ${formatNumber(percentile(values, 99), 2)} s`;
  return (
    `detection by stage, p50 / p99 (${stoppedToSignal.length} tasks): stopped → signal ${p50p99(stoppedToSignal)}; ` +
    `signal → closed ${p50p99(signalToClosed)} (of which signal → a worker took it up ${p50p99(signalToPickedUp)}; took it up → closed ${p50p99(pickedUpToClosed)}); ` +
    `closed → sync() ${p50p99(closedToSync)}`
  );
}

/** N tasks through our executor: submit all, sync() every --sync-seconds as a scheduler would, until every one is final. */
async function runOurs(stack: Stack, n: number, options: Options, bundle: string, log: (line: string) => void): Promise<{ figures: Figures<OursFigure>; detail: RunDetail }> {
  const name = `bench-${n}-${randomUUID().slice(0, 6)}`;
  const worker = await startWorkerProcess({ temporalAddress: stack.temporalAddress, ecsUrl: stack.ecsUrl, taskQueue: name, bundlePath: bundle, settings: options.workerEnv, log });
  const client = await EcsExecutorClient.connect({
    client: stack.client,
    settings: { taskQueue: name, executorName: name, syncLagMs: 10_000 },
    logger: pino({ level: 'warn' }),
  });
  const notes: string[] = [];
  try {
    await client.start({ checkHealth: false });
    const metricsBefore = await scrapeTemporalMetricsSettled(stack.metricsPort);
    const cpuBefore = { worker: worker.cpu(), server: stack.temporal.cpu(), ecs: stack.ecs.cpu(), client: process.cpuUsage() };
    const describeSamples: { at: number; calls: number; arns: number }[] = [];
    // CPU as the run goes, to split it at the end of the launch phase (the last RunTask).
    const cpuSamples: CpuSample[] = [];
    const sampler = setInterval(() => {
      const client = process.cpuUsage(cpuBefore.client);
      const sample = { worker: worker.cpu() - cpuBefore.worker, server: stack.temporal.cpu() - cpuBefore.server, client: (client.user + client.system) / 1e6 };
      cpuSamples.push({ at: Date.now(), ...sample, total: sample.worker + sample.server + sample.client });
      void getJson<{ calls: Record<string, number>; arnsDescribed: number }>(`${stack.ecsUrl}/_local/stats`)
        .then((s) => describeSamples.push({ at: Date.now(), calls: s.calls.DescribeTasks ?? 0, arns: s.arnsDescribed }))
        .catch(() => undefined);
    }, 500);

    const runId = `bench__${new Date().toISOString()}`;
    const requests: SubmitRequest[] = Array.from({ length: n }, (_, i) => ({
      key: { dagId: 'bench', taskId: `task_${i}`, runId, tryNumber: 1, mapIndex: -1 },
      command: ['sleep', String(Math.round(1000 * (options.taskSeconds + (options.taskSpreadSeconds * i) / n)) / 1000)],
    }));
    const submitStart = Date.now();
    const submitted = await client.executeMany(requests);
    const submitEnd = Date.now();
    const rejected = submitted.filter((s) => s.status === 'rejected');
    if (rejected.length > 0) notes.push(`${rejected.length} submits failed: ${String((rejected[0] as PromiseRejectedResult).reason)}`);

    const finals = new Map<string, { state: string; at: number; arn?: string }>();
    const deadline = Date.now() + options.timeoutSeconds * 1000;
    while (finals.size < n && Date.now() < deadline) {
      for (const event of await client.sync()) {
        if (event.state === 'SUCCESS' || event.state === 'FAILED') finals.set(event.workflowId, { state: event.state, at: Date.now(), ...(event.externalExecutorId ? { arn: event.externalExecutorId } : {}) });
      }
      await sleep(options.syncSeconds * 1000 - (Date.now() % (options.syncSeconds * 1000)));
    }
    clearInterval(sampler);
    const clientCpu = process.cpuUsage(cpuBefore.client);
    const cpu = {
      client: (clientCpu.user + clientCpu.system) / 1e6,
      worker: worker.cpu() - cpuBefore.worker,
      server: stack.temporal.cpu() - cpuBefore.server,
      ecs: stack.ecs.cpu() - cpuBefore.ecs,
    };
    const metrics = deltaTemporalMetrics(metricsBefore, await scrapeTemporalMetricsSettled(stack.metricsPort));
    const workerPeak = worker.peakRss();
    const serverPeak = stack.temporal.peakRss();

    const { tasks } = await getJson<{ tasks: EcsTaskRecord[] }>(`${stack.ecsUrl}/_local/tasks?startedBy=${encodeURIComponent(startedByMarker('default', name))}`);
    const byArn = new Map(tasks.map((t) => [t.taskArn, t]));
    const lastLaunch = Math.max(...tasks.map((t) => t.createdAt));
    const stoppedAts = tasks.flatMap((t) => (t.stoppedAt !== undefined ? [t.stoppedAt] : []));
    const stopSpan = stoppedAts.length > 1 ? Math.max(...stoppedAts) - Math.min(...stoppedAts) : 0;
    const atLaunchEnd = cpuSamples.find((c) => c.at >= lastLaunch);
    const launchCpu = atLaunchEnd?.total;
    // Cores each process kept busy from the first submit to the sample after the last launch: a server near its share of the machine is what holds the launch.
    const launchSeconds = atLaunchEnd !== undefined ? (atLaunchEnd.at - submitStart) / 1000 : undefined;
    const coresDuringLaunch = (cpuSeconds: number | undefined) => (cpuSeconds !== undefined && launchSeconds ? cpuSeconds / launchSeconds : undefined);
    const detection = [...finals.values()].flatMap((f) => {
      const stoppedAt = f.arn !== undefined ? (byArn.get(f.arn)?.executionStoppedAt ?? byArn.get(f.arn)?.stoppedAt) : undefined;
      return stoppedAt !== undefined ? [(f.at - stoppedAt) / 1000] : [];
    });
    const failed = [...finals.values()].filter((f) => f.state !== 'SUCCESS').length + (n - finals.size);
    if (finals.size < n) notes.push(`${n - finals.size} tasks not reported final within the timeout`);

    // DescribeTasks per poll interval: the observer's rounds fall on multiples of the interval.
    const perInterval = new Map<number, number>();
    for (let i = 1; i < describeSamples.length; i++) {
      const bucket = Math.floor(describeSamples[i]!.at / (POLL_SECONDS * 1000));
      perInterval.set(bucket, (perInterval.get(bucket) ?? 0) + describeSamples[i]!.calls - describeSamples[i - 1]!.calls);
    }
    const firstSample = describeSamples[0];
    const lastSample = describeSamples[describeSamples.length - 1];
    const describeCalls = firstSample && lastSample ? lastSample.calls - firstSample.calls : 0;
    const arnsDescribed = firstSample && lastSample ? lastSample.arns - firstSample.arns : 0;

    // Where detection time goes, per task: ECS stopped → the observer's signal → the workflow closed → sync() reported it.
    const eventTimes = new Map<string, ClosingTimes>();
    const history = await collectHistoryStats(stack.client, { query: `EcsExecutorName = '${name}'` }, { onHistory: (execution, events) => eventTimes.set(execution.workflowId, closingTimes(events)) });
    notes.push(detectionSplit(finals, byArn, eventTimes));
    notes.push(syncReadSplit(client.syncStats()));
    const observerHistory = await collectHistoryStats(stack.client, { executions: [{ workflowId: observerWorkflowId(name, 'default') }] });
    const events = perTask(history, n);
    const rpc = rpcPerTask(metrics.rpc, n);
    return {
      figures: {
        launchPerSecond: n / ((lastLaunch - submitStart) / 1000),
        stopPerSecond: stopSpan > 0 ? n / (stopSpan / 1000) : undefined,
        submitPerSecond: n / ((submitEnd - submitStart) / 1000),
        eventsPerTask: events.events,
        observerEventsPerTask: observerHistory.events / n,
        rpcPerTask: rpc.totalExcludingPolls,
        persistencePerTask: metrics.persistence.requests / n,
        cpuMsPerTask: (1000 * (cpu.client + cpu.worker + cpu.server)) / n,
        launchCpuMsPerTask: launchCpu !== undefined ? (1000 * launchCpu) / n : undefined,
        launchWorkerCpuMsPerTask: atLaunchEnd !== undefined ? (1000 * atLaunchEnd.worker) / n : undefined,
        launchServerCores: coresDuringLaunch(atLaunchEnd?.server),
        launchWorkerCores: coresDuringLaunch(atLaunchEnd?.worker),
        launchClientCores: coresDuringLaunch(atLaunchEnd?.client),
        // What our own processes could launch with the machine's cores to themselves (the server elsewhere): cores ÷ their CPU per launch.
        launchCeilingServerElsewhere: atLaunchEnd !== undefined && atLaunchEnd.worker + atLaunchEnd.client > 0 ? (cpus().length * n) / (atLaunchEnd.worker + atLaunchEnd.client) : undefined,
        // A history read is a worker replaying a workflow it did not keep in its cache (ECS_EXECUTOR_MAX_CACHED_WORKFLOWS).
        replaysPerTask: rpc.historyReads,
        syncRowsPerTask: client.syncStats().rowsListed / n,
        clientCpuMsPerTask: (1000 * cpu.client) / n,
        workerCpuMsPerTask: (1000 * cpu.worker) / n,
        serverCpuMsPerTask: (1000 * cpu.server) / n,
        endpointCpuMsPerTask: (1000 * cpu.ecs) / n,
        detectP50: percentile(detection, 50),
        detectP99: percentile(detection, 99),
        detectMax: detection.length > 0 ? Math.max(...detection) : undefined,
        // Issue 7's bound for tracked tasks: every one reported within the poll interval + 5 s of stopping.
        detectLate: detection.filter((seconds) => seconds > POLL_SECONDS + 5).length,
        describePerInterval: Math.max(0, ...perInterval.values()),
        arnsPerCall: describeCalls > 0 ? arnsDescribed / describeCalls : undefined,
        workerPeakRssMiB: workerPeak / 2 ** 20,
        serverPeakRssMiB: serverPeak / 2 ** 20,
        failures: failed,
      },
      detail: {
        eventsByType: events.eventsByType,
        rpcByGroup: rpc as unknown as Record<string, number>,
        persistenceByOperation: Object.fromEntries(Object.entries(metrics.persistence.requestsByOperation).map(([op, count]) => [op, count / n])),
        notes,
      },
    };
  } finally {
    await client.close();
    await worker.stop();
    await stack.client.workflow
      .getHandle(observerWorkflowId(name, 'default'))
      .terminate('benchmark size done')
      .catch(() => undefined);
  }
}

/** The Temporal floor on the same server: N minimal workflows (start, one activity, complete). */
async function runFloor(stack: Stack, n: number, bundle: string): Promise<Figures<OursFigure>> {
  const taskQueue = `floor-${randomUUID().slice(0, 6)}`;
  const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', path.join(REPO, 'scripts', 'bench', 'floor-worker.ts')], {
    env: { ...process.env, TEMPORAL_ADDRESS: stack.temporalAddress, FLOOR_TASK_QUEUE: taskQueue, FLOOR_BUNDLE: bundle },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`the floor worker exited with ${code}`)));
    child.stdout?.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('floor worker ready')) resolve();
    });
  });
  try {
    const measure = async (workflowType: string) => {
      const before = { worker: readProcCpu(child.pid!).cpuSeconds, server: stack.temporal.cpu(), client: process.cpuUsage() };
      const started = Date.now();
      const handles: Promise<unknown>[] = [];
      let next = 0;
      await Promise.all(
        Array.from({ length: 64 }, async () => {
          while (next < n) {
            const i = next++;
            const handle = await stack.client.workflow.start(workflowType, { taskQueue, workflowId: `${taskQueue}-${workflowType}-${i}` });
            handles.push(handle.result());
          }
        }),
      );
      const startsDone = Date.now();
      await Promise.all(handles);
      const done = Date.now();
      const clientCpu = process.cpuUsage(before.client);
      const cpuSeconds = readProcCpu(child.pid!).cpuSeconds - before.worker + (stack.temporal.cpu() - before.server) + (clientCpu.user + clientCpu.system) / 1e6;
      return { startsPerSecond: n / ((startsDone - started) / 1000), completionsPerSecond: n / ((done - started) / 1000), cpuMs: (1000 * cpuSeconds) / n };
    };
    const minimal = await measure('minimalWorkflow');
    const launchShaped = await measure('launchShapedWorkflow');
    return {
      floorStartsPerSecond: minimal.startsPerSecond,
      floorCompletionsPerSecond: minimal.completionsPerSecond,
      floorCpuMsPerWorkflow: minimal.cpuMs,
      launchFloorPerSecond: launchShaped.completionsPerSecond,
      launchFloorCpuMs: launchShaped.cpuMs,
    };
  } finally {
    child.kill('SIGTERM');
  }
}

interface HarnessTotals {
  launch_tasks_per_second?: number;
  submit_calls_per_second?: number;
  cpu_seconds?: { run_per_task_ms?: number };
  detection_latency_seconds?: { p50?: number; p99?: number };
  ecs_api?: { describe_tasks?: { calls_per_sync?: number; arns_per_call?: number } };
}

/** The same N through Airflow's own AwsEcsExecutor (scripts/bench/airflow_harness.py), against the same endpoint. */
async function runAirflow(stack: Stack, n: number, options: Options): Promise<Figures<OursFigure>> {
  const output = path.join(tmpdir(), `bench-airflow-${randomUUID().slice(0, 8)}.json`);
  const python = path.join(REPO, '.cache', 'airflow-venv', 'bin', 'python');
  const args = [
    path.join(REPO, 'scripts', 'bench', 'airflow_harness.py'),
    '--endpoint-url',
    stack.ecsUrl,
    '-n',
    String(n),
    '--command',
    `sleep ${options.taskSeconds}`,
    '--sync-interval',
    String(options.syncSeconds),
    '--timeout',
    String(options.timeoutSeconds),
    '--no-sync-log',
    '--output',
    output,
  ];
  const code = await new Promise<number | null>((resolve) => spawn(python, args, { stdio: ['ignore', 'ignore', 'ignore'] }).once('exit', resolve));
  if (code !== 0) throw new Error(`the Airflow harness exited with code ${code}`);
  const totals = (JSON.parse(readFileSync(output, 'utf8')) as { totals: HarnessTotals }).totals;
  return {
    airflowLaunchPerSecond: totals.launch_tasks_per_second,
    airflowSubmitPerSecond: totals.submit_calls_per_second,
    airflowCpuMsPerTask: totals.cpu_seconds?.run_per_task_ms,
    airflowDetectP50: totals.detection_latency_seconds?.p50,
    airflowDetectP99: totals.detection_latency_seconds?.p99,
    airflowDescribePerInterval: totals.ecs_api?.describe_tasks?.calls_per_sync,
    airflowArnsPerCall: totals.ecs_api?.describe_tasks?.arns_per_call,
  };
}

function printSize(n: number, runs: Figures<OursFigure>[], details: RunDetail[], compare: boolean): void {
  const figures = combineRuns(runs);
  const row = (figure: string, ours: OursFigure, airflow: OursFigure | undefined, better: 'higher' | 'lower', unit?: string, digits = 1): ComparisonRow => ({
    figure,
    ours: figures[ours],
    airflow: airflow !== undefined && compare ? figures[airflow] : undefined,
    better,
    ...(unit !== undefined ? { unit } : {}),
    digits,
  });
  say(`\n== N = ${n} (${runs.length} run${runs.length === 1 ? '' : 's'}: median (min–max)) ==`);
  printComparisonTable(
    [
      row('launch throughput (first submit → last RunTask accepted)', 'launchPerSecond', 'airflowLaunchPerSecond', 'higher', 'tasks/s'),
      row('submit calls', 'submitPerSecond', 'airflowSubmitPerSecond', 'higher', 'calls/s'),
      row('CPU per task (client + worker + Temporal; Airflow: its process)', 'cpuMsPerTask', 'airflowCpuMsPerTask', 'lower', 'ms'),
      row('detection latency p50 (ECS stopped → sync() reports)', 'detectP50', 'airflowDetectP50', 'lower', 's', 2),
      row('detection latency p99', 'detectP99', 'airflowDetectP99', 'lower', 's', 2),
      row(`DescribeTasks calls per poll interval (ours ${POLL_SECONDS} s; Airflow per sync)`, 'describePerInterval', 'airflowDescribePerInterval', 'lower', 'calls'),
      row('ARNs per DescribeTasks call', 'arnsPerCall', 'airflowArnsPerCall', 'higher', 'ARNs'),
    ],
    say,
    { ours: 'ours', airflow: "Airflow's AwsEcsExecutor" },
  );
  say(
    formatTable(
      ['ours only', 'median (min–max)'],
      (
        [
          ['Temporal history events per task (task workflow)', 'eventsPerTask'],
          ['observer workflow events per task', 'observerEventsPerTask'],
          ['Temporal RPCs per task (no polls)', 'rpcPerTask'],
          ['Temporal persistence calls per task (the server\'s database: one SQLite connection on the dev server)', 'persistencePerTask'],
          ['CPU per task until the last launch (ms, all our processes)', 'launchCpuMsPerTask'],
          ['  of it the worker (ms)', 'launchWorkerCpuMsPerTask'],
          ['cores busy until the last launch: Temporal server', 'launchServerCores'],
          ['cores busy until the last launch: worker', 'launchWorkerCores'],
          ['cores busy until the last launch: client', 'launchClientCores'],
          ['launch ceiling of worker + client alone, server elsewhere (tasks/s: cores ÷ their CPU per launch)', 'launchCeilingServerElsewhere'],
          ['workflow replays per task (history reads: workflows not in the worker cache)', 'replaysPerTask'],
          ['visibility rows sync() listed per task (a change is two: RUNNING, then the outcome)', 'syncRowsPerTask'],
          ['CPU per task: client', 'clientCpuMsPerTask'],
          ['CPU per task: worker', 'workerCpuMsPerTask'],
          ['CPU per task: Temporal server', 'serverCpuMsPerTask'],
          ['CPU per task: local ECS endpoint (not ours)', 'endpointCpuMsPerTask'],
          ['peak worker RSS (MiB)', 'workerPeakRssMiB'],
          ['peak Temporal server RSS (MiB)', 'serverPeakRssMiB'],
          ['floor: minimal workflow starts/s', 'floorStartsPerSecond'],
          ['floor: minimal workflow completions/s', 'floorCompletionsPerSecond'],
          ['floor: CPU per minimal workflow (ms)', 'floorCpuMsPerWorkflow'],
          ['launch floor: one-workflow-task workflows (local activity + upsert) completed/s', 'launchFloorPerSecond'],
          ['launch floor: CPU per workflow (ms)', 'launchFloorCpuMs'],
          ['tasks not SUCCESS', 'failures'],
        ] as const
      ).map(([label, key]) => {
        const f = figures[key];
        return [label, f === undefined ? '–' : `${formatNumber(f.median, 1)} (${formatNumber(f.min, 1)}–${formatNumber(f.max, 1)})`];
      }),
    ),
  );
  const middle = details[Math.floor(details.length / 2)]!;
  say(`history events per task by type (run ${Math.floor(details.length / 2) + 1}): ${Object.entries(middle.eventsByType).map(([t, v]) => `${t} ${formatNumber(v, 2)}`).join(', ')}`);
  say(`Temporal RPCs per task by kind (run ${Math.floor(details.length / 2) + 1}): ${Object.entries(middle.rpcByGroup).filter(([, v]) => typeof v === 'number' && v > 0).map(([t, v]) => `${t} ${formatNumber(v, 2)}`).join(', ')}`);
  say(
    `Temporal persistence calls per task by operation (run ${Math.floor(details.length / 2) + 1}; 0.05 and more): ${Object.entries(middle.persistenceByOperation)
      .filter(([, v]) => v >= 0.05)
      .sort(([, a], [, b]) => b - a)
      .map(([op, v]) => `${op} ${formatNumber(v, 2)}`)
      .join(', ')}`,
  );
  for (const note of details.flatMap((d) => d.notes)) say(`note: ${note}`);
}

/** 10,000 (--tracked) long-running tasks on one worker: none missed or stuck, RSS, and detection of each within the interval. */
async function runTracked(options: Options, bundle: string, log: (line: string) => void): Promise<void> {
  const n = options.tracked;
  const spread = options.trackedSpreadSeconds > 0 ? ` to ${options.trackedSeconds + options.trackedSpreadSeconds} s (their stops spread over ${options.trackedSpreadSeconds} s more than their launches)` : '';
  say(`\n== ${n} concurrently tracked tasks of ${options.trackedSeconds} s${spread} on one worker ==`);
  const stack = await startStack(log);
  try {
    const result = await runOurs(stack, n, { ...options, taskSeconds: options.trackedSeconds, taskSpreadSeconds: options.trackedSpreadSeconds }, bundle, log);
    const f = result.figures;
    say(
      formatTable(
        ['figure', 'value'],
        [
          ['launch throughput (tasks/s)', formatNumber(f.launchPerSecond, 1)],
          ['tasks stopping, first stop → last (tasks/s)', formatNumber(f.stopPerSecond, 1)],
          ['tasks not SUCCESS (missed, stuck or failed)', formatNumber(f.failures, 0)],
          ['detection latency p50 / p99 / max (s)', `${formatNumber(f.detectP50, 2)} / ${formatNumber(f.detectP99, 2)} / ${formatNumber(f.detectMax, 2)}`],
          [`tasks reported later than the poll interval + 5 s (${POLL_SECONDS + 5} s) after stopping`, formatNumber(f.detectLate, 0)],
          [`DescribeTasks calls per ${POLL_SECONDS} s interval (max)`, formatNumber(f.describePerInterval, 0)],
          ['ARNs per DescribeTasks call', formatNumber(f.arnsPerCall, 1)],
          ['peak worker RSS (MiB)', formatNumber(f.workerPeakRssMiB, 0)],
          ['peak Temporal server RSS (MiB)', formatNumber(f.serverPeakRssMiB, 0)],
          ['CPU per task: worker / Temporal server / client (ms)', `${formatNumber(f.workerCpuMsPerTask, 1)} / ${formatNumber(f.serverCpuMsPerTask, 1)} / ${formatNumber(f.clientCpuMsPerTask, 1)}`],
          ['history events per task', formatNumber(f.eventsPerTask, 1)],
        ],
      ),
    );
    for (const note of result.detail.notes) say(`note: ${note}`);
  } finally {
    await stack.stop();
  }
}

async function main(): Promise<number> {
  const options = parseOptions(process.argv.slice(2));
  Runtime.install({ logger: new DefaultLogger('WARN'), shutdownSignals: [] });
  const log = (line: string) => process.stderr.write(`${line}\n`);
  if (Object.keys(options.workerEnv).length > 0) say(`worker settings changed for this run: ${JSON.stringify(options.workerEnv)} (not the defaults)`);
  const workerSettings = Object.keys(options.workerEnv).length > 0 ? 'our worker on the settings above' : 'our worker on default settings';
  if (options.tracked > 0) say(`Benchmark: ${options.tracked} tasks of ${options.trackedSeconds} s tracked at once, sync() every ${options.syncSeconds} s, ${workerSettings} (poll ${POLL_SECONDS} s)`);
  else say(`Benchmark: sizes ${options.sizes.join(', ')}, ${options.runs} run(s), tasks run 'sleep ${options.taskSeconds}', sync() every ${options.syncSeconds} s, ${workerSettings} (poll ${POLL_SECONDS} s)${options.compareAirflow ? ", Airflow's AwsEcsExecutor side by side" : ''}`);
  buildCompiled();
  const bundles = await buildBundles();
  if (options.tracked > 0) {
    await runTracked(options, bundles.executor, log);
    return 0;
  }
  const results = new Map<number, { figures: Figures<OursFigure>[]; details: RunDetail[] }>(options.sizes.map((n) => [n, { figures: [], details: [] }]));
  await reportEndpointCeiling(log);
  for (let run = 1; run <= options.runs; run++) {
    const stack = await startStack(log);
    try {
      for (const n of options.sizes) {
        say(`run ${run}/${options.runs}, N = ${n}: ours…`);
        const ours = await runOurs(stack, n, options, bundles.executor, log);
        say(`  floor…`);
        const floor = await runFloor(stack, n, bundles.floor);
        const airflow = options.compareAirflow ? (say('  Airflow…'), await runAirflow(stack, n, options)) : {};
        const entry = results.get(n)!;
        entry.figures.push({ ...ours.figures, ...floor, ...airflow });
        entry.details.push(ours.detail);
      }
    } finally {
      await stack.stop();
    }
  }
  for (const [n, entry] of results) printSize(n, entry.figures, entry.details, options.compareAirflow);
  return 0;
}

void main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`benchmark failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
