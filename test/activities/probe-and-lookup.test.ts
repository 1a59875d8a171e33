import { DescribeTasksCommand, type DescribeTasksCommandInput, ECSClient, StopTaskCommand } from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import type { JsonObject } from '../../src/types';
import { accessDenied, clusterNotFound, ecsTask, expiredToken, serverException, taskArn, taskNotFound, throttling } from '../ecs/fixtures';
import { activityFixture, type ActivityFixture, expectApplicationFailure, run, mockEnv, workerTemplate } from './helpers';

const ecsMock = mockClient(ECSClient);
let template: JsonObject;
let fixture: ActivityFixture;

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

describe('probeExecutor', () => {
  it("without the health check: the worker's clock only, no ECS call", async () => {
    const before = Date.now();

    const result = await run(mockEnv(), fixture.activities.probeExecutor, { checkHealth: false });

    expect(result).toEqual({ now: expect.any(String) });
    expect(Date.parse(result.now)).toBeGreaterThanOrEqual(before);
    expect(Date.parse(result.now)).toBeLessThanOrEqual(Date.now());
    expect(ecsMock.calls()).toHaveLength(0);
  });

  it("with the health check: Airflow's check on the worker's cluster, healthy on \"task was not found\"", async () => {
    ecsMock.on(StopTaskCommand).rejects(taskNotFound());

    const result = await run(mockEnv(), fixture.activities.probeExecutor, { checkHealth: true });

    expect(result).toEqual({ now: expect.any(String), health: { healthy: true, message: 'ECS health check passed: cluster "airflow" is reachable and the credentials may call StopTask.' } });
    expect(ecsMock).toHaveReceivedCommandWith(StopTaskCommand, { cluster: 'airflow', task: 'a'.repeat(32) });
  });

  it('with the health check: reports an unhealthy ECS without throwing (the client decides)', async () => {
    ecsMock.on(StopTaskCommand).rejects(accessDenied());

    const result = await run(mockEnv(), fixture.activities.probeExecutor, { checkHealth: true });

    expect(result.health?.healthy).toBe(false);
    expect(result.health?.message).toMatch(/the credentials lack permissions/);
  });
});

describe('lookupEcsTasks (adoption)', () => {
  /** DescribeTasks that knows the given ARNs (RUNNING) and reports the rest MISSING, per cluster. */
  function knows(arns: string[]) {
    ecsMock.on(DescribeTasksCommand).callsFake((request: DescribeTasksCommandInput) => ({
      tasks: (request.tasks ?? []).filter((arn) => arns.includes(arn)).map((arn) => ecsTask(arn, 'RUNNING')),
      failures: (request.tasks ?? []).filter((arn) => !arns.includes(arn)).map((arn) => ({ arn, reason: 'MISSING' })),
    }));
  }
  const describedClusters = () => ecsMock.commandCalls(DescribeTasksCommand).map((call) => [call.args[0].input.cluster, call.args[0].input.tasks]);

  it('describes each ARN in the cluster its ARN names, and says which ECS still knows', async () => {
    knows([taskArn(1, 'prod'), taskArn(3, 'batch')]);

    const result = await run(mockEnv(), fixture.activities.lookupEcsTasks, { taskArns: [taskArn(1, 'prod'), taskArn(2, 'prod'), taskArn(3, 'batch')] });

    expect(describedClusters()).toEqual([
      ['prod', [taskArn(1, 'prod'), taskArn(2, 'prod')]],
      ['batch', [taskArn(3, 'batch')]],
    ]);
    expect(result).toEqual({
      found: [
        { taskArn: taskArn(1, 'prod'), cluster: 'prod', lastStatus: 'RUNNING' },
        { taskArn: taskArn(3, 'batch'), cluster: 'batch', lastStatus: 'RUNNING' },
      ],
      notFound: [{ taskArn: taskArn(2, 'prod'), reason: 'MISSING' }],
    });
  });

  it("describes a legacy ARN (no cluster in it) in the worker's cluster", async () => {
    const legacy = 'arn:aws:ecs:us-east-1:123456789012:task/0123456789abcdef0123456789abcdef';
    knows([legacy]);

    const result = await run(mockEnv(), fixture.activities.lookupEcsTasks, { taskArns: [legacy] });

    expect(describedClusters()).toEqual([['airflow', [legacy]]]);
    expect(result.found).toEqual([{ taskArn: legacy, cluster: 'airflow', lastStatus: 'RUNNING' }]);
  });

  it('asks once for an ARN given twice, and at most 100 ARNs a call', async () => {
    const arns = Array.from({ length: 150 }, (_, i) => taskArn(i, 'prod'));
    knows(arns);

    const result = await run(mockEnv(), fixture.activities.lookupEcsTasks, { taskArns: [...arns, arns[0]!] });

    expect(ecsMock.commandCalls(DescribeTasksCommand).map((call) => call.args[0].input.tasks?.length)).toEqual([100, 50]);
    expect(result.found).toHaveLength(150);
  });

  it("keeps the detail of a failure in the reason", async () => {
    ecsMock.on(DescribeTasksCommand).resolves({ tasks: [], failures: [{ arn: taskArn(1), reason: 'MISSING', detail: 'stopped over an hour ago' }] });

    const result = await run(mockEnv(), fixture.activities.lookupEcsTasks, { taskArns: [taskArn(1)] });

    expect(result.notFound).toEqual([{ taskArn: taskArn(1), reason: 'MISSING: stopped over an hour ago' }]);
  });

  it("one cluster's permanent error does not hide the other clusters' answers", async () => {
    ecsMock.on(DescribeTasksCommand, { cluster: 'gone' }).rejects(clusterNotFound());
    ecsMock.on(DescribeTasksCommand, { cluster: 'prod' }).resolves({ tasks: [ecsTask(taskArn(1, 'prod'), 'RUNNING')], failures: [] });

    const result = await run(mockEnv(), fixture.activities.lookupEcsTasks, { taskArns: [taskArn(9, 'gone'), taskArn(1, 'prod')] });

    expect(result).toEqual({
      found: [{ taskArn: taskArn(1, 'prod'), cluster: 'prod', lastStatus: 'RUNNING' }],
      notFound: [{ taskArn: taskArn(9, 'gone'), reason: 'DescribeTasks on cluster "gone" failed: ClusterNotFoundException: Cluster not found.' }],
    });
  });

  it.each([
    ['throttling', throttling(), 'EcsTransientError'],
    ['a server error', serverException(), 'EcsTransientError'],
    ['expired credentials', expiredToken(), 'EcsCredentialsError'],
  ])('throws %s as retryable (%s): a lookup must not call a task unknown because ECS was busy', async (_label, err, type) => {
    ecsMock.on(DescribeTasksCommand).rejects(err);

    const failure = await expectApplicationFailure(run(mockEnv(), fixture.activities.lookupEcsTasks, { taskArns: [taskArn(1)] }));

    expect(failure.type).toBe(type);
    expect(failure.nonRetryable).toBe(false);
  });
});
