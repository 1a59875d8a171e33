import { randomUUID } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { statusQuery, terminateSignal, type AirflowTaskResult } from '../../src/messages';
import type { AirflowTaskWorkflowInput } from '../../src/workflows/airflow-task';
import { airflowTaskWorkflowId } from '../../src/workflow-ids';
import { createTimeSkippingEnv } from '../support/environments';
import { eventually } from '../support/eventually';
import { bundleWorkflows, fakeEcsWorker, withFakeEcsWorker } from '../support/time-skipping-worker';
import { FakeEcs, gate, type LaunchStep } from '../support/fake-ecs-activities';

let env: TestWorkflowEnvironment;
let bundle: WorkflowBundleWithSourceMap;

beforeAll(async () => {
  env = await createTimeSkippingEnv();
  bundle = await bundleWorkflows();
});

afterAll(async () => {
  await env?.teardown();
});

function taskInput(overrides: Partial<AirflowTaskWorkflowInput> = {}): AirflowTaskWorkflowInput {
  return {
    key: { dagId: 'dag', taskId: `task-${randomUUID()}`, runId: 'run-1', tryNumber: 1, mapIndex: -1 },
    command: ['airflow', 'tasks', 'run'],
    cluster: 'test',
    runTaskInput: { cluster: 'test', taskDefinition: 'airflow', count: 1 },
    maxRunTaskAttempts: 3,
    executorName: 'test',
    terminateTimeoutMs: 600_000,
    ...overrides,
  };
}

function withWorker<R>(fake: FakeEcs, body: (taskQueue: string) => Promise<R>): Promise<R> {
  return withFakeEcsWorker(env, bundle, fake, body);
}

async function runTask(steps: LaunchStep[], overrides: Partial<AirflowTaskWorkflowInput> = {}) {
  const fake = new FakeEcs(steps);
  const input = taskInput(overrides);
  const result = await withWorker(fake, (taskQueue) =>
    env.client.workflow.execute('airflowTaskWorkflow', { taskQueue, workflowId: airflowTaskWorkflowId(input.key), args: [input] }),
  );
  return { fake, result: result as AirflowTaskResult };
}

function secondsBetweenLaunches(fake: FakeEcs): number[] {
  const firsts = fake.launches.filter((l) => l.activityAttempt === 1).map((l) => l.scheduledAtMs);
  return firsts.slice(1).map((t, i) => Math.round((t - firsts[i]!) / 1000));
}

