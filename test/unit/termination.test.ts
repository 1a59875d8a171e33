import type { AttemptRecord, StopRecord } from '../../src/contract/messages';
import { describeTermination, type TerminationReport, type TrackEnd } from '../../src/rules/termination';
import type { EcsTaskSnapshot } from '../../src/types';

const ARN = 'arn:aws:ecs:us-east-1:123456789012:task/airflow/0123456789abcdef0123456789abcdef';

function record(stops: StopRecord['outcome'][], details: (string | undefined)[] = []): AttemptRecord {
  return {
    attempt: 1,
    at: '2026-12-01T10:00:00.000Z',
    taskArn: ARN,
    cluster: 'airflow',
    containers: [],
    reasons: [],
    stops: stops.map((outcome, i) => ({
      requestedAt: `2026-12-01T10:0${i + 1}:00.000Z`,
      reason: 'Airflow Executor received a SIGTERM',
      outcome,
      ...(details[i] !== undefined ? { detail: details[i] } : {}),
    })),
  };
}

function stoppedTask(exitCode: number, extra: Partial<EcsTaskSnapshot> = {}): EcsTaskSnapshot {
  return {
    taskArn: ARN,
    lastStatus: 'STOPPED',
    desiredStatus: 'STOPPED',
    startedAt: '2026-12-01T10:00:05.000Z',
    stopCode: exitCode === 143 ? 'UserInitiated' : 'EssentialContainerExited',
    containers: [{ name: 'base', exitCode }],
    ...extra,
  };
}

const finished = (task: EcsTaskSnapshot): TrackEnd => ({ kind: 'finished', task });
const REFUSAL = 'StopTask for the task was refused: AccessDeniedException: not authorized to perform: ecs:StopTask';

