import type { EcsExecutorClient } from '../client';
import { assertWorkerPolls } from '../client/inspect';
import type { WorkloadKey } from '../contract/keys';
import type { AirflowTaskResult } from '../contract/messages';
import { NoWorkerError } from '../errors';
import type { CliIo } from './io';

/** How long a wait runs before it checks that a worker serves the task (a finished task answers at once). */
const WORKER_CHECK_AFTER_MS = 1_000;

/**
 * A command that only waits or only starts a workflow would otherwise wait silently when no worker
 * polls the task queue; this says so on stderr, and the command keeps going (a worker may start).
 */
async function warnWhenNoWorker(io: CliIo, client: EcsExecutorClient): Promise<void> {
  try {
    await assertWorkerPolls(client.temporal, client.settings.taskQueue);
  } catch (err) {
    if (!(err instanceof NoWorkerError)) throw err;
    io.err(`warning: ${err.message}\n`);
  }
}

/** The task's outcome, saying on stderr when it cannot come because no worker polls its queue. */
export async function resultSayingWhenNoWorker(io: CliIo, client: EcsExecutorClient, key: WorkloadKey): Promise<AirflowTaskResult> {
  const result = client.result(key);
  let timer: NodeJS.Timeout | undefined;
  const stillWaiting = await Promise.race([
    result.then(
      () => false,
      () => false,
    ),
    new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(true), WORKER_CHECK_AFTER_MS);
    }),
  ]);
  clearTimeout(timer);
  if (stillWaiting) await warnWhenNoWorker(io, client);
  return result;
}
