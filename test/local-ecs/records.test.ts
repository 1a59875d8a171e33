import { DescribeTasksCommand, RunTaskCommand, StopTaskCommand, type ECSClient } from '@aws-sdk/client-ecs';
import type { LocalEcs, LocalTaskRecord, RunTaskRequestRecord } from '../../src/dev/local-ecs';
import { ecsClientFor, isStopped, startTestEcs, waitForTask, withCommand } from './helpers';

const getJson = async <T>(url: string, init?: RequestInit): Promise<T> => (await (await fetch(url, init)).json()) as T;

describe('local ECS records of tasks and RunTask requests (admin API and LocalEcs methods)', () => {
  let ecs: LocalEcs;
  let client: ECSClient;

  beforeEach(async () => {
    ecs = await startTestEcs({ execution: 'scripted', config: { clusters: ['other'] }, maxRecordedRunTaskRequests: 5 });
    client = ecsClientFor(ecs);
  });
  afterEach(async () => {
    client.destroy();
    await ecs.stop();
  });

  it('lists every retained task with its identity, tags, token, timestamps, statuses and exit codes', async () => {
    const before = Date.now();
    const out = await client.send(
      new RunTaskCommand(withCommand(['exit', '3'], { startedBy: 'airflow-executor', tags: [{ key: 'ti', value: 'dag.task.1' }], clientToken: 'token-1' })),
    );
    const taskArn = out.tasks?.[0]?.taskArn as string;
    const { task } = await waitForTask(client, taskArn, isStopped);

    const records = ecs.tasks();
    expect(records).toHaveLength(1);
    const record = records[0] as LocalTaskRecord;
    expect(record).toEqual({
      taskArn,
      taskId: taskArn.split('/').pop(),
      cluster: 'default',
      clusterArn: 'arn:aws:ecs:us-east-1:000000000000:cluster/default',
      taskDefinitionArn: 'arn:aws:ecs:us-east-1:000000000000:task-definition/airflow:1',
      family: 'airflow',
      startedBy: 'airflow-executor',
      group: 'family:airflow',
      tags: [{ key: 'ti', value: 'dag.task.1' }],
      launchType: 'EC2',
      clientToken: 'token-1',
      lastStatus: 'STOPPED',
      desiredStatus: 'STOPPED',
      statusHistory: ['PROVISIONING', 'PENDING', 'RUNNING', 'DEACTIVATING', 'STOPPING', 'DEPROVISIONING', 'STOPPED'],
      stopCode: 'EssentialContainerExited',
      stoppedReason: 'Essential container in task exited',
      createdAt: (task.createdAt as Date).getTime(),
      startedAt: (task.startedAt as Date).getTime(),
      stoppingAt: (task.stoppingAt as Date).getTime(),
      executionStoppedAt: (task.executionStoppedAt as Date).getTime(),
      stoppedAt: (task.stoppedAt as Date).getTime(),
      containers: [{ name: 'airflow', argv: ['exit', '3'], lastStatus: 'STOPPED', exitCode: 3 }],
      visible: true,
    });
    expect(record.createdAt).toBeGreaterThanOrEqual(before);
    // The admin route serves the same records.
    expect(await getJson(`${ecs.url}/_local/tasks`)).toEqual({ tasks: records });
  });

  it('filters tasks by cluster, startedBy and family', async () => {
    const a = await client.send(new RunTaskCommand(withCommand(['sleep', 'infinity'], { startedBy: 'alice' })));
    const b = await client.send(new RunTaskCommand(withCommand(['sleep', 'infinity'], { startedBy: 'bob', cluster: 'other', count: 2 })));
    const arns = (out: { tasks?: Array<{ taskArn?: string }> }): string[] => (out.tasks ?? []).map((t) => t.taskArn as string);
    const recordArns = (records: LocalTaskRecord[]): string[] => records.map((r) => r.taskArn);

    expect(recordArns(ecs.tasks())).toEqual([...arns(a), ...arns(b)]);
    expect(recordArns(ecs.tasks({ startedBy: 'alice' }))).toEqual(arns(a));
    expect(recordArns(ecs.tasks({ cluster: 'other' }))).toEqual(arns(b));
    expect(recordArns(ecs.tasks({ cluster: 'arn:aws:ecs:us-east-1:000000000000:cluster/other', startedBy: 'alice' }))).toEqual([]);
    expect(recordArns(ecs.tasks({ family: 'nope' }))).toEqual([]);
    const viaHttp = await getJson<{ tasks: LocalTaskRecord[] }>(`${ecs.url}/_local/tasks?startedBy=bob&cluster=other`);
    expect(recordArns(viaHttp.tasks)).toEqual(arns(b));
  });

  it('records every RunTask request body in order, with its time and its answer, refused ones included', async () => {
    const before = Date.now();
    const first = await client.send(new RunTaskCommand(withCommand(['true'], { clientToken: 'a' })));
    await client.send(new RunTaskCommand(withCommand(['true'], { clientToken: 'a' }))); // idempotent replay
    await client.send(new RunTaskCommand({ taskDefinition: 'nope' })).catch(() => undefined);
    await fetch(ecs.url, { method: 'POST', headers: { 'x-amz-target': 'AmazonEC2ContainerServiceV20141113.RunTask' }, body: '{ not json' });

    const { requests, dropped } = ecs.runTaskRequests();
    expect(dropped).toBe(0);
    expect(requests.map((r) => r.seq)).toEqual([1, 2, 3, 4]);
    expect(requests.map((r) => r.receivedAt)).toEqual([...requests.map((r) => r.receivedAt)].sort((x, y) => x - y));
    expect(requests[0]?.receivedAt).toBeGreaterThanOrEqual(before);
    const firstArn = first.tasks?.[0]?.taskArn as string;
    expect(requests[0]).toMatchObject({ body: withCommand(['true'], { clientToken: 'a' }), outcome: { status: 200, taskArns: [firstArn], failures: 0 } });
    expect(requests[1]).toMatchObject({ outcome: { status: 200, taskArns: [firstArn] } });
    expect(requests[2]).toMatchObject({ body: { taskDefinition: 'nope' }, outcome: { status: 400, error: 'ClientException' } });
    expect(requests[3]).toMatchObject({ rawBody: '{ not json', outcome: { status: 400, error: 'SerializationException' } });
    expect(await getJson(`${ecs.url}/_local/run-task-requests`)).toEqual({ requests, dropped });
  });

  it('keeps at most maxRecordedRunTaskRequests (oldest dropped, counted) and empties the record on stats reset', async () => {
    for (let i = 0; i < 7; i++) await client.send(new RunTaskCommand(withCommand(['true'], { startedBy: `n${i}` })));
    const { requests, dropped } = ecs.runTaskRequests();
    expect(requests.map((r: RunTaskRequestRecord) => r.body?.startedBy)).toEqual(['n2', 'n3', 'n4', 'n5', 'n6']);
    expect(dropped).toBe(2);
    expect(ecs.stats()).toMatchObject({ runTaskRequestsRecorded: 5, runTaskRequestsDropped: 2 });

    await fetch(`${ecs.url}/_local/stats/reset`, { method: 'POST' });
    expect(ecs.runTaskRequests()).toEqual({ requests: [], dropped: 0 });
    await client.send(new RunTaskCommand(withCommand(['true'])));
    // Sequence numbers are never reused, so a reader can tell a reset from a gap.
    expect(ecs.runTaskRequests().requests.map((r) => r.seq)).toEqual([8]);
    // The task record is not emptied by a stats reset: it is bounded by the stopped-task retention.
    expect(ecs.tasks()).toHaveLength(8);
  });

  it('shows the tags StopTask deleted as gone, and the tags sent in the RunTask record', async () => {
    const tags = [{ key: 'k', value: 'v' }];
    const out = await client.send(new RunTaskCommand(withCommand(['sleep', 'infinity'], { tags })));
    const taskArn = out.tasks?.[0]?.taskArn as string;
    await client.send(new StopTaskCommand({ task: taskArn }));
    expect(ecs.tasks()[0]?.tags).toEqual([]);
    expect(ecs.runTaskRequests().requests[0]?.body?.tags).toEqual(tags);
  });

  it('counts every call and answers an unknown admin route with the list of routes', async () => {
    const stats = await getJson<Record<string, unknown>>(`${ecs.url}/_local/stats`);
    expect(Object.keys(stats).sort()).toEqual(
      [
        'arnsDescribed',
        'calls',
        'containersStarted',
        'errors',
        'execution',
        'faultsInjected',
        'hungCalls',
        'processesSpawned',
        'retainedTasks',
        'runTaskRequestsDropped',
        'runTaskRequestsRecorded',
        'runningContainers',
        'runningProcesses',
        'tasksByLastStatus',
        'tasksLaunched',
        'totalCalls',
      ].sort(),
    );
    const missing = await fetch(`${ecs.url}/_local/nothing`);
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { error: string }).error).toContain('GET /_local/tasks');
  });

  it('counts the ARNs DescribeTasks was asked about, known or not', async () => {
    const out = await client.send(new RunTaskCommand(withCommand(['exit', '0'], { count: 2 })));
    const arns = (out.tasks ?? []).map((task) => task.taskArn as string);
    await client.send(new DescribeTasksCommand({ tasks: [...arns, 'arn:aws:ecs:us-east-1:000000000000:task/default/0123456789abcdef0123456789abcdef'] }));
    await client.send(new DescribeTasksCommand({ tasks: [arns[0] as string] }));
    const stats = await getJson<{ arnsDescribed: number; calls: Record<string, number> }>(`${ecs.url}/_local/stats`);
    expect(stats.arnsDescribed).toBe(4);
    expect(stats.calls.DescribeTasks).toBe(2);
  });
});
