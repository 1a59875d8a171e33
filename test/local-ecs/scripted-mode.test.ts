import {
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ListTasksCommand,
  RunTaskCommand,
  StopTaskCommand,
  type ECSClient,
  type Task,
} from '@aws-sdk/client-ecs';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LocalEcs } from '../../src/dev/local-ecs';
import { parseScriptedCommand } from '../../src/dev/local-ecs/scripted-commands';
import { eventually } from '../support/eventually';
import { ecsClientFor, isStopped, sleep, startTestEcs, waitForTask, withCommand } from './helpers';

const LIFECYCLE_ORDER = ['PROVISIONING', 'PENDING', 'RUNNING', 'DEACTIVATING', 'STOPPING', 'DEPROVISIONING', 'STOPPED'];
const ms = (d: Date | undefined): number => (d as Date).getTime();

describe('scripted-mode command grammar', () => {
  it.each([
    [['sleep', '2'], { runsForMs: 2000, exitCode: 0, ignoresSigterm: false }],
    [['sleep', '0.25'], { runsForMs: 250, exitCode: 0, ignoresSigterm: false }],
    [['/bin/sleep', '1m'], { runsForMs: 60_000, exitCode: 0, ignoresSigterm: false }],
    [['sleep', 'infinity'], { runsForMs: undefined, exitCode: 0, ignoresSigterm: false }],
    [['exit', '3'], { runsForMs: 0, exitCode: 3, ignoresSigterm: false }],
    [['exit', '257'], { runsForMs: 0, exitCode: 1, ignoresSigterm: false }],
    [['true'], { runsForMs: 0, exitCode: 0, ignoresSigterm: false }],
    [['/usr/bin/false'], { runsForMs: 0, exitCode: 1, ignoresSigterm: false }],
    [[], { runsForMs: 0, exitCode: 0, ignoresSigterm: false }],
    [['sh', '-c', 'sleep 5; exit 3'], { runsForMs: 5000, exitCode: 3, ignoresSigterm: false }],
    [['/bin/bash', '-c', 'sleep 1\nsleep 0.5\nfalse'], { runsForMs: 1500, exitCode: 1, ignoresSigterm: false }],
    [['sh', '-c', 'false; exit'], { runsForMs: 0, exitCode: 1, ignoresSigterm: false }],
    [['sh', '-c', 'exit 4; sleep 100'], { runsForMs: 0, exitCode: 4, ignoresSigterm: false }],
    [['sh', '-c', "trap '' TERM; sleep infinity"], { runsForMs: undefined, exitCode: 0, ignoresSigterm: true }],
  ])('understands %j', (argv, command) => {
    expect(parseScriptedCommand(argv)).toEqual({ ok: true, command });
  });

  it.each([
    [['python', '-c', 'print(1)'], '`python -c print(1)` is not part of the scripted grammar'],
    [['sleep'], '`sleep` takes exactly one duration'],
    [['sleep', '5x'], '`sleep 5x`: the duration must be seconds'],
    [['exit', 'abc'], '`exit abc`: the exit code must be a whole number'],
    [['sh', '-c', 'sleep 1 && exit 2'], '`sleep 1 && exit 2` uses shell syntax (&&)'],
    [['sh', '-c', 'sleep $DELAY'], 'uses shell syntax ($)'],
    [['sh', '-c', "sleep 1; trap '' TERM"], "only `trap '' TERM` as the first statement is understood"],
    [['/opt/tools/sleep', '1'], 'is not part of the scripted grammar'],
  ])('refuses %j, saying why and naming the command', (argv, why) => {
    const parsed = parseScriptedCommand(argv);
    expect(parsed.ok).toBe(false);
    const reason = (parsed as { reason: string }).reason;
    expect(reason).toContain(why);
    expect(reason).toContain(JSON.stringify(argv));
    expect(reason).toContain("execution 'process'");
  });
});

