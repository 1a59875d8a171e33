import { nextStep, type AttemptContext, type AttemptOutcome, type NextStep } from '../../src/rules/next-step';

const ARN = 'arn:aws:ecs:us-east-1:123456789012:task/airflow/0123456789abcdef0123456789abcdef';
const KEY = "TaskInstanceKey(dag_id='etl', task_id='load', run_id='r1', try_number=1, map_index=-1)";

const context = (attempt: number, maxAttempts: number, adopted = false): AttemptContext => ({ attempt, maxAttempts, taskKey: KEY, adopted });

const launchFailed: AttemptOutcome = { kind: 'launchFailed', reasons: ['RESOURCE:MEMORY', 'AGENT (detail: agent disconnected)'] };
const failed: AttemptOutcome = { kind: 'finished', state: 'FAILED', taskArn: ARN, reasons: ['stop code: EssentialContainerExited', 'base: exit code 3'] };
const removed: AttemptOutcome = { kind: 'finished', state: 'REMOVED', taskArn: ARN, reasons: ['stop code: TaskFailedToStart', 'base: no exit code'] };
const succeeded: AttemptOutcome = { kind: 'finished', state: 'SUCCESS', taskArn: ARN, reasons: ['base: exit code 0'] };
const missing: AttemptOutcome = { kind: 'missing', taskArn: ARN, reason: 'MISSING' };
const fatal: AttemptOutcome = { kind: 'fatal', reason: 'Invalid executor_config: "cpu" must be a string' };

describe('nextStep: a launch that failed (RunTask failures[] or a permanent error)', () => {
  // Airflow's backoff: 4 ** n seconds after failed attempt n, capped at 120 s.
  it.each([
    [1, 4, 4],
    [2, 4, 16],
    [3, 4, 64],
    [4, 6, 120],
    [5, 6, 120],
  ])('retries after attempt %i of %i in %i s, saying so', (attempt, maxAttempts, delaySeconds) => {
    expect(nextStep(launchFailed, context(attempt, maxAttempts))).toEqual<NextStep>({
      action: 'retry',
      delaySeconds,
      message: `ECS task launch failed (attempt ${attempt} of ${maxAttempts}): RESOURCE:MEMORY, AGENT (detail: agent disconnected). Retrying in ${delaySeconds} s.`,
    });
  });

  it.each([
    [1, 1],
    [3, 3],
    // An attempt past the maximum (the setting was lowered while the task waited) also ends it.
    [4, 3],
  ])('marks the task failed after attempt %i of %i with every reason, as Airflow logs it', (attempt, maxAttempts) => {
    expect(nextStep(launchFailed, context(attempt, maxAttempts))).toEqual<NextStep>({
      action: 'finish',
      state: 'FAILED',
      terminated: false,
      message: `Task could not be queued after ${attempt} attempts. Marking as failed. Reasons: RESOURCE:MEMORY, AGENT (detail: agent disconnected)`,
    });
  });
});

describe('nextStep: an ECS task that ran and failed, never started (REMOVED), or went missing', () => {
  const reasonsOf = {
    failed: 'stop code: EssentialContainerExited, base: exit code 3',
    removed: 'stop code: TaskFailedToStart, base: no exit code',
    missing: `ECS task ${ARN} is missing: MISSING`,
  };

  it.each([
    ['failed', failed, 1, 3, 4],
    ['failed', failed, 2, 3, 16],
    ['removed', removed, 1, 2, 4],
    ['removed', removed, 3, 5, 64],
    ['missing', missing, 1, 3, 4],
    ['missing', missing, 4, 9, 120],
  ] as const)('re-runs a %s task after attempt %i of %i in %i s, naming the ARN', (label, outcome, attempt, maxAttempts, delaySeconds) => {
    expect(nextStep(outcome, context(attempt, maxAttempts))).toEqual<NextStep>({
      action: 'retry',
      delaySeconds,
      message: `Airflow task failed due to ${reasonsOf[label]}. Failure ${attempt} out of ${maxAttempts} occurred on ${ARN}. Rescheduling in ${delaySeconds} s.`,
    });
  });

  it.each([
    ['failed', failed, 3, 3],
    ['removed', removed, 1, 1],
    ['missing', missing, 2, 2],
  ] as const)('marks a %s task failed at attempt %i of %i, as Airflow logs it', (label, outcome, attempt, maxAttempts) => {
    expect(nextStep(outcome, context(attempt, maxAttempts))).toEqual<NextStep>({
      action: 'finish',
      state: 'FAILED',
      terminated: false,
      message: `Airflow task ${KEY} has failed a maximum of ${attempt} times. Marking as failed. Reasons: ${reasonsOf[label]}`,
    });
  });

  it.each([
    ['failed', failed],
    ['removed', removed],
    ['missing', missing],
  ] as const)('never re-runs an adopted %s task, even with attempts left: the scheduler reschedules it', (label, outcome) => {
    expect(nextStep(outcome, context(1, 3, true))).toEqual<NextStep>({
      action: 'finish',
      state: 'FAILED',
      terminated: false,
      message: `Adopted ECS task ${ARN} failed: ${reasonsOf[label]}. Not relaunched: the scheduler reschedules adopted tasks.`,
    });
  });
});

