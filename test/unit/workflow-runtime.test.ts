import { randomUUID } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowBundle } from '@temporalio/worker';
import { WorkerThreadClient } from '@temporalio/worker/lib/workflow/threaded-vm';
import { INSTALLED_SDK_VERSION, threadSetUpMatches, workerClass } from '../../src/temporal/workflow-runtime';
import { createTimeSkippingEnv } from '../support/environments';
import { eventually } from '../support/eventually';
import { bundleQuietly } from '../support/workflow-bundle';

/** Well under a second of spinning on any machine. */
const ROUNDS = 20_000_000;
/** Far longer than the guard below on any machine: several seconds if nothing stopped it. */
const ENDLESS = 2_000_000_000;
/** Long enough for the SDK's own setup calls into the bundle on a loaded machine. */
const GUARD_MS = 200;

describe('how the worker runs workflow code (ECS_EXECUTOR_WORKFLOW_DEADLOCK_TIMEOUT_SECONDS, ECS_EXECUTOR_WORKFLOW_STACK_TRACES)', () => {
  let env: TestWorkflowEnvironment;
  let bundle: WorkflowBundle;

  beforeAll(async () => {
    env = await createTimeSkippingEnv();
    bundle = await bundleQuietly(require.resolve('../support/runtime-workflows'));
  });

  afterAll(async () => {
    await env?.teardown();
  });

  const workerFor = async (deadlockTimeoutMs: number, stackTraces: boolean, taskQueue: string, sdkVersion?: string) =>
    workerClass({ deadlockTimeoutMs, stackTraces, sdkVersion }).create({ connection: env.nativeConnection, taskQueue, workflowBundle: bundle });

  describe.each([false, true])('stack traces %p', (stackTraces) => {
    it('deadlock guard off (0, the default): the workflow thread is given no timeout, so Node starts no watchdog, and workflows still run', async () => {
      // Every workflow thread, the SDK's or ours, is set up by an init message through this client.
      const send = jest.spyOn(WorkerThreadClient.prototype, 'send');
      try {
        const taskQueue = `tq-${randomUUID()}`;
        const worker = await workerFor(0, stackTraces, taskQueue);
        const result = await worker.runUntil(env.client.workflow.execute('spin', { taskQueue, workflowId: randomUUID(), args: [ROUNDS] }));
        expect(typeof result).toBe('number');
        const inits = send.mock.calls.flatMap(([input]) => (input.type === 'init' ? [input] : []));
        // One thread, set up as the SDK sets up its own, but for the timeout: the SDK always sets one
        // (5 s by default), so undefined here can only be our doing.
        expect(inits).toEqual([
          expect.objectContaining({ isolateExecutionTimeoutMs: undefined, reuseV8Context: true, hasPatchActivationCallback: false, registeredActivityNames: new Set() }),
        ]);
      } finally {
        send.mockRestore();
      }
    });

    it('deadlock guard on: workflow code that runs past the timeout fails its workflow task', async () => {
      const taskQueue = `tq-${randomUUID()}`;
      const worker = await workerFor(GUARD_MS, stackTraces, taskQueue);
      const handle = await env.client.workflow.start('spin', { taskQueue, workflowId: randomUUID(), args: [ENDLESS] });
      const failure = await worker.runUntil(
        eventually(async () => {
          const { events } = await handle.fetchHistory();
          return events?.find((event) => event.workflowTaskFailedEventAttributes)?.workflowTaskFailedEventAttributes?.failure?.message ?? undefined;
        }, 'a failed workflow task'),
      );
      await handle.terminate('test over');
      // Node's own message for a vm timeout, which the SDK fails the workflow task with.
      expect(failure).toBe(`Script execution timed out after ${GUARD_MS}ms`);
    });
  });

  it('the thread set-up we repeat was checked against the installed SDK (an upgrade fails here until it is checked again)', () => {
    expect(threadSetUpMatches(INSTALLED_SDK_VERSION)).toBe(true);
    expect(threadSetUpMatches('1.24.3')).toBe(true);
    expect(threadSetUpMatches('1.25.0')).toBe(false);
    expect(threadSetUpMatches('1.2.40')).toBe(false);
  });

  const stackTraceOfWaitingWorkflow = async (stackTraces: boolean, sdkVersion?: string): Promise<string> => {
    const taskQueue = `tq-${randomUUID()}`;
    const worker = await workerFor(0, stackTraces, taskQueue, sdkVersion);
    const handle = await env.client.workflow.start('waitInCondition', { taskQueue, workflowId: randomUUID() });
    try {
      return await worker.runUntil(handle.query<string>('__stack_trace'));
    } finally {
      await handle.terminate('test over');
    }
  };

  it('stack traces off (the default): the stack-trace query says they are not enabled', async () => {
    const error = await stackTraceOfWaitingWorkflow(false).then(
      () => undefined,
      (err: unknown) => err,
    );
    // The worker's answer, which the UI's Stack Trace tab shows, is the gRPC error's cause.
    expect(error).toMatchObject({ message: 'Failed to query Workflow', cause: { details: 'Workflow stack traces are not enabled on this worker' } });
  });

  it('stack traces on: the stack-trace query shows where the workflow waits, in its source', async () => {
    const stack = await stackTraceOfWaitingWorkflow(true);
    expect(stack).toMatch(/waitInCondition \(.*runtime-workflows\.ts:\d+:\d+\)/);
  });

  it("on an SDK minor our thread set-up was not checked against, the worker runs the SDK's own, stack traces and all", async () => {
    const stack = await stackTraceOfWaitingWorkflow(false, '1.25.0');
    expect(stack).toMatch(/waitInCondition \(.*runtime-workflows\.ts:\d+:\d+\)/);
  });
});
