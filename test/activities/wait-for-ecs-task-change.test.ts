import { DescribeTasksCommand, ECSClient } from '@aws-sdk/client-ecs';
import { ApplicationFailure, CancelledFailure } from '@temporalio/activity';
import type { MockActivityEnvironment } from '@temporalio/testing';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import type { WaitHeartbeat } from '../../src/activities';
import type { WaitForEcsTaskChangeInput } from '../../src/activities/contracts';
import { accessDenied, ecsTask, expiredToken, taskArn, throttling } from '../ecs/fixtures';
import { activityFixture, type ActivityFixture, mockEnv } from './helpers';

const ecsMock = mockClient(ECSClient);
const arn = taskArn(42);
const input: WaitForEcsTaskChangeInput = { cluster: 'airflow', taskArn: arn, knownStatus: 'PENDING' };

let fixture: ActivityFixture;

beforeEach(() => {
  ecsMock.reset();
});

afterEach(() => {
  fixture.ecs.reset();
});

function describing(...statuses: string[]): { tasks: ReturnType<typeof ecsTask>[] }[] {
  return statuses.map((status) => ({ tasks: [ecsTask(arn, status)] }));
}

/** Answers DescribeTasks with these statuses in turn, repeating the last one. */
function ecsReports(...statuses: string[]): void {
  const answers = describing(...statuses);
  let stub = ecsMock.on(DescribeTasksCommand);
  answers.slice(0, -1).forEach((answer) => {
    stub = stub.resolvesOnce(answer);
  });
  const last = answers[answers.length - 1];
  if (last !== undefined) stub.resolves(last);
}

function recordHeartbeats(env: MockActivityEnvironment): WaitHeartbeat[] {
  const heartbeats: WaitHeartbeat[] = [];
  env.on('heartbeat', (details: WaitHeartbeat) => heartbeats.push(details));
  return heartbeats;
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (e: unknown) => e,
  );
}

