import { ECSClient, RunTaskCommand } from '@aws-sdk/client-ecs';
import type { MockActivityEnvironment } from '@temporalio/testing';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { launchClientToken } from '../../src/activities';
import type { RunEcsTaskInput } from '../../src/activities/contracts';
import type { JsonObject } from '../../src/types';
import {
  accessDenied,
  clientException,
  expiredToken,
  invalidParameter,
  networkError,
  serverException,
  serviceError,
  taskArn,
  throttling,
} from '../ecs/fixtures';
import { activityFixture, type ActivityFixture, expectApplicationFailure, mockEnv } from './helpers';

const ecsMock = mockClient(ECSClient);

const runTaskInput: JsonObject = {
  cluster: 'airflow',
  taskDefinition: 'airflow-worker:3',
  launchType: 'FARGATE',
  platformVersion: 'LATEST',
  count: 1,
  networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-1'], securityGroups: ['sg-1'], assignPublicIp: 'DISABLED' } },
  overrides: {
    containerOverrides: [
      {
        name: 'base',
        command: ['airflow', 'tasks', 'run', 'dag', 'task', 'run'],
        environment: [{ name: 'AIRFLOW_IS_EXECUTOR_CONTAINER', value: 'true' }],
      },
    ],
  },
  tags: [{ key: 'team', value: 'data' }],
};

const input: RunEcsTaskInput = { runTaskInput, workflowId: 'airflow-task/dag/task/run/-1/1', attempt: 1 };

let fixture: ActivityFixture;
let env: MockActivityEnvironment;

beforeEach(() => {
  ecsMock.reset();
  fixture = activityFixture();
  env = mockEnv();
});

afterEach(() => {
  fixture.ecs.reset();
});


describe('launchClientToken', () => {
  it('is the same for the same workflow and attempt', () => {
    expect(launchClientToken('wf-1', 2)).toBe(launchClientToken('wf-1', 2));
  });

  it('differs across attempts and across workflows', () => {
    const tokens = new Set([launchClientToken('wf-1', 1), launchClientToken('wf-1', 2), launchClientToken('wf-2', 1)]);
    expect(tokens.size).toBe(3);
  });

  it('keeps ("wf-1", 23) and ("wf-12", 3) apart', () => {
    expect(launchClientToken('wf-1', 23)).not.toBe(launchClientToken('wf-12', 3));
  });

  it('fits ECS limits: at most 64 printable ASCII characters', () => {
    const token = launchClientToken('x'.repeat(1000), 99);
    expect(token.length).toBeLessThanOrEqual(64);
    expect(token).toMatch(/^[\x21-\x7e]+$/);
  });
});

