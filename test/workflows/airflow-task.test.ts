import { randomUUID } from 'node:crypto';
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowBundlePath } from '@temporalio/worker';
import { taskWorkflowId } from '../../src/contract/ids';
import type { TaskWorkflowInput } from '../../src/contract/inputs';
import { ecsObservationSignal, statusQuery, terminateSignal, type AirflowTaskResult } from '../../src/contract/messages';
import { FailureType } from '../../src/errors';
import { airflowTaskWorkflow } from '../../src/workflows/airflow-task';
import { createTimeSkippingEnv } from '../support/environments';
import { runWideBundle } from '../support/workflow-bundle';
import { eventually } from '../support/eventually';
import { FAKE_SETTINGS, FakeEcs, snapshot, stopped, type LaunchStep } from '../support/fake-ecs-activities';
import { fakeEcsWorker, taskResult, withFakeEcsWorker } from '../support/time-skipping-worker';

let env: TestWorkflowEnvironment;
let bundle: WorkflowBundlePath;

beforeAll(async () => {
  env = await createTimeSkippingEnv();
  bundle = runWideBundle();
});

afterAll(async () => {
  await env?.teardown();
});

function taskInput(overrides: Partial<TaskWorkflowInput> = {}): TaskWorkflowInput {
  return {
    key: { dagId: 'dag', taskId: `task-${randomUUID()}`, runId: 'manual__2026-12-01T08:05:30+00:00', tryNumber: 1, mapIndex: -1 },
    executorName: 'test',
    command: ['airflow', 'tasks', 'run'],
    queue: null,
    ...overrides,
  };
}

function start(taskQueue: string, input: TaskWorkflowInput) {
  return env.client.workflow.start(airflowTaskWorkflow, { taskQueue, workflowId: taskWorkflowId(input.key), args: [input] });
}

async function runTask(steps: LaunchStep[], options: { maxAttempts?: number } = {}) {
  const fake = new FakeEcs(steps, env, { ...FAKE_SETTINGS, maxAttempts: options.maxAttempts ?? 3 });
  const input = taskInput();
  const result = await withFakeEcsWorker(env, bundle, fake, async (taskQueue) => taskResult(await start(taskQueue, input)));
  return { fake, result, input };
}

/**
 * The backoff before each relaunch, in workflow time (the server's skipped clock): from when the
 * workflow learnt how the attempt before ended (the observer's word, or the launch's own failure)
 * to the next attempt. Not from the attempt's
 * start: the fake observer's word comes in real time, which a loaded machine stretches.
 */
function backoffSeconds(result: AirflowTaskResult): number[] {
  const { attempts } = result.status;
  return attempts.slice(1).map((next, i) => Math.round((Date.parse(next.at) - Date.parse(attempts[i]!.observedAt ?? attempts[i]!.at)) / 1000));
}

