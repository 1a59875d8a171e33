import { once } from 'node:events';
import { eventually, Gate, startE2e, uniqueKey, type E2eContext } from '../support/e2e';

/**
 * The worker is its own process here (`ecs-executor worker`), killed with SIGKILL while tasks
 * run: Temporal notices the missing heartbeats, a new worker resumes the waits, and no task is
 * lost or launched twice.
 */
describe('a worker killed mid-run (dev server, local ECS endpoint)', () => {
  let e2e: E2eContext;

  beforeAll(async () => {
    // A dead worker's observer and workflows move on within seconds: its heartbeat and its sticky queue time out sooner than by default.
    e2e = await startE2e({ env: { ECS_EXECUTOR_OBSERVER_HEARTBEAT_TIMEOUT_SECONDS: '3', ECS_EXECUTOR_STICKY_QUEUE_TIMEOUT_SECONDS: '2' } });
  });

  afterAll(async () => {
    await e2e?.teardown();
  });

  it('completes every task after a SIGKILLed worker is replaced, with exactly one ECS task per launch attempt', async () => {
    const launchedBefore = e2e.ecs.stats().tasksLaunched;
    const first = e2e.spawnWorker();
    const keys = [uniqueKey('crash'), uniqueKey('crash'), uniqueKey('crash')];
    // The tasks run until the gate opens, after the kill: all three are running across the crash.
    const gate = new Gate('crash');
    for (const key of keys) await e2e.client.executeAsync(key, gate.command());
    await eventually(
      async () => {
        const states = await Promise.all(keys.map(async (key) => (await e2e.client.status(key)).lastStatus));
        return states.every((s) => s === 'RUNNING');
      },
      'every task to be RUNNING',
      90_000,
    );

    first.kill('SIGKILL');
    await once(first, 'exit');
    expect(e2e.ecs.stats().runningProcesses).toBe(3);

    const second = e2e.spawnWorker();
    gate.open();
    const results = await Promise.all(keys.map((key) => e2e.client.result(key)));
    expect(results.map((r) => [r.state, r.attempts])).toEqual(keys.map(() => ['SUCCESS', 1]));
    expect(e2e.ecs.stats().tasksLaunched - launchedBefore).toBe(3);

    second.kill('SIGTERM');
    const [code] = (await once(second, 'exit')) as [number | null];
    expect(code).toBe(0);
  }, 180_000);
});
