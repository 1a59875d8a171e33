import { RunTaskCommand, type ECSClient, type RunTaskCommandInput, type Task } from '@aws-sdk/client-ecs';
import { readFileSync } from 'node:fs';
import type { LocalEcs } from '../../src/dev/local-ecs';
import { ecsClientFor, isStopped, node, startTestEcs, waitForTask } from './helpers';

const LIFECYCLE_ORDER = ['PROVISIONING', 'PENDING', 'RUNNING', 'DEACTIVATING', 'STOPPING', 'DEPROVISIONING', 'STOPPED'];

describe('local ECS task lifecycle (through @aws-sdk/client-ecs)', () => {
  let ecs: LocalEcs;
  let client: ECSClient;

  beforeEach(async () => {
    ecs = await startTestEcs();
    client = ecsClientFor(ecs);
  });
  afterEach(async () => {
    client.destroy();
    await ecs.stop();
  });

  async function run(command: string[] | undefined, extra: Partial<RunTaskCommandInput> = {}): Promise<Task> {
    const out = await client.send(
      new RunTaskCommand({
        taskDefinition: 'airflow',
        overrides: command ? { containerOverrides: [{ name: 'airflow', command }] } : undefined,
        ...extra,
      }),
    );
    expect(out.failures).toEqual([]);
    const task = out.tasks?.[0];
    if (!task) throw new Error('RunTask returned no task');
    return task;
  }

  it('walks a task from PROVISIONING to STOPPED with exit code 0, ECS stop fields and timestamps', async () => {
    const launched = await run(node('setTimeout(() => {}, 150)'));
    expect(launched).toMatchObject({ lastStatus: 'PROVISIONING', desiredStatus: 'RUNNING', group: 'family:airflow' });
    expect(launched.taskArn).toMatch(/^arn:aws:ecs:us-east-1:000000000000:task\/default\/[0-9a-f]{32}$/);
    expect(launched.createdAt).toBeInstanceOf(Date);
    expect(launched.startedAt).toBeUndefined();

    const { task, seen } = await waitForTask(client, launched.taskArn as string, isStopped);
    // The endpoint's own record, because a poll on a loaded machine can miss a short state.
    expect(ecs.statusHistory(launched.taskArn as string)).toEqual(LIFECYCLE_ORDER);
    // What DescribeTasks showed on the way is a subsequence of it, in lifecycle order.
    expect(seen.map((s) => LIFECYCLE_ORDER.indexOf(s))).toEqual([...seen.map((s) => LIFECYCLE_ORDER.indexOf(s))].sort((a, b) => a - b));
    expect(task).toMatchObject({
      desiredStatus: 'STOPPED',
      stopCode: 'EssentialContainerExited',
      stoppedReason: 'Essential container in task exited',
      containers: [expect.objectContaining({ name: 'airflow', lastStatus: 'STOPPED', exitCode: 0 })],
    });
    const t = (d: Date | undefined): number => (d as Date).getTime();
    expect(t(task.createdAt)).toBeLessThanOrEqual(t(task.pullStartedAt));
    expect(t(task.pullStartedAt)).toBeLessThanOrEqual(t(task.pullStoppedAt));
    expect(t(task.pullStoppedAt)).toBeLessThanOrEqual(t(task.startedAt));
    expect(t(task.startedAt)).toBeLessThanOrEqual(t(task.stoppingAt));
    expect(t(task.stoppingAt)).toBeLessThanOrEqual(t(task.executionStoppedAt));
    expect(t(task.executionStoppedAt)).toBeLessThanOrEqual(t(task.stoppedAt));
  });

  it('reports a non-zero exit code of the essential container', async () => {
    const launched = await run(node('process.exit(3)'));
    const { task } = await waitForTask(client, launched.taskArn as string, isStopped);
    expect(task.stopCode).toBe('EssentialContainerExited');
    expect(task.containers?.[0]?.exitCode).toBe(3);
  });

  it('runs the override command with the override environment over the process environment, logging to the task log file', async () => {
    process.env.LOCAL_ECS_TEST_INHERITED = 'from-parent';
    const launched = await run(
      node('console.log(JSON.stringify({ argv: process.argv.slice(1), greeting: process.env.GREETING, inherited: process.env.LOCAL_ECS_TEST_INHERITED })); console.error("to stderr")'),
    );
    await client.send(new RunTaskCommand({ taskDefinition: 'airflow' })); // another task must not share the log
    const withEnv = await run(undefined, {
      overrides: { containerOverrides: [{ name: 'airflow', command: [process.execPath, '-e', 'console.log(process.env.GREETING, process.argv[1])', 'arg1'], environment: [{ name: 'GREETING', value: 'hello from override' }] }] },
    });
    await waitForTask(client, launched.taskArn as string, isStopped);
    await waitForTask(client, withEnv.taskArn as string, isStopped);

    const firstLog = readFileSync(ecs.logFile(launched.taskArn as string) as string, 'utf8');
    expect(JSON.parse(firstLog.split('\n')[0] as string)).toEqual({ argv: [], inherited: 'from-parent' });
    expect(firstLog).toContain('to stderr');
    expect(readFileSync(ecs.logFile(withEnv.taskArn as string) as string, 'utf8')).toBe('hello from override arg1\n');
    delete process.env.LOCAL_ECS_TEST_INHERITED;
  });

  it('treats a container without a command like an image default that exits 0 at once', async () => {
    const launched = await run(undefined);
    const { task } = await waitForTask(client, launched.taskArn as string, isStopped);
    expect(task.startedAt).toBeInstanceOf(Date);
    expect(task.containers?.[0]?.exitCode).toBe(0);
  });

  it('stops a task whose command cannot be spawned before it starts: TaskFailedToStart, no startedAt, no exit code', async () => {
    const launched = await run(['definitely-not-a-command-xyz', '--flag']);
    const { task } = await waitForTask(client, launched.taskArn as string, isStopped);
    expect(ecs.statusHistory(launched.taskArn as string)).not.toContain('RUNNING');
    expect(task.startedAt).toBeUndefined();
    expect(task.stopCode).toBe('TaskFailedToStart');
    expect(task.stoppedReason).toMatch(/^CannotStartContainerError: .*definitely-not-a-command-xyz.*executable file not found in \$PATH/);
    const container = task.containers?.[0];
    expect(container?.exitCode).toBeUndefined();
    expect(container?.lastStatus).toBe('STOPPED');
    expect(container?.reason).toMatch(/^CannotStartContainerError: /);
    expect(ecs.stats().processesSpawned).toBe(0);
  });

  it('launches `count` tasks with startedBy, group and tags echoed', async () => {
    const out = await client.send(
      new RunTaskCommand({ taskDefinition: 'airflow', count: 3, startedBy: 'airflow-executor', group: 'g1', tags: [{ key: 'k', value: 'v' }] }),
    );
    expect(out.tasks).toHaveLength(3);
    expect(new Set(out.tasks?.map((t) => t.taskArn)).size).toBe(3);
    for (const task of out.tasks ?? []) expect(task).toMatchObject({ startedBy: 'airflow-executor', group: 'g1', tags: [{ key: 'k', value: 'v' }] });
    expect(ecs.stats().tasksLaunched).toBe(3);
  });
});
