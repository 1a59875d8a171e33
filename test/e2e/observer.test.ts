import { heartbeat, observationsOf, recordDescribeTasks, scripted, cleanUp, type DescribeCall } from '../support/observer';
import { eventually, startE2e, uniqueKey, type E2eContext } from '../support/e2e';

/**
 * The observer on real servers: the run-wide Temporal dev server (visibility, signals, histories)
 * and the local ECS endpoint over HTTP, with in-process workers built by createEcsWorker. What is
 * proven here is counted (DescribeTasks calls and their sizes, signals in workflow histories,
 * heartbeat details), never inferred from timing. Its faults, reconciliation and restart are in observer-faults.test.ts.
 */

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
    // Every workflow's own history, so that a failure names the workflows told more than once.
    const toldMoreThanRunning = (await Promise.all(ids.map(async (id) => ({ id, signals: await observationsOf(e2e, id) })))).filter(
      (w) => w.signals.length !== 1 || w.signals[0] !== 'RUNNING',
    );
    expect(toldMoreThanRunning).toEqual([]);
    expect(last.signals - first.signals).toBe(0);
    // Terminating them through our client (StopTask, FINISHED) is proven above; cleanUp ends these workflows.
  }, 240_000);
});
