import { ConflictException, RunTaskCommand, type ECSClient } from '@aws-sdk/client-ecs';
import type { LocalEcs } from '../../src/dev/local-ecs';
import { ecsClientFor, isStopped, node, startTestEcs, waitForTask } from './helpers';

describe('local ECS RunTask clientToken idempotency (through @aws-sdk/client-ecs)', () => {
  let ecs: LocalEcs;
  let client: ECSClient;

  beforeEach(async () => {
    ecs = await startTestEcs({ config: { clusters: ['other'] } });
    client = ecsClientFor(ecs);
  });
  afterEach(async () => {
    client.destroy();
    await ecs.stop();
  });

  const input = { taskDefinition: 'airflow', clientToken: 'wf-1/attempt-1', overrides: { containerOverrides: [{ name: 'airflow', command: node('setTimeout(() => {}, 100)') }] } };

  it('returns the same task for the same token and input, launching one process', async () => {
    const first = await client.send(new RunTaskCommand(input));
    const second = await client.send(new RunTaskCommand(input));
    expect(second.tasks?.map((t) => t.taskArn)).toEqual(first.tasks?.map((t) => t.taskArn));
    await waitForTask(client, first.tasks?.[0]?.taskArn as string, isStopped);
    expect(ecs.stats()).toMatchObject({ tasksLaunched: 1, processesSpawned: 1 });

    const replayAfterStop = await client.send(new RunTaskCommand(input));
    // A replay of a stopped task carries only taskArn, lastStatus and desiredStatus (ECS_Idempotency).
    expect(replayAfterStop.tasks).toEqual([{ taskArn: first.tasks?.[0]?.taskArn, lastStatus: 'STOPPED', desiredStatus: 'STOPPED' }]);
    expect(ecs.stats().tasksLaunched).toBe(1);
  });

  it('replays a task still running in full, and every task of a `count` launch', async () => {
    const many = { ...input, clientToken: 'wf-2/attempt-1', count: 3, overrides: { containerOverrides: [{ name: 'airflow', command: node('setInterval(() => {}, 1000)') }] } };
    const first = await client.send(new RunTaskCommand(many));
    await waitForTask(client, first.tasks?.[0]?.taskArn as string, (t) => t.lastStatus === 'RUNNING');
    const replay = await client.send(new RunTaskCommand(many));
    expect(replay.tasks?.map((t) => t.taskArn)).toEqual(first.tasks?.map((t) => t.taskArn));
    expect(replay.tasks?.[0]).toMatchObject({ lastStatus: 'RUNNING', desiredStatus: 'RUNNING', containers: [expect.objectContaining({ name: 'airflow' })] });
    expect(replay.tasks?.[0]?.startedAt).toBeInstanceOf(Date);
    expect(ecs.stats().tasksLaunched).toBe(3);
  });

  it('keeps a lost RunTask answer replayable: once the task has stopped, the retry gets only taskArn, lastStatus and desiredStatus', async () => {
    ecs.setFaults({ endpoint: { lostResponse: { next: 1 } } });
    const lost = await client.send(new RunTaskCommand(input)).catch((e: unknown) => e);
    expect(lost).toMatchObject({ name: 'ServerException', $metadata: { httpStatusCode: 500 } });
    // The call took effect: the endpoint's own record has the task, which runs to the end.
    const [launched] = ecs.tasks();
    expect(launched?.clientToken).toBe(input.clientToken);
    await waitForTask(client, launched?.taskArn as string, isStopped);

    const retry = await client.send(new RunTaskCommand(input));
    expect(retry.tasks).toEqual([{ taskArn: launched?.taskArn, lastStatus: 'STOPPED', desiredStatus: 'STOPPED' }]);
    expect(retry.failures).toEqual([]);
    expect(ecs.stats()).toMatchObject({ tasksLaunched: 1, processesSpawned: 1 });
  });

  it('answers the same token with different input with ConflictException naming the bound tasks', async () => {
    const first = await client.send(new RunTaskCommand(input));
    const error = await client.send(new RunTaskCommand({ ...input, startedBy: 'someone-else' })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConflictException);
    expect((error as ConflictException).resourceIds).toEqual([first.tasks?.[0]?.taskArn]);
    expect(ecs.stats().tasksLaunched).toBe(1);
  });

  it('scopes tokens per cluster', async () => {
    const inDefault = await client.send(new RunTaskCommand(input));
    const inOther = await client.send(new RunTaskCommand({ ...input, cluster: 'other' }));
    expect(inOther.tasks?.[0]?.taskArn).not.toBe(inDefault.tasks?.[0]?.taskArn);
    expect(ecs.stats().tasksLaunched).toBe(2);
  });
});
