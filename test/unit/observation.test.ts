import { decideObservation, dueCalls, firstTurns, isFinished, MISSING_GRACE_MS, pollTickMs, type DescribeAnswer, type ObservationDecision, type TrackedTask } from '../../src/rules/observation';
import type { EcsTaskSnapshot } from '../../src/types';

const ARN = 'arn:aws:ecs:us-east-1:123456789012:task/airflow/0123456789abcdef0123456789abcdef';
const TRACKED_SINCE = Date.parse('2026-12-01T10:00:00Z');

const tracked = (overrides: Partial<TrackedTask> = {}): TrackedTask => ({ trackedSinceMs: TRACKED_SINCE, seen: true, runningSent: false, ...overrides });

function task(lastStatus: string, desiredStatus: string, extra: Partial<EcsTaskSnapshot> = {}): EcsTaskSnapshot {
  return { taskArn: ARN, lastStatus, desiredStatus, startedAt: '2026-12-01T10:00:05.000Z', containers: [{ name: 'base' }], ...extra };
}
const exited = (...codes: number[]) => ({ containers: codes.map((exitCode, i) => ({ name: `c${i}`, exitCode })) });

/** Every ECS lastStatus a task passes through on its way to RUNNING and back, as ECS reports them. */
const notDecided: [string, EcsTaskSnapshot][] = [
  ['PROVISIONING (desired RUNNING)', task('PROVISIONING', 'RUNNING', { startedAt: undefined })],
  ['PENDING (desired RUNNING)', task('PENDING', 'RUNNING', { startedAt: undefined })],
  ['ACTIVATING (desired RUNNING)', task('ACTIVATING', 'RUNNING', { startedAt: undefined })],
  ['DEACTIVATING, containers still running', task('DEACTIVATING', 'STOPPED')],
  ['STOPPING, containers still running', task('STOPPING', 'STOPPED')],
  ['DEPROVISIONING, one container without an exit code yet', task('DEPROVISIONING', 'STOPPED', { containers: [{ name: 'a', exitCode: 0 }, { name: 'b' }] })],
  ['STOPPING, an exit code null after crossing JSON', task('STOPPING', 'STOPPED', { containers: [{ name: 'base', exitCode: null }] })],
];

describe('isFinished', () => {
  it.each([
    ['STOPPED, every container exited 0 (SUCCESS)', task('STOPPED', 'STOPPED', exited(0, 0))],
    ['STOPPED, one container exited 1 (FAILED)', task('STOPPED', 'STOPPED', exited(0, 1))],
    ['stopped before it started (REMOVED)', task('STOPPED', 'STOPPED', { startedAt: undefined, stopCode: 'TaskFailedToStart' })],
    ['DEPROVISIONING, never started (REMOVED: Airflow decides on desiredStatus)', task('DEPROVISIONING', 'STOPPED', { startedAt: undefined })],
    ['STOPPED without any exit code (the containers were never reported)', task('STOPPED', 'STOPPED')],
    ['STOPPED without containers at all', task('STOPPED', 'STOPPED', { containers: [] })],
    // Airflow's is_finished is desiredStatus STOPPED with every exit code in: the outcome is decided.
    ['STOPPING with every exit code in', task('STOPPING', 'STOPPED', exited(0))],
  ])('%s: finished', (_label, snapshot) => {
    expect(isFinished(snapshot)).toBe(true);
  });

  it.each([['RUNNING', task('RUNNING', 'RUNNING')], ['RUNNING while a stop is requested', task('RUNNING', 'STOPPED')], ...notDecided])('%s: not finished', (_label, snapshot) => {
    expect(isFinished(snapshot)).toBe(false);
  });
});

