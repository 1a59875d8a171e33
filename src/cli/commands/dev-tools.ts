import type { Command } from 'commander';
import { ConfigError } from '../../errors';
import { loadRuntimeConfig } from '../../settings';
import type { CliContext } from '../context';
import { wholeNumber } from '../options';

function waitForShutdownSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });
}

/** Commands for development and operators' tools; their modules load only when the command runs. */
export function registerDevCommands(program: Command, { io }: CliContext): void {
  program
    .command('local-ecs')
    .summary('serve the local ECS-compatible endpoint (development and tests)')
    .description('Serve the local ECS-compatible endpoint (development and tests only) until SIGINT/SIGTERM')
    .option('--port <port>', 'port (0 picks a free one)', '4566')
    .option('--host <host>', 'address to bind', '127.0.0.1')
    .option('--config <file>', 'JSON file with clusters, task definitions and faults')
    .option('--log-dir <dir>', 'where per-task log files go')
    .option('--scripted', 'run no processes: container commands like `sleep 20` are played (for large benchmarks)')
    .action(async (options: { port: string; host: string; config?: string; logDir?: string; scripted?: boolean }) => {
      // Arguments first: a usage error should not wait for the emulator's modules to load.
      const port = wholeNumber('--port', options.port, { max: 65535 });
      const [{ startLocalEcs }, { createLogger }] = await Promise.all([import('../../dev/local-ecs'), import('../../logger')]);
      const logger = createLogger(process.env.ECS_EXECUTOR_LOG_LEVEL ?? 'info', 'local-ecs');
      const ecs = await startLocalEcs({
        port,
        host: options.host,
        ...(options.config !== undefined ? { config: options.config } : {}),
        ...(options.logDir !== undefined ? { logDir: options.logDir } : {}),
        ...(options.scripted ? { execution: 'scripted' as const } : {}),
        logger,
      });
      io.out(`local ECS endpoint at ${ecs.url} (logs in ${ecs.logDir}); set ECS_EXECUTOR_ENDPOINT_URL=${ecs.url}\n`);
      await waitForShutdownSignal();
      await ecs.stop();
    });

  program
    .command('demo')
    .summary('the one-command demo (dev server, local ECS, worker, sample tasks)')
    .description('The one-command demo: Temporal dev server + Web UI, local ECS endpoint, a worker and sample tasks, live')
    .option('--exit', 'exit after the summary (exit code 1 when a sample did not end as expected) instead of staying up until Ctrl-C')
    .option('--temporal-port <port>', 'Temporal frontend port (default 7233, or a free one when taken)')
    .option('--ui-port <port>', 'Temporal Web UI port (default 8233, or a free one when taken)')
    .action(async (options: { exit?: boolean; temporalPort?: string; uiPort?: string }) => {
      const ports = {
        ...(options.temporalPort !== undefined ? { temporalPort: wholeNumber('--temporal-port', options.temporalPort, { min: 1, max: 65535 }) } : {}),
        ...(options.uiPort !== undefined ? { uiPort: wholeNumber('--ui-port', options.uiPort, { min: 1, max: 65535 }) } : {}),
      };
      const { runDemo } = await import('../../dev/demo/run-demo');
      io.exitCode = await runDemo({ exitAfterSummary: options.exit ?? false, ...ports });
    });

  program
    .command('codec-server')
    .summary('serve the payload codec for the Temporal UI and CLI')
    .description('Serve the payload codec for the Temporal UI and CLI (Remote Codec Endpoint), with the ECS_EXECUTOR_CODEC_* keys')
    .option('--port <port>', 'port (0 picks a free one)', '8888')
    .option('--host <host>', 'address to bind', '127.0.0.1')
    .option('--cors-origin <origin...>', 'browser origins allowed (default: the dev server UI, http://localhost:8233 and http://127.0.0.1:8233)')
    .option('--insecure-no-token', 'serve without ECS_EXECUTOR_CODEC_SERVER_TOKEN (only on a loopback address, for a local UI that cannot send a token)')
    .action(async (options: { port: string; host: string; corsOrigin?: string[]; insecureNoToken?: boolean }) => {
      const port = wholeNumber('--port', options.port, { max: 65535 });
      const runtime = loadRuntimeConfig();
      if (runtime.codecKeyRing === undefined) {
        throw new ConfigError('codec-server needs the payload keys: set ECS_EXECUTOR_CODEC_KEY_FILE, or ECS_EXECUTOR_CODEC_KEY (and ECS_EXECUTOR_CODEC_KEY_ID)');
      }
      const [{ startCodecServer }, { createLogger }] = await Promise.all([import('../../temporal/codec-server'), import('../../logger')]);
      const server = await startCodecServer({
        port,
        host: options.host,
        keyRing: runtime.codecKeyRing,
        token: runtime.codecServerToken,
        insecureNoToken: options.insecureNoToken ?? false,
        ...(options.corsOrigin !== undefined ? { corsOrigins: options.corsOrigin } : {}),
        logger: createLogger(runtime.logLevel, 'codec-server'),
      });
      io.out(`codec server at ${server.url}: set it as the Temporal UI's Remote Codec Endpoint, or pass --codec-endpoint ${server.url} to the temporal CLI\n`);
      await waitForShutdownSignal();
      await server.stop();
    });
}