describe('runEcsTask', () => {
  it('passes the RunTask input through exactly, plus the clientToken for this attempt', async () => {
    ecsMock.on(RunTaskCommand).resolves({ tasks: [{ taskArn: taskArn(1), lastStatus: 'PROVISIONING' }], failures: [] });

    await env.run(fixture.activities.runEcsTask, input);

    const calls = ecsMock.commandCalls(RunTaskCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0]?.args[0].input).toEqual({ ...runTaskInput, clientToken: launchClientToken(input.workflowId, 1) });
  });

  it('sends a different clientToken for the next launch attempt', async () => {
    ecsMock.on(RunTaskCommand).resolves({ tasks: [{ taskArn: taskArn(1), lastStatus: 'PROVISIONING' }] });

    await env.run(fixture.activities.runEcsTask, input);
    await env.run(fixture.activities.runEcsTask, { ...input, attempt: 2 });

    const [first, second] = ecsMock.commandCalls(RunTaskCommand).map((call) => call.args[0].input.clientToken);
    expect(first).toBe(launchClientToken(input.workflowId, 1));
    expect(second).toBe(launchClientToken(input.workflowId, 2));
    expect(first).not.toBe(second);
  });

  it('returns the launched task as a snapshot', async () => {
    ecsMock.on(RunTaskCommand).resolves({
      tasks: [
        {
          taskArn: taskArn(1),
          clusterArn: 'arn:aws:ecs:us-east-1:123456789012:cluster/airflow',
          lastStatus: 'PROVISIONING',
          desiredStatus: 'RUNNING',
          createdAt: new Date('2026-02-01T10:00:00Z'),
          containers: [{ name: 'base', lastStatus: 'PENDING' }],
        },
      ],
      failures: [],
    });

    expect(await env.run(fixture.activities.runEcsTask, input)).toEqual({
      kind: 'launched',
      task: {
        taskArn: taskArn(1),
        clusterArn: 'arn:aws:ecs:us-east-1:123456789012:cluster/airflow',
        lastStatus: 'PROVISIONING',
        desiredStatus: 'RUNNING',
        createdAt: '2026-02-01T10:00:00.000Z',
        containers: [{ name: 'base', lastStatus: 'PENDING' }],
      },
    });
  });

  it('reports RunTask failures[] as a failed attempt with each reason, ARN and detail', async () => {
    ecsMock.on(RunTaskCommand).resolves({
      tasks: [],
      failures: [
        { arn: 'arn:aws:ecs:us-east-1:123456789012:container-instance/airflow/ci-1', reason: 'RESOURCE:MEMORY' },
        { reason: 'Capacity is unavailable at this time. Please try again later or in a different availability zone' },
        { reason: 'AGENT', detail: 'agent disconnected' },
      ],
    });

    expect(await env.run(fixture.activities.runEcsTask, input)).toEqual({
      kind: 'failed',
      reasons: [
        'RESOURCE:MEMORY (arn: arn:aws:ecs:us-east-1:123456789012:container-instance/airflow/ci-1)',
        'Capacity is unavailable at this time. Please try again later or in a different availability zone',
        'AGENT (detail: agent disconnected)',
      ],
    });
  });

  it('throws a non-retryable EcsEmptyRunTaskResponse naming an ECS internal error when RunTask returns neither tasks nor failures', async () => {
    ecsMock.on(RunTaskCommand).resolves({ tasks: [], failures: [] });

    const failure = await expectApplicationFailure(env.run(fixture.activities.runEcsTask, input));

    expect(failure.type).toBe('EcsEmptyRunTaskResponse');
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toMatch(/ECS internal error/);
    expect(failure.message).toContain('"tasks":[]');
  });

  it.each([
    ['ThrottlingException', throttling()],
    ['ServerException', serverException()],
    ['HTTP 503', serviceError('ServiceUnavailable', 'try again', 503)],
    ['ECONNRESET', networkError('ECONNRESET')],
  ])('throws a retryable EcsTransientError on %s, without counting an attempt', async (_label, err) => {
    ecsMock.on(RunTaskCommand).rejects(err);

    const failure = await expectApplicationFailure(env.run(fixture.activities.runEcsTask, input));

    expect(failure.type).toBe('EcsTransientError');
    expect(failure.nonRetryable).toBe(false);
    expect(fixture.reset).not.toHaveBeenCalled();
  });

  it('resets the ECS client and throws a retryable EcsCredentialsError on expired credentials', async () => {
    ecsMock.on(RunTaskCommand).rejects(expiredToken());

    const failure = await expectApplicationFailure(env.run(fixture.activities.runEcsTask, input));

    expect(failure.type).toBe('EcsCredentialsError');
    expect(failure.nonRetryable).toBe(false);
    expect(failure.message).toMatch(/ExpiredTokenException/);
    expect(fixture.reset).toHaveBeenCalledTimes(1);
  });

  it.each([
    ['InvalidParameterException', invalidParameter('Network Configuration must be provided when networkMode \'awsvpc\' is specified.')],
    ['ClientException', clientException('TaskDefinition not found.')],
    ['AccessDeniedException', accessDenied()],
  ])('reports %s as a failed attempt with "<Name>: <message>"', async (name, err) => {
    ecsMock.on(RunTaskCommand).rejects(err);

    expect(await env.run(fixture.activities.runEcsTask, input)).toEqual({ kind: 'failed', reasons: [`${name}: ${err.message}`] });
  });
});