describe('airflowTaskWorkflow on the time-skipping server', () => {
  it('reports SUCCESS after one RunTask when the container exits 0', async () => {
    const { fake, result } = await runTask([{ launch: 'success' }]);
    expect(result).toMatchObject({ state: 'SUCCESS', terminated: false, attempts: 1 });
    expect(result.taskArn).toMatch(/^arn:aws:ecs:/);
    expect(fake.launches).toHaveLength(1);
  });

  it('derives each launch attempt from the workflow ID and a fresh attempt number', async () => {
    const { fake, result } = await runTask([{ failures: ['RESOURCE:MEMORY'] }, { launch: 'success' }]);
    expect(fake.launches.map((l) => l.attempt)).toEqual([1, 2]);
    const workflowId = airflowTaskWorkflowId(result.key);
    expect(fake.launches.map((l) => l.workflowId)).toEqual([workflowId, workflowId]);
  });

  it('retries failed launches after exactly 4 s and 16 s, then succeeds', async () => {
    const { fake, result } = await runTask([{ failures: ['RESOURCE:MEMORY'] }, { failures: ['AGENT'] }, { launch: 'success' }]);
    expect(result.state).toBe('SUCCESS');
    expect(secondsBetweenLaunches(fake)).toEqual([4, 16]);
  });

  it('marks the task FAILED with every reason once max_run_task_attempts launches failed', async () => {
    const { fake, result } = await runTask(
      [{ failures: ['RESOURCE:MEMORY'] }, { failures: ['AGENT'] }, { failures: ['RESOURCE:CPU'] }, { launch: 'success' }],
      { maxRunTaskAttempts: 3 },
    );
    expect(fake.launches).toHaveLength(3);
    expect(result.state).toBe('FAILED');
    expect(result.reason).toContain('could not be queued after 3 attempts');
    expect(result.reason).toContain('RESOURCE:CPU');
  });

  it('does not count transient errors (throttling, 5xx) as launch attempts', async () => {
    const transient: LaunchStep = { throw: 'transient' };
    const { fake, result } = await runTask([transient, transient, transient, transient, { launch: 'success' }], { maxRunTaskAttempts: 1 });
    expect(result).toMatchObject({ state: 'SUCCESS', attempts: 1 });
    expect(fake.launches.map((l) => l.attempt)).toEqual([1, 1, 1, 1, 1]);
  });

  it('does not count credential errors as launch attempts', async () => {
    const creds: LaunchStep = { throw: 'credentials' };
    const { fake, result } = await runTask([creds, creds, { launch: 'success' }], { maxRunTaskAttempts: 1 });
    expect(result).toMatchObject({ state: 'SUCCESS', attempts: 1 });
    expect(fake.launches.map((l) => l.activityAttempt)).toEqual([1, 2, 3]);
  });

  it('fails with a clear internal error when RunTask returns neither tasks nor failures', async () => {
    const { fake, result } = await runTask([{ throw: 'empty' }, { launch: 'success' }]);
    expect(fake.launches).toHaveLength(1);
    expect(result.state).toBe('FAILED');
    expect(result.reason).toMatch(/Internal error.*neither tasks nor failures/);
  });

  it('relaunches a task whose container exited non-zero, after 4 s', async () => {
    const { fake, result } = await runTask([{ launch: 'exit1' }, { launch: 'success' }]);
    expect(result).toMatchObject({ state: 'SUCCESS', attempts: 2 });
    expect(fake.successfulLaunches).toBe(2);
    expect(secondsBetweenLaunches(fake)).toEqual([4]);
  });

  it('relaunches a task that stopped before it started (REMOVED)', async () => {
    const { fake, result } = await runTask([{ launch: 'neverStarted' }, { launch: 'success' }]);
    expect(result).toMatchObject({ state: 'SUCCESS', attempts: 2 });
    expect(fake.successfulLaunches).toBe(2);
  });

  it('relaunches a task that DescribeTasks reports MISSING', async () => {
    const { fake, result } = await runTask([{ launch: 'missing' }, { launch: 'success' }]);
    expect(result).toMatchObject({ state: 'SUCCESS', attempts: 2 });
    expect(fake.successfulLaunches).toBe(2);
  });

  it('shares one attempt counter between launch failures and task failures', async () => {
    const { fake, result } = await runTask([{ failures: ['AGENT'] }, { launch: 'exit1' }, { launch: 'neverStarted' }, { launch: 'success' }], {
      maxRunTaskAttempts: 3,
    });
    expect(fake.launches).toHaveLength(3);
    expect(result.state).toBe('FAILED');
    expect(result.reason).toContain('has failed a maximum of 3 times');
    expect(secondsBetweenLaunches(fake)).toEqual([4, 16]);
  });

  it('records ARN, ECS status, stop code, exit codes and reasons for every attempt', async () => {
    const fake = new FakeEcs([{ launch: 'exit1' }, { launch: 'success' }]);
    const input = taskInput();
    const status = await withWorker(fake, async (taskQueue) => {
      const handle = await env.client.workflow.start('airflowTaskWorkflow', { taskQueue, workflowId: airflowTaskWorkflowId(input.key), args: [input] });
      await handle.result();
      return handle.query(statusQuery);
    });
    expect(status.phase).toBe('DONE');
    expect(status.state).toBe('SUCCESS');
    expect(status.attempts).toHaveLength(2);
    expect(status.attempts[0]).toMatchObject({
      attempt: 1,
      outcome: 'FAILED',
      lastStatus: 'STOPPED',
      stopCode: 'EssentialContainerExited',
      containers: [{ name: 'airflow', exitCode: 1 }],
    });
    expect(status.attempts[0]?.taskArn).toMatch(/^arn:/);
    expect(status.attempts[1]).toMatchObject({ attempt: 2, outcome: 'SUCCESS', containers: [{ exitCode: 0 }] });
    expect(status.events.map((e) => e.message).join('\n')).toMatch(/Failure 1 out of 3 occurred on arn:.*Rescheduling/);
  });

  it('skips hours of backoff timers in seconds of wall time', async () => {
    const started = Date.now();
    const { fake, result } = await runTask([{ failures: ['RESOURCE:MEMORY'] }], { maxRunTaskAttempts: 100 });
    const skippedSeconds = secondsBetweenLaunches(fake).reduce((a, b) => a + b, 0);
    expect(result.state).toBe('FAILED');
    expect(fake.launches).toHaveLength(100);
    expect(skippedSeconds).toBe(4 + 16 + 64 + 120 * 96);
    expect(skippedSeconds).toBeGreaterThan(3 * 3600);
    expect(Date.now() - started).toBeLessThan(90_000);
  });

  describe('terminate', () => {
    it('before launch: launches nothing and finishes terminated', async () => {
      const fake = new FakeEcs([{ launch: 'success' }]);
      const input = taskInput();
      const taskQueue = `tq-${randomUUID()}`;
      // The signal is in history before any worker sees the workflow.
      const handle = await env.client.workflow.signalWithStart('airflowTaskWorkflow', {
        taskQueue,
        workflowId: airflowTaskWorkflowId(input.key),
        args: [input],
        signal: terminateSignal,
        signalArgs: [{ reason: 'shutting down' }],
      });
      const worker = await fakeEcsWorker(env, bundle, fake, taskQueue);
      const result = (await worker.runUntil(handle.result())) as AirflowTaskResult;
      expect(fake.launches).toHaveLength(0);
      expect(result).toMatchObject({ state: 'FAILED', terminated: true });
      expect(result.reason).toContain('shutting down');
    });

    it('during a launch backoff: launches nothing more', async () => {
      const fake = new FakeEcs([{ failures: ['RESOURCE:MEMORY'] }, { launch: 'success' }]);
      const input = taskInput();
      const result = await withWorker(fake, async (taskQueue) => {
        const handle = await env.client.workflow.start('airflowTaskWorkflow', { taskQueue, workflowId: airflowTaskWorkflowId(input.key), args: [input] });
        await eventually(() => fake.launches.length === 1, 'the first launch');
        await handle.signal(terminateSignal, {});
        return handle.result();
      });
      expect(fake.launches).toHaveLength(1);
      expect(result).toMatchObject({ state: 'FAILED', terminated: true });
      expect(result.reason).toContain('Airflow Executor received a SIGTERM');
    });

    it('during RunTask: stops the task as soon as its ARN is known', async () => {
      const held = gate();
      const fake = new FakeEcs([{ gate: held.promise, launch: 'block' }]);
      const input = taskInput();
      const result = await withWorker(fake, async (taskQueue) => {
        const handle = await env.client.workflow.start('airflowTaskWorkflow', { taskQueue, workflowId: airflowTaskWorkflowId(input.key), args: [input] });
        await eventually(() => fake.launches.length === 1, 'RunTask to be in flight');
        await handle.signal(terminateSignal, { reason: 'scheduler shutdown' });
        held.open();
        return handle.result();
      });
      expect(fake.launches).toHaveLength(1);
      expect(fake.stops).toHaveLength(1);
      expect(fake.stops[0]).toMatchObject({ taskArn: result.taskArn, reason: 'scheduler shutdown', cluster: 'test' });
      expect(result).toMatchObject({ state: 'FAILED', terminated: true });
    });

    it('while running: StopTask with the default reason, tracks to STOPPED, finishes terminated', async () => {
      const fake = new FakeEcs([{ launch: 'block' }]);
      const input = taskInput();
      const { result, status } = await withWorker(fake, async (taskQueue) => {
        const handle = await env.client.workflow.start('airflowTaskWorkflow', { taskQueue, workflowId: airflowTaskWorkflowId(input.key), args: [input] });
        await eventually(() => fake.waits.length >= 2, 'the task to be running');
        await handle.signal(terminateSignal);
        const r = await handle.result();
        return { result: r, status: await handle.query(statusQuery) };
      });
      expect(fake.stops).toEqual([{ cluster: 'test', taskArn: result.taskArn, reason: 'Airflow Executor received a SIGTERM' }]);
      expect(result).toMatchObject({ state: 'FAILED', terminated: true });
      expect(result.reason).toMatch(/Terminated .*the ECS task is stopped/);
      expect(status.attempts[0]).toMatchObject({ outcome: 'TERMINATED', lastStatus: 'STOPPED', stopCode: 'UserInitiated' });
      expect(fake.launches).toHaveLength(1);
    });

    it('workflow cancellation behaves like terminate: the ECS task is stopped', async () => {
      const fake = new FakeEcs([{ launch: 'block' }]);
      const input = taskInput();
      const result = await withWorker(fake, async (taskQueue) => {
        const handle = await env.client.workflow.start('airflowTaskWorkflow', { taskQueue, workflowId: airflowTaskWorkflowId(input.key), args: [input] });
        await eventually(() => fake.waits.length >= 2, 'the task to be running');
        await handle.cancel();
        return handle.result();
      });
      expect(fake.stops).toHaveLength(1);
      expect(fake.stops[0]?.reason).toBe('Airflow Executor received a SIGTERM');
      expect(result).toMatchObject({ state: 'FAILED', terminated: true });
    });
  });
});
