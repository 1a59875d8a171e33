import { DescribeTasksCommand, ECSClient, RunTaskCommand, StopTaskCommand } from '@aws-sdk/client-ecs';
import { parseArgs } from 'node:util';
import { startLocalEcs } from './local-ecs';
import type { LocalEcsStats } from './stats';

export interface MeasureCeilingOptions {
  /** A running scripted-mode endpoint to measure; default a fresh scripted endpoint in this process, stopped afterwards. */
  url?: string;
  /** How long each of the two phases (RunTask, then DescribeTasks) runs. Default 3,000 ms. */
  phaseMs?: number;
  /** Calls in flight at once from the one client. Default 16. */
  concurrency?: number;
}

export interface EndpointCeiling {
  /** RunTask calls answered per second (one task each, `sleep infinity` in scripted mode). */
  runTaskPerSecond: number;
  /** DescribeTasks calls of 100 task ARNs answered per second, with every launched task running. */
  describeTasksPerSecond: number;
  /**
   * CPU milliseconds this process spent per call (client and, in-process, the endpoint too): the
   * figure that holds when other work shares the machine; 1000 / it is the one-core rate.
   */
  runTaskCpuMs: number;
  describeTasksCpuMs: number;
  tasksLaunched: number;
  concurrency: number;
  phaseMs: number;
  /** The URL measured, or "in-process" for the endpoint this function started. */
  endpoint: string;
}

const DESCRIBE_BATCH = 100;

/**
 * What the local endpoint itself sustains from one SDK client (@aws-sdk/client-ecs, no retries):
 * RunTask calls/s, then DescribeTasks(100 ARNs) calls/s over the tasks it launched. A benchmark
 * prints it as "the endpoint's own ceiling", so a reader can tell whether a figure is ours or the
 * endpoint's. It measures scripted mode only: in process mode every RunTask would start a process.
 * On an endpoint given by `url`, the tasks it launched are stopped again before it returns.
 */
export async function measureEndpointCeiling(options: MeasureCeilingOptions = {}): Promise<EndpointCeiling> {
  const phaseMs = options.phaseMs ?? 3_000;
  const concurrency = options.concurrency ?? 16;
  const own = options.url === undefined ? await startLocalEcs({ execution: 'scripted' }) : undefined;
  const url = own?.url ?? (options.url as string);
  const client = new ECSClient({ region: 'us-east-1', endpoint: url, credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1 });
  const launched: string[] = [];
  try {
    if (!own) await requireScripted(url);
    const runTask = async (): Promise<void> => {
      const out = await client.send(
        new RunTaskCommand({ taskDefinition: 'airflow', overrides: { containerOverrides: [{ name: 'airflow', command: ['sleep', 'infinity'] }] } }),
      );
      for (const task of out.tasks ?? []) if (task.taskArn) launched.push(task.taskArn);
    };
    const runTaskPhase = await forAWhile(phaseMs, concurrency, runTask);
    if (launched.length === 0) throw new Error(`RunTask launched nothing on ${url}: is its task definition family "airflow" there?`);

    let cursor = 0;
    const describe = async (): Promise<void> => {
      const batch = Array.from({ length: Math.min(DESCRIBE_BATCH, launched.length) }, () => launched[cursor++ % launched.length] as string);
      await client.send(new DescribeTasksCommand({ tasks: batch }));
    };
    const describePhase = await forAWhile(phaseMs, concurrency, describe);
    return {
      runTaskPerSecond: (runTaskPhase.calls / phaseMs) * 1000,
      describeTasksPerSecond: (describePhase.calls / phaseMs) * 1000,
      runTaskCpuMs: runTaskPhase.cpuMs / runTaskPhase.calls,
      describeTasksCpuMs: describePhase.cpuMs / describePhase.calls,
      tasksLaunched: launched.length,
      concurrency,
      phaseMs,
      endpoint: own ? 'in-process' : url,
    };
  } finally {
    if (own) {
      await own.stop();
    } else {
      let next = 0;
      const stopOne = async (): Promise<void> => {
        for (let i = next++; i < launched.length; i = next++) await client.send(new StopTaskCommand({ task: launched[i] as string })).catch(() => undefined);
      };
      await Promise.all(Array.from({ length: concurrency }, stopOne));
    }
    client.destroy();
  }
}

/** Runs `call` from `concurrency` loops until `ms` have passed; returns how many calls completed and the CPU time spent. */
async function forAWhile(ms: number, concurrency: number, call: () => Promise<void>): Promise<{ calls: number; cpuMs: number }> {
  const deadline = Date.now() + ms;
  const cpuBefore = process.cpuUsage();
  let completed = 0;
  const loop = async (): Promise<void> => {
    while (Date.now() < deadline) {
      await call();
      completed += 1;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, loop));
  const cpu = process.cpuUsage(cpuBefore);
  return { calls: completed, cpuMs: (cpu.user + cpu.system) / 1000 };
}

async function requireScripted(url: string): Promise<void> {
  const response = await fetch(`${url}/_local/stats`);
  if (!response.ok) throw new Error(`${url} is not a local ECS endpoint (GET /_local/stats answered ${response.status}).`);
  const stats = (await response.json()) as Partial<LocalEcsStats>;
  if (stats.execution !== 'scripted') {
    throw new Error(`${url} runs in ${String(stats.execution)} mode; measure a scripted-mode endpoint, or none to measure a fresh in-process one.`);
  }
}

/** `ts-node src/dev/local-ecs/measure-ceiling.ts [--url U] [--seconds S] [--concurrency C]`: prints the ceiling. */
async function main(): Promise<void> {
  const { values } = parseArgs({ options: { url: { type: 'string' }, seconds: { type: 'string' }, concurrency: { type: 'string' } } });
  const number = (name: string, text: string | undefined): number | undefined => {
    if (text === undefined) return undefined;
    const value = Number(text);
    if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} must be a positive number, got ${text}`);
    return value;
  };
  const seconds = number('seconds', values.seconds);
  const concurrency = number('concurrency', values.concurrency);
  const ceiling = await measureEndpointCeiling({
    ...(values.url !== undefined ? { url: values.url } : {}),
    ...(seconds !== undefined ? { phaseMs: seconds * 1000 } : {}),
    ...(concurrency !== undefined ? { concurrency: Math.round(concurrency) } : {}),
  });
  process.stdout.write(
    `local ECS endpoint ceiling (${ceiling.endpoint}, scripted mode, one client, ${ceiling.concurrency} calls in flight): ` +
      `RunTask ${ceiling.runTaskPerSecond.toFixed(0)} calls/s (${ceiling.runTaskCpuMs.toFixed(2)} ms CPU each), ` +
      `DescribeTasks(100 ARNs) ${ceiling.describeTasksPerSecond.toFixed(0)} calls/s (${ceiling.describeTasksCpuMs.toFixed(2)} ms CPU each) ` +
      `over ${ceiling.tasksLaunched} running tasks\n`,
  );
}

if (require.main === module) {
  main().catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  });
}
