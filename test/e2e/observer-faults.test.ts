import { randomUUID } from 'node:crypto';
import { RunTaskCommand, StopTaskCommand } from '@aws-sdk/client-ecs';
import { temporal } from '@temporalio/proto';
import { CLUSTER, cleanUp, heartbeat, observationsOf, observerActivity, scripted } from '../support/observer';
import { eventually, Gate, startE2e, uniqueKey, type E2eContext } from '../support/e2e';

/**
 * The observer on real servers, as in observer.test.ts (its rounds), when things go wrong: a hung
 * ECS call, ECS tasks no workflow tracks any more, and an observer restarted on another worker.
 */

describe('the observer: a hung DescribeTasks call', () => {
  let e2e: E2eContext;
  // Long enough for the two other tasks to launch, run 1 s and finish while the first call is held, on a loaded machine.
  const CALL_TIMEOUT_S = 5;

  beforeAll(async () => {
    e2e = await startE2e({ localEcs: scripted, env: { ECS_EXECUTOR_ECS_CALL_TIMEOUT_SECONDS: String(CALL_TIMEOUT_S) } });
    await e2e.startWorker();
  });

  afterAll(async () => {
    await cleanUp(e2e);
  });

  it("does not hold up the other tasks' answers; its own task finishes after the ECS call timeout", async () => {
    await heartbeat(e2e, 'the observer running', () => true, 60_000);
    e2e.ecs.setFaults({ endpoint: { hang: { next: 1, operations: ['DescribeTasks'] } } });
    const hung = uniqueKey('hung');
    await e2e.client.executeAsync(hung, ['sleep', '1']);
    const [call] = await eventually(() => (e2e.ecs.hungCalls().length === 1 ? e2e.ecs.hungCalls() : undefined), 'the DescribeTasks call asking about the first task to hang');
    expect(call?.operation).toBe('DescribeTasks');

    const others = [uniqueKey('other'), uniqueKey('other')];
    for (const key of others) await e2e.client.executeAsync(key, ['sleep', '1']);
    const results = await Promise.all(others.map((key) => e2e.client.result(key)));
    expect(results.map((r) => r.state)).toEqual(['SUCCESS', 'SUCCESS']);
    // They finished while the first task's call was still held.
    expect(e2e.ecs.hungCalls().map((c) => c.id)).toEqual([call!.id]);
    const stillRunning = await e2e.client.status(hung);
    expect(stillRunning.phase).toBe('RUNNING');

    const result = await e2e.client.result(hung);
    expect(result.state).toBe('SUCCESS');
    expect(Date.now() - call!.heldSince).toBeGreaterThanOrEqual(CALL_TIMEOUT_S * 1000);
    // The observer gave up on the call (it is no longer held) and counted the error.
    expect(e2e.ecs.hungCalls()).toEqual([]);
    const progress = await heartbeat(e2e, 'the DescribeTasks error counted', (p) => p.describeErrors >= 1);
    expect(progress.lastError).toMatch(/^DescribeTasks of 1 tasks on cluster "default" failed/);
  }, 120_000);
});