describe('nextStep: outcomes that always finish', () => {
  it.each([
    [1, 3, false],
    [3, 3, false],
    [1, 1, true],
  ])('reports SUCCESS at attempt %i of %i (adopted: %s)', (attempt, maxAttempts, adopted) => {
    expect(nextStep(succeeded, context(attempt, maxAttempts, adopted))).toEqual<NextStep>({
      action: 'finish',
      state: 'SUCCESS',
      terminated: false,
      message: `ECS task ${ARN} succeeded.`,
    });
  });

  it.each([
    [1, 3, false],
    [3, 3, false],
    [1, 1, true],
  ])('fails at once on a fatal outcome at attempt %i of %i (adopted: %s), with its reason as the message', (attempt, maxAttempts, adopted) => {
    expect(nextStep(fatal, context(attempt, maxAttempts, adopted))).toEqual<NextStep>({
      action: 'finish',
      state: 'FAILED',
      terminated: false,
      message: fatal.reason,
    });
  });

  it('reports a terminate ECS carried out, with how, never relaunching', () => {
    const outcome: AttemptOutcome = {
      kind: 'terminated',
      how: `the ECS task ${ARN} is stopped (stop code: UserInitiated, base: exit code 143)`,
      terminateReason: 'Airflow Executor received a SIGTERM',
      state: 'FAILED',
      terminated: true,
    };
    for (const ctx of [context(1, 3), context(3, 3), context(1, 1, true)]) {
      expect(nextStep(outcome, ctx)).toEqual<NextStep>({
        action: 'finish',
        state: 'FAILED',
        terminated: true,
        message: `Terminated (Airflow Executor received a SIGTERM); the ECS task ${ARN} is stopped (stop code: UserInitiated, base: exit code 143).`,
      });
    }
  });

  it('says a terminate was not carried out when ECS refused the stop, and keeps the task\'s own outcome', () => {
    const outcome: AttemptOutcome = {
      kind: 'terminated',
      how: `StopTask was refused (AccessDeniedException: no); the ECS task ${ARN} ran on and ended by itself (base: exit code 0)`,
      terminateReason: 'operator asked',
      state: 'SUCCESS',
      terminated: false,
    };
    expect(nextStep(outcome, context(1, 3))).toEqual<NextStep>({
      action: 'finish',
      state: 'SUCCESS',
      terminated: false,
      message: `Terminate requested (operator asked) but not carried out: StopTask was refused (AccessDeniedException: no); the ECS task ${ARN} ran on and ended by itself (base: exit code 0).`,
    });
  });
});

describe('nextStep: adopted tasks never relaunch, whatever the outcome', () => {
  // An adopted task never relaunches, whatever its outcome (an adopted tracker calls no RunTask
  // today, so a launch failure cannot happen to it: the rule holds all the same).
  const outcomes: [string, AttemptOutcome][] = [
    ['launchFailed', launchFailed],
    ['finished FAILED', failed],
    ['finished REMOVED', removed],
    ['finished SUCCESS', succeeded],
    ['missing', missing],
    ['fatal', fatal],
    ['terminated', { kind: 'terminated', how: 'no ECS task was running', terminateReason: 'x', state: 'FAILED', terminated: true }],
  ];

  it.each(outcomes)('%s: finish', (_label, outcome) => {
    expect(nextStep(outcome, context(1, 5, true)).action).toBe('finish');
  });
});
