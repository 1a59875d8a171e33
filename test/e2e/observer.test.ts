import { randomUUID } from 'node:crypto';
import { type DescribeTasksCommandInput, type DescribeTasksCommandOutput, RunTaskCommand, StopTaskCommand } from '@aws-sdk/client-ecs';
import { WorkflowNotFoundError } from '@temporalio/client';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import type { ObserverProgress } from '../../src/activities';
import { observerWorkflowId } from '../../src/contract/ids';
import type { EcsObservation } from '../../src/contract/messages';
import { and, executorScope, RUNNING } from '../../src/temporal/queries';
import type { EcsWorker } from '../../src/worker';
import { eventually, Gate, startE2e, uniqueKey, type E2eContext, type E2eOptions } from '../support/e2e';

/**
 * The observer on real servers: the run-wide Temporal dev server (visibility, signals, histories)
 * and the local ECS endpoint over HTTP, with in-process workers built by createEcsWorker. What is
 * proven here is counted (DescribeTasks calls and their sizes, signals in workflow histories,
 * heartbeat details), never inferred from timing.
 */

const CLUSTER = 'default';

/** One DescribeTasks call the worker's ECS client made: the ARNs asked, and each task's lastStatus in the answer. */
interface DescribeCall {
  arns: string[];
  statuses: Map<string, string | undefined>;
}

/** Records every DescribeTasks call of the worker's ECS client (the observer's polls). */
function recordDescribeTasks(worker: EcsWorker): DescribeCall[] {
  const calls: DescribeCall[] = [];
  worker.ecs.get().middlewareStack.add(
    (next, context) => async (args) => {
      const result = await next(args);
      if (context.commandName === 'DescribeTasksCommand') {
        const input = args.input as DescribeTasksCommandInput;
        const output = result.output as DescribeTasksCommandOutput;
        calls.push({ arns: input.tasks ?? [], statuses: new Map((output.tasks ?? []).map((t) => [t.taskArn ?? '', t.lastStatus])) });
      }
      return result;
    },
    { step: 'initialize', name: 'observerTestDescribeRecorder' },
  );
  return calls;
}

/** The observer's pending activity as the server shows it, with its last heartbeat decoded. */
async function observerActivity(e2e: E2eContext) {
  const description = await e2e.env.client.workflow.getHandle(observerWorkflowId(e2e.runtime.taskQueue, CLUSTER)).describe();
  const pending = description.raw.pendingActivities?.[0];
  const payload = pending?.heartbeatDetails?.payloads?.[0];
  return {
    pending,
    progress: payload ? defaultPayloadConverter.fromPayload<ObserverProgress>(payload as Payload) : undefined,
  };
}

async function heartbeat(e2e: E2eContext, what: string, ready: (p: ObserverProgress) => boolean, timeoutMs = 60_000): Promise<ObserverProgress> {
  return eventually(
    async () => {
      const { progress } = await observerActivity(e2e);
      return progress !== undefined && ready(progress) ? progress : undefined;
    },
    `an observer heartbeat with ${what}`,
    timeoutMs,
    250,
  );
}

/** The ecsObservation signals in a workflow's history, in order. */
async function observationsOf(e2e: E2eContext, workflowId: string): Promise<EcsObservation['kind'][]> {
  const history = await e2e.env.client.workflow.getHandle(workflowId).fetchHistory();
  return (history.events ?? []).flatMap((event) => {
    const signal = event.workflowExecutionSignaledEventAttributes;
    if (signal?.signalName !== 'ecsObservation') return [];
    const payload = signal.input?.payloads?.[0];
    return payload ? [defaultPayloadConverter.fromPayload<EcsObservation>(payload as Payload).kind] : [];
  });
}

const scripted: E2eOptions['localEcs'] = { execution: 'scripted' };

/** Stops what a test group left behind on the shared dev server: its running task workflows and its observer. */
async function cleanUp(e2e: E2eContext | undefined): Promise<void> {
  if (e2e === undefined) return;
  const client = e2e.env.client;
  for await (const info of client.workflow.list({ query: and(executorScope(e2e.runtime.executorName), RUNNING) })) {
    await client.workflow.getHandle(info.workflowId).terminate('observer e2e test cleanup').catch(() => undefined);
  }
  await client.workflow
    .getHandle(observerWorkflowId(e2e.runtime.taskQueue, CLUSTER))
    .terminate('observer e2e test cleanup')
    .catch((err: unknown) => {
      if (!(err instanceof WorkflowNotFoundError)) throw err;
    });
  await e2e.teardown();
}

