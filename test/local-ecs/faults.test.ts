import { DescribeTasksCommand, ECSServiceException, ListTasksCommand, RunTaskCommand, type ECSClient } from '@aws-sdk/client-ecs';
import { seededRandom, type LocalEcs } from '../../src/dev/local-ecs';
import { ecsClientFor, isStopped, startTestEcs, waitForTask } from './helpers';
import { eventually } from '../support/eventually';

describe('local ECS fault injection and stats (through @aws-sdk/client-ecs)', () => {
  let ecs: LocalEcs;
  let client: ECSClient;

  beforeEach(async () => {
    ecs = await startTestEcs({ random: seededRandom(7) });
    client = ecsClientFor(ecs);
  });
  afterEach(async () => {
    client.destroy();
    await ecs.stop();
  });

  const runTask = (): Promise<unknown> => client.send(new RunTaskCommand({ taskDefinition: 'airflow' }));
  const errorOf = (p: Promise<unknown>): Promise<unknown> => p.then(() => undefined, (e: unknown) => e);

  it('throttles the next N calls with ThrottlingException "Rate exceeded" (HTTP 400), then recovers', async () => {
    ecs.setFaults({ endpoint: { throttle: { next: 2, operations: ['RunTask'] } } });
    for (let i = 0; i < 2; i++) {
      const error = await errorOf(runTask());
      expect(error).toBeInstanceOf(ECSServiceException);
      expect(error).toMatchObject({ name: 'ThrottlingException', message: 'Rate exceeded', $metadata: { httpStatusCode: 400 } });
    }
    await client.send(new ListTasksCommand({})); // not listed in `operations`
    await expect(runTask()).resolves.toBeDefined();
    expect(ecs.stats()).toMatchObject({ calls: { RunTask: 3, ListTasks: 1 }, errors: { ThrottlingException: 2 }, tasksLaunched: 1, faultsInjected: { throttle: 2 } });
  });

  it('answers ServerException with HTTP 500, and the SDK retries it', async () => {
    ecs.setFaults({ endpoint: { serverError: { next: 1 } } });
    const error = await errorOf(client.send(new ListTasksCommand({})));
    expect(error).toMatchObject({ name: 'ServerException', $fault: 'server', $metadata: { httpStatusCode: 500 } });

    ecs.setFaults({ endpoint: { serverError: { next: 1 } } });
    const retrying = ecsClientFor(ecs, 3);
    await expect(retrying.send(new ListTasksCommand({}))).resolves.toBeDefined();
    retrying.destroy();
    expect(ecs.stats().calls.ListTasks).toBe(3);
  });

  it('applies rates through the seeded random source, deterministically', async () => {
    const outcomes = async (): Promise<boolean[]> => {
      const results: boolean[] = [];
      for (let i = 0; i < 12; i++) results.push((await errorOf(client.send(new ListTasksCommand({})))) === undefined);
      return results;
    };
    ecs.setFaults({ endpoint: { throttle: { rate: 0.5 } } });
    const first = await outcomes();
    const other = await startTestEcs({ random: seededRandom(7), faults: { endpoint: { throttle: { rate: 0.5 } } } });
    const otherClient = ecsClientFor(other);
    try {
      const again: boolean[] = [];
      for (let i = 0; i < 12; i++) again.push((await errorOf(otherClient.send(new ListTasksCommand({})))) === undefined);
      expect(again).toEqual(first);
      expect(first).toContain(true);
      expect(first).toContain(false);
    } finally {
      otherClient.destroy();
      await other.stop();
    }
  });

  it('returns RunTask failures (RESOURCE:MEMORY with a container instance, capacity text without) and launches nothing', async () => {
    ecs.setFaults({ families: { airflow: { runTaskFailure: { next: 1 } } } });
    const memory = await client.send(new RunTaskCommand({ taskDefinition: 'airflow', count: 2 }));
    expect(memory.tasks).toEqual([]);
    expect(memory.failures).toHaveLength(2);
    expect(memory.failures?.[0]).toMatchObject({ reason: 'RESOURCE:MEMORY', arn: expect.stringMatching(/:container-instance\/default\/[0-9a-f]{32}$/) });

    const capacity = 'Capacity is unavailable at this time. Please try again later or in a different availability zone';
    ecs.setFaults({ endpoint: { runTaskFailure: { next: 1, reason: capacity } } });
    const noCapacity = await client.send(new RunTaskCommand({ taskDefinition: 'airflow' }));
    expect(noCapacity.failures).toEqual([{ reason: capacity }]);
    const agent = await startTestEcs({ faults: { endpoint: { runTaskFailure: { reason: 'AGENT' } } } });
    const agentClient = ecsClientFor(agent);
    try {
      expect((await agentClient.send(new RunTaskCommand({ taskDefinition: 'airflow' }))).failures?.[0]?.reason).toBe('AGENT');
    } finally {
      agentClient.destroy();
      await agent.stop();
    }
    expect((await client.send(new RunTaskCommand({ taskDefinition: 'airflow' }))).tasks).toHaveLength(1);
    expect(ecs.stats().tasksLaunched).toBe(1);
  });

  it('only applies family faults to that family', async () => {
    ecs.setFaults({ families: { 'some-other-family': { throttle: {} } } });
    await expect(runTask()).resolves.toBeDefined();
    ecs.setFaults({ families: { airflow: { throttle: {} } } });
    await expect(errorOf(runTask())).resolves.toMatchObject({ name: 'ThrottlingException' });
  });

  it('keeps a task in PROVISIONING for the extra slow-provisioning delay', async () => {
    ecs.setFaults({ endpoint: { slowProvisioning: { next: 1, extraMs: 1000 } } });
    const out = await client.send(new RunTaskCommand({ taskDefinition: 'airflow' }));
    const { task } = await waitForTask(client, out.tasks?.[0]?.taskArn as string, isStopped);
    // The pull starts as PENDING begins: timestamps, not a poll that a loaded machine could make late.
    expect((task.pullStartedAt as Date).getTime() - (task.createdAt as Date).getTime()).toBeGreaterThanOrEqual(1000);
    expect(ecs.statusHistory(task.taskArn as string)?.slice(0, 2)).toEqual(['PROVISIONING', 'PENDING']);
  });

  it('stops a task before it starts (TaskFailedToStart, no startedAt) with the configured reason', async () => {
    ecs.setFaults({ families: { airflow: { failToStart: { next: 1, reason: 'ResourceInitializationError: unable to pull secrets' } } } });
    const out = await client.send(new RunTaskCommand({ taskDefinition: 'airflow' }));
    const { task } = await waitForTask(client, out.tasks?.[0]?.taskArn as string, isStopped);
    expect(ecs.statusHistory(task.taskArn as string)).not.toContain('RUNNING');
    expect(task).toMatchObject({ stopCode: 'TaskFailedToStart', desiredStatus: 'STOPPED', stoppedReason: 'ResourceInitializationError: unable to pull secrets' });
    expect(task.startedAt).toBeUndefined();
  });

  it('makes a task vanish: MISSING in DescribeTasks after the given time', async () => {
    ecs.setFaults({ endpoint: { vanish: { next: 1, afterMs: 100 } } });
    const out = await client.send(new RunTaskCommand({ taskDefinition: 'airflow' }));
    const taskArn = out.tasks?.[0]?.taskArn as string;
    expect((await client.send(new DescribeTasksCommand({ tasks: [taskArn] }))).tasks).toHaveLength(1);
    await eventually(async () => (await client.send(new DescribeTasksCommand({ tasks: [taskArn] }))).failures?.[0]?.reason === 'MISSING', 'task vanishing');
    expect(ecs.stats().faultsInjected.vanish).toBe(1);
  });

  it('launches the task but answers 500 on a lost response; the SDK retry with the same clientToken gets the same task', async () => {
    ecs.setFaults({ endpoint: { lostResponse: { next: 1 } } });
    const retrying = ecsClientFor(ecs, 3);
    try {
      const out = await retrying.send(new RunTaskCommand({ taskDefinition: 'airflow' }));
      expect(out.tasks).toHaveLength(1);
      expect(ecs.stats()).toMatchObject({ calls: { RunTask: 2 }, tasksLaunched: 1, errors: { ServerException: 1 } });
    } finally {
      retrying.destroy();
    }
  });

  it('changes faults and reads stats through the admin HTTP API', async () => {
    const post = await fetch(`${ecs.url}/_local/faults`, { method: 'POST', body: JSON.stringify({ endpoint: { throttle: { next: 1 } } }) });
    expect(post.status).toBe(200);
    await expect(errorOf(client.send(new ListTasksCommand({})))).resolves.toMatchObject({ name: 'ThrottlingException' });
    const faults = (await (await fetch(`${ecs.url}/_local/faults`)).json()) as { endpoint: { throttle: { next: number } } };
    expect(faults.endpoint.throttle.next).toBe(0);

    const bad = await fetch(`${ecs.url}/_local/faults`, { method: 'POST', body: JSON.stringify({ endpoint: { throttle: { rate: 2 } } }) });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toContain('endpoint.throttle.rate: rate must be between 0 and 1');

    const stats = (await (await fetch(`${ecs.url}/_local/stats`)).json()) as { calls: Record<string, number>; totalCalls: number };
    expect(stats.calls.ListTasks).toBe(1);
    expect(stats.totalCalls).toBe(1);
    await fetch(`${ecs.url}/_local/stats/reset`, { method: 'POST' });
    expect(ecs.stats().totalCalls).toBe(0);
    expect((await fetch(`${ecs.url}/_local/faults`, { method: 'DELETE' })).status).toBe(200);
    expect(ecs.faults()).toEqual({});
  });

  it('rejects an invalid fault config given from code with a clear error', () => {
    expect(() => ecs.setFaults({ endpoint: { vanish: { afterMs: -1 } } })).toThrow(/Invalid fault config:\n {2}- endpoint\.vanish\.afterMs/);
  });
});
