import { ConflictException, RunTaskCommand, type ECSClient } from '@aws-sdk/client-ecs';
import type { LocalEcs } from '../../src/local-ecs';
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
