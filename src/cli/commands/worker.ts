import type { Command } from 'commander';
import { loadExecutorConfig, loadRuntimeConfig } from '../../settings';
import type { CliContext } from '../context';
import { withTemporalOptions, type TemporalOptions } from '../options';

export function registerWorker(program: Command, _context: CliContext): void {
  withTemporalOptions(
    program
      .command('worker')
      .summary('run a worker (task workflows, ECS calls, observers) until SIGINT/SIGTERM')
      .description("Run a worker: the task workflows, their ECS calls and the clusters' observers, until SIGINT/SIGTERM")
      .option('--task-queue <name>', 'Temporal task queue to poll (default: ECS_EXECUTOR_TASK_QUEUE)')
      .option('--no-check-health', 'skip the ECS health check at start (otherwise it runs when ECS_EXECUTOR_CHECK_HEALTH_ON_STARTUP is true, the default)'),
  ).action(async (options: TemporalOptions & { taskQueue?: string; checkHealth: boolean }) => {
    const runtime = loadRuntimeConfig();
    const executor = loadExecutorConfig();
    // The worker SDK (a native module) and the ECS client load only here: the client commands never need them.
    const [{ createLogger }, { installTemporalLogger }, { dataConverterFor }, { createEcsWorker }] = await Promise.all([
      import('../../logger'),
      import('../../worker-logging'),
      import('../../temporal/codec'),
      import('../../worker'),
    ]);
    const logger = createLogger(runtime.logLevel, 'ecs-executor-worker');
    installTemporalLogger(logger);
    const taskQueue = options.taskQueue ?? runtime.taskQueue;
    const worker = await createEcsWorker({
      runtime: { ...runtime, taskQueue },
      executor,
      temporal: { address: options.address, namespace: options.namespace },
      // commander sets checkHealth false only for --no-check-health.
      checkHealth: options.checkHealth ? executor.checkHealthOnStartup : false,
      dataConverter: dataConverterFor(runtime.codecKeyRing),
      logger,
    });
    logger.info({ taskQueue, cluster: executor.cluster, encrypted: runtime.codecKeyRing !== undefined }, 'worker started');
    await worker.run();
    logger.info('worker stopped');
  });
}