describe('describeTermination', () => {
  it('stop accepted, then ECS reports the task stopped: terminated, FAILED, with how it stopped', () => {
    expect(describeTermination(record(['accepted']), finished(stoppedTask(143, { stoppedReason: 'Task stopped by user' })))).toEqual<TerminationReport>({
      state: 'FAILED',
      terminated: true,
      how: `the ECS task ${ARN} is stopped (stop code: UserInitiated, stopped reason: Task stopped by user, base: exit code 143)`,
    });
  });

  it('stop accepted, but the task had just succeeded on its own: terminated, with the task\'s SUCCESS', () => {
    expect(describeTermination(record(['accepted']), finished(stoppedTask(0)))).toEqual<TerminationReport>({
      state: 'SUCCESS',
      terminated: true,
      how: `the ECS task ${ARN} is stopped (stop code: EssentialContainerExited, base: exit code 0)`,
    });
  });

  it('stop refused, then the task exits 0 by itself: not terminated, SUCCESS, says the stop was refused', () => {
    expect(describeTermination(record(['refused'], [REFUSAL]), finished(stoppedTask(0)))).toEqual<TerminationReport>({
      state: 'SUCCESS',
      terminated: false,
      how: `StopTask was refused (${REFUSAL}); the ECS task ${ARN} ran on and ended by itself (stop code: EssentialContainerExited, base: exit code 0)`,
    });
  });

  it('stop refused, then the task exits 1 by itself: not terminated, FAILED', () => {
    expect(describeTermination(record(['refused'], [REFUSAL]), finished(stoppedTask(1)))).toEqual<TerminationReport>({
      state: 'FAILED',
      terminated: false,
      how: `StopTask was refused (${REFUSAL}); the ECS task ${ARN} ran on and ended by itself (stop code: EssentialContainerExited, base: exit code 1)`,
    });
  });

  it('names the newest refusal when StopTask was refused more than once', () => {
    const report = describeTermination(record(['refused', 'refused'], ['first refusal', 'second refusal']), finished(stoppedTask(1)));
    expect(report.how).toMatch(/^StopTask was refused \(second refusal\); /);
    expect(report.terminated).toBe(false);
  });

  it('a refusal without a detail still says it was refused', () => {
    expect(describeTermination(record(['refused']), finished(stoppedTask(1))).how).toMatch(/^StopTask was refused \(no reason given\); /);
  });

  it('refused first, accepted on the retry: terminated', () => {
    const report = describeTermination(record(['refused', 'accepted'], [REFUSAL]), finished(stoppedTask(143)));
    expect(report).toEqual<TerminationReport>({
      state: 'FAILED',
      terminated: true,
      how: `the ECS task ${ARN} is stopped (stop code: UserInitiated, base: exit code 143)`,
    });
  });

  it('StopTask never answered (still pending) and the task ended by itself: never claims a stop', () => {
    expect(describeTermination(record(['pending']), finished(stoppedTask(0)))).toEqual<TerminationReport>({
      state: 'SUCCESS',
      terminated: false,
      how: `StopTask never reached ECS; the ECS task ${ARN} ran on and ended by itself (stop code: EssentialContainerExited, base: exit code 0)`,
    });
  });

  it('the task went missing after an accepted stop: terminated, FAILED', () => {
    expect(describeTermination(record(['accepted']), { kind: 'missing', reason: 'MISSING' })).toEqual<TerminationReport>({
      state: 'FAILED',
      terminated: true,
      how: `StopTask was accepted and then ECS stopped reporting ${ARN} (MISSING)`,
    });
  });

  it('the task went missing after a refused stop: not terminated, and says so', () => {
    expect(describeTermination(record(['refused'], [REFUSAL]), { kind: 'missing', reason: 'MISSING: gone' })).toEqual<TerminationReport>({
      state: 'FAILED',
      terminated: false,
      how: `StopTask was refused (${REFUSAL}); then ECS stopped reporting ${ARN} (MISSING: gone)`,
    });
  });

  it('the task went missing before any stop reached ECS: not terminated', () => {
    expect(describeTermination(record([]), { kind: 'missing', reason: 'MISSING' })).toEqual<TerminationReport>({
      state: 'FAILED',
      terminated: false,
      how: `ECS stopped reporting ${ARN} (MISSING)`,
    });
  });

  it('StopTask answered "task not found": nothing was left running, so terminated', () => {
    const reason = 'InvalidParameterException: The referenced task was not found.';
    expect(describeTermination(record(['notFound'], [reason]), { kind: 'stopNotFound', reason })).toEqual<TerminationReport>({
      state: 'FAILED',
      terminated: true,
      how: `ECS no longer knows ${ARN} (${reason}), so nothing was left running`,
    });
  });

  it('says "the ECS task" when the attempt has no ARN', () => {
    const noArn = { ...record(['accepted']), taskArn: undefined };
    expect(describeTermination(noArn, { kind: 'missing', reason: 'MISSING' }).how).toBe('StopTask was accepted and then ECS stopped reporting the ECS task (MISSING)');
  });

  describe('never claims a stop that did not happen', () => {
    const stopHistories: StopRecord['outcome'][][] = [[], ['pending'], ['refused'], ['refused', 'refused'], ['refused', 'pending'], ['accepted'], ['refused', 'accepted']];
    const ends: [string, TrackEnd][] = [
      ['finished exit 0', finished(stoppedTask(0))],
      ['finished exit 1', finished(stoppedTask(1))],
      ['finished exit 143', finished(stoppedTask(143))],
      ['missing', { kind: 'missing', reason: 'MISSING' }],
    ];
    const cases = stopHistories.flatMap((stops) => ends.map(([label, end]) => [stops.join(',') || '(no stop)', label, stops, end] as const));

    it.each(cases)('stops [%s], %s: terminated only when ECS accepted a StopTask', (_stops, _end, stops, end) => {
      const report = describeTermination(record(stops, stops.map(() => 'detail')), end);
      expect(report.terminated).toBe(stops.includes('accepted'));
      if (!report.terminated) expect(report.how).not.toMatch(/is stopped|was accepted/);
    });
  });
});