describe('airflowTaskWorkflow on the time-skipping server', () => {
  it('reports SUCCESS after one RunTask when the container exits 0', async () => {
    const { fake, result } = await runTask([{ launch: 'success' }]);
    expect(result).toMatchObject({ state: 'SUCCESS', terminated: false, attempts: 1 });
    expect(result.taskArn).toMatch(/^arn:aws:ecs:/);
    expect(fake.launches).toHaveLength(1);
    expect(result.status.attempts[0]).toMatchObject({ outcome: 'SUCCESS', containers: [{ exitCode: 0 }], logLocation: expect.stringMatching(/\.log$/) });
  });

  it('keeps the observations that reach it while RunTask\'s answer is still on its way, and applies them once the ARN is known', async () => {
    // A 1 s workflow task timeout, and a launch answering after 2 s: the worker heartbeats the workflow
    // task, so the observer's RUNNING and FINISHED reach the workflow before the launch's result does.
    const fake = new FakeEcs([{ launch: 'success', answerAfterObserverMs: 2_000 }], env, FAKE_SETTINGS);
    const input = taskInput();
    const result = await withFakeEcsWorker(env, bundle, fake, async (taskQueue) =>
      taskResult(await env.client.workflow.start(airflowTaskWorkflow, { taskQueue, workflowId: taskWorkflowId(input.key), args: [input], workflowTaskTimeout: '1s' })),
    );
    expect(result).toMatchObject({ state: 'SUCCESS', terminated: false, attempts: 1 });
    expect(fake.launches).toHaveLength(1);
    expect(result.status.attempts[0]).toMatchObject({ outcome: 'SUCCESS', containers: [{ exitCode: 0 }] });
  }, 30_000);

  it('a FAILED task fails the workflow with AirflowTaskFailed carrying the result, readable without a worker', async () => {
    const fake = new FakeEcs([{ launch: 'exit1' }], env, { ...FAKE_SETTINGS, maxAttempts: 1 });
    const input = taskInput();
    const handle = await withFakeEcsWorker(env, bundle, fake, async (taskQueue) => {
      const h = await start(taskQueue, input);
      await h.result().catch(() => undefined);
      return h;
    });
    // No worker any more: the outcome is still in the failure.
    const error = await handle.result().catch((err: unknown) => err);
    expect(error).toBeInstanceOf(WorkflowFailedError);
    const cause = (error as WorkflowFailedError).cause;
    expect(cause).toBeInstanceOf(ApplicationFailure);
    expect((cause as ApplicationFailure).type).toBe(FailureType.AirflowTaskFailed);
    expect((cause as ApplicationFailure).nonRetryable).toBe(true);
    const details = (cause as ApplicationFailure).details?.[0];
    expect(details).toMatchObject({ state: 'FAILED', attempts: 1, status: { phase: 'DONE', attempts: [{ outcome: 'FAILED', containers: [{ exitCode: 1 }] }] } });
    expect((await handle.describe()).status.name).toBe('FAILED');
  });

  it('derives each launch attempt from the workflow ID and a fresh attempt number', async () => {
    const { fake, input } = await runTask([{ failures: ['RESOURCE:MEMORY'] }, { launch: 'success' }]);
    expect(fake.launches.map((l) => l.attempt)).toEqual([1, 2]);
    expect(new Set(fake.launches.map((l) => l.workflowId))).toEqual(new Set([taskWorkflowId(input.key)]));
  });

  it('sends the worker what Airflow handed the executor, and nothing of the RunTask input', async () => {
    const { fake, input } = await runTask([{ launch: 'success' }]);
    expect(fake.launches[0]).toMatchObject({ key: input.key, command: input.command, executorConfig: null });
  });

  it('retries failed launches after exactly 4 s and 16 s, then succeeds', async () => {
    const { result } = await runTask([{ failures: ['RESOURCE:MEMORY'] }, { failures: ['AGENT'] }, { launch: 'success' }]);
    expect(result.state).toBe('SUCCESS');
    expect(backoffSeconds(result)).toEqual([4, 16]);
  });

  it('marks the task FAILED with every reason once max_run_task_attempts launches failed', async () => {
    const { fake, result } = await runTask([{ failures: ['RESOURCE:MEMORY'] }, { failures: ['AGENT'] }, { failures: ['RESOURCE:CPU'] }, { launch: 'success' }]);
    expect(fake.launches).toHaveLength(3);
    expect(result.state).toBe('FAILED');
    expect(result.reason).toContain('could not be queued after 3 attempts');
    expect(result.reason).toContain('RESOURCE:CPU');
  });

  it('does not count transient errors (throttling, 5xx) as launch attempts', async () => {
    const transient: LaunchStep = { throw: 'transient' };
    // Two retries prove it (with one launch attempt allowed); each costs real seconds of local-activity backoff.
    const { fake, result } = await runTask([transient, transient, { launch: 'success' }], { maxAttempts: 1 });
    expect(result).toMatchObject({ state: 'SUCCESS', attempts: 1 });
    expect(fake.launches.map((l) => l.attempt)).toEqual([1, 1, 1]);
    expect(fake.launches.map((l) => l.activityAttempt)).toEqual([1, 2, 3]);
  });

  it('does not count credential errors as launch attempts', async () => {
    const creds: LaunchStep = { throw: 'credentials' };
    const { fake, result } = await runTask([creds, { launch: 'success' }], { maxAttempts: 1 });
    expect(result).toMatchObject({ state: 'SUCCESS', attempts: 1 });
    expect(fake.launches.map((l) => l.activityAttempt)).toEqual([1, 2]);
  });

  it.each([
    ['an empty RunTask answer (ECS internal error)', 'empty', /neither tasks nor failures/],
    ['an executor_config the template cannot take', 'invalidExecutorConfig', /memmory: unknown key/],
    ['the launch deadline', 'deadline', /past the launch deadline/],
  ] as const)('fails at once, naming the cause, on %s', async (_label, kind, message) => {
    const { fake, result } = await runTask([{ throw: kind }, { launch: 'success' }]);
    expect(fake.launches).toHaveLength(1);
    expect(result.state).toBe('FAILED');
    expect(result.reason).toMatch(message);
    expect(result.status.events.at(-1)).toMatchObject({ level: 'error', message: expect.stringMatching(message) });
  });

  it('relaunches a task whose container exited non-zero, after 4 s', async () => {
    const { fake, result } = await runTask([{ launch: 'exit1' }, { launch: 'success' }]);
    expect(result).toMatchObject({ state: 'SUCCESS', attempts: 2 });
    expect(fake.successfulLaunches).toBe(2);
    expect(backoffSeconds(result)).toEqual([4]);
  });

  it('relaunches a task that stopped before it started (REMOVED)', async () => {
    const { fake, result } = await runTask([{ launch: 'neverStarted' }, { launch: 'success' }]);
    expect(result).toMatchObject({ state: 'SUCCESS', attempts: 2 });
    expect(result.status.attempts[0]).toMatchObject({ outcome: 'REMOVED', stopCode: 'TaskFailedToStart' });
    expect(fake.successfulLaunches).toBe(2);
  });

  it('relaunches a task that DescribeTasks reports MISSING', async () => {
    const { fake, result } = await runTask([{ launch: 'missing' }, { launch: 'success' }]);
    expect(result).toMatchObject({ state: 'SUCCESS', attempts: 2 });
    expect(result.status.attempts[0]).toMatchObject({ outcome: 'MISSING' });
    expect(fake.successfulLaunches).toBe(2);
  });

  it('shares one attempt counter between launch failures and task failures', async () => {
    const { fake, result } = await runTask([{ failures: ['AGENT'] }, { launch: 'exit1' }, { launch: 'neverStarted' }, { launch: 'success' }]);
    expect(fake.launches).toHaveLength(3);
    expect(result.state).toBe('FAILED');
    expect(result.reason).toContain('has failed a maximum of 3 times');
    expect(backoffSeconds(result)).toEqual([4, 16]);
  });

  it('records ARN, ECS status, stop code, exit codes and reasons for every attempt', async () => {
    const { result } = await runTask([{ launch: 'exit1' }, { launch: 'success' }]);
    const status = result.status;
    expect(status).toMatchObject({ phase: 'DONE', state: 'SUCCESS', maxAttempts: 3 });
    expect(status.attempts).toHaveLength(2);
    expect(status.attempts[0]).toMatchObject({ attempt: 1, outcome: 'FAILED', lastStatus: 'STOPPED', stopCode: 'EssentialContainerExited', containers: [{ name: 'airflow', exitCode: 1 }] });
    expect(status.attempts[1]).toMatchObject({ attempt: 2, outcome: 'SUCCESS', containers: [{ exitCode: 0 }] });
    expect(status.events.map((e) => e.message).join('\n')).toMatch(/Failure 1 out of 3 occurred on arn:.*Rescheduling in 4 s/);
  });

  it('skips hours of backoff timers in seconds of wall time', async () => {
    const started = Date.now();
    const { fake, result } = await runTask([{ failures: ['RESOURCE:MEMORY'] }], { maxAttempts: 30 });
    const skippedSeconds = backoffSeconds(result).reduce((a, b) => a + b, 0);
    expect(result.state).toBe('FAILED');
    expect(fake.launches).toHaveLength(30);
    expect(skippedSeconds).toBe(4 + 16 + 64 + 120 * 26);
    expect(Date.now() - started).toBeLessThan(60_000);
  });

  describe('observations (the ecsObservation signal)', () => {
    it('ignores observations that are malformed or name another ECS task, and says so in the task log', async () => {
      const fake = new FakeEcs([{ launch: 'silent' }], env);
      const input = taskInput();
      const result = await withFakeEcsWorker(env, bundle, fake, async (taskQueue) => {
        const handle = await start(taskQueue, input);
        await eventually(async () => (await handle.query(statusQuery)).taskArn, 'the launch');
        const taskArn = (await handle.query(statusQuery)).taskArn!;
        await handle.signal(ecsObservationSignal, { taskArn: 'arn:aws:ecs:us-east-1:000000000000:task/test/someone-else', kind: 'FINISHED', task: stopped('arn:aws:ecs:us-east-1:000000000000:task/test/someone-else', 0) });
        await handle.signal(ecsObservationSignal, { taskArn, kind: 'FINISHED', task: { exitCode: 0 } } as never);
        await handle.signal(ecsObservationSignal, { taskArn, kind: 'FINISHED', task: stopped(`${taskArn}-other`, 0) });
        const status = await handle.query(statusQuery);
        expect(status.phase).toBe('RUNNING');
        expect(status.events.filter((e) => /Ignored/.test(e.message))).toHaveLength(2);
        await handle.signal(ecsObservationSignal, { taskArn, kind: 'FINISHED', task: stopped(taskArn, 0) });
        return taskResult(handle);
      });
      expect(result).toMatchObject({ state: 'SUCCESS', attempts: 1 });
    });

    it('records the ECS RUNNING observation without ending the wait', async () => {
      const fake = new FakeEcs([{ launch: 'block' }], env);
      const input = taskInput();
      await withFakeEcsWorker(env, bundle, fake, async (taskQueue) => {
        const handle = await start(taskQueue, input);
        const status = await eventually(async () => {
          const s = await handle.query(statusQuery);
          return s.lastStatus === 'RUNNING' ? s : undefined;
        }, 'the RUNNING observation');
        expect(status).toMatchObject({ phase: 'RUNNING', state: 'RUNNING', attempts: [{ startedAt: expect.any(String) }] });
        await handle.signal(terminateSignal);
        await taskResult(handle);
      });
    });
  });

  describe('terminate', () => {
    it('before launch: launches nothing and finishes terminated', async () => {
      const fake = new FakeEcs([{ launch: 'success' }], env);
      const input = taskInput();
      const taskQueue = `tq-${randomUUID()}`;
      // The signal is in history before any worker sees the workflow.
      const handle = await env.client.workflow.signalWithStart(airflowTaskWorkflow, {
        taskQueue,
        workflowId: taskWorkflowId(input.key),
        args: [input],
        signal: terminateSignal,
        signalArgs: [{ reason: 'shutting down' }],
      });
      const worker = await fakeEcsWorker(env, bundle, fake, taskQueue);
      const result = await worker.runUntil(taskResult(handle));
      expect(fake.launches).toHaveLength(0);
      expect(result).toMatchObject({ state: 'FAILED', terminated: true });
      expect(result.reason).toMatch(/shutting down.*no ECS task was running/);
    });

    it('during a launch backoff: launches nothing more', async () => {
      const fake = new FakeEcs([{ failures: ['RESOURCE:MEMORY'] }, { launch: 'success' }], env);
      const input = taskInput();
      const result = await withFakeEcsWorker(env, bundle, fake, async (taskQueue) => {
        const handle = await start(taskQueue, input);
        await eventually(async () => (await handle.query(statusQuery)).phase === 'WAITING_TO_RETRY', 'the backoff');
        await handle.signal(terminateSignal, {});
        return taskResult(handle);
      });
      expect(fake.launches).toHaveLength(1);
      expect(result).toMatchObject({ state: 'FAILED', terminated: true });
      expect(result.reason).toContain('Airflow Executor received a SIGTERM');
    });

    it('while running: StopTask with the default reason, tracked until ECS says stopped, finishes terminated', async () => {
      const fake = new FakeEcs([{ launch: 'block' }], env);
      const input = taskInput();
      const result = await withFakeEcsWorker(env, bundle, fake, async (taskQueue) => {
        const handle = await start(taskQueue, input);
        await eventually(async () => (await handle.query(statusQuery)).lastStatus === 'RUNNING', 'the task to be running');
        await handle.signal(terminateSignal);
        return taskResult(handle);
      });
      expect(fake.stops).toEqual([{ cluster: 'test', taskArn: result.taskArn, reason: 'Airflow Executor received a SIGTERM' }]);
      expect(result).toMatchObject({ state: 'FAILED', terminated: true });
      expect(result.reason).toMatch(/Terminated .*the ECS task .* is stopped \(stop code: UserInitiated/);
      expect(result.status.attempts[0]).toMatchObject({ outcome: 'TERMINATED', lastStatus: 'STOPPED', stops: [{ outcome: 'accepted' }] });
      expect(fake.launches).toHaveLength(1);
    });

    it('a refused StopTask is never reported as a stop: the task is tracked until it ends, StopTask retried, its real outcome reported', async () => {
      const fake = new FakeEcs([{ launch: 'block' }], env);
      fake.stopAnswer = 'refuse';
      const input = taskInput();
      const result = await withFakeEcsWorker(env, bundle, fake, async (taskQueue) => {
        const handle = await start(taskQueue, input);
        await eventually(async () => (await handle.query(statusQuery)).lastStatus === 'RUNNING', 'the task to be running');
        await handle.signal(terminateSignal, { reason: 'scheduler shutdown' });
        await eventually(() => fake.stops.length === 1, 'the first StopTask');
        // The terminate timeout (15 min) passes in skipped time: StopTask is sent again.
        await env.sleep('16 minutes');
        await eventually(() => fake.stops.length >= 2, 'StopTask to be sent again after the terminate timeout');
        const status = await handle.query(statusQuery);
        expect(status.phase).toBe('TERMINATING');
        expect(status.events.map((e) => e.message).join('\n')).toMatch(/StopTask was refused .*AccessDenied.*still tracked/);
        await fake.finish(status.taskArn!, 0);
        return taskResult(handle);
      });
      expect(result).toMatchObject({ state: 'SUCCESS', terminated: false });
      expect(result.reason).toMatch(/not carried out: StopTask was refused .*ran on and ended by itself/);
      expect(result.reason).not.toMatch(/is stopped/);
    });

    it('workflow cancellation behaves like terminate: the ECS task is stopped', async () => {
      const fake = new FakeEcs([{ launch: 'block' }], env);
      const input = taskInput();
      const result = await withFakeEcsWorker(env, bundle, fake, async (taskQueue) => {
        const handle = await start(taskQueue, input);
        await eventually(async () => (await handle.query(statusQuery)).lastStatus === 'RUNNING', 'the task to be running');
        await handle.cancel();
        return taskResult(handle);
      });
      expect(fake.stops).toHaveLength(1);
      expect(fake.stops[0]?.reason).toBe('Airflow Executor received a SIGTERM');
      expect(result).toMatchObject({ state: 'FAILED', terminated: true });
    });
  });

  it('makes sure the observer runs at every tracking check while a task runs long', async () => {
    const fake = new FakeEcs([{ launch: 'silent' }], env);
    const input = taskInput();
    await withFakeEcsWorker(env, bundle, fake, async (taskQueue) => {
      const handle = await start(taskQueue, input);
      await eventually(async () => (await handle.query(statusQuery)).taskArn, 'the launch');
      const before = fake.observerChecks.length;
      await env.sleep('61 minutes');
      await eventually(() => fake.observerChecks.length >= before + 2, 'two tracking checks (30 min each, skipped)');
      const taskArn = (await handle.query(statusQuery)).taskArn!;
      await fake.observe(handle.workflowId, { taskArn, kind: 'FINISHED', task: { ...snapshot(taskArn, 'STOPPED', 'STOPPED', { startedAt: true }), containers: [{ name: 'airflow', exitCode: 0 }] } });
      expect(await taskResult(handle)).toMatchObject({ state: 'SUCCESS' });
    });
    expect(fake.observerChecks.every((c) => c === 'test')).toBe(true);
  });
});
