import { randomUUID } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { createEcsWorker, type EcsWorker } from '../../src/worker';
import type { FakeEcs } from './fake-ecs-activities';

/** Our workflows, bundled once per test file (quietly: webpack's report is noise in tests). */
export function bundleWorkflows(): Promise<WorkflowBundleWithSourceMap> {
  const noop = () => undefined;
  return bundleWorkflowCode({
    workflowsPath: require.resolve('../../src/workflows'),
    logger: { trace: noop, debug: noop, info: noop, warn: noop, error: noop, log: noop },
  });
}

/** Our worker (both task queues) on the time-skipping server, with fake ECS activities. */
export function fakeEcsWorker(env: TestWorkflowEnvironment, bundle: WorkflowBundleWithSourceMap, fake: FakeEcs, taskQueue: string): Promise<EcsWorker> {
  return createEcsWorker({
    connection: env.nativeConnection,
    runtime: { taskQueue, pollIntervalMs: 1000, maxWaitMs: 60_000, maxConcurrentWaits: 100, maxConcurrentEcsCalls: 10 },
    executor: { cluster: 'test' },
    activities: fake.activities(),
    workflowBundle: bundle,
  });
}

/** Runs `body` with a fresh task queue served by a fake-ECS worker, then shuts the worker down. */
export async function withFakeEcsWorker<R>(
  env: TestWorkflowEnvironment,
  bundle: WorkflowBundleWithSourceMap,
  fake: FakeEcs,
  body: (taskQueue: string) => Promise<R>,
): Promise<R> {
  const taskQueue = `tq-${randomUUID()}`;
  const worker = await fakeEcsWorker(env, bundle, fake, taskQueue);
  return worker.runUntil(body(taskQueue));
}