describe('the observer: reconciliation', () => {
  let e2e: E2eContext;

  beforeAll(async () => {
    e2e = await startE2e({ localEcs: scripted, observer: { reconcileMs: 500, orphanGraceMs: 1_000 } });
    await e2e.startWorker();
  });

  afterAll(async () => {
    await cleanUp(e2e);
  });

  it('stops an ECS task with our startedBy that no running workflow tracks, and records it in its heartbeat', async () => {
    // Someone else's task on the same cluster, and a task a running workflow tracks: both must be left alone.
    const foreign = await e2e.sdk.send(
      new RunTaskCommand({
        cluster: CLUSTER,
        taskDefinition: 'airflow',
        startedBy: 'someone-else',
        overrides: { containerOverrides: [{ name: 'airflow', command: ['sleep', 'infinity'] }] },
      }),
    );
    const foreignArn = foreign.tasks?.[0]?.taskArn;
    expect(foreignArn).toBeDefined();
    const kept = uniqueKey('kept');
    await e2e.client.executeAsync(kept, ['sleep', 'infinity']);

    const orphaned = uniqueKey('orphan');
    const { workflowId } = await e2e.client.executeAsync(orphaned, ['sleep', 'infinity']);
    const orphanArn = await eventually(async () => {
      const status = await e2e.client.status(orphaned);
      return status.lastStatus === 'RUNNING' ? status.taskArn : undefined;
    }, 'the task to be RUNNING');
    // No code of ours runs in a workflow terminated from the Temporal side.
    await e2e.env.client.workflow.getHandle(workflowId).terminate('operator used Temporal terminate');

    const stopped = await eventually(() => e2e.ecs.tasks().find((t) => t.taskArn === orphanArn && t.lastStatus === 'STOPPED'), 'the orphaned ECS task to be stopped', 60_000);
    expect(stopped.stoppedReason).toMatch(/^temporal-ecs-executor: no running workflow has tracked it for 1 s \(its workflow was closed from outside\)$/);
    expect(stopped.startedBy).toBe(`temporal-ecs-executor/default/${e2e.runtime.taskQueue}`);

    const progress = await heartbeat(e2e, 'the orphan stopped', (p) => p.orphansStopped.some((o) => o.taskArn === orphanArn));
    expect(progress.orphansStopped).toEqual([{ taskArn: orphanArn, at: expect.any(String), why: 'no running workflow has tracked it for 1 s (its workflow was closed from outside)' }]);

    // Several reconciliations later, the others still run.
    await heartbeat(e2e, 'more rounds', (p) => p.rounds >= progress.rounds + 10);
    const byArn = new Map(e2e.ecs.tasks().map((t) => [t.taskArn, t.lastStatus]));
    expect(byArn.get(foreignArn!)).toBe('RUNNING');
    const keptStatus = await e2e.client.status(kept);
    expect(keptStatus).toMatchObject({ phase: 'RUNNING', lastStatus: 'RUNNING' });
    expect(byArn.get(keptStatus.taskArn!)).toBe('RUNNING');

    await e2e.client.terminateTask(kept, 'test is done with it');
    await e2e.client.result(kept);
    await e2e.sdk.send(new StopTaskCommand({ cluster: CLUSTER, task: foreignArn!, reason: 'test is done with it' }));
  }, 120_000);
});

describe('the observer: restarted on another worker', () => {
  let e2e: E2eContext;

  beforeAll(async () => {
    // Process mode, so that a gate (a file) decides when the task ends.
    e2e = await startE2e();
  });

  afterAll(async () => {
    await cleanUp(e2e);
  });

  it('keeps tracking: the tracked set is read from visibility, so a task that ended while no observer ran still finishes', async () => {
    const first = await e2e.startWorker();
    const gate = new Gate(`restart-${randomUUID().slice(0, 8)}`);
    const key = uniqueKey('restart');
    const { workflowId } = await e2e.client.executeAsync(key, gate.command());
    await eventually(async () => (await e2e.client.status(key)).lastStatus === 'RUNNING', 'the task to be RUNNING (the first observer signalled it)', 60_000);
    const before = await observerActivity(e2e);
    expect(before.pending?.attempt).toBeDefined();

    first.shutdown();
    // The first worker's observer attempt is over: the server has it waiting for a worker again.
    const waiting = await eventually(
      async () => {
        const { pending } = await observerActivity(e2e);
        const scheduled = pending?.state === temporal.api.enums.v1.PendingActivityState.PENDING_ACTIVITY_STATE_SCHEDULED;
        return scheduled && (pending.attempt ?? 0) > (before.pending?.attempt ?? 0) ? pending : undefined;
      },
      'the observer activity to be scheduled again after the worker stopped',
      60_000,
      250,
    );
    expect(waiting.attempt).toBeGreaterThan(before.pending!.attempt!);

    // The task ends while no observer runs.
    gate.open();
    await e2e.startWorker();
    const result = await e2e.client.result(key);
    expect(result).toMatchObject({ state: 'SUCCESS', attempts: 1 });
    expect(await observationsOf(e2e, workflowId)).toEqual(['RUNNING', 'FINISHED']);
  }, 180_000);
});
