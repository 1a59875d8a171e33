import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { terminateSignal, trackerStatusQuery } from '../../src/messages';
import type { EcsTaskWorkflowInput, EcsTaskWorkflowResult } from '../../src/workflows/ecs-task';
import { ecsTaskWorkflowId } from '../../src/workflow-ids';
import { createTimeSkippingEnv } from '../support/environments';
import { eventually } from '../support/eventually';
import { bundleWorkflows, withFakeEcsWorker } from '../support/time-skipping-worker';
import { FakeEcs, type TaskScript } from '../support/fake-ecs-activities';

let env: TestWorkflowEnvironment;
let bundle: WorkflowBundleWithSourceMap;

beforeAll(async () => {
  env = await createTimeSkippingEnv();
  bundle = await bundleWorkflows();
});

afterAll(async () => {
  await env?.teardown();
});

function withWorker<R>(fake: FakeEcs, body: (taskQueue: string) => Promise<R>): Promise<R> {
  return withFakeEcsWorker(env, bundle, fake, body);
}

function trackerInput(taskArn: string, overrides: Partial<EcsTaskWorkflowInput> = {}): EcsTaskWorkflowInput {
  return {
    cluster: 'test',
    taskArn,
    key: { dagId: 'dag', taskId: 'adopted', runId: 'run', tryNumber: 1, mapIndex: -1 },
    adoptedBy: { executorName: 'test' },
    terminateTimeoutMs: 600_000,
    ...overrides,
  };
}

async function track(script: TaskScript, overrides: Partial<EcsTaskWorkflowInput> = {}) {
  const fake = new FakeEcs([]);
  const taskArn = fake.seedTask(script);
  const result = (await withWorker(fake, (taskQueue) =>
    env.client.workflow.execute('ecsTaskWorkflow', { taskQueue, workflowId: ecsTaskWorkflowId(taskArn), args: [trackerInput(taskArn, overrides)] }),
  )) as EcsTaskWorkflowResult;
  return { fake, result, taskArn };
}

describe('ecsTaskWorkflow (the ARN-keyed tracker) on the time-skipping server', () => {
  it('tracks an adopted task (no RunTask, no known status) to STOPPED and maps it to SUCCESS', async () => {
    const { fake, result } = await track('success');
    expect(result).toMatchObject({ kind: 'stopped', state: 'SUCCESS', terminated: false });
    expect(fake.launches).toHaveLength(0);
    expect(fake.waits[0]?.knownStatus).toBeUndefined();
  });

  it('maps a task that exited non-zero to FAILED', async () => {
    const { result } = await track('exit1');
    expect(result).toMatchObject({ kind: 'stopped', state: 'FAILED' });
  });

  it('asks again when DescribeTasks does not know the task yet, instead of calling it lost', async () => {
    const { fake, result } = await track('lateVisible');
    expect(result).toMatchObject({ kind: 'stopped', state: 'SUCCESS' });
    expect(fake.waits.length).toBe(3);
  });

  it('reports a task that stays MISSING past the grace period as missing', async () => {
    const { fake, result } = await track('vanished');
    expect(result).toMatchObject({ kind: 'missing', reason: 'MISSING', terminated: false });
    // One ask every 5 s for 60 s of (skipped) time, then it gives up.
    expect(fake.waits.length).toBeGreaterThanOrEqual(12);
    expect(fake.waits.length).toBeLessThanOrEqual(14);
  });

  it('stops the task on terminate and finishes terminated', async () => {
    const fake = new FakeEcs([]);
    const taskArn = fake.seedTask('block');
    const { result, status } = await withWorker(fake, async (taskQueue) => {
      const handle = await env.client.workflow.start('ecsTaskWorkflow', { taskQueue, workflowId: ecsTaskWorkflowId(taskArn), args: [trackerInput(taskArn)] });
      await eventually(() => fake.waits.length >= 2, 'the tracker to wait on a RUNNING task');
      await handle.signal(terminateSignal, { reason: 'adopted task terminated' });
      const r = (await handle.result()) as EcsTaskWorkflowResult;
      return { result: r, status: await handle.query(trackerStatusQuery) };
    });
    expect(fake.stops).toEqual([{ cluster: 'test', taskArn, reason: 'adopted task terminated' }]);
    expect(result).toMatchObject({ kind: 'stopped', terminated: true });
    expect(status).toMatchObject({ done: true, terminateRequested: true, lastStatus: 'STOPPED' });
  });
});
