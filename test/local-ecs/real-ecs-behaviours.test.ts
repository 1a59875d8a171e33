import {
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  InvalidParameterException,
  LaunchType,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  type ContainerOverride,
  type ECSClient,
} from '@aws-sdk/client-ecs';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LocalEcs } from '../../src/dev/local-ecs';
import { ecsClientFor, isStopped, node, startTestEcs, waitForTask, withCommand } from './helpers';

/** What real ECS does where an executor's bugs hide: each case is a documented ECS behaviour. */
describe('local ECS behaves like real ECS (through @aws-sdk/client-ecs)', () => {
  let ecs: LocalEcs;
  let client: ECSClient;

  beforeEach(async () => {
    ecs = await startTestEcs({ execution: 'scripted' });
    client = ecsClientFor(ecs);
  });
  afterEach(async () => {
    client.destroy();
    await ecs.stop();
  });

  it('launches `count` tasks, up to 10, and refuses 11 like ECS', async () => {
    const out = await client.send(new RunTaskCommand(withCommand(['sleep', 'infinity'], { count: 10 })));
    expect(out.tasks).toHaveLength(10);
    expect(new Set(out.tasks?.map((t) => t.taskArn)).size).toBe(10);
    expect(ecs.stats().tasksLaunched).toBe(10);
    const error = await client.send(new RunTaskCommand({ taskDefinition: 'airflow', count: 11 })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidParameterException);
    expect((error as Error).message).toBe('count: count must be between 1 and 10');
  });

  it('returns tags from DescribeTasks only with include TAGS, and echoes startedBy either way', async () => {
    const tags = [{ key: 'airflow.dag_id', value: 'demo' }, { key: 'executor', value: 'temporal' }];
    const out = await client.send(new RunTaskCommand(withCommand(['sleep', 'infinity'], { startedBy: 'temporal-ecs-executor', tags })));
    const taskArn = out.tasks?.[0]?.taskArn as string;
    const plain = await client.send(new DescribeTasksCommand({ tasks: [taskArn] }));
    expect(plain.tasks?.[0]?.tags).toBeUndefined();
    expect(plain.tasks?.[0]?.startedBy).toBe('temporal-ecs-executor');
    const tagged = await client.send(new DescribeTasksCommand({ tasks: [taskArn], include: ['TAGS'] }));
    expect(tagged.tasks?.[0]?.tags).toEqual(tags);
  });

  it('filters ListTasks by startedBy with desiredStatus RUNNING by default and STOPPED on request, paginating', async () => {
    const started = await client.send(new RunTaskCommand(withCommand(['sleep', 'infinity'], { startedBy: 'me', count: 5 })));
    const done = await client.send(new RunTaskCommand(withCommand(['true'], { startedBy: 'me' })));
    await client.send(new RunTaskCommand(withCommand(['sleep', 'infinity'], { startedBy: 'someone-else' })));
    await waitForTask(client, done.tasks?.[0]?.taskArn as string, isStopped);

    const pages: string[][] = [];
    let nextToken: string | undefined;
    do {
      const page = await client.send(new ListTasksCommand({ startedBy: 'me', maxResults: 2, nextToken }));
      pages.push(page.taskArns ?? []);
      nextToken = page.nextToken;
    } while (nextToken !== undefined);
    expect(pages.map((p) => p.length)).toEqual([2, 2, 1]);
    expect(pages.flat()).toEqual(started.tasks?.map((t) => t.taskArn));
    expect((await client.send(new ListTasksCommand({ startedBy: 'me', desiredStatus: 'STOPPED' }))).taskArns).toEqual([done.tasks?.[0]?.taskArn]);
  });

  it.each(Object.values(LaunchType))('accepts launchType %s (every value of the SDK enum) and lists by it', async (launchType) => {
    const out = await client.send(new RunTaskCommand(withCommand(['sleep', 'infinity'], { launchType })));
    expect(out.tasks?.[0]?.launchType).toBe(launchType);
    expect((await client.send(new ListTasksCommand({ launchType }))).taskArns).toEqual([out.tasks?.[0]?.taskArn]);
  });

  it('refuses overrides longer than 8192 characters with ECS\'s own error, and takes exactly 8192', async () => {
    const overrideOf = (length: number): ContainerOverride[] => [{ name: 'airflow', command: ['x'.repeat(length)] }];
    const baseLength = JSON.stringify({ containerOverrides: overrideOf(0) }).length;
    const atLimit = await client.send(new RunTaskCommand({ taskDefinition: 'airflow', overrides: { containerOverrides: overrideOf(8192 - baseLength) } }));
    expect(atLimit.tasks).toHaveLength(1);

    const error = await client
      .send(new RunTaskCommand({ taskDefinition: 'airflow', overrides: { containerOverrides: overrideOf(8193 - baseLength) } }))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidParameterException);
    expect((error as Error).message).toBe('Container Overrides length must be at most 8192');
    expect(ecs.stats().tasksLaunched).toBe(1);
  });

  it("stores each container's logConfiguration (awslogs) and returns it from DescribeTaskDefinition", async () => {
    const logConfiguration = {
      logDriver: 'awslogs' as const,
      options: { 'awslogs-group': '/ecs/airflow', 'awslogs-region': 'us-east-1', 'awslogs-stream-prefix': 'airflow' },
    };
    await client.send(new RegisterTaskDefinitionCommand({ family: 'logged', containerDefinitions: [{ name: 'base', image: 'apache/airflow:3', logConfiguration }] }));
    const out = await client.send(new DescribeTaskDefinitionCommand({ taskDefinition: 'logged' }));
    expect(out.taskDefinition?.containerDefinitions?.[0]?.logConfiguration).toEqual(logConfiguration);

    const bad = client.send(
      new RegisterTaskDefinitionCommand({ family: 'bad', containerDefinitions: [{ name: 'base', image: 'x', logConfiguration: { logDriver: 'bogus' as 'awslogs' } }] }),
    );
    await expect(bad).rejects.toBeInstanceOf(InvalidParameterException);
    await expect(bad).rejects.toThrow(/^containerDefinitions\.0\.logConfiguration\.logDriver: /);
  });
});

describe('the default task definition in process mode', () => {
  it('declares where the endpoint writes each task\'s output, and the output is there', async () => {
    const ecs = await startTestEcs();
    const client = ecsClientFor(ecs);
    try {
      const td = await client.send(new DescribeTaskDefinitionCommand({ taskDefinition: 'airflow' }));
      const logConfiguration = td.taskDefinition?.containerDefinitions?.[0]?.logConfiguration;
      expect(logConfiguration).toEqual({ logDriver: 'json-file', options: { 'local-ecs-log-dir': ecs.logDir, 'local-ecs-log-format': 'text' } });

      const out = await client.send(new RunTaskCommand(withCommand(node('console.log("hello from the task")'))));
      const taskArn = out.tasks?.[0]?.taskArn as string;
      await waitForTask(client, taskArn, isStopped);
      // What an executor would do with it: <local-ecs-log-dir>/<task id>.log, plain text.
      const logFile = join(logConfiguration?.options?.['local-ecs-log-dir'] as string, `${taskArn.split('/').pop() as string}.log`);
      expect(logFile).toBe(ecs.logFile(taskArn));
      expect(readFileSync(logFile, 'utf8')).toBe('hello from the task\n');
    } finally {
      client.destroy();
      await ecs.stop();
    }
  });
});
