import { NativeConnection } from '@temporalio/worker';
import { EcsClientProvider } from '../../src/ecs/ecs-client';
import { EcsUnhealthyError } from '../../src/errors';
import { createEcsWorker } from '../../src/worker';
import { CREDENTIALS, nodeCommand, startE2e, uniqueKey, type E2eContext } from '../support/e2e';

/**
 * Worker start-up against an ECS endpoint that refuses connections (issue 9, item 10): by default
 * the worker runs the health check and refuses to start, instead of polling and leaving every
 * task queued behind transient errors that never end.
 */
describe('a worker started against an unreachable ECS endpoint (dev server)', () => {
  let e2e: E2eContext;
  let connection: NativeConnection;
  // Port 1 on loopback: nothing listens, every connection is refused at once.
  const unreachable = () => new EcsClientProvider({ region: 'us-east-1', endpoint: 'http://127.0.0.1:1', credentials: CREDENTIALS });

  beforeAll(async () => {
    e2e = await startE2e();
    connection = await NativeConnection.connect({ address: e2e.env.address });
  });

  afterAll(async () => {
    await connection?.close();
    await e2e?.teardown();
  });

  it('refuses to start by default (check_health_on_startup), saying why', async () => {
    expect(e2e.executor.checkHealthOnStartup).toBe(true);
    const started = createEcsWorker({ connection, temporal: { address: e2e.env.address }, runtime: e2e.runtime, executor: e2e.executor, ecs: unreachable() });
    await expect(started).rejects.toBeInstanceOf(EcsUnhealthyError);
    await expect(started).rejects.toThrow(/^ECS health check failed for cluster "default": /);
  });

  it('starts without the check when told to (ecs-executor worker --no-check-health)', async () => {
    const worker = await createEcsWorker({
      connection,
      temporal: { address: e2e.env.address },
      runtime: e2e.runtime,
      executor: e2e.executor,
      ecs: unreachable(),
      checkHealth: false,
    });
    await worker.runUntil(Promise.resolve());
  });
});

/** ECS_EXECUTOR_WORKFLOW_TASK_POLLERS reaches the SDK: a worker polling with the autoscaling poller runs tasks through. */
describe('a worker on the autoscaling workflow-task poller (dev server, local ECS endpoint)', () => {
  let e2e: E2eContext;

  beforeAll(async () => {
    e2e = await startE2e({ maxRunTaskAttempts: 1, env: { ECS_EXECUTOR_WORKFLOW_TASK_POLLERS: 'autoscaling' } });
    await e2e.startWorker();
  });

  afterAll(async () => {
    await e2e?.teardown();
  });

  it('launches and tracks tasks to their outcome', async () => {
    expect(e2e.runtime.workflowTaskPollers).toEqual({ type: 'autoscaling' });
    const keys = [uniqueKey('poll-ok'), uniqueKey('poll-ok'), uniqueKey('poll-fail')];
    await Promise.all(keys.map((key, i) => e2e.client.executeAsync(key, nodeCommand(`process.exit(${i === 2 ? 3 : 0})`))));
    const results = await Promise.all(keys.map((key) => e2e.client.result(key)));
    expect(results.map((result) => result.state)).toEqual(['SUCCESS', 'SUCCESS', 'FAILED']);
  });
});