describe('decideObservation', () => {
  const now = TRACKED_SINCE + 5_000;
  const REPORT = { reportEcsRunning: true };
  const QUIET = { reportEcsRunning: false };

  it('sends nothing for ECS RUNNING unless asked (ECS_EXECUTOR_REPORT_ECS_RUNNING): Airflow counts the task running since RunTask', () => {
    expect(decideObservation(tracked(), { task: task('RUNNING', 'RUNNING') }, now, QUIET)).toEqual({ send: undefined });
  });

  it('sends RUNNING, when asked, the first time DescribeTasks reports the task RUNNING', () => {
    const running = task('RUNNING', 'RUNNING');
    expect(decideObservation(tracked(), { task: running }, now, REPORT)).toEqual<ObservationDecision>({ send: 'RUNNING', task: running });
  });

  it('sends RUNNING only once: a task still RUNNING on later rounds wakes nobody', () => {
    expect(decideObservation(tracked({ runningSent: true }), { task: task('RUNNING', 'RUNNING') }, now, REPORT)).toEqual({ send: undefined });
  });

  it('sends RUNNING for a task being stopped whose containers still run (lastStatus RUNNING)', () => {
    const stopping = task('RUNNING', 'STOPPED');
    expect(decideObservation(tracked(), { task: stopping }, now, REPORT)).toEqual({ send: 'RUNNING', task: stopping });
  });

  it.each(notDecided)('sends nothing for %s', (_label, snapshot) => {
    expect(decideObservation(tracked(), { task: snapshot }, now, REPORT)).toEqual({ send: undefined });
    expect(decideObservation(tracked({ runningSent: true }), { task: snapshot }, now, REPORT)).toEqual({ send: undefined });
  });

  it.each([
    ['SUCCESS', task('STOPPED', 'STOPPED', exited(0))],
    ['FAILED', task('STOPPED', 'STOPPED', exited(2))],
    ['REMOVED', task('STOPPED', 'STOPPED', { startedAt: undefined, stopCode: 'TaskFailedToStart' })],
    ['STOPPED without exit codes', task('STOPPED', 'STOPPED')],
  ])('sends FINISHED for %s, whether or not RUNNING was sent before', (_label, snapshot) => {
    for (const entry of [tracked(), tracked({ runningSent: true }), tracked({ seen: false })]) {
      expect(decideObservation(entry, { task: snapshot }, now, REPORT)).toEqual<ObservationDecision>({ send: 'FINISHED', task: snapshot });
    }
  });

  describe('MISSING (DescribeTasks reports the ARN under failures)', () => {
    const missing: DescribeAnswer = { failure: { reason: 'MISSING' } };

    it(`waits out the ${MISSING_GRACE_MS / 1000} s grace while DescribeTasks has never seen the task (eventual consistency after RunTask)`, () => {
      const unseen = tracked({ seen: false });
      expect(decideObservation(unseen, missing, TRACKED_SINCE, REPORT)).toEqual({ send: undefined });
      expect(decideObservation(unseen, missing, TRACKED_SINCE + MISSING_GRACE_MS - 1, REPORT)).toEqual({ send: undefined });
    });

    it('sends MISSING once the grace is over', () => {
      expect(decideObservation(tracked({ seen: false }), missing, TRACKED_SINCE + MISSING_GRACE_MS, REPORT)).toEqual({ send: 'MISSING', reason: 'MISSING' });
    });

    it('sends MISSING at once, within the grace, for a task DescribeTasks has seen before', () => {
      expect(decideObservation(tracked({ seen: true }), missing, TRACKED_SINCE + 1, REPORT)).toEqual({ send: 'MISSING', reason: 'MISSING' });
      expect(decideObservation(tracked({ seen: true, runningSent: true }), missing, TRACKED_SINCE, REPORT)).toEqual({ send: 'MISSING', reason: 'MISSING' });
    });

    it('includes the failure detail in the reason', () => {
      expect(decideObservation(tracked(), { failure: { reason: 'MISSING', detail: 'stopped over an hour ago' } }, now, REPORT)).toEqual({
        send: 'MISSING',
        reason: 'MISSING: stopped over an hour ago',
      });
    });
  });
});

