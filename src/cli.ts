import { Command, CommanderError, Option } from 'commander';
import { EcsExecutorClient, InvalidTaskError, type TaskSummary } from './client';
import { ConfigError, envVarsHelp, loadExecutorConfig, loadRuntimeConfig } from './config';
import { runDemo } from './demo/run-demo';
import { startLocalEcs } from './local-ecs';
import { createLogger, installTemporalLogger } from './logger';
import { DEFAULT_TERMINATE_REASON, type AirflowTaskResult, type AirflowTaskStatus } from './messages';
import { InvalidExecutorConfigError } from './rules/task-run-input';
import { InvalidTaskCommandError, workloadCommand } from './rules/workload-command';
import { AIRFLOW_STATES, type TaskInstanceKeyInput } from './types';
import { createEcsWorker } from './worker';

/**
 * `ecs-executor`: the command line over the client and the worker. Exit codes scripts can rely on:
 */
export const ExitCode = {
  OK: 0,
  /** The task failed (wait), ECS is unhealthy (health), or a runtime error. */
  FAILED: 1,
  /** Bad arguments or bad configuration: nothing was done. */
  USAGE: 2,
  /** Not found / not adopted. */
  NOT_FOUND: 3,
} as const;

class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}

interface KeyOptions {
  dagId: string;
  taskId: string;
  runId: string;
  tryNumber: string;
  mapIndex: string;
}

interface TemporalOptions {
  address?: string;
  namespace?: string;
}

/** The task instance key flags; `required: false` where another flag (terminate --all) can stand in for them. */
function withKeyOptions(command: Command, { required = true } = {}): Command {
  return command
    .addOption(new Option('--dag-id <id>', 'Airflow dag_id').makeOptionMandatory(required))
    .addOption(new Option('--task-id <id>', 'Airflow task_id').makeOptionMandatory(required))
    .addOption(new Option('--run-id <id>', 'Airflow run_id').makeOptionMandatory(required))
    .option('--try-number <n>', 'Airflow try_number', '1')
    .option('--map-index <n>', 'Airflow map_index (-1 when the task is not mapped)', '-1');
}

function withTemporalOptions(command: Command): Command {
  return command
    .option('--address <host:port>', 'Temporal frontend address (default: TEMPORAL_ADDRESS or localhost:7233)')
    .option('--namespace <ns>', 'Temporal namespace (default: TEMPORAL_NAMESPACE or default)');
}

function parseKey(options: KeyOptions): TaskInstanceKeyInput {
  return {
    dagId: options.dagId,
    taskId: options.taskId,
    runId: options.runId,
    tryNumber: wholeNumber('--try-number', options.tryNumber),
    mapIndex: wholeNumber('--map-index', options.mapIndex),
  };
}

function wholeNumber(flag: string, value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n)) throw new CliError(`${flag} must be a whole number, got "${value}"`, ExitCode.USAGE);
  return n;
}

function parseJsonObject(flag: string, value: string | undefined): unknown {
  if (value === undefined) return undefined;
  try {
    return JSON.parse(value) as unknown;
  } catch (err) {
    throw new CliError(`${flag} must be JSON (e.g. '{"overrides": {...}}'): ${(err as Error).message}`, ExitCode.USAGE);
  }
}

async function withClient<R>(options: TemporalOptions, body: (client: EcsExecutorClient) => Promise<R>): Promise<R> {
  const client = await EcsExecutorClient.connect({ temporal: { address: options.address, namespace: options.namespace } });
  try {
    return await body(client);
  } finally {
    await client.close();
  }
}

function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** Prints a finished task's outcome; a task that did not succeed makes the exit code 1. */
function reportResult(result: AirflowTaskResult, json?: boolean): void {
  if (json) printJson(result);
  else process.stdout.write(`${result.state}: ${result.reason}\n`);
  if (result.state !== 'SUCCESS') process.exitCode = ExitCode.FAILED;
}

function table(rows: string[][]): string {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  return rows.map((r) => r.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join('  ').trimEnd()).join('\n');
}

