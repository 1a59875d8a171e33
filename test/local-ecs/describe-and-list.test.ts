import {
  ClientException,
  ClusterNotFoundException,
  DescribeClustersCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  InvalidParameterException,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  StopTaskCommand,
  type ECSClient,
  type ListTasksCommandInput,
} from '@aws-sdk/client-ecs';
import type { LocalEcs } from '../../src/dev/local-ecs';
import { ecsClientFor, isStopped, node, sleep, startTestEcs, waitForTask } from './helpers';

describe('local ECS describe, list and task definitions (through @aws-sdk/client-ecs)', () => {
  let ecs: LocalEcs;
  let client: ECSClient;

  beforeEach(async () => {
    ecs = await startTestEcs({ stoppedTaskRetentionMs: 500, config: { clusters: ['other'] } });
    client = ecsClientFor(ecs);
  });
  afterEach(async () => {
    client.destroy();
    await ecs.stop();
  });

  it('rejects DescribeTasks with more than 100 tasks, and with none', async () => {
    const ids = Array.from({ length: 101 }, (_, i) => i.toString(16).padStart(32, '0'));
    const tooMany = await client.send(new DescribeTasksCommand({ tasks: ids })).catch((e: unknown) => e);
    expect(tooMany).toBeInstanceOf(InvalidParameterException);
    expect((tooMany as Error).message).toBe('taskIds can have at most 100 items.');
    await expect(client.send(new DescribeTasksCommand({ tasks: [] }))).rejects.toThrow('Tasks cannot be empty.');
  });

  it('reports unknown tasks as MISSING failures and 100 tasks in one call are fine', async () => {
    const ids = Array.from({ length: 100 }, (_, i) => i.toString(16).padStart(32, '0'));
    const out = await client.send(new DescribeTasksCommand({ tasks: ids }));
    expect(out.tasks).toEqual([]);
    expect(out.failures).toHaveLength(100);
    expect(out.failures?.[0]).toEqual({ arn: ids[0], reason: 'MISSING' });
  });

  it('keeps a stopped task describable for the retention period, then reports it MISSING', async () => {
    const out = await client.send(new RunTaskCommand({ taskDefinition: 'airflow' }));
    const taskArn = out.tasks?.[0]?.taskArn as string;
    // Describable once stopped (waitForTask saw it STOPPED through DescribeTasks) ...
    const { task } = await waitForTask(client, taskArn, isStopped);
    // ... and gone once the retention period since stoppedAt has passed.
    await sleep(Math.max(0, (task.stoppedAt as Date).getTime() + 550 - Date.now()));
    const later = await client.send(new DescribeTasksCommand({ tasks: [taskArn] }));
    expect(later.tasks).toEqual([]);
    expect(later.failures).toEqual([{ arn: taskArn, reason: 'MISSING' }]);
  });

  it('accepts clusters by name or ARN, and rejects an unknown cluster with ClusterNotFoundException', async () => {
    const clusterArn = 'arn:aws:ecs:us-east-1:000000000000:cluster/other';
    const out = await client.send(new RunTaskCommand({ cluster: clusterArn, taskDefinition: 'airflow' }));
    const task = out.tasks?.[0];
    expect(task?.clusterArn).toBe(clusterArn);
    expect(task?.taskArn).toContain(':task/other/');
    const byName = await client.send(new DescribeTasksCommand({ cluster: 'other', tasks: [task?.taskArn as string] }));
    expect(byName.tasks).toHaveLength(1);
    const inDefault = await client.send(new DescribeTasksCommand({ tasks: [task?.taskArn as string] }));
    expect(inDefault.failures?.[0]?.reason).toBe('MISSING');

    const error = await client.send(new RunTaskCommand({ cluster: 'nope', taskDefinition: 'airflow' })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ClusterNotFoundException);
    expect((error as Error).message).toBe('Cluster not found.');
  });

  it('filters ListTasks by desiredStatus, family, startedBy and paginates', async () => {
    await client.send(new RegisterTaskDefinitionCommand({ family: 'other-family', containerDefinitions: [{ name: 'main', image: 'busybox', command: node('setTimeout(() => {}, 60000)') }] }));
    const sleeper = { containerOverrides: [{ name: 'airflow', command: node('setTimeout(() => {}, 60000)') }] };
    const a = await client.send(new RunTaskCommand({ taskDefinition: 'airflow', startedBy: 'alice', overrides: sleeper, count: 2 }));
    const b = await client.send(new RunTaskCommand({ taskDefinition: 'other-family', startedBy: 'bob' }));
    const c = await client.send(new RunTaskCommand({ taskDefinition: 'airflow', startedBy: 'bob', overrides: sleeper }));
    const arnsOf = (out: { tasks?: Array<{ taskArn?: string }> }): string[] => (out.tasks ?? []).map((t) => t.taskArn as string);
    const stoppedArn = arnsOf(c)[0] as string;
    await client.send(new StopTaskCommand({ task: stoppedArn }));

    const list = async (input: ListTasksCommandInput): Promise<string[]> =>
      (await client.send(new ListTasksCommand(input))).taskArns ?? [];
    expect((await list({})).sort()).toEqual([...arnsOf(a), ...arnsOf(b)].sort());
    expect(await list({ family: 'other-family' })).toEqual(arnsOf(b));
    expect(await list({ startedBy: 'alice' })).toEqual(arnsOf(a));
    expect(await list({ desiredStatus: 'STOPPED' })).toEqual([stoppedArn]);
    expect(await list({ desiredStatus: 'PENDING' })).toEqual([]);
    expect(await list({ cluster: 'other' })).toEqual([]);

    const page1 = await client.send(new ListTasksCommand({ maxResults: 2 }));
    expect(page1.taskArns).toHaveLength(2);
    const page2 = await client.send(new ListTasksCommand({ maxResults: 2, nextToken: page1.nextToken }));
    expect(page2.taskArns).toHaveLength(1);
    expect(page2.nextToken).toBeUndefined();
    await expect(client.send(new ListTasksCommand({ cluster: 'nope' }))).rejects.toBeInstanceOf(ClusterNotFoundException);
  });

  it('describes the default cluster, declared clusters, and unknown ones as MISSING failures', async () => {
    const out = await client.send(new DescribeClustersCommand({ clusters: ['default', 'arn:aws:ecs:us-east-1:000000000000:cluster/other', 'ghost'] }));
    expect(out.clusters?.map((c) => [c.clusterName, c.status])).toEqual([
      ['default', 'ACTIVE'],
      ['other', 'ACTIVE'],
    ]);
    expect(out.failures).toEqual([{ arn: 'arn:aws:ecs:us-east-1:000000000000:cluster/ghost', reason: 'MISSING' }]);
    const implicit = await client.send(new DescribeClustersCommand({}));
    expect(implicit.clusters?.[0]?.clusterArn).toBe('arn:aws:ecs:us-east-1:000000000000:cluster/default');
  });

  it('has the default task definition and registers new revisions describable by family, family:revision and ARN', async () => {
    const builtIn = await client.send(new DescribeTaskDefinitionCommand({ taskDefinition: 'airflow' }));
    expect(builtIn.taskDefinition).toMatchObject({ family: 'airflow', revision: 1, status: 'ACTIVE' });
    expect(builtIn.taskDefinition?.containerDefinitions?.map((c) => [c.name, c.essential])).toEqual([['airflow', true]]);

    const registered = await client.send(
      new RegisterTaskDefinitionCommand({ family: 'airflow', containerDefinitions: [{ name: 'airflow', image: 'apache/airflow:3', command: ['echo', 'hi'] }] }),
    );
    expect(registered.taskDefinition).toMatchObject({ family: 'airflow', revision: 2, taskDefinitionArn: 'arn:aws:ecs:us-east-1:000000000000:task-definition/airflow:2' });
    expect(registered.taskDefinition?.registeredAt).toBeInstanceOf(Date);
    for (const ref of ['airflow', 'airflow:2', 'arn:aws:ecs:us-east-1:000000000000:task-definition/airflow:2']) {
      const out = await client.send(new DescribeTaskDefinitionCommand({ taskDefinition: ref }));
      expect(out.taskDefinition?.revision).toBe(2);
    }
    expect((await client.send(new DescribeTaskDefinitionCommand({ taskDefinition: 'airflow:1' }))).taskDefinition?.revision).toBe(1);

    const unknown = await client.send(new DescribeTaskDefinitionCommand({ taskDefinition: 'nope' })).catch((e: unknown) => e);
    expect(unknown).toBeInstanceOf(ClientException);
    expect((unknown as Error).message).toBe('Unable to describe task definition.');
    const runUnknown = await client.send(new RunTaskCommand({ taskDefinition: 'nope:7' })).catch((e: unknown) => e);
    expect(runUnknown).toBeInstanceOf(ClientException);
    expect((runUnknown as Error).message).toBe('TaskDefinition not found.');
  });

  it('validates RegisterTaskDefinition and RunTask input like ECS (InvalidParameterException)', async () => {
    await expect(client.send(new RegisterTaskDefinitionCommand({ family: 'bad family!', containerDefinitions: [{ name: 'x', image: 'y' }] }))).rejects.toBeInstanceOf(InvalidParameterException);
    await expect(client.send(new RegisterTaskDefinitionCommand({ family: 'f', containerDefinitions: [{ name: 'x', image: 'y', essential: false }] }))).rejects.toThrow(
      'A task definition must have at least one essential container.',
    );
    await expect(client.send(new RunTaskCommand({ taskDefinition: 'airflow', count: 11 }))).rejects.toBeInstanceOf(InvalidParameterException);
    await expect(
      client.send(new RunTaskCommand({ taskDefinition: 'airflow', overrides: { containerOverrides: [{ name: 'web', command: ['x'] }] } })),
    ).rejects.toThrow('Override for container named web is not a container in the TaskDefinition.');
    await expect(client.send(new RunTaskCommand({ taskDefinition: 'airflow', launchType: 'FARGATE', capacityProviderStrategy: [{ capacityProvider: 'FARGATE' }] }))).rejects.toBeInstanceOf(
      InvalidParameterException,
    );
  });
});
