import { ECSClient, StopTaskCommand } from '@aws-sdk/client-ecs';
import { ApplicationFailureCategory } from '@temporalio/common';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import type { JsonObject } from '../../src/types';
import { accessDenied, expiredToken, invalidParameter, networkError, serverException, taskArn, taskNotFound, throttling } from '../ecs/fixtures';
import { activityFixture, type ActivityFixture, expectApplicationFailure, run, mockEnv, workerTemplate } from './helpers';

const ecsMock = mockClient(ECSClient);
let template: JsonObject;
let fixture: ActivityFixture;

const input = { cluster: 'airflow', taskArn: taskArn(7), reason: 'Airflow Executor received a SIGTERM' };

beforeAll(async () => {
  template = await workerTemplate();
});

beforeEach(() => {
  ecsMock.reset();
  fixture = activityFixture(template);
});

afterEach(() => {
  fixture.ecs.reset();
});

describe('stopEcsTask', () => {
  it('accepted: calls StopTask with the cluster, the ARN and the reason, and returns the stopping task', async () => {
    ecsMock.on(StopTaskCommand).resolves({ task: { taskArn: taskArn(7), lastStatus: 'RUNNING', desiredStatus: 'STOPPED', containers: [{ name: 'base', lastStatus: 'RUNNING' }] } });

    expect(await run(mockEnv(), fixture.activities.stopEcsTask, input)).toEqual({
      kind: 'accepted',
      task: { taskArn: taskArn(7), lastStatus: 'RUNNING', desiredStatus: 'STOPPED', containers: [{ name: 'base', lastStatus: 'RUNNING' }] },
    });
    expect(ecsMock).toHaveReceivedCommandTimes(StopTaskCommand, 1);
    expect(ecsMock).toHaveReceivedCommandWith(StopTaskCommand, { cluster: 'airflow', task: taskArn(7), reason: input.reason });
  });

  it('accepted without a task in the answer: the ARN asked for', async () => {
    ecsMock.on(StopTaskCommand).resolves({});

    expect(await run(mockEnv(), fixture.activities.stopEcsTask, input)).toEqual({ kind: 'accepted', task: { taskArn: taskArn(7), containers: [] } });
  });

  it('cuts a reason longer than StopTask accepts (255 characters) instead of failing the stop over its label', async () => {
    ecsMock.on(StopTaskCommand).resolves({ task: { taskArn: taskArn(7) } });

    await run(mockEnv(), fixture.activities.stopEcsTask, { ...input, reason: 'x'.repeat(400) });

    expect(ecsMock.commandCalls(StopTaskCommand)[0]?.args[0].input.reason).toBe('x'.repeat(255));
  });

  it('notFound: ECS no longer knows the task, so there is nothing to stop', async () => {
    ecsMock.on(StopTaskCommand).rejects(taskNotFound());

    expect(await run(mockEnv(), fixture.activities.stopEcsTask, input)).toEqual({
      kind: 'notFound',
      reason: 'InvalidParameterException: The referenced task was not found.',
    });
  });

  it.each([
    ['AccessDeniedException', accessDenied(), 'AccessDeniedException: User: arn:aws:iam::123456789012:user/ci is not authorized to perform: ecs:StopTask'],
    ['another InvalidParameterException', invalidParameter('taskId length should be one of [32,36]'), 'InvalidParameterException: taskId length should be one of [32,36]'],
  ])('refused (%s): a final EcsStopRefused naming the task, the cluster and the error (the workflow keeps tracking)', async (_label, err, described) => {
    ecsMock.on(StopTaskCommand).rejects(err);

    const failure = await expectApplicationFailure(run(mockEnv(), fixture.activities.stopEcsTask, input));

    expect(failure.type).toBe('EcsStopRefused');
    expect(failure.message).toBe(`StopTask for ${taskArn(7)} on cluster "airflow" was refused: ${described}`);
    expect(failure.cause).toBe(err);
  });

  it.each([
    ['throttling', throttling(), true],
    ['a server error', serverException(), false],
    ['a network error', networkError('ECONNRESET'), false],
  ])('transient (%s): a retryable EcsTransientError (throttling benign)', async (_label, err, benign) => {
    ecsMock.on(StopTaskCommand).rejects(err);

    const failure = await expectApplicationFailure(run(mockEnv(), fixture.activities.stopEcsTask, input));

    expect(failure.type).toBe('EcsTransientError');
    expect(failure.nonRetryable).toBe(false);
    expect(failure.category === ApplicationFailureCategory.BENIGN).toBe(benign);
    expect(failure.message).toMatch(/^StopTask (was throttled by ECS|failed with a transient ECS error)/);
  });

  it('credentials: resets the client and throws a retryable EcsCredentialsError', async () => {
    ecsMock.on(StopTaskCommand).rejects(expiredToken());

    const failure = await expectApplicationFailure(run(mockEnv(), fixture.activities.stopEcsTask, input));

    expect(failure.type).toBe('EcsCredentialsError');
    expect(failure.nonRetryable).toBe(false);
    expect(fixture.reset).toHaveBeenCalledTimes(1);
  });
});
