import { EcsExecutorClient } from '../client';
import { createLogger } from '../logger';
import { loadRuntimeConfig, type RuntimeConfig } from '../settings';
import { dataConverterFor } from '../temporal/codec';
import type { TemporalOptions } from './options';

/** A client for one command from the settings (ECS_EXECUTOR_*, TEMPORAL_*) and the flags; closed when `body` ends. */
export async function withClient<R>(options: TemporalOptions, body: (client: EcsExecutorClient, runtime: RuntimeConfig) => Promise<R>): Promise<R> {
  const runtime = loadRuntimeConfig();
  const client = await EcsExecutorClient.connect({
    settings: { taskQueue: runtime.taskQueue, executorName: runtime.executorName, syncLagMs: runtime.syncLagMs, logLevel: runtime.logLevel },
    temporal: { address: options.address, namespace: options.namespace },
    dataConverter: dataConverterFor(runtime.codecKeyRing),
    logger: createLogger(runtime.logLevel, 'ecs-executor'),
  });
  try {
    return await body(client, runtime);
  } finally {
    await client.close();
  }
}
