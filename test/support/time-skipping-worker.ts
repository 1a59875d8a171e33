import { randomUUID } from 'node:crypto';
import { WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowBundleOption } from '@temporalio/worker';
import { loadExecutorConfig, loadRuntimeConfig } from '../../src/settings';
import type { AirflowTaskResult } from '../../src/contract/messages';
import { FailureType } from '../../src/errors';
import { createEcsWorker, type EcsWorker, type WorkerRuntime } from '../../src/worker';
import type { FakeEcs } from './fake-ecs-activities';

/** The settings' own defaults, but for what these tests need otherwise. */
const TEST_RUNTIME: Omit<WorkerRuntime, 'taskQueue'> = {
  ...loadRuntimeConfig({}),
  pollIntervalMs: 1000,
  reportEcsRunning: true,
  maxConcurrentEcsCalls: 20,
  maxCachedWorkflows: 100,
  maxConcurrentWorkflowTasks: 20,
};

/** Our worker on the time-skipping server, with fake ECS activities. */
export function fakeEcsWorker(env: TestWorkflowEnvironment, bundle: WorkflowBundleOption, fake: FakeEcs, taskQueue: string): Promise<EcsWorker> {
  return createEcsWorker({
    connection: env.nativeConnection,
    runtime: { ...TEST_RUNTIME, taskQueue },
    executor: loadExecutorConfig({ ECS_EXECUTOR_CLUSTER: 'test', ECS_EXECUTOR_CONTAINER_NAME: 'airflow', ECS_EXECUTOR_TASK_DEFINITION: 'airflow' }),
    activities: fake.activities(),
    workflowBundle: bundle,
  });
}

/** Runs `body` with a fresh task queue served by a fake-ECS worker, then shuts the worker down. */
export async function withFakeEcsWorker<R>(
  env: TestWorkflowEnvironment,
  bundle: WorkflowBundleOption,
  fake: FakeEcs,
  body: (taskQueue: string) => Promise<R>,
): Promise<R> {
  const taskQueue = `tq-${randomUUID()}`;
  const worker = await fakeEcsWorker(env, bundle, fake, taskQueue);
  return worker.runUntil(body(taskQueue));
}

/** The task's outcome whichever way the workflow closed: a SUCCESS result, or the FAILED result its AirflowTaskFailed failure carries. */
export async function taskResult(handle: WorkflowHandle): Promise<AirflowTaskResult> {
  try {
    return (await handle.result()) as AirflowTaskResult;
  } catch (err) {
    const cause = err instanceof WorkflowFailedError ? err.cause : undefined;
    if (cause instanceof ApplicationFailure && cause.type === FailureType.AirflowTaskFailed) return cause.details?.[0] as AirflowTaskResult;
    throw err;
  }
}
