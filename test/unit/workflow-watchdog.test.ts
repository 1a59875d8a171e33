import { randomUUID } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker, type CompiledWorkerOptions, type WorkflowBundle } from '@temporalio/worker';
import { workerWithDeadlockTimeout } from '../../src/temporal/workflow-watchdog';
import { createTimeSkippingEnv } from '../support/environments';
import { eventually } from '../support/eventually';
import { bundleQuietly } from '../support/workflow-bundle';

/** Well under a second of spinning on any machine. */
const ROUNDS = 20_000_000;
/** Far longer than the guard below on any machine: several seconds if nothing stopped it. */
const ENDLESS = 2_000_000_000;
/** Long enough for the SDK's own setup calls into the bundle on a loaded machine. */
const GUARD_MS = 200;

describe('the workflow deadlock guard (ECS_EXECUTOR_WORKFLOW_DEADLOCK_TIMEOUT_SECONDS)', () => {
  let env: TestWorkflowEnvironment;
  let bundle: WorkflowBundle;

  beforeAll(async () => {
    env = await createTimeSkippingEnv();
    bundle = await bundleQuietly(require.resolve('../support/spin-workflow'));
  });

  afterAll(async () => {
    await env?.teardown();
  });

  const workerFor = async (timeoutMs: number, taskQueue: string) =>
    workerWithDeadlockTimeout(timeoutMs).create({ connection: env.nativeConnection, taskQueue, workflowBundle: bundle });

  it('off (0, the default): the SDK is given no timeout, so Node starts no watchdog, and workflows still run', async () => {
    // The SDK's own creator, which the subclass calls: what it is given is what reaches `runInContext`.
    const sdk = Worker as unknown as { createWorkflowCreator(bundle: unknown, options: CompiledWorkerOptions, logger: unknown): Promise<unknown> };
    const creator = jest.spyOn(sdk, 'createWorkflowCreator');
    try {
      const taskQueue = `tq-${randomUUID()}`;
      const worker = await workerFor(0, taskQueue);
      const result = await worker.runUntil(env.client.workflow.execute('spin', { taskQueue, workflowId: randomUUID(), args: [ROUNDS] }));
      expect(typeof result).toBe('number');
      // The SDK always sets this (5 s by default): undefined here can only be the subclass's doing.
      expect(creator.mock.calls.map(([, options]) => options.isolateExecutionTimeoutMs)).toEqual([undefined]);
    } finally {
      creator.mockRestore();
    }
  });

  it('on: workflow code that runs past the timeout fails its workflow task', async () => {
    const taskQueue = `tq-${randomUUID()}`;
    const worker = await workerFor(GUARD_MS, taskQueue);
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
