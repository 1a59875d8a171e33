import { StopTaskCommand } from '@aws-sdk/client-ecs';
import 'aws-sdk-client-mock-jest';
import { EcsUnhealthyError } from '../../src/errors';
import { assertEcsHealthy, checkEcsHealth, HEALTH_CHECK_TASK_ID } from '../../src/ecs/health';
import { accessDenied, clusterNotFound, expiredToken, invalidParameter, mockedEcsClient, networkError, serverException, taskNotFound, throttling } from './fixtures';

const { ecsMock, client } = mockedEcsClient();

const NO_TASK_CAN_RUN = /No task can run until this is fixed: (check|grant|ECS is throttling)/;

describe('checkEcsHealth', () => {
  it('probes with StopTask on a 32 x "a" task ID in the configured cluster', async () => {
    ecsMock.on(StopTaskCommand).rejects(taskNotFound());

    await checkEcsHealth(client, 'airflow');

    expect(HEALTH_CHECK_TASK_ID).toBe('a'.repeat(32));
    expect(ecsMock).toHaveReceivedCommandWith(StopTaskCommand, {
      cluster: 'airflow',
      task: 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa',
      reason: expect.stringContaining('health check'),
    });
  });

  it('is healthy only when ECS answers InvalidParameterException "task was not found"', async () => {
    ecsMock.on(StopTaskCommand).rejects(taskNotFound());

    expect(await checkEcsHealth(client, 'airflow')).toEqual({ healthy: true, message: expect.stringContaining('passed') });
  });

  it('is unhealthy with a permissions message on AccessDeniedException', async () => {
    ecsMock.on(StopTaskCommand).rejects(accessDenied());

    const health = await checkEcsHealth(client, 'airflow');

    expect(health.healthy).toBe(false);
    expect(health.message).toMatch(/permission/);
    expect(health.message).toMatch(/ecs:StopTask/);
    expect(health.message).toMatch(NO_TASK_CAN_RUN);
  });

  it('is unhealthy and names the cluster on ClusterNotFoundException', async () => {
    ecsMock.on(StopTaskCommand).rejects(clusterNotFound());

    const health = await checkEcsHealth(client, 'no-such-cluster');

    expect(health.healthy).toBe(false);
    expect(health.message).toMatch(/cluster "no-such-cluster" was not found/);
    expect(health.message).toMatch(/region/);
    expect(health.message).toMatch(NO_TASK_CAN_RUN);
  });

  const PERMANENT_HINT = /check the cluster, the region and the credentials/;
  const TRANSIENT_HINT = /check network access to the ECS endpoint/;
  const CREDENTIALS_HINT = /check the AWS credentials: they are missing, expired or invalid/;
  const THROTTLED_HINT = /ECS is throttling this account and region: try again shortly/;

  it.each([
    ['another InvalidParameterException', invalidParameter('taskId length should be one of [32,36]'), /InvalidParameterException: taskId length/, PERMANENT_HINT],
    ['throttling', throttling(), /ThrottlingException: Rate exceeded/, THROTTLED_HINT],
    ['a network error', networkError('ECONNREFUSED'), /ECONNREFUSED/, TRANSIENT_HINT],
    ['a server error', serverException(), /ServerException: Service Unavailable/, TRANSIENT_HINT],
    ['expired credentials', expiredToken(), /ExpiredTokenException/, CREDENTIALS_HINT],
  ])('is unhealthy with the error and what to check on %s', async (_label, err, expected, hint) => {
    ecsMock.on(StopTaskCommand).rejects(err);

    const health = await checkEcsHealth(client, 'airflow');

    expect(health.healthy).toBe(false);
    expect(health.message).toMatch(expected);
    expect(health.message).toMatch(hint);
    expect(health.message).toMatch(NO_TASK_CAN_RUN);
  });

  it('is unhealthy when the probe succeeds, since real ECS never stops a made-up task', async () => {
    ecsMock.on(StopTaskCommand).resolves({ task: { taskArn: 'arn:aws:ecs:us-east-1:123456789012:task/airflow/aaaa', lastStatus: 'RUNNING' } });

    const health = await checkEcsHealth(client, 'airflow');

    expect(health.healthy).toBe(false);
    expect(health.message).toMatch(/succeeded/);
    expect(health.message).toMatch(NO_TASK_CAN_RUN);
  });
});

describe('assertEcsHealthy (the start-up gate of the client and the worker)', () => {
  it('returns the health when ECS answers "task was not found"', async () => {
    ecsMock.on(StopTaskCommand).rejects(taskNotFound());

    expect(await assertEcsHealthy(client, 'airflow')).toMatchObject({ healthy: true });
  });

  it('throws EcsUnhealthyError (from the one error module, name EcsUnhealthy) carrying the health message otherwise', async () => {
    ecsMock.on(StopTaskCommand).rejects(accessDenied());

    const err = await assertEcsHealthy(client, 'airflow').catch((e: unknown) => e);

    expect(err).toBeInstanceOf(EcsUnhealthyError);
    expect((err as Error).name).toBe('EcsUnhealthy');
    expect((err as Error).message).toBe((await checkEcsHealth(client, 'airflow')).message);
  });

  it('is not a UserInputError: an unhealthy ECS is not the caller\'s input being wrong (the CLI exit code differs)', async () => {
    const { UserInputError } = await import('../../src/errors');
    expect(new EcsUnhealthyError('x')).not.toBeInstanceOf(UserInputError);
  });
});
