import { existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { RunTaskCommand } from '@aws-sdk/client-ecs';
import { adoptedTaskWorkflowId } from '../../src/contract/ids';
import type { WorkloadKey } from '../../src/contract/keys';
import { eventually, Gate, isAlive, nodeCommand, startE2e, uniqueKey, type E2eContext } from '../support/e2e';

/** A container command that records its pid, then runs until stopped (or for `ms`). */
function longRunning(pidFile: string, ms = 60_000): string[] {
  return nodeCommand(`require('fs').writeFileSync(${JSON.stringify(pidFile)}, String(process.pid)); setTimeout(() => {}, ${ms})`);
}

function pidFile(name: string): string {
  return path.join(tmpdir(), `e2e-${name}-${process.pid}-${Date.now()}.pid`);
}

async function pidOf(file: string): Promise<number> {
  return eventually(() => (existsSync(file) && readFileSync(file, 'utf8') ? Number(readFileSync(file, 'utf8')) : undefined), `the task process to start (${file})`);
}

function sameTask(a: WorkloadKey, b: { taskId: string }): boolean {
  return 'taskId' in a && a.taskId === b.taskId;
}

describe('terminate and adoption end to end (dev server, local ECS endpoint)', () => {
  let e2e: E2eContext;

  beforeAll(async () => {
    // Reconciliation soon and often, so that a task whose workflow was closed from outside is found in seconds.
    e2e = await startE2e({ observer: { reconcileMs: 1_000, orphanGraceMs: 2_000 } });
    await e2e.startWorker();
  });

  afterAll(async () => {
    await e2e?.teardown();
  });

  it('terminates a running task: StopTask, the process is gone, the outcome says terminated', async () => {
    const key = uniqueKey('terminate');
    const file = pidFile('terminate');
    await e2e.client.executeAsync(key, longRunning(file));
    const pid = await pidOf(file);
    expect(isAlive(pid)).toBe(true);
    await e2e.client.terminateTask(key, 'operator asked');
    const result = await e2e.client.result(key);
    expect(result).toMatchObject({ state: 'FAILED', terminated: true });
    expect(result.reason).toContain('operator asked');
    expect(isAlive(pid)).toBe(false);
    const status = await e2e.client.status(key);
    expect(status.attempts).toHaveLength(1);
    // Final once ECS wants it stopped and its containers have exit codes (Airflow's rule): the last poll may see it before STOPPED.
    expect(status.attempts[0]).toMatchObject({
      outcome: 'TERMINATED',
      lastStatus: expect.stringMatching(/^(DEACTIVATING|STOPPING|DEPROVISIONING|STOPPED)$/),
      stopCode: 'UserInitiated',
      stoppedReason: 'operator asked',
    });
  });

  it('stops the ECS task and reports FAILED once when an operator terminates the task workflow through Temporal', async () => {
    const key = uniqueKey('temporal-terminate');
    const file = pidFile('temporal-terminate');
    const { workflowId } = await e2e.client.executeAsync(key, longRunning(file));
    const pid = await pidOf(file);
    await eventually(async () => (await e2e.client.sync()).find((e) => sameTask(e.key, key) && e.state === 'RUNNING'), 'RUNNING reported');
    await e2e.env.client.workflow.getHandle(workflowId).terminate('operator used Temporal terminate');
    // No code of ours runs in a terminated workflow: the observer's reconciliation finds the ECS task nobody tracks and stops it.
    await eventually(() => !isAlive(pid), 'the orphaned ECS task to be stopped', 60_000);
    const failed = await eventually(async () => (await e2e.client.sync()).find((e) => sameTask(e.key, key)), 'the terminated workflow reported');
    expect(failed.state).toBe('FAILED');
    expect(failed.info).toMatch(/terminated from the Temporal side by .*: operator used Temporal terminate/);
    // Once: the next syncs say nothing more about it.
    expect((await e2e.client.sync()).filter((e) => sameTask(e.key, key))).toEqual([]);
    const status = await e2e.client.status(key);
    expect(status.state).toBe('FAILED');
  });

  it('adopts a task launched directly with RunTask (not by us) and tracks it to SUCCESS without a RunTask', async () => {
    const gate = new Gate('adopted');
    const launched = await e2e.sdk.send(
      new RunTaskCommand({
        cluster: 'default',
        taskDefinition: 'airflow',
        overrides: { containerOverrides: [{ name: 'airflow', command: gate.command() }] },
      }),
    );
    const arn = launched.tasks?.[0]?.taskArn;
    expect(arn).toBeDefined();
    const key = uniqueKey('adopted');
    const runTaskBefore = e2e.ecs.stats().calls.RunTask ?? 0;
    const unknownArn = 'arn:aws:ecs:us-east-1:000000000000:task/default/0123456789abcdef0123456789abcdef';
    const unknown = { key: uniqueKey('gone'), externalExecutorId: unknownArn };
    // One malformed ARN in the batch keeps only its own task instance from being adopted.
    const malformed = { key: uniqueKey('malformed'), externalExecutorId: 'not-an-arn' };
    const notAdopted = await e2e.client.tryAdoptTaskInstances([malformed, { key, externalExecutorId: arn }, unknown, { key: uniqueKey('no-arn') }]);
    expect(notAdopted.map((ti) => ti.externalExecutorId ?? null)).toHaveLength(3);
    expect(notAdopted.map((ti) => ti.externalExecutorId ?? null)).toEqual(expect.arrayContaining(['not-an-arn', unknownArn, null]));

    // Adopting the same ARN again attaches to the tracker already running for it.
    const tracker = e2e.env.client.workflow.getHandle(adoptedTaskWorkflowId(arn!));
    const firstRun = (await tracker.describe()).runId;
    expect(await e2e.client.tryAdoptTaskInstances([{ key, externalExecutorId: arn }])).toEqual([]);
    expect((await tracker.describe()).runId).toBe(firstRun);

    gate.open();
    const done = await eventually(async () => (await e2e.client.sync()).find((e) => sameTask(e.key, key) && e.state === 'SUCCESS'), 'the adopted task to succeed');
    expect(done.externalExecutorId).toBe(arn);
    expect((e2e.ecs.stats().calls.RunTask ?? 0) - runTaskBefore).toBe(0);
    expect(await tracker.result()).toMatchObject({ state: 'SUCCESS', terminated: false, status: { adopted: true } });
    // status() of the key finds the adopted tracker.
    expect(await e2e.client.status(key)).toMatchObject({ adopted: true, state: 'SUCCESS', taskArn: arn });
  });

  it('adopts after the client that submitted is gone: attaches to the running workflow, one RunTask', async () => {
    const key = uniqueKey('restart');
    const gate = new Gate('restart');
    const first = await e2e.newClient();
    await first.executeAsync(key, gate.command());
    const running = await eventually(async () => {
      const status = await first.status(key);
      return status.taskArn && status.state === 'RUNNING' ? status : undefined;
    }, 'the task to be running');
    await first.close();

    const runTaskBefore = e2e.ecs.stats().calls.RunTask ?? 0;
    const second = e2e.client;
    expect(await second.tryAdoptTaskInstances([{ key, externalExecutorId: running.taskArn }])).toEqual([]);
    gate.open();
    const result = await second.result(key);
    expect(result).toMatchObject({ state: 'SUCCESS', attempts: 1, taskArn: running.taskArn });
    expect((e2e.ecs.stats().calls.RunTask ?? 0) - runTaskBefore).toBe(0);
  });

  it('terminate() stops every running task of the executor, then end() returns', async () => {
    const keys = [uniqueKey('all'), uniqueKey('all')];
    const files = keys.map((k) => pidFile(k.taskId));
    const client = await e2e.newClient();
    for (const [i, key] of keys.entries()) await client.executeAsync(key, longRunning(files[i]!));
    const pids = await Promise.all(files.map(pidOf));
    await client.terminate(undefined, { pollIntervalMs: 200, timeoutMs: 60_000 });
    for (const pid of pids) expect(isAlive(pid)).toBe(false);
    const results = await Promise.all(keys.map((key) => client.result(key)));
    expect(results.map((r) => [r.state, r.terminated])).toEqual([
      ['FAILED', true],
      ['FAILED', true],
    ]);
    await expect(client.executeAsync(uniqueKey('after-end'), nodeCommand('process.exit(0)'))).rejects.toThrow(/accepts no new task/);
    await client.close();
  });
});
