import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdirSync } from 'node:fs';
import { once } from 'node:events';
import path from 'node:path';
import { freePort, startDevServer, type DevServer } from '../../src/dev/dev-server';
import { readProcCpu, readProcMemory } from './proc-stats';

/**
 * The processes a benchmark run measures, each its own process so that its CPU and memory are its
 * own: the Temporal dev server (with a metrics port), the local ECS endpoint in scripted mode, and
 * our worker (`ecs-executor worker`, default settings). The client is the benchmark process.
 */

export const REPO = path.resolve(__dirname, '..', '..');

/**
 * Our processes run compiled, as users run them (`npm run build`), not through ts-node: its
 * compiler would add ~100 MiB and start-up CPU to every figure. Built into .cache/bench/pkg (laid
 * out like the package), never into lib/, which bin/ecs-executor would prefer over the sources.
 */
const PKG = path.join(REPO, '.cache', 'bench', 'pkg');
let cli = path.join(REPO, 'bin', 'ecs-executor');

export function buildCompiled(): void {
  mkdirSync(path.join(PKG, 'bin'), { recursive: true });
  execFileSync(process.execPath, [path.join(REPO, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', path.join(REPO, 'tsconfig.build.json'), '--outDir', path.join(PKG, 'lib')], { stdio: 'inherit' });
  copyFileSync(path.join(REPO, 'bin', 'ecs-executor'), path.join(PKG, 'bin', 'ecs-executor'));
  copyFileSync(path.join(REPO, 'package.json'), path.join(PKG, 'package.json'));
  cli = path.join(PKG, 'bin', 'ecs-executor');
}
const CREDENTIALS = { AWS_ACCESS_KEY_ID: 'bench', AWS_SECRET_ACCESS_KEY: 'bench', AWS_REGION: 'us-east-1' };

export interface Proc {
  name: string;
  pid: number;
  /** user+system CPU seconds so far. */
  cpu(): number;
  /** Peak resident memory (VmHWM) so far, bytes. */
  peakRss(): number;
  stop(): Promise<void>;
}

function procOf(name: string, pid: number, stop: () => Promise<void>): Proc {
  return {
    name,
    pid,
    cpu: () => readProcCpu(pid).cpuSeconds,
    peakRss: () => readProcMemory(pid).peakRssBytes,
    stop,
  };
}

export async function startTemporal(): Promise<{ server: DevServer; proc: Proc; metricsPort: number }> {
  const metricsPort = await freePort();
  const server = await startDevServer({ ui: false, metricsPort, readyTimeoutMs: 120_000 });
  return { server, metricsPort, proc: procOf('temporal', server.pid, () => server.stop()) };
}

/** Spawns `bin/ecs-executor <args>` with `env`; resolves once `ready` matches a line of its stdout. */
async function spawnCli(name: string, args: string[], env: Record<string, string>, ready: RegExp, log: (line: string) => void): Promise<{ child: ChildProcess; match: RegExpMatchArray }> {
  // BENCH_PROFILE_DIR=<dir> writes a V8 CPU profile of each of our processes there (open it in Chrome DevTools).
  const profile = process.env.BENCH_PROFILE_DIR ? [`--cpu-prof`, `--cpu-prof-dir=${process.env.BENCH_PROFILE_DIR}`] : [];
  const child = spawn(process.execPath, [...profile, cli, ...args], {
    env: { ...process.env, ...CREDENTIALS, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-8000);
  });
  return new Promise((resolve, reject) => {
    let buffered = '';
    const timer = setTimeout(() => reject(new Error(`${name} did not start within 120 s:\n${stderr}`)), 120_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited with code ${code} before it was ready:\n${stderr}`));
    });
    child.stdout?.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const match = ready.exec(buffered);
      if (match) {
        clearTimeout(timer);
        child.removeAllListeners('exit');
        child.stdout?.removeAllListeners('data');
        child.stdout?.resume();
        child.on('exit', (code, signal) => {
          if (code !== 0 && signal === null) log(`${name} exited with code ${code}:\n${stderr}`);
        });
        resolve({ child, match });
      }
    });
  });
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  await once(child, 'exit');
  clearTimeout(timer);
}

export async function startLocalEcsProcess(log: (line: string) => void): Promise<{ url: string; proc: Proc }> {
  const { child, match } = await spawnCli('local ECS', ['local-ecs', '--scripted', '--port', '0'], { ECS_EXECUTOR_LOG_LEVEL: 'warn' }, /local ECS endpoint at (http:\/\/[^\s]+)/, log);
  return { url: match[1]!, proc: procOf('local ECS', child.pid!, () => stopChild(child)) };
}

/** Our worker with default settings: only what it must know (where Temporal and ECS are, the cluster) is set. */
export async function startWorkerProcess(args: {
  temporalAddress: string;
  ecsUrl: string;
  taskQueue: string;
  bundlePath: string;
  settings?: Record<string, string>;
  log: (line: string) => void;
}): Promise<Proc> {
  const env = {
    TEMPORAL_ADDRESS: args.temporalAddress,
    ECS_EXECUTOR_ENDPOINT_URL: args.ecsUrl,
    ECS_EXECUTOR_CLUSTER: 'default',
    ECS_EXECUTOR_CONTAINER_NAME: 'airflow',
    ECS_EXECUTOR_TASK_DEFINITION: 'airflow',
    ECS_EXECUTOR_REGION_NAME: 'us-east-1',
    ECS_EXECUTOR_TASK_QUEUE: args.taskQueue,
    ECS_EXECUTOR_WORKFLOW_BUNDLE: args.bundlePath,
    ECS_EXECUTOR_LOG_LEVEL: 'info',
    ...args.settings,
  };
  const { child } = await spawnCli('worker', ['worker'], env, /"msg":"worker started"/, args.log);
  return procOf('worker', child.pid!, () => stopChild(child));
}
