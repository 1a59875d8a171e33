import type { Command } from 'commander';
import { createLogger, installTemporalLogger } from '../../logger';
import { loadExecutorConfig, loadRuntimeConfig } from '../../settings';
import { dataConverterFor } from '../../temporal/codec';
import { createEcsWorker } from '../../worker';
import type { CliIo } from '../io';
import { withTemporalOptions, type TemporalOptions } from '../options';

export function registerWorker(program: Command, _io: CliIo): void {
  withTemporalOptions(
    program
      .command('worker')
      .description('Run a worker: the task workflows, their ECS calls and the clusters\' observers, until SIGINT/SIGTERM')
      .option('--task-queue <name>', 'task queue (default: ECS_EXECUTOR_TASK_QUEUE)')
      .option('--no-check-health', 'skip the ECS health check at start (default: check_health_on_startup)'),
  ).action(async (options: TemporalOptions & { taskQueue?: string; checkHealth: boolean }) => {
    const runtime = loadRuntimeConfig();
    const executor = loadExecutorConfig();
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