function formatStatus(status: AirflowTaskStatus): string {
  const k = status.key;
  const lines = [
    `task      ${k.dagId}.${k.taskId} run=${k.runId} try=${k.tryNumber} map_index=${k.mapIndex}`,
    `state     ${status.state} (${status.phase})${status.terminateRequested ? ` terminate requested: ${status.terminateReason}` : ''}`,
    `attempt   ${status.attempt} of ${status.maxAttempts}${status.nextAttemptAt ? `, next at ${status.nextAttemptAt}` : ''}`,
    `ecs task  ${status.taskArn ?? '-'} (${status.lastStatus ?? '-'}) on ${status.cluster}`,
    '',
    table([
      ['ATTEMPT', 'OUTCOME', 'ECS STATUS', 'STOP CODE', 'EXIT CODES', 'TASK ARN'],
      ...status.attempts.map((a) => [
        String(a.attempt),
        a.outcome ?? '-',
        a.lastStatus ?? '-',
        a.stopCode ?? '-',
        a.containers.map((c) => `${c.name ?? '?'}=${c.exitCode ?? '-'}`).join(',') || '-',
        a.taskArn ?? '-',
      ]),
    ]),
    '',
    'events:',
    ...status.events.map((e) => `  ${e.at} ${e.level.toUpperCase().padEnd(7)} ${e.message}`),
  ];
  return lines.join('\n');
}

function formatList(rows: TaskSummary[]): string {
  if (rows.length === 0) return 'no tasks';
  return table([
    ['DAG', 'TASK', 'RUN', 'TRY', 'MAP', 'STATE', 'WORKFLOW', 'ECS TASK'],
    ...rows.map((r) => [
      r.key?.dagId ?? '-',
      r.key?.taskId ?? '-',
      r.key?.runId ?? '-',
      String(r.key?.tryNumber ?? '-'),
      String(r.key?.mapIndex ?? '-'),
      r.state ?? '-',
      r.status,
      r.taskArn ?? '-',
    ]),
  ]);
}

function waitForShutdownSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });
}

