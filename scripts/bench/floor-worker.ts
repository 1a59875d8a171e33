/**
 * The floor's worker process: `node -r ts-node/register/transpile-only scripts/bench/floor-worker.ts`
 * with TEMPORAL_ADDRESS and FLOOR_TASK_QUEUE set. Prints "floor worker ready" once polling.
 */
import { NativeConnection } from '@temporalio/worker';
import { RUNTIME_SETTINGS } from '../../src/settings';
import { workerClass } from '../../src/temporal/workflow-runtime';

async function main(): Promise<void> {
  const connection = await NativeConnection.connect({ address: process.env.TEMPORAL_ADDRESS });
  // The same worker class ours runs on by default (no per-call vm watchdog, no promise hook), so the floor is measured on equal terms.
  const worker = await workerClass({ deadlockTimeoutMs: 0, stackTraces: false }).create({
    connection,
    taskQueue: process.env.FLOOR_TASK_QUEUE ?? 'floor',
    workflowBundle: { codePath: process.env.FLOOR_BUNDLE ?? '' },
    activities: { noop: async () => undefined },
    maxCachedWorkflows: 2000,
    // Our worker's poller setting, so a change of it moves the floor too.
    workflowTaskPollerBehavior: RUNTIME_SETTINGS.workflowTaskPollers.schema.parse(process.env[RUNTIME_SETTINGS.workflowTaskPollers.env]),
  });
  process.stdout.write('floor worker ready\n');
  await worker.run();
  await connection.close();
}

void main().catch((err: unknown) => {
  process.stderr.write(`${String(err)}\n`);
  process.exit(1);
});
