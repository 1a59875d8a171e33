import { status as grpcStatus } from '@grpc/grpc-js';
import { Client, Connection, isGrpcServiceError } from '@temporalio/client';
import pino from 'pino';
import type { EcsExecutorClient } from '../client';
import { loadRuntimeConfig, type RuntimeConfig } from '../settings';
import { dataConverterFor } from '../temporal/codec';
import { temporalConnectConfig } from '../temporal-connection';
import type { CliIo } from './io';
import type { TemporalOptions } from './options';

/** How a run of the CLI behaves beyond its arguments: tests shorten the wait for an unreachable server. */
export interface CliOptions {
  /** How long a command waits for the Temporal server to answer its first call (default 10 s, the SDK's own). */
  connectTimeoutMs?: number;
}

const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;

/** Thrown when the Temporal server named by --address / TEMPORAL_ADDRESS does not answer. */
class TemporalUnreachableError extends Error {
  override readonly name = 'TemporalUnreachable';
}

/** What every command gets: where to write, and a client made from the settings and the flags. */
export interface CliContext {
  io: CliIo;
  /** A client for one command from the settings (ECS_EXECUTOR_*, TEMPORAL_*) and the flags; closed when `body` ends. */
  withClient<R>(options: TemporalOptions, body: (client: EcsExecutorClient, runtime: RuntimeConfig) => Promise<R>): Promise<R>;
}

export function cliContext(io: CliIo, cliOptions: CliOptions = {}): CliContext {
  return {
    io,
    async withClient(options, body) {
      // Settings first, then the address: a bad value is a configuration error before any connection is tried.
      const runtime = loadRuntimeConfig();
      const { connectionOptions, namespace } = temporalConnectConfig(options);
      const address = connectionOptions.address ?? 'localhost:7233';
      const where = `Temporal at ${address} (namespace "${namespace}"; address from ${addressSource(options)})`;
      const timeoutMs = cliOptions.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
      let connection: Connection;
      try {
        connection = await Connection.connect({ ...connectionOptions, connectTimeout: timeoutMs });
      } catch (err) {
        throw new TemporalUnreachableError(
          `cannot reach ${where} within ${timeoutMs / 1000} s: ${describe(err)}. ` +
            'Check that the server runs and that --address or TEMPORAL_ADDRESS names it (host:port).',
          { cause: err },
        );
      }
      try {
        // Loaded here, not at start: --help, --version and usage errors need none of the client's modules.
        const { EcsExecutorClient } = await import('../client');
        const client = await EcsExecutorClient.connect({
          client: new Client({ connection, namespace, dataConverter: dataConverterFor(runtime.codecKeyRing) }),
          settings: { taskQueue: runtime.taskQueue, executorName: runtime.executorName, syncLagMs: runtime.syncLagMs, logLevel: runtime.logLevel },
          logger: cliLogger(io, process.env.ECS_EXECUTOR_LOG_LEVEL ? runtime.logLevel : 'warn'),
        });
        return await body(client, runtime);
      } catch (err) {
        // The server went away mid-command: say which one.
        if (grpcCode(err) === grpcStatus.UNAVAILABLE) throw new TemporalUnreachableError(`${where} became unavailable: ${describe(err)}`, { cause: err });
        throw err;
      } finally {
        await connection.close();
      }
    },
  };
}

function addressSource(options: TemporalOptions): string {
  if (options.address !== undefined) return '--address';
  if (process.env.TEMPORAL_ADDRESS) return 'TEMPORAL_ADDRESS';
  return 'the default or the Temporal profile (TEMPORAL_PROFILE, TEMPORAL_CONFIG_FILE)';
}

function describe(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause = err.cause instanceof Error ? err.cause.message : undefined;
  return cause !== undefined && cause !== err.message ? `${err.message} (${cause})` : err.message;
}

/** The gRPC status code of an error or of its cause (the SDK wraps gRPC errors in ServiceError). */
function grpcCode(err: unknown): number | undefined {
  for (let e: unknown = err, depth = 0; e !== undefined && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    if (isGrpcServiceError(e)) return e.code;
    if (!(e instanceof Error)) return undefined;
  }
  return undefined;
}

const LEVEL_NAMES: Record<number, string> = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warning', 50: 'error', 60: 'fatal' };

/**
 * The client's log for a command: human lines on stderr (through `io`, so stdout carries only the
 * command's output, e.g. one JSON document). Only warnings and errors unless ECS_EXECUTOR_LOG_LEVEL
 * asks for more: the command prints what it did itself.
 */
function cliLogger(io: CliIo, level: string): pino.Logger {
  return pino(
    { name: 'ecs-executor', level, base: undefined, timestamp: false },
    {
      write(line: string) {
        let record: Record<string, unknown>;
        try {
          record = JSON.parse(line) as Record<string, unknown>;
        } catch {
          io.err(line);
          return;
        }
        const { level: n, msg, err, name: _name, ...rest } = record;
        const error = err !== null && typeof err === 'object' && 'message' in err ? `: ${String((err as { message: unknown }).message)}` : '';
        const extra = Object.keys(rest).length > 0 ? ` ${JSON.stringify(rest)}` : '';
        io.err(`${LEVEL_NAMES[n as number] ?? 'log'}: ${String(msg ?? '')}${error}${extra}\n`);
      },
    },
  );
}