describe('local ECS scripted mode (through @aws-sdk/client-ecs)', () => {
  let ecs: LocalEcs;
  let client: ECSClient;

  beforeEach(async () => {
    ecs = await startTestEcs({ execution: 'scripted', stopTimeoutMs: 300 });
    client = ecsClientFor(ecs);
  });
  afterEach(async () => {
    client.destroy();
    await ecs.stop();
  });

  async function run(command: string[]): Promise<Task> {
    const out = await client.send(new RunTaskCommand(withCommand(command)));
    expect(out.failures).toEqual([]);
    return out.tasks?.[0] as Task;
  }

  it('walks `sleep <s>` through the whole lifecycle with ECS timestamps, running at least that long, then exit 0', async () => {
    const launched = await run(['sleep', '0.2']);
    const { task } = await waitForTask(client, launched.taskArn as string, isStopped);
    expect(ecs.statusHistory(launched.taskArn as string)).toEqual(LIFECYCLE_ORDER);
    expect(task).toMatchObject({
      desiredStatus: 'STOPPED',
      stopCode: 'EssentialContainerExited',
      stoppedReason: 'Essential container in task exited',
      containers: [expect.objectContaining({ name: 'airflow', lastStatus: 'STOPPED', exitCode: 0 })],
    });
    expect(ms(task.createdAt)).toBeLessThanOrEqual(ms(task.pullStartedAt));
    expect(ms(task.pullStoppedAt)).toBeLessThanOrEqual(ms(task.startedAt));
    expect(ms(task.stoppingAt) - ms(task.startedAt)).toBeGreaterThanOrEqual(200);
    expect(ms(task.stoppingAt)).toBeLessThanOrEqual(ms(task.executionStoppedAt));
    expect(ms(task.executionStoppedAt)).toBeLessThanOrEqual(ms(task.stoppedAt));
    expect(ecs.stats()).toMatchObject({ execution: 'scripted', containersStarted: 1, processesSpawned: 0, runningProcesses: 0 });
    expect(ecs.logFile(launched.taskArn as string)).toBeUndefined();
  });

  it.each([
    [['sh', '-c', 'sleep 0.05; exit 3'], 3],
    [['exit', '7'], 7],
    [['true'], 0],
    [['false'], 1],
  ])('reports the exit code of %j', async (command, exitCode) => {
    const launched = await run(command);
    const { task } = await waitForTask(client, launched.taskArn as string, isStopped);
    expect(task.stopCode).toBe('EssentialContainerExited');
    expect(task.startedAt).toBeInstanceOf(Date);
    expect(task.containers?.[0]?.exitCode).toBe(exitCode);
  });

  it('fails to start a command outside the grammar: TaskFailedToStart naming it, no startedAt, no exit code, no process', async () => {
    const launched = await run(['airflow', 'tasks', 'run', 'dag', 'task', 'run-1']);
    const { task } = await waitForTask(client, launched.taskArn as string, isStopped);
    expect(ecs.statusHistory(launched.taskArn as string)).not.toContain('RUNNING');
    expect(task.stopCode).toBe('TaskFailedToStart');
    expect(task.stoppedReason).toMatch(/^CannotStartContainerError: the local ECS endpoint runs in scripted mode and cannot run \["airflow","tasks","run","dag","task","run-1"\]/);
    expect(task.startedAt).toBeUndefined();
    expect(task.containers?.[0]).toMatchObject({ lastStatus: 'STOPPED', reason: task.stoppedReason });
    expect(task.containers?.[0]?.exitCode).toBeUndefined();
    expect(ecs.stats()).toMatchObject({ containersStarted: 0, processesSpawned: 0 });
  });

  it('stops `sleep infinity` like SIGTERM stops sleep: exit 143, UserInitiated, "Task stopped by user"', async () => {
    const launched = await run(['sleep', 'infinity']);
    await waitForTask(client, launched.taskArn as string, (t) => t.lastStatus === 'RUNNING');
    const stopped = await client.send(new StopTaskCommand({ task: launched.taskArn }));
    expect(stopped.task).toMatchObject({ desiredStatus: 'STOPPED', stopCode: 'UserInitiated', stoppedReason: 'Task stopped by user' });
    const { task } = await waitForTask(client, launched.taskArn as string, isStopped);
    expect(task.containers?.[0]?.exitCode).toBe(143);
    expect(ecs.statusHistory(launched.taskArn as string)).toEqual(LIFECYCLE_ORDER);
    expect(ecs.stats().runningContainers).toBe(0);
  });

  it("kills a container that traps SIGTERM after the stop timeout (exit 137), keeping the stop reason", async () => {
    const launched = await run(['sh', '-c', "trap '' TERM; sleep infinity"]);
    await waitForTask(client, launched.taskArn as string, (t) => t.lastStatus === 'RUNNING');
    await client.send(new StopTaskCommand({ task: launched.taskArn, reason: 'Task killed by the user' }));
    const { task } = await waitForTask(client, launched.taskArn as string, isStopped);
    // STOPPING (SIGTERM) to executionStoppedAt (SIGKILL) spans the 300 ms stop timeout.
    expect(ms(task.executionStoppedAt) - ms(task.stoppingAt)).toBeGreaterThanOrEqual(300);
    expect(task.stoppedReason).toBe('Task killed by the user');
    expect(task.containers?.[0]?.exitCode).toBe(137);
  });

  it('lets a container that traps SIGTERM finish by itself when it ends before the stop timeout', async () => {
    const launched = await run(['sh', '-c', "trap '' TERM; sleep 0.15; exit 5"]);
    await waitForTask(client, launched.taskArn as string, (t) => t.lastStatus === 'RUNNING');
    await client.send(new StopTaskCommand({ task: launched.taskArn }));
    const { task } = await waitForTask(client, launched.taskArn as string, isStopped);
    expect(task).toMatchObject({ stopCode: 'UserInitiated', containers: [expect.objectContaining({ exitCode: 5 })] });
  });

  it('forgets stopped tasks after the retention period (MISSING), and the status counts follow', async () => {
    const short = await startTestEcs({ execution: 'scripted', stoppedTaskRetentionMs: 300 });
    const shortClient = ecsClientFor(short);
    try {
      const done = await shortClient.send(new RunTaskCommand(withCommand(['true'], { count: 3 })));
      const running = await shortClient.send(new RunTaskCommand(withCommand(['sleep', 'infinity'])));
      const arns = (done.tasks ?? []).map((t) => t.taskArn as string);
      const stopped = await Promise.all(arns.map(async (arn) => (await waitForTask(shortClient, arn, isStopped)).task));
      expect(short.stats()).toMatchObject({ retainedTasks: 4, tasksByLastStatus: { STOPPED: 3 } });
      const lastStoppedAt = Math.max(...stopped.map((t) => ms(t.stoppedAt)));
      await sleep(Math.max(0, lastStoppedAt + 350 - Date.now()));
      const later = await shortClient.send(new DescribeTasksCommand({ tasks: [...arns, running.tasks?.[0]?.taskArn as string] }));
      expect(later.failures).toEqual(arns.map((arn) => ({ arn, reason: 'MISSING' })));
      expect(later.tasks?.map((t) => t.lastStatus)).toEqual(['RUNNING']);
      expect(short.stats()).toMatchObject({ retainedTasks: 1, tasksByLastStatus: { RUNNING: 1 } });
      expect(short.stats().tasksByLastStatus.STOPPED).toBeUndefined();
      expect(short.tasks().map((t) => t.taskArn)).toEqual([running.tasks?.[0]?.taskArn]);
    } finally {
      shortClient.destroy();
      await short.stop();
    }
  });

  it('declares no log configuration in the default task definition: nothing is written in scripted mode', async () => {
    const td = await client.send(new DescribeTaskDefinitionCommand({ taskDefinition: 'airflow' }));
    expect(td.taskDefinition?.containerDefinitions?.[0]?.logConfiguration).toBeUndefined();
  });

  it('keeps 10,000 tasks running at once without a process, and describes 100 of them in one call', async () => {
    const arns: string[] = [];
    for (let i = 0; i < 1000; i++) {
      const out = await client.send(new RunTaskCommand(withCommand(['sleep', 'infinity'], { count: 10, startedBy: 'many' })));
      for (const task of out.tasks ?? []) arns.push(task.taskArn as string);
    }
    expect(new Set(arns).size).toBe(10_000);
    await eventually(() => ecs.stats().tasksByLastStatus.RUNNING === 10_000, 'all 10,000 tasks RUNNING', 30_000, 20);
    expect(ecs.stats()).toMatchObject({
      tasksLaunched: 10_000,
      containersStarted: 10_000,
      runningContainers: 10_000,
      processesSpawned: 0,
      retainedTasks: 10_000,
      tasksByLastStatus: { RUNNING: 10_000 },
    });
    const described = await client.send(new DescribeTasksCommand({ tasks: arns.slice(5000, 5100) }));
    expect(described.tasks?.map((t) => t.taskArn)).toEqual(arns.slice(5000, 5100));
    expect(described.tasks?.every((t) => t.lastStatus === 'RUNNING')).toBe(true);
    const listed = await client.send(new ListTasksCommand({ startedBy: 'many', maxResults: 100 }));
    expect(listed.taskArns).toHaveLength(100);
    expect(listed.nextToken).toBeDefined();
  }, 60_000);
});

describe('choosing the execution mode', () => {
  it('takes `execution` from the config file, and the option wins over it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'local-ecs-scripted-'));
    const path = join(dir, 'config.json');
    writeFileSync(path, JSON.stringify({ execution: 'scripted' }));
    const fromFile = await startTestEcs({ config: path });
    const overridden = await startTestEcs({ config: path, execution: 'process' });
    try {
      expect(fromFile.execution).toBe('scripted');
      expect(fromFile.stats().execution).toBe('scripted');
      expect(overridden.execution).toBe('process');
    } finally {
      await fromFile.stop();
      await overridden.stop();
    }
  });

  it('rejects an unknown execution mode naming the field', async () => {
    await expect(startTestEcs({ config: { execution: 'docker' as never } })).rejects.toThrow(/execution: Invalid option: expected one of "process"\|"scripted"/);
  });
});
