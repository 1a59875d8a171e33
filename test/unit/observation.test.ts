import { decideObservation, isFinished, MISSING_GRACE_MS, planRounds, pollSlices, type DescribeAnswer, type ObservationDecision, type TrackedTask } from '../../src/rules/observation';
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

describe('pollSlices and planRounds: one interval of DescribeTasks spread over slices of it', () => {
  it.each([
    [0, 10_000, 1],
    [150, 10_000, 1],
    [250, 10_000, 2],
    [1_000, 10_000, 10],
    [10_000, 10_000, 10],
    [10_000, 3_000, 3],
    [10_000, 500, 1],
  ])('%i tracked tasks, a %i ms interval: %i slices (never more than full 100-ARN calls, nor one a second)', (tracked, interval, slices) => {
    expect(pollSlices(tracked, interval, 100)).toBe(slices);
  });

  it('deals the calls of 100 ARNs to the slices: every task once per interval, exactly ceil(N / 100) calls', () => {
    const arns = Array.from({ length: 1_050 }, (_, i) => `arn:aws:ecs:us-east-1:000000000000:task/c/${i}`);
    const plan = planRounds(arns, 10, 100);
    expect(plan).toHaveLength(10);
    expect(plan.flat()).toHaveLength(11);
    expect(plan.flat().every((call) => call.length <= 100)).toBe(true);
    expect(plan.flat(2).sort()).toEqual([...arns].sort());
    expect(plan.map((calls) => calls.length)).toEqual([2, 1, 1, 1, 1, 1, 1, 1, 1, 1]);
  });

  it('has nothing to describe in a slice when there are fewer calls than slices', () => {
    expect(planRounds(['a', 'b'], 3, 100)).toEqual([[['a', 'b']], [], []]);
  });
});
