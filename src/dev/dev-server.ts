import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { Connection } from '@temporalio/client';
import { TypedSearchAttributes } from '@temporalio/common';
import { ALL_SEARCH_ATTRIBUTES } from '../contract/search-attributes';
import { temporalCliPath } from './temporal-binaries';

/**
 * Starts `temporal server start-dev` ourselves instead of through the SDK, which gives a server
 * only 5 seconds to come up: too short on a loaded 2-core machine. We wait as long as it takes
 * (bounded by `readyTimeoutMs`) and register our search attributes on the command line.
 */

export interface DevServerOptions {
  port?: number;
  uiPort?: number;
  /** Web UI on (default) or headless. */
  ui?: boolean;
  /** SQLite file to persist to; in-memory when omitted. */
  dbFilename?: string;
  namespace?: string;
  readyTimeoutMs?: number;
  /** Serve Prometheus metrics on this port (the benchmark counts RPCs there). */
  metricsPort?: number;
}

export interface DevServer {
  address: string;
  /** The server process, for CPU and memory figures. */
  pid: number;
  namespace: string;
  uiUrl?: string;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** `port` when it is free, else any free port. */
export async function preferredPort(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', () => void freePort().then(resolve, reject));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(port)));
  });
}

/**
 * Workflows whose state the server keeps in memory. The CLI's dev server sets 8,096 (the server's
 * own default is 128,000): fewer than the 10,000 tasks one worker tracks, so a workflow woken after
 * its eviction was read back from the database first: 3.5 loads a workflow at 10,000 tracked tasks,
 * one with this size, in about the same server memory (docs/design.md).
 */
export const HISTORY_CACHE_ENTRIES = 32_768;

/**
 * The CLI's dev server turns on `system.forceSearchAttributesCacheRefreshOnRead`, so that a search
 * attribute created while it runs is usable at once. Every lookup of the namespace's search
 * attributes then reads the cluster metadata from the database: about 14 such reads and 6
 * namespace reads a task, on the one SQLite connection every other write waits for. We register
 * all our attributes when the server starts (`--search-attribute`, written before it serves), so
 * the server's own 60 s cache is always right for us. Turning the refresh off took 3.1–4.5 ms of
 * server CPU off each task and raised launch by 10–22 % (docs/design.md).
 */
const DEV_SERVER_DYNAMIC_CONFIG: Readonly<Record<string, string | number | boolean>> = {
  'history.hostLevelCacheMaxSize': HISTORY_CACHE_ENTRIES,
  'system.forceSearchAttributesCacheRefreshOnRead': false,
};

/** The `temporal` command line for a dev server on `port`, everything bound to 127.0.0.1. */
export function devServerArgs(options: Pick<DevServerOptions, 'uiPort' | 'dbFilename' | 'metricsPort'> & { port: number; namespace: string }): string[] {
  const args = ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(options.port), '--namespace', options.namespace, '--log-level', 'error'];
  if (options.uiPort !== undefined) args.push('--ui-port', String(options.uiPort), '--ui-ip', '127.0.0.1');
  else args.push('--headless');
  if (options.dbFilename) args.push('--db-filename', options.dbFilename);
  if (options.metricsPort !== undefined) args.push('--metrics-port', String(options.metricsPort));
  for (const [key, value] of Object.entries(DEV_SERVER_DYNAMIC_CONFIG)) args.push('--dynamic-config-value', `${key}=${JSON.stringify(value)}`);
  for (const key of ALL_SEARCH_ATTRIBUTES) {
    args.push('--search-attribute', `${key.name}=${TypedSearchAttributes.toMetadataType(key.type)}`);
  }
  return args;
}

export async function startDevServer(options: DevServerOptions = {}): Promise<DevServer> {
  const port = options.port ?? (await freePort());
  const namespace = options.namespace ?? 'default';
  const ui = options.ui ?? true;
  const uiPort = ui ? (options.uiPort ?? (await freePort())) : undefined;
  const args = devServerArgs({ port, namespace, uiPort, dbFilename: options.dbFilename, metricsPort: options.metricsPort });
  const child = spawn(temporalCliPath(), args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const address = `127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
  };
  try {
    await waitUntilReady(address, namespace, options.readyTimeoutMs ?? 60_000, exited, () => stderr);
  } catch (err) {
    await stop();
    throw err;
  }
  return { address, namespace, pid: child.pid ?? 0, uiUrl: uiPort ? `http://127.0.0.1:${uiPort}` : undefined, stop };
}

async function waitUntilReady(
  address: string,
  namespace: string,
  timeoutMs: number,
  exited: Promise<number | null>,
  stderr: () => string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exitCode: number | null | undefined;
  void exited.then((code) => {
    exitCode = code;
  });
  let lastError: unknown;
  while (Date.now() < deadline) {
    if (exitCode !== undefined) {
      throw new Error(`the Temporal dev server exited with code ${exitCode} before it was ready:\n${stderr()}`);
    }
    try {
      const connection = await Connection.connect({ address, connectTimeout: 2_000 });
      try {
        await connection.workflowService.describeNamespace({ namespace });
        return;
      } finally {
        await connection.close();
      }
    } catch (err) {
      lastError = err;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  throw new Error(`the Temporal dev server at ${address} was not ready after ${timeoutMs} ms: ${String(lastError)}\n${stderr()}`);
}