describe('the observer: one DescribeTasks round per poll interval, signals only when Airflow cares', () => {
  let e2e: E2eContext;
  let calls: DescribeCall[];
  const POLL_MS = 1_000;

  beforeAll(async () => {
    e2e = await startE2e({
      maxRunTaskAttempts: 1,
      // Long enough in PENDING for several rounds to see it.
      localEcs: { ...scripted, lifecycle: { provisioningMs: 50, pendingMs: 3_000, deactivatingMs: 20, deprovisioningMs: 20 } },
      env: { ECS_EXECUTOR_POLL_INTERVAL_SECONDS: String(POLL_MS / 1000) },
    });
    calls = recordDescribeTasks(await e2e.startWorker());
  });

  afterAll(async () => {
    await cleanUp(e2e);
  });

  it('a status change Airflow does not care about (PENDING) wakes no workflow: RUNNING once, FINISHED once', async () => {
    const key = uniqueKey('pending');
    const { workflowId } = await e2e.client.executeAsync(key, ['sleep', 'infinity']);
    const taskArn = await eventually(async () => (await e2e.client.status(key)).taskArn, 'the task launched');
    const answersWith = (status: string) => calls.filter((c) => c.statuses.get(taskArn) === status).length;

    // The gate: the observer has seen the task PENDING and then RUNNING on several rounds.
    await eventually(() => answersWith('RUNNING') >= 3, 'three DescribeTasks answers with the task RUNNING', 60_000);
    expect(answersWith('PENDING')).toBeGreaterThanOrEqual(1);
    expect(await observationsOf(e2e, workflowId)).toEqual(['RUNNING']);

    await e2e.client.terminateTask(key, 'test is done with it');
    const result = await e2e.client.result(key);
    expect(result).toMatchObject({ state: 'FAILED', terminated: true });
    // Every round saw it; two signals in all.
    expect(await observationsOf(e2e, workflowId)).toEqual(['RUNNING', 'FINISHED']);
  });

  it('covers every tracked task in one round per poll interval, at most 100 ARNs a call: 150 tasks, 2 calls a round', async () => {
    const keys = Array.from({ length: 150 }, () => uniqueKey('round'));
    const base = await heartbeat(e2e, 'nothing tracked', (p) => p.tracked === 0);
    const started = await e2e.client.executeMany(keys.map((key) => ({ key, command: ['sleep', 'infinity'] })));
    expect(started.every((s) => s.status === 'fulfilled')).toBe(true);

    // From when all 150 are tracked and RUNNING was sent to each.
    const first = await heartbeat(e2e, '150 tasks tracked, each told RUNNING', (p) => p.tracked === 150 && p.signals >= base.signals + 150, 120_000);
    const firstCall = calls.length;
    const last = await heartbeat(e2e, '5 more rounds over the 150', (p) => p.tracked === 150 && p.rounds >= first.rounds + 5, 60_000);

    const rounds = last.rounds - first.rounds;
    expect(last.describeCalls - first.describeCalls).toBe(2 * rounds);
    expect(last.arnsDescribed - first.arnsDescribed).toBe(150 * rounds);
    // Rounds fall on multiples of the poll interval: never two in one interval.
    const spanMs = Date.parse(last.lastRoundAt!) - Date.parse(first.lastRoundAt!);
    expect(rounds).toBeLessThanOrEqual(Math.floor(spanMs / POLL_MS) + 1);
    const window = calls.slice(firstCall);
    expect(window.length).toBeGreaterThanOrEqual(2 * (rounds - 1));
    expect(Math.max(...window.map((c) => c.arns.length))).toBe(100);
    expect(window.every((c) => c.arns.length === 100 || c.arns.length === 50)).toBe(true);

    // Nothing changed for Airflow after RUNNING: one signal per task in all those rounds.
    const ids = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value.workflowId] : []));
    const signals = await Promise.all(ids.slice(0, 10).map((id) => observationsOf(e2e, id)));
    expect(signals).toEqual(ids.slice(0, 10).map(() => ['RUNNING']));
    expect(last.signals - first.signals).toBe(0);

    await Promise.all(keys.map((key) => e2e.client.terminateTask(key, 'test is done with it')));
    await Promise.all(keys.map((key) => e2e.client.result(key)));
  }, 240_000);
});

describe('the observer: a hung DescribeTasks call', () => {
  let e2e: E2eContext;
  const CALL_TIMEOUT_S = 10;

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
