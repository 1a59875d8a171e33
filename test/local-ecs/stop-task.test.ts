import { InvalidParameterException, RunTaskCommand, StopTaskCommand, type ECSClient } from '@aws-sdk/client-ecs';
import { readFileSync } from 'node:fs';
import type { LocalEcs } from '../../src/dev/local-ecs';
import { ecsClientFor, isStopped, node, processExists, startTestEcs, waitForTask } from './helpers';
import { eventually } from '../support/eventually';

/** Prints its pid, then waits; with `ignoreTerm` it survives SIGTERM. */
const longRunning = (ignoreTerm: boolean): string[] =>
  node(`${ignoreTerm ? 'process.on("SIGTERM", () => {});' : ''} console.log(process.pid); setInterval(() => {}, 1000)`);

describe('local ECS StopTask (through @aws-sdk/client-ecs)', () => {
  let ecs: LocalEcs;
  let client: ECSClient;

  beforeEach(async () => {
    ecs = await startTestEcs({ stopTimeoutMs: 300 });
    client = ecsClientFor(ecs);
  });
  afterEach(async () => {
    client.destroy();
    await ecs.stop();
  });

  async function runUntilRunning(command: string[]): Promise<{ taskArn: string; pid: number }> {
    const out = await client.send(new RunTaskCommand({ taskDefinition: 'airflow', overrides: { containerOverrides: [{ name: 'airflow', command }] } }));
    const taskArn = out.tasks?.[0]?.taskArn as string;
    await waitForTask(client, taskArn, (t) => t.lastStatus === 'RUNNING');
    const logFile = ecs.logFile(taskArn) as string;
    await eventually(() => readFileSync(logFile, 'utf8').includes('\n'), 'the process printing its pid');
    return { taskArn, pid: Number(readFileSync(logFile, 'utf8').trim()) };
  }

  it('terminates the process with SIGTERM: exit 143, stopCode UserInitiated, "Task stopped by user"', async () => {
    const { taskArn, pid } = await runUntilRunning(longRunning(false));
    const stopped = await client.send(new StopTaskCommand({ task: taskArn }));
    expect(stopped.task).toMatchObject({ taskArn, desiredStatus: 'STOPPED', stopCode: 'UserInitiated', stoppedReason: 'Task stopped by user' });

    const { task } = await waitForTask(client, taskArn, isStopped);
    expect(task.stopCode).toBe('UserInitiated');
    expect(task.containers?.[0]?.exitCode).toBe(143);
    expect(task.startedAt).toBeInstanceOf(Date);
    expect(processExists(pid)).toBe(false);
    expect(ecs.stats().runningProcesses).toBe(0);
  });

  it('kills a process that ignores SIGTERM after the stop timeout (exit 137) and keeps the given reason', async () => {
    const { taskArn, pid } = await runUntilRunning(longRunning(true));
    const stopAt = Date.now();
    await client.send(new StopTaskCommand({ task: taskArn, reason: 'Task killed by the user' }));
    const { task } = await waitForTask(client, taskArn, isStopped);
    expect(Date.now() - stopAt).toBeGreaterThanOrEqual(300);
    expect(task.stoppedReason).toBe('Task killed by the user');
    expect(task.containers?.[0]?.exitCode).toBe(137);
    expect(processExists(pid)).toBe(false);
  });

  it('stops a task that is still provisioning without ever starting it', async () => {
    const slow = await startTestEcs({ lifecycle: { provisioningMs: 5000, pendingMs: 10, deactivatingMs: 10, deprovisioningMs: 10 } });
    const slowClient = ecsClientFor(slow);
    try {
      const out = await slowClient.send(new RunTaskCommand({ taskDefinition: 'airflow' }));
      const taskArn = out.tasks?.[0]?.taskArn as string;
      await slowClient.send(new StopTaskCommand({ task: taskArn }));
      const { task } = await waitForTask(slowClient, taskArn, isStopped);
      expect(task).toMatchObject({ stopCode: 'UserInitiated', desiredStatus: 'STOPPED' });
      expect(slow.statusHistory(taskArn)).toEqual(['PROVISIONING', 'STOPPING', 'DEPROVISIONING', 'STOPPED']);
      expect(task.startedAt).toBeUndefined();
      expect(task.containers?.[0]?.exitCode).toBeUndefined();
    } finally {
      slowClient.destroy();
      await slow.stop();
    }
  });

  it('answers an unknown task with InvalidParameterException "The referenced task was not found." (Airflow check_health)', async () => {
    const error = await client.send(new StopTaskCommand({ cluster: 'default', task: 'a'.repeat(32) })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidParameterException);
    expect((error as InvalidParameterException).message).toBe('The referenced task was not found.');
    expect((error as InvalidParameterException).$metadata.httpStatusCode).toBe(400);
  });

  it('rejects a task ID of the wrong length with the length error', async () => {
    await expect(client.send(new StopTaskCommand({ task: 'abc' }))).rejects.toThrow('taskId length should be one of [32,36]');
  });

  it('stop() kills every task process and waits for their exit', async () => {
    const { pid } = await runUntilRunning(longRunning(true));
    await ecs.stop();
    expect(processExists(pid)).toBe(false);
  });
});