export function buildProgram(): Command {
  const program = new Command('ecs-executor')
    .description("Apache Airflow's ECS executor as durable Temporal workflows")
    .showHelpAfterError()
    .addHelpText(
      'after',
      `\nExit codes: 0 ok, 1 task failed / unhealthy / runtime error, 2 bad arguments or configuration, 3 not found / not adopted.\n\nEnvironment:\n${envVarsHelp()}\n  TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_API_KEY, TEMPORAL_TLS*, TEMPORAL_PROFILE: Temporal connection (Temporal's own conventions).`,
    );

  withTemporalOptions(
    program
      .command('worker')
      .description('Run a worker: executes task workflows and the ECS activities until SIGINT/SIGTERM')
      .option('--task-queue <name>', 'Task queue (default: ECS_EXECUTOR_TASK_QUEUE)')
      .option('--check-health', 'Run the ECS health check before polling; refuse to start when unhealthy'),
  ).action(async (options: TemporalOptions & { taskQueue?: string; checkHealth?: boolean }) => {
    const runtime = loadRuntimeConfig();
    const executor = loadExecutorConfig();
    const logger = createLogger(runtime.logLevel, 'ecs-executor-worker');
    installTemporalLogger(logger);
    const worker = await createEcsWorker({
      runtime: { ...runtime, taskQueue: options.taskQueue ?? runtime.taskQueue },
      executor,
      temporal: { address: options.address, namespace: options.namespace },
      checkHealth: options.checkHealth,
      logger,
    });
    logger.info({ taskQueue: options.taskQueue ?? runtime.taskQueue }, 'worker started');
    await worker.run();
    logger.info('worker stopped');
  });

  withTemporalOptions(
    withKeyOptions(
      program
        .command('submit')
        .description("Submit a task instance (Airflow's execute_async); the same key again attaches to the first submission")
        .argument('[command...]', 'the Airflow command to run in the container (after --)')
        .option('--workload <json>', "an Airflow 3 workload JSON: runs 'python -m airflow.sdk.execution_time.execute_workload --json-string <json>'")
        .option('--queue <name>', 'Airflow queue')
        .option('--executor-config <json>', 'per-task executor_config: RunTask arguments merged over the template')
        .option('--wait', 'wait for the task to finish; exit 1 when it failed')
        .option('--json', 'print JSON'),
    ),
  ).action(
    async (
      command: string[],
      options: KeyOptions & TemporalOptions & { workload?: string; queue?: string; executorConfig?: string; wait?: boolean; json?: boolean },
    ) => {
      if (options.workload !== undefined && command.length > 0) {
        throw new CliError('give either --workload or a command after --, not both', ExitCode.USAGE);
      }
      const argv = options.workload !== undefined ? workloadCommand(options.workload) : command;
      if (argv.length === 0) throw new CliError('no command: give the command after -- or --workload <json>', ExitCode.USAGE);
      const key = parseKey(options);
      const executorConfig = parseJsonObject('--executor-config', options.executorConfig);
      await withClient(options, async (client) => {
        const submitted = await client.executeAsync(key, argv, options.queue, executorConfig);
        if (options.json) printJson(submitted);
        else process.stdout.write(`${submitted.attached ? 'attached to' : 'submitted'} ${submitted.workflowId}\n`);
        if (options.wait) reportResult(await client.result(key), options.json);
      });
    },
  );

  withTemporalOptions(withKeyOptions(program.command('status').description("One task's state, attempts and events").option('--json', 'print JSON'))).action(
    async (options: KeyOptions & TemporalOptions & { json?: boolean }) => {
      const key = parseKey(options);
      await withClient(options, async (client) => {
        const status = await client.status(key).catch(notFound('no task workflow for this key'));
        if (options.json) printJson(status);
        else process.stdout.write(`${formatStatus(status)}\n`);
      });
    },
  );

  withTemporalOptions(
    program
      .command('list')
      .description("This executor's task workflows, newest first")
      .addOption(new Option('--state <state>', 'only tasks in this Airflow state').choices(AIRFLOW_STATES))
      .option('--dag-id <id>', 'only this DAG')
      .option('--running', 'only running workflows')
      .option('--limit <n>', 'at most this many rows', '50')
      .option('--json', 'print JSON'),
  ).action(async (options: TemporalOptions & { state?: string; dagId?: string; running?: boolean; limit: string; json?: boolean }) => {
    const limit = wholeNumber('--limit', options.limit);
    const filters = [
      options.state ? `AirflowState = '${options.state}'` : undefined,
      options.dagId ? `AirflowDagId = '${options.dagId.replace(/'/g, "\\'")}'` : undefined,
      options.running ? `ExecutionStatus = 'Running'` : undefined,
    ].filter((f): f is string => f !== undefined);
    await withClient(options, async (client) => {
      const rows = await client.list({ extraQuery: filters.length ? filters.join(' AND ') : undefined, limit });
      if (options.json) printJson(rows);
      else process.stdout.write(`${formatList(rows)}\n`);
    });
  });

  withTemporalOptions(withKeyOptions(program.command('wait').description('Wait for a task to finish; exit 0 on SUCCESS, 1 on FAILED').option('--json', 'print JSON'))).action(
    async (options: KeyOptions & TemporalOptions & { json?: boolean }) => {
      const key = parseKey(options);
      await withClient(options, async (client) => {
        reportResult(await client.result(key).catch(notFound('no task workflow for this key')), options.json);
      });
    },
  );

  withTemporalOptions(
    withKeyOptions(
      program
        .command('adopt')
        .description("Adopt a running ECS task after a scheduler restart (Airflow's try_adopt_task_instances); exit 3 when not adopted")
        .requiredOption('--arn <taskArn>', "the ECS task ARN (Airflow's external_executor_id)"),
    ),
  ).action(async (options: KeyOptions & TemporalOptions & { arn: string }) => {
    const key = parseKey(options);
    await withClient(options, async (client) => {
      const notAdopted = await client.tryAdoptTaskInstances([{ key, externalExecutorId: options.arn }]);
      if (notAdopted.length > 0) throw new CliError(`not adopted: ECS does not know ${options.arn}`, ExitCode.NOT_FOUND);
      process.stdout.write(`adopted ${options.arn}\n`);
    });
  });

  withTemporalOptions(
    withKeyOptions(
      program
        .command('terminate')
        .description('Stop one task (key flags) or, with --all, every running task of this executor, then wait for them to end'),
      { required: false },
    )
      .option('--all', "every running task of this executor (Airflow's terminate())")
      .option('--reason <text>', 'StopTask reason', DEFAULT_TERMINATE_REASON),
  ).action(async (options: Partial<KeyOptions> & TemporalOptions & { all?: boolean; reason: string }) => {
    if (!options.all && !(options.dagId && options.taskId && options.runId)) {
      throw new CliError('give --dag-id, --task-id and --run-id for one task, or --all', ExitCode.USAGE);
    }
    const key = options.all ? undefined : parseKey(options as KeyOptions);
    await withClient(options, async (client) => {
      if (!key) {
        await client.terminate(options.reason, { pollIntervalMs: 1000 });
        process.stdout.write('every running task is terminated\n');
        return;
      }
      await client.terminateTask(key, options.reason).catch(notFound('no running task workflow for this key'));
      const result = await client.result(key);
      process.stdout.write(`${result.state}: ${result.reason}\n`);
    });
  });

  withTemporalOptions(program.command('health').description("ECS health check (Airflow's check_health); exit 0 healthy, 1 unhealthy")).action(
    async (options: TemporalOptions) => {
      await withClient(options, async (client) => {
        const health = await client.checkHealth();
        process.stdout.write(`${health.healthy ? 'healthy' : 'unhealthy'}: ${health.message}\n`);
        if (!health.healthy) process.exitCode = ExitCode.FAILED;
      });
    },
  );

  program
    .command('local-ecs')
    .description('Serve the local ECS-compatible endpoint (development and tests only) until SIGINT/SIGTERM')
    .option('--port <port>', 'port (0 picks a free one)', '4566')
    .option('--host <host>', 'address to bind', '127.0.0.1')
    .option('--config <file>', 'JSON file with clusters, task definitions and faults')
    .option('--log-dir <dir>', 'where per-task log files go')
    .action(async (options: { port: string; host: string; config?: string; logDir?: string }) => {
      const logger = createLogger(process.env.ECS_EXECUTOR_LOG_LEVEL ?? 'info', 'local-ecs');
      const ecs = await startLocalEcs({ port: wholeNumber('--port', options.port), host: options.host, config: options.config, logDir: options.logDir, logger });
      process.stdout.write(`local ECS endpoint at ${ecs.url} (logs in ${ecs.logDir}); set ECS_EXECUTOR_ENDPOINT_URL=${ecs.url}\n`);
      await waitForShutdownSignal();
      await ecs.stop();
    });

  program
    .command('demo')
    .description('The one-command demo: Temporal dev server + Web UI, local ECS endpoint, a worker and sample tasks, live')
    .option('--exit', 'exit after the summary (exit code 1 when a sample did not end as expected) instead of staying up until Ctrl-C')
    .option('--temporal-port <port>', 'Temporal frontend port (default 7233, or a free one when taken)')
    .option('--ui-port <port>', 'Temporal Web UI port (default 8233, or a free one when taken)')
    .action(async (options: { exit?: boolean; temporalPort?: string; uiPort?: string }) => {
      process.exitCode = await runDemo({
        exitAfterSummary: options.exit ?? false,
        temporalPort: options.temporalPort === undefined ? undefined : wholeNumber('--temporal-port', options.temporalPort),
        uiPort: options.uiPort === undefined ? undefined : wholeNumber('--ui-port', options.uiPort),
      });
    });

  return program;
}

