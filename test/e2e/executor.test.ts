import { defaultPayloadConverter } from '@temporalio/common';
import { taskWorkflowId } from '../../src/contract/ids';
import { SearchAttributes } from '../../src/contract/search-attributes';
import { byTaskArnsQuery } from '../../src/temporal/queries';
import { eventually, Gate, nodeCommand, startE2e, uniqueKey, type E2eContext } from '../support/e2e';

/** Through the real @aws-sdk/client-ecs over HTTP against the local endpoint, on the dev server. */
describe('executor end to end (dev server, local ECS endpoint)', () => {
  let e2e: E2eContext;

  beforeAll(async () => {
    e2e = await startE2e({ maxRunTaskAttempts: 2, localEcs: { config: { clusters: ['default', 'other'] } } });
    await e2e.startWorker();
    await e2e.client.start({ checkHealth: true });
  });

  afterAll(async () => {
    await e2e?.teardown();
  });

  beforeEach(() => {
    e2e.ecs.clearFaults();
  });

  it('runs a submitted task on ECS and reports SUCCESS', async () => {
    const key = uniqueKey('hello');
    const launchedBefore = e2e.ecs.stats().tasksLaunched;
    await e2e.client.executeAsync(key, nodeCommand('console.log("hello from ECS")'));
    const result = await e2e.client.result(key);
    expect(result).toMatchObject({ state: 'SUCCESS', attempts: 1, terminated: false });
    expect(e2e.ecs.stats().tasksLaunched - launchedBefore).toBe(1);
    const status = await e2e.client.status(key);
    // Decided as Airflow does, once the task is on its way to STOPPED with every exit code known.
    expect(status.attempts[0]).toMatchObject({ outcome: 'SUCCESS', lastStatus: expect.stringMatching(/^(DEACTIVATING|STOPPING|DEPROVISIONING|STOPPED)$/), stopCode: 'EssentialContainerExited' });
  });

  it('puts the command and AIRFLOW_IS_EXECUTOR_CONTAINER=true into the container', async () => {
    const key = uniqueKey('env');
    await e2e.client.executeAsync(key, nodeCommand('process.exit(process.env.AIRFLOW_IS_EXECUTOR_CONTAINER === "true" ? 0 : 7)'));
    expect((await e2e.client.result(key)).state).toBe('SUCCESS');
  });

  it('attaches a second submission of the same key: one RunTask', async () => {
    const key = uniqueKey('twice');
    const runTaskBefore = e2e.ecs.stats().calls.RunTask ?? 0;
    const first = await e2e.client.executeAsync(key, nodeCommand('setTimeout(() => {}, 500)'));
    const second = await e2e.client.executeAsync(key, nodeCommand('setTimeout(() => {}, 500)'));
    expect(first.attached).toBe(false);
    expect(second).toEqual({ workflowId: first.workflowId, attached: true });
    await e2e.client.result(key);
    const third = await e2e.client.executeAsync(key, nodeCommand('process.exit(0)'));
    expect(third.attached).toBe(true);
    expect((e2e.ecs.stats().calls.RunTask ?? 0) - runTaskBefore).toBe(1);
  });

  it('relaunches a command that exits non-zero and fails it after max_run_task_attempts', async () => {
    const key = uniqueKey('exit3');
    const launchedBefore = e2e.ecs.stats().tasksLaunched;
    await e2e.client.executeAsync(key, nodeCommand('process.exit(3)'));
    const result = await e2e.client.result(key);
    expect(result.state).toBe('FAILED');
    expect(result.reason).toContain('has failed a maximum of 2 times');
    expect(result.reason).toContain('exit code 3');
    expect(e2e.ecs.stats().tasksLaunched - launchedBefore).toBe(2);
    const events = await e2e.client.events(key);
    expect(events.some((e) => /Failure 1 out of 2 occurred on arn:aws:ecs:/.test(e.message))).toBe(true);

    // What an operator reads in the UI: the workflow's summary and current details, and a summary
    // on each launch and on the backoff between them.
    const handle = e2e.env.client.workflow.getHandle(taskWorkflowId({ ...key }));
    expect(await (await handle.describe()).staticSummary()).toBe(`e2e_dag.${key.taskId} try 1 (${key.runId})`);
    const metadata = await handle.query<{ currentDetails?: string }>('__temporal_workflow_metadata');
    expect(metadata.currentDetails).toBe(`e2e_dag.${key.taskId} try 1 → FAILED after 2 attempts`);
    const history = await handle.fetchHistory();
    const summaries = (history.events ?? []).flatMap((event) => {
      const summary = event.userMetadata?.summary;
      return summary ? [String(defaultPayloadConverter.fromPayload(summary))] : [];
    });
    // The first launch is also where the worker's settings (max_run_task_attempts) come from: it cannot say "of 2".
    expect(summaries).toEqual(expect.arrayContaining(['RunTask, attempt 1', 'backoff before attempt 2', 'RunTask, attempt 2 of 2']));

    // Findable by any of its attempts' ECS tasks, the first one included.
    const status = await e2e.client.status(key);
    const firstArn = status.attempts[0]!.taskArn!;
    expect(firstArn).not.toBe(status.taskArn);
    const found = await eventually(async () => {
      const ids: string[] = [];
      for await (const info of e2e.env.client.workflow.list({ query: byTaskArnsQuery([firstArn]) })) ids.push(info.workflowId);
      return ids.length > 0 ? ids : undefined;
    }, 'the workflow to be found by its first attempt\'s ARN');
    expect(found).toEqual([taskWorkflowId({ ...key })]);
  });

  it('retries a RunTask that answers RESOURCE:MEMORY after the backoff, then succeeds', async () => {
    e2e.ecs.setFaults({ endpoint: { runTaskFailure: { next: 1, reason: 'RESOURCE:MEMORY' } } });
    const key = uniqueKey('memory');
    await e2e.client.executeAsync(key, nodeCommand('process.exit(0)'));
    const result = await e2e.client.result(key);
    expect(result).toMatchObject({ state: 'SUCCESS', attempts: 2 });
    const status = await e2e.client.status(key);
    expect(status.attempts[0]).toMatchObject({ outcome: 'LAUNCH_FAILED' });
    expect(status.attempts[0]?.reasons.join(' ')).toContain('RESOURCE:MEMORY');
  });

  it('fails no task through bursts of throttling and 5xx errors', async () => {
    e2e.ecs.setFaults({
      endpoint: { throttle: { next: 4, operations: ['RunTask', 'DescribeTasks'] }, serverError: { next: 4, operations: ['RunTask', 'DescribeTasks'] } },
    });
    const keys = [uniqueKey('burst'), uniqueKey('burst'), uniqueKey('burst')];
    const launchedBefore = e2e.ecs.stats().tasksLaunched;
    const injectedBefore = e2e.ecs.stats().faultsInjected;
    for (const key of keys) await e2e.client.executeAsync(key, nodeCommand('setTimeout(() => {}, 300)'));
    const results = await Promise.all(keys.map((key) => e2e.client.result(key)));
    expect(results.map((r) => [r.state, r.attempts])).toEqual(keys.map(() => ['SUCCESS', 1]));
    expect(e2e.ecs.stats().tasksLaunched - launchedBefore).toBe(3);
    const injected = e2e.ecs.stats().faultsInjected;
    expect((injected.throttle ?? 0) - (injectedBefore.throttle ?? 0)).toBe(4);
    expect((injected.serverError ?? 0) - (injectedBefore.serverError ?? 0)).toBe(4);
  });

  it('launches exactly one ECS task when the RunTask response is lost and the call is retried', async () => {
    e2e.ecs.setFaults({ endpoint: { lostResponse: { next: 1 } } });
    const key = uniqueKey('lost');
    const launchedBefore = e2e.ecs.stats().tasksLaunched;
    const runTaskBefore = e2e.ecs.stats().calls.RunTask ?? 0;
    await e2e.client.executeAsync(key, nodeCommand('process.exit(0)'));
    expect(await e2e.client.result(key)).toMatchObject({ state: 'SUCCESS', attempts: 1 });
    expect((e2e.ecs.stats().calls.RunTask ?? 0) - runTaskBefore).toBeGreaterThanOrEqual(2);
    expect(e2e.ecs.stats().tasksLaunched - launchedBefore).toBe(1);
  });

  it('does not run a finished task twice when RunTask answers were lost until it had stopped (the replay carries only its ARN and status)', async () => {
    // The answers to the launch and its retries are lost for two activity attempts (the SDK tries
    // three times in each), so the call that finally gets an answer comes seconds after the short
    // task stopped: ECS's idempotent replay of a stopped task has no containers and no startedAt,
    // which read as "never started" would relaunch it. Nothing is decided from a RunTask answer.
    e2e.ecs.setFaults({ endpoint: { lostResponse: { next: 6 } } });
    const key = uniqueKey('lost-stopped');
    const launchedBefore = e2e.ecs.stats().tasksLaunched;
    const seqBefore = Math.max(0, ...e2e.ecs.runTaskRequests().requests.map((r) => r.seq));
    await e2e.client.executeAsync(key, nodeCommand('process.exit(0)'));
    expect(await e2e.client.result(key)).toMatchObject({ state: 'SUCCESS', attempts: 1 });
    expect(e2e.ecs.stats().tasksLaunched - launchedBefore).toBe(1);
    // Seven calls with one clientToken: the launch, then six replays.
    const calls = e2e.ecs.runTaskRequests().requests.filter((r) => r.seq > seqBefore);
    expect(calls).toHaveLength(7);
    expect(new Set(calls.map((r) => r.body?.clientToken)).size).toBe(1);
  });

  it('tracks and stops a task in the cluster its executor_config launched it in', async () => {
    const key = uniqueKey('other-cluster');
    const gate = new Gate('other-cluster');
    await e2e.client.executeAsync(key, gate.command(), null, { cluster: 'other' });
    const status = await eventually(async () => {
      const s = await e2e.client.status(key);
      return s.taskArn !== undefined ? s : undefined;
    }, 'the launch');
    expect(status.cluster).toBe('other');
    expect(status.taskArn).toMatch(/:task\/other\//);
    await e2e.client.terminateTask(key, 'stop what we launched');
    const result = await e2e.client.result(key);
    expect(result).toMatchObject({ state: 'FAILED', terminated: true, attempts: 1 });
    // The workflow ends on exit codes (Airflow's rule); the endpoint reaches STOPPED after that.
    const stopped = await eventually(
      () => e2e.ecs.tasks({ cluster: 'other' }).find((t) => t.taskArn === status.taskArn && t.lastStatus === 'STOPPED'),
      'the task in cluster "other" to be STOPPED',
    );
    expect(stopped).toMatchObject({ lastStatus: 'STOPPED', stopCode: 'UserInitiated' });
  });

  it('rejects a workload that is not ExecuteTask or ExecuteCallback at submit, with Airflow\'s message', async () => {
    await expect(e2e.client.executeAsync(uniqueKey('trigger'), { workload: '{"type": "RunTrigger"}' })).rejects.toThrow(/doesn't know how to handle workload of type/);
  });

  it('reports state changes through sync(): RUNNING with the ARN, then SUCCESS', async () => {
    const key = uniqueKey('sync');
    const gate = new Gate('sync');
    await e2e.client.executeAsync(key, gate.command());
    const running = await eventually(async () => (await e2e.client.sync()).find((e) => 'taskId' in e.key && e.key.taskId === key.taskId && e.state === 'RUNNING'), 'a RUNNING event');
    expect(running.externalExecutorId).toMatch(/^arn:aws:ecs:us-east-1:000000000000:task\/default\//);
    gate.open();
    const done = await eventually(async () => (await e2e.client.sync()).find((e) => 'taskId' in e.key && e.key.taskId === key.taskId && e.state === 'SUCCESS'), 'a SUCCESS event');
    expect(done).toMatchObject({ key, externalExecutorId: running.externalExecutorId });
    // Already reported: the next sync says nothing more about this task.
    expect((await e2e.client.sync()).filter((e) => 'taskId' in e.key && e.key.taskId === key.taskId)).toEqual([]);
  });

  it('finds a task by its custom search attributes (ECS task ARN, dag, state) with client.workflow.list', async () => {
    const key = uniqueKey('visible');
    await e2e.client.executeAsync(key, nodeCommand('process.exit(0)'));
    const result = await e2e.client.result(key);
    // Visibility is eventually consistent: wait until it shows the final state.
    const byArn = await eventually(async () => {
      const rows = [];
      const query = `EcsTaskArn = '${result.taskArn}' AND WorkflowType = 'airflowTaskWorkflow' AND AirflowState = 'SUCCESS'`;
      for await (const wf of e2e.env.client.workflow.list({ query })) rows.push(wf);
      return rows.length > 0 ? rows : undefined;
    }, 'the workflow to be visible by its ARN and final state');
    expect(byArn.map((r) => r.workflowId)).toEqual([taskWorkflowId({ ...key })]);
    const attributes = byArn[0]!.typedSearchAttributes;
    expect(attributes.get(SearchAttributes.dagId)).toBe('e2e_dag');
    expect(attributes.get(SearchAttributes.taskId)).toBe(key.taskId);
    expect(attributes.get(SearchAttributes.state)).toBe('SUCCESS');
    expect(attributes.get(SearchAttributes.cluster)).toBe('default');
    const listed = await e2e.client.list({ taskId: key.taskId });
    expect(listed).toHaveLength(1);
    expect(listed[0]).toMatchObject({ state: 'SUCCESS', taskArn: result.taskArn, key });
  });

  it('rejects an executor_config that overrides name or command before starting anything', async () => {
    const key = uniqueKey('bad-config');
    await expect(e2e.client.executeAsync(key, nodeCommand('process.exit(0)'), undefined, { command: ['rm'] })).rejects.toThrow(
      /should never override "name" or "command"/,
    );
    await expect(e2e.client.status(key)).rejects.toThrow();
  });

  it('applies an executor_config override (another task definition family) per task', async () => {
    await e2e.sdk.send(
      new (await import('@aws-sdk/client-ecs')).RegisterTaskDefinitionCommand({
        family: 'airflow-big',
        containerDefinitions: [{ name: 'airflow', image: 'apache/airflow:latest', essential: true }],
      }),
    );
    const key = uniqueKey('override');
    await e2e.client.executeAsync(key, nodeCommand('process.exit(0)'), 'default', { taskDefinition: 'airflow-big' });
    const result = await e2e.client.result(key);
    expect(result.state).toBe('SUCCESS');
    const described = await e2e.sdk.send(new (await import('@aws-sdk/client-ecs')).DescribeTasksCommand({ cluster: 'default', tasks: [result.taskArn!] }));
    expect(described.tasks?.[0]?.taskDefinitionArn).toContain('task-definition/airflow-big:1');
  });

  it('costs at most 25 history events for a task that succeeds on its first attempt', async () => {
    const key = uniqueKey('events');
    const { workflowId } = await e2e.client.executeAsync(key, nodeCommand('process.exit(0)'));
    expect((await e2e.client.result(key)).state).toBe('SUCCESS');
    const history = await e2e.env.client.workflow.getHandle(workflowId).fetchHistory();
    expect(history.events?.length).toBeLessThanOrEqual(25);
  });

  it('rejects an executor_config key RunTask does not have, naming it and its path, before starting anything', async () => {
    const key = uniqueKey('typo');
    await expect(
      e2e.client.executeAsync(key, nodeCommand('process.exit(0)'), undefined, { overrides: { containerOverrides: [{ name: 'airflow', memmory: 512 }] } }),
    ).rejects.toThrow(/containerOverrides\[0\]\.memmory/);
    await expect(e2e.client.status(key)).rejects.toThrow(/No workflow/);
  });

  it('passes the health check against the endpoint, and fails it for a cluster that does not exist', async () => {
    expect(await e2e.client.checkHealth()).toMatchObject({ healthy: true });
    const { checkEcsHealth } = await import('../../src/ecs/health');
    const unhealthy = await checkEcsHealth(e2e.sdk, 'no-such-cluster');
    expect(unhealthy.healthy).toBe(false);
    expect(unhealthy.message).toContain('no-such-cluster');
  });
});