describe('waitForEcsTaskChange', () => {
  it('returns the task once its lastStatus differs from the known one', async () => {
    fixture = activityFixture();
    ecsReports('PENDING', 'PENDING', 'RUNNING');

    const result = await mockEnv().run(fixture.activities.waitForEcsTaskChange, input);

    expect(result).toEqual({ kind: 'changed', task: expect.objectContaining({ taskArn: arn, lastStatus: 'RUNNING' }) });
    expect(ecsMock).toHaveReceivedCommandTimes(DescribeTasksCommand, 3);
  });

  it('counts STOPPED as a change even when ECS skipped the states in between', async () => {
    fixture = activityFixture();
    ecsReports('STOPPED');

    const result = await mockEnv().run(fixture.activities.waitForEcsTaskChange, { ...input, knownStatus: 'PROVISIONING' });

    expect(result).toEqual({ kind: 'changed', task: expect.objectContaining({ lastStatus: 'STOPPED' }) });
  });

  it('polls at once when no status is known yet (adoption)', async () => {
    fixture = activityFixture({ pollIntervalMs: 60_000 });
    ecsReports('RUNNING');
    const { knownStatus: _known, ...withoutStatus } = input;

    const result = await mockEnv().run(fixture.activities.waitForEcsTaskChange, withoutStatus);

    expect(result).toEqual({ kind: 'changed', task: expect.objectContaining({ lastStatus: 'RUNNING' }) });
  });

  it('heartbeats after every poll with the last seen status, the poll count and when the wait began', async () => {
    fixture = activityFixture();
    ecsReports('PENDING', 'PENDING', 'RUNNING');
    const env = mockEnv();
    const heartbeats = recordHeartbeats(env);
    const before = Date.now();

    await env.run(fixture.activities.waitForEcsTaskChange, input);

    expect(heartbeats.map(({ lastSeenStatus, polls }) => ({ lastSeenStatus, polls }))).toEqual([
      { lastSeenStatus: 'PENDING', polls: 1 },
      { lastSeenStatus: 'PENDING', polls: 2 },
      { lastSeenStatus: 'RUNNING', polls: 3 },
    ]);
    const since = new Set(heartbeats.map((h) => h.waitingSince));
    expect(since.size).toBe(1);
    expect(Date.parse([...since][0] ?? '')).toBeGreaterThanOrEqual(before - 1);
  });

  it('resumes from the heartbeat of an earlier attempt that had already seen the change, with one describe', async () => {
    fixture = activityFixture({ pollIntervalMs: 60_000 });
    ecsReports('RUNNING');
    const waitingSince = new Date(Date.now() - 1_000).toISOString();
    const env = mockEnv({ attempt: 2, heartbeatDetails: { lastSeenStatus: 'RUNNING', polls: 7, waitingSince } });
    const heartbeats = recordHeartbeats(env);

    const result = await env.run(fixture.activities.waitForEcsTaskChange, input);

    expect(result).toEqual({ kind: 'changed', task: expect.objectContaining({ lastStatus: 'RUNNING' }) });
    expect(ecsMock).toHaveReceivedCommandTimes(DescribeTasksCommand, 1);
    expect(heartbeats).toEqual([{ lastSeenStatus: 'RUNNING', polls: 8, waitingSince }]);
  });

  it('measures maxWaitMs from the first attempt when resuming', async () => {
    fixture = activityFixture({ pollIntervalMs: 5, maxWaitMs: 60_000 });
    ecsReports('PENDING');
    const waitingSince = new Date(Date.now() - 120_000).toISOString();
    const env = mockEnv({ attempt: 3, heartbeatDetails: { lastSeenStatus: 'PENDING', polls: 500, waitingSince } });

    const result = await env.run(fixture.activities.waitForEcsTaskChange, input);

    expect(result).toEqual({ kind: 'unchanged', task: expect.objectContaining({ lastStatus: 'PENDING' }) });
    expect(ecsMock).toHaveReceivedCommandTimes(DescribeTasksCommand, 1);
  });

  it('ignores heartbeat details it does not recognise and starts a fresh wait', async () => {
    fixture = activityFixture();
    ecsReports('PENDING', 'RUNNING');
    const env = mockEnv({ heartbeatDetails: { progress: 'half' } });
    const heartbeats = recordHeartbeats(env);

    await env.run(fixture.activities.waitForEcsTaskChange, input);

    expect(heartbeats[0]?.polls).toBe(1);
  });

  it('returns missing with the reason when DescribeTasks reports the task under failures', async () => {
    fixture = activityFixture();
    ecsMock.on(DescribeTasksCommand).resolves({ tasks: [], failures: [{ arn, reason: 'MISSING' }] });

    expect(await mockEnv().run(fixture.activities.waitForEcsTaskChange, input)).toEqual({ kind: 'missing', reason: 'MISSING' });
  });

  it('returns unchanged with the latest task after maxWaitMs', async () => {
    fixture = activityFixture({ pollIntervalMs: 5, maxWaitMs: 40 });
    ecsReports('PENDING');
    const started = Date.now();

    const result = await mockEnv().run(fixture.activities.waitForEcsTaskChange, input);

    expect(result).toEqual({ kind: 'unchanged', task: expect.objectContaining({ lastStatus: 'PENDING' }) });
    expect(Date.now() - started).toBeGreaterThanOrEqual(40);
    expect(ecsMock.commandCalls(DescribeTasksCommand).length).toBeGreaterThan(1);
  });

  it('keeps polling through a throttling error and logs it', async () => {
    fixture = activityFixture();
    ecsMock
      .on(DescribeTasksCommand)
      .resolvesOnce({ tasks: [ecsTask(arn, 'PENDING')] })
      .rejectsOnce(throttling())
      .resolves({ tasks: [ecsTask(arn, 'RUNNING')] });
    const env = mockEnv();
    const heartbeats = recordHeartbeats(env);

    const result = await env.run(fixture.activities.waitForEcsTaskChange, input);

    expect(result).toEqual({ kind: 'changed', task: expect.objectContaining({ lastStatus: 'RUNNING' }) });
    expect(heartbeats).toHaveLength(3);
    expect(fixture.logger.lines).toEqual([expect.objectContaining({ level: 'WARN', message: expect.stringContaining('ThrottlingException') })]);
    expect(fixture.reset).not.toHaveBeenCalled();
  });

  it('resets the client on a credential error and keeps polling', async () => {
    fixture = activityFixture();
    ecsMock.on(DescribeTasksCommand).rejectsOnce(expiredToken()).resolves({ tasks: [ecsTask(arn, 'RUNNING')] });

    const result = await mockEnv().run(fixture.activities.waitForEcsTaskChange, input);

    expect(result).toEqual({ kind: 'changed', task: expect.objectContaining({ lastStatus: 'RUNNING' }) });
    expect(fixture.reset).toHaveBeenCalledTimes(1);
  });

  it('fails retryably with EcsTransientError when no poll succeeds within maxWaitMs', async () => {
    fixture = activityFixture({ pollIntervalMs: 5, maxWaitMs: 30 });
    ecsMock.on(DescribeTasksCommand).rejects(throttling());

    const err = await rejection(mockEnv().run(fixture.activities.waitForEcsTaskChange, input));

    expect(err).toBeInstanceOf(ApplicationFailure);
    expect(err).toMatchObject({ type: 'EcsTransientError', nonRetryable: false, message: expect.stringContaining('ThrottlingException') });
  });

  it('fails with a retryable EcsApiError on a permanent DescribeTasks error', async () => {
    fixture = activityFixture();
    ecsMock.on(DescribeTasksCommand).rejects(accessDenied());

    const err = await rejection(mockEnv().run(fixture.activities.waitForEcsTaskChange, input));

    expect(err).toBeInstanceOf(ApplicationFailure);
    expect(err).toMatchObject({ type: 'EcsApiError', nonRetryable: false, message: expect.stringContaining('AccessDeniedException') });
  });

  it('stops sleeping and rethrows CancelledFailure when cancelled', async () => {
    fixture = activityFixture({ pollIntervalMs: 60_000, maxWaitMs: 600_000 });
    ecsReports('PENDING');
    const env = mockEnv({ heartbeatDetails: { polls: 1, waitingSince: new Date().toISOString() } });
    env.once('heartbeat', () => env.cancel());
    const started = Date.now();

    const err = await rejection(env.run(fixture.activities.waitForEcsTaskChange, input));

    expect(err).toBeInstanceOf(CancelledFailure);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('is cancellable while a DescribeTasks call is still in flight', async () => {
    fixture = activityFixture();
    ecsMock.on(DescribeTasksCommand).callsFake(() => new Promise(() => undefined));
    const env = mockEnv();
    const running = env.run(fixture.activities.waitForEcsTaskChange, { ...input, knownStatus: undefined });
    await new Promise((resolve) => setTimeout(resolve, 20));

    env.cancel();

    expect(await rejection(running)).toBeInstanceOf(CancelledFailure);
  });
});
