import { ECSClient, StopTaskCommand } from '@aws-sdk/client-ecs';
import type { MockActivityEnvironment } from '@temporalio/testing';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { accessDenied, expiredToken, taskArn, taskNotFound, throttling } from '../ecs/fixtures';
import { activityFixture, type ActivityFixture, expectApplicationFailure, mockEnv } from './helpers';

const ecsMock = mockClient(ECSClient);
let fixture: ActivityFixture;
let env: MockActivityEnvironment;

const input = { cluster: 'airflow', taskArn: taskArn(7), reason: 'Airflow Executor received a SIGTERM' };

beforeEach(() => {
  ecsMock.reset();
  fixture = activityFixture();
  env = mockEnv();
});

afterEach(() => {
  fixture.ecs.reset();
});


describe('stopEcsTask', () => {
  it('calls StopTask with the reason and returns the stopping task', async () => {
    ecsMock.on(StopTaskCommand).resolves({ task: { taskArn: taskArn(7), lastStatus: 'RUNNING', desiredStatus: 'STOPPED' } });

    expect(await env.run(fixture.activities.stopEcsTask, input)).toEqual({
      kind: 'stopped',
      task: { taskArn: taskArn(7), lastStatus: 'RUNNING', desiredStatus: 'STOPPED', containers: [] },
    });
    expect(ecsMock).toHaveReceivedCommandWith(StopTaskCommand, { cluster: 'airflow', task: taskArn(7), reason: input.reason });
  });

  it('cuts a reason longer than StopTask accepts (255 characters)', async () => {
    ecsMock.on(StopTaskCommand).resolves({ task: { taskArn: taskArn(7) } });

    await env.run(fixture.activities.stopEcsTask, { ...input, reason: 'x'.repeat(400) });

    expect(ecsMock.commandCalls(StopTaskCommand)[0]?.args[0].input.reason).toHaveLength(255);
  });

  it('returns notFound when ECS no longer knows the task', async () => {
    ecsMock.on(StopTaskCommand).rejects(taskNotFound());

    expect(await env.run(fixture.activities.stopEcsTask, input)).toEqual({
      kind: 'notFound',
      reason: 'InvalidParameterException: The referenced task was not found.',
    });
  });

  it('throws a retryable EcsTransientError on throttling', async () => {
    ecsMock.on(StopTaskCommand).rejects(throttling());

    const failure = await expectApplicationFailure(env.run(fixture.activities.stopEcsTask, input));

    expect(failure.type).toBe('EcsTransientError');
    expect(failure.nonRetryable).toBe(false);
  });

  it('resets the client and throws a retryable EcsCredentialsError on expired credentials', async () => {
    ecsMock.on(StopTaskCommand).rejects(expiredToken());

    const failure = await expectApplicationFailure(env.run(fixture.activities.stopEcsTask, input));

    expect(failure.type).toBe('EcsCredentialsError');
    expect(failure.nonRetryable).toBe(false);
    expect(fixture.reset).toHaveBeenCalledTimes(1);
  });

  it('throws a non-retryable EcsApiError with the message on any other error', async () => {
    ecsMock.on(StopTaskCommand).rejects(accessDenied());

    const failure = await expectApplicationFailure(env.run(fixture.activities.stopEcsTask, input));

    expect(failure.type).toBe('EcsApiError');
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toMatch(/AccessDeniedException: User: .* not authorized to perform: ecs:StopTask/);
    expect(failure.message).toContain(taskArn(7));
  });
});