describe('pollTickMs, firstTurns and dueCalls: every task described once per interval, in full calls', () => {
  const INTERVAL = 10_000;
  const TICK = 1_000;
  const arnsOf = (n: number, prefix = 't') => Array.from({ length: n }, (_, i) => `arn:aws:ecs:us-east-1:000000000000:task/c/${prefix}${i}`);

  it.each([
    [10_000, 1_000],
    [3_000, 1_000],
    [2_500, 1_250],
    [1_500, 1_500],
    [500, 500],
  ])('a %i ms interval ticks every %i ms (a whole number of ticks, about a second each)', (interval, tick) => {
    expect(pollTickMs(interval)).toBe(tick);
  });

  it('spreads newly tracked tasks over the interval in calls of 100, the first 100 at once', () => {
    const turns = firstTurns(arnsOf(250), [], 50_000, INTERVAL, 100);
    expect(turns.map((t) => t.dueAtMs - 50_000)).toEqual([...Array(100).fill(0), ...Array(100).fill(1_000), ...Array(50).fill(2_000)]);
    const many = firstTurns(arnsOf(2_050), [], 0, INTERVAL, 100);
    expect(new Set(many.map((t) => t.dueAtMs))).toEqual(new Set(Array.from({ length: 10 }, (_, i) => i * 1_000)));
    expect(many.filter((t) => t.dueAtMs === 0)).toHaveLength(250);
  });

  it('puts new tasks where they add the fewest calls: first into calls with room, then onto the ticks nobody is due at', () => {
    // 100 due at each of the next five ticks (one overdue), 30 at the sixth.
    const existing = [9_000, ...Array<number>(99).fill(10_000), ...[1, 2, 3, 4].flatMap((k) => Array<number>(100).fill(10_000 + k * TICK)), ...Array<number>(30).fill(15_000)];
    const turns = firstTurns(arnsOf(500), existing, 10_000, INTERVAL, 100);
    const perTick = new Map<number, number>();
    for (const t of turns) perTick.set((t.dueAtMs - 10_000) / TICK, (perTick.get((t.dueAtMs - 10_000) / TICK) ?? 0) + 1);
    expect(Object.fromEntries(perTick)).toEqual({ 5: 70, 6: 100, 7: 100, 8: 100, 9: 100, 0: 30 });
  });

  it('describes what is due by this tick, and tops the last call up with what is due next', () => {
    const turns = [
      ...arnsOf(130, 'due').map((taskArn) => ({ taskArn, dueAtMs: 9_000 })),
      ...arnsOf(100, 'next').map((taskArn) => ({ taskArn, dueAtMs: 11_000 })),
      ...arnsOf(100, 'soon').map((taskArn) => ({ taskArn, dueAtMs: 10_600 })),
    ];
    const calls = dueCalls(turns, 10_000, TICK, 100);
    expect(calls.map((c) => c.length)).toEqual([100, 100]);
    const described = calls.flat();
    expect(described.filter((arn) => arn.includes('/due'))).toHaveLength(130);
    expect(described.filter((arn) => arn.includes('/soon'))).toHaveLength(70);
    expect(described.filter((arn) => arn.includes('/next'))).toHaveLength(0);
  });

  it('describes nothing when nothing is due, and everything in one call when fewer than 100 are tracked', () => {
    const turns = arnsOf(40).map((taskArn, i) => ({ taskArn, dueAtMs: 20_000 + i * 100 }));
    expect(dueCalls(turns, 10_000, TICK, 100)).toEqual([]);
    expect(dueCalls(turns, 20_000, TICK, 100)).toEqual([arnsOf(40)]);
    expect(dueCalls([], 20_000, TICK, 100)).toEqual([]);
  });

  it('gives a late timer half a tick of leeway, and leaves the next tick its own', () => {
    const turns = [
      { taskArn: 'now', dueAtMs: 10_000 },
      { taskArn: 'next', dueAtMs: 11_000 },
    ];
    expect(dueCalls(turns, 10_000, TICK, 1).flat()).toEqual(['now']);
    expect(dueCalls(turns, 9_000, TICK, 1).flat()).toEqual([]);
  });

  it('under churn (tasks ending, bursts of new ones), no task goes over an interval unpolled, and calls stay at ceil(N / 100) an interval', () => {
    let seed = 7;
    const random = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
    const due = new Map<string, number>();
    const lastDescribed = new Map<string, number>();
    const trackedSince = new Map<string, number>();
    let worstGap = 0;
    let worstFirst = 0;
    let next = 0;
    const excess: number[] = [];
    for (let interval = 0; interval < 60; interval += 1) {
      let calls = 0;
      let peak = 0;
      for (let tick = 0; tick < 10; tick += 1) {
        const tickAt = (interval * 10 + tick) * TICK;
        if (tick === 0) {
          // A refresh: some tasks ended, a burst of new ones is tracked.
          for (const arn of [...due.keys()]) if (random() < 0.25) due.delete(arn);
          const fresh = Array.from({ length: Math.floor(random() * 400) }, () => `arn-${(next += 1)}`);
          for (const turn of firstTurns(fresh, [...due.values()], tickAt, INTERVAL, 100)) {
            due.set(turn.taskArn, turn.dueAtMs);
            trackedSince.set(turn.taskArn, tickAt);
          }
        }
        peak = Math.max(peak, due.size);
        for (const call of dueCalls([...due].map(([taskArn, dueAtMs]) => ({ taskArn, dueAtMs })), tickAt, TICK, 100)) {
          calls += 1;
          for (const arn of call) {
            const last = lastDescribed.get(arn);
            if (last === undefined) worstFirst = Math.max(worstFirst, tickAt - trackedSince.get(arn)!);
            else worstGap = Math.max(worstGap, tickAt - last);
            lastDescribed.set(arn, tickAt);
            due.set(arn, tickAt + INTERVAL);
          }
        }
        for (const arn of due.keys()) {
          const last = lastDescribed.get(arn);
          if (last !== undefined) worstGap = Math.max(worstGap, tickAt - last);
        }
      }
      if (interval >= 2) excess.push(calls - Math.ceil(peak / 100));
    }
    expect(worstGap).toBeLessThanOrEqual(INTERVAL);
    expect(worstFirst).toBeLessThan(INTERVAL);
    expect(Math.max(...excess)).toBeLessThanOrEqual(1);
  });
});