function notFound(message: string) {
  return (err: unknown): never => {
    const name = (err as Error).name;
    if (name === 'WorkflowNotFoundError') throw new CliError(message, ExitCode.NOT_FOUND);
    throw err;
  };
}

/** Runs the CLI; returns the exit code instead of exiting, so it can be tested. */
export async function runCli(argv: string[]): Promise<number> {
  const program = buildProgram();
  program.exitOverride();
  for (const command of program.commands) command.exitOverride();
  try {
    await program.parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : ExitCode.OK;
  } catch (err) {
    if (err instanceof CommanderError) {
      // Help and version are not errors; commander already printed the usage message.
      return err.exitCode === 0 ? ExitCode.OK : ExitCode.USAGE;
    }
    if (err instanceof CliError) {
      process.stderr.write(`error: ${err.message}\n`);
      return err.exitCode;
    }
    if (err instanceof ConfigError || err instanceof InvalidExecutorConfigError || err instanceof InvalidTaskCommandError || err instanceof InvalidTaskError) {
      process.stderr.write(`error: ${(err as Error).message}\n`);
      return ExitCode.USAGE;
    }
    process.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
    return ExitCode.FAILED;
  }
}

if (require.main === module) {
  void runCli(process.argv.slice(2)).then((code) => process.exit(code));
}
