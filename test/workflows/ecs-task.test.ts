import { randomUUID } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowBundlePath } from '@temporalio/worker';
import { adoptedTaskWorkflowId } from '../../src/contract/ids';
import type { AdoptedTaskInput } from '../../src/contract/inputs';
import { statusQuery, terminateSignal } from '../../src/contract/messages';
import { ecsTaskWorkflow } from '../../src/workflows/ecs-task';
import { createTimeSkippingEnv } from '../support/environments';
import { runWideBundle } from '../support/workflow-bundle';
import { eventually } from '../support/eventually';
import { FakeEcs } from '../support/fake-ecs-activities';
import { taskResult, withFakeEcsWorker } from '../support/time-skipping-worker';

let env: TestWorkflowEnvironment;
let bundle: WorkflowBundlePath;

beforeAll(async () => {
  env = await createTimeSkippingEnv();
  bundle = runWideBundle();
});

afterAll(async () => {
  await env?.teardown();
});

async function adopt(fake: FakeEcs, body: (handle: Awaited<ReturnType<typeof start>>, input: AdoptedTaskInput) => Promise<void>) {
  const input: AdoptedTaskInput = {
    taskArn: fake.seedArn(),
    cluster: 'test',
    key: { dagId: 'dag', taskId: `adopted-${randomUUID()}`, runId: 'run-1', tryNumber: 1, mapIndex: -1 },
    executorName: 'test',
  };
  return withFakeEcsWorker(env, bundle, fake, async (taskQueue) => {
    const handle = await start(taskQueue, input);
    await eventually(async () => (await handle.query(statusQuery)).phase === 'RUNNING', 'the tracker to track the task');
    await body(handle, input);
    return taskResult(handle);
  });
}

function start(taskQueue: string, input: AdoptedTaskInput) {
  return env.client.workflow.start(ecsTaskWorkflow, { taskQueue, workflowId: adoptedTaskWorkflowId(input.taskArn), args: [input] });
}

describe('ecsTaskWorkflow (an adopted ECS task) on the time-skipping server', () => {
  it('tracks an adopted task without any RunTask and reports SUCCESS', async () => {
    const fake = new FakeEcs([], env);
    const result = await adopt(fake, async (_handle, input) => {
      await fake.play(_handle.workflowId, input.taskArn, 'success');
    });
    expect(result).toMatchObject({ state: 'SUCCESS', attempts: 1, status: { adopted: true } });
    expect(fake.launches).toHaveLength(0);
    expect(fake.observerChecks).toContain('test');
  });

  it('reports an adopted task that failed as FAILED and never relaunches it', async () => {
    const fake = new FakeEcs([{ launch: 'success' }], env);
    const result = await adopt(fake, async (handle, input) => {
      await fake.play(handle.workflowId, input.taskArn, 'exit1');
    });
    expect(result.state).toBe('FAILED');
    expect(result.reason).toMatch(/Not relaunched/);
    expect(fake.launches).toHaveLength(0);
  });

  it('reports a MISSING adopted task as FAILED', async () => {
    const fake = new FakeEcs([], env);
    const result = await adopt(fake, async (handle, input) => {
      await fake.play(handle.workflowId, input.taskArn, 'missing');
    });
    expect(result.state).toBe('FAILED');
    expect(result.reason).toMatch(/is missing: MISSING/);
  });

  it('stops the adopted task on terminate and finishes terminated', async () => {
    const fake = new FakeEcs([], env);
    const result = await adopt(fake, async (handle, input) => {
      await fake.play(handle.workflowId, input.taskArn, 'block');
      await handle.signal(terminateSignal, { reason: 'end of the world' });
    });
    expect(fake.stops).toHaveLength(1);
    expect(fake.stops[0]).toMatchObject({ reason: 'end of the world', cluster: 'test' });
    expect(result).toMatchObject({ state: 'FAILED', terminated: true });
  });
});
