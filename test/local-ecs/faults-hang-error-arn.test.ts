import {
  AccessDeniedException,
  DescribeTasksCommand,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  StopTaskCommand,
  type ECSClient,
} from '@aws-sdk/client-ecs';
import type { LocalEcs } from '../../src/dev/local-ecs';
import { eventually } from '../support/eventually';
import { describeTask, ecsClientFor, startTestEcs, track, waitForTask, withCommand } from './helpers';

describe('local ECS hang, error and noTaskArn faults (through @aws-sdk/client-ecs)', () => {
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

  const launch = async (extra = {}): Promise<string> => {
    const out = await client.send(new RunTaskCommand(withCommand(['sleep', 'infinity'], extra)));
    return out.tasks?.[0]?.taskArn as string;
  };
  const heldCalls = (n: number) => eventually(() => ecs.hungCalls().length === n, `${n} held call(s)`, 10_000, 10);

  describe('hang', () => {
    it('holds one DescribeTasks call with no answer while every other call is answered, until released through the admin API', async () => {
      const taskArn = await launch();
      ecs.setFaults({ endpoint: { hang: { next: 1, operations: ['DescribeTasks'] } } });
      const hung = track(client.send(new DescribeTasksCommand({ tasks: [taskArn] })));
      await heldCalls(1);
      expect(ecs.hungCalls()).toEqual([{ id: 1, operation: 'DescribeTasks', heldSince: expect.any(Number) }]);

      for (let i = 0; i < 5; i++) expect((await describeTask(client, taskArn))?.taskArn).toBe(taskArn);
      const other = await launch();
      await waitForTask(client, other, (t) => t.lastStatus === 'RUNNING');
      expect(hung.settled).toBe(false);
      expect(ecs.stats()).toMatchObject({ hungCalls: 1, faultsInjected: { hang: 1 } });

      const release = await fetch(`${ecs.url}/_local/hung-calls/release`, { method: 'POST', body: '{}' });
      expect(await release.json()).toEqual({ released: 1 });
      // Released, the call runs as if it had just arrived: it sees the task as it is now.
      const answer = await hung.promise;
      expect(answer.tasks?.[0]).toMatchObject({ taskArn, lastStatus: 'RUNNING' });
      expect(ecs.stats().hungCalls).toBe(0);
    });

    it('answers a held call by itself once `forMs` has passed', async () => {
      ecs.setFaults({ endpoint: { hang: { next: 1, forMs: 200, operations: ['ListTasks'] } } });
      const sentAt = Date.now();
      const hung = client.send(new ListTasksCommand({}));
      await heldCalls(1);
      const [call] = ecs.hungCalls();
      expect(call?.releasesAt).toBe((call?.heldSince as number) + 200);
      await expect(hung).resolves.toMatchObject({ taskArns: [] });
      expect(Date.now() - sentAt).toBeGreaterThanOrEqual(200);
    });

    it('never runs a held RunTask whose client gave up', async () => {
      ecs.setFaults({ endpoint: { hang: { next: 1 } } });
      const abort = new AbortController();
      const hung = client.send(new RunTaskCommand(withCommand(['true'])), { abortSignal: abort.signal });
      await heldCalls(1);
      abort.abort();
      await expect(hung).rejects.toThrow();
      await heldCalls(0);
      expect(ecs.releaseHungCalls()).toBe(0);
      expect(ecs.stats().tasksLaunched).toBe(0);
      expect(ecs.runTaskRequests().requests).toEqual([expect.objectContaining({ seq: 1 })]);
      expect(ecs.runTaskRequests().requests[0]?.outcome).toBeUndefined();
    });

    it('drops held calls when the endpoint stops, and stop() does not wait for them', async () => {
      ecs.setFaults({ endpoint: { hang: {} } });
      const hung = client.send(new ListTasksCommand({}));
      await heldCalls(1);
      await ecs.stop();
      await expect(hung).rejects.toThrow();
    });

    it("holds only the RunTask calls of the family it is set for, and releases by operation", async () => {
      await client.send(new RegisterTaskDefinitionCommand({ family: 'other', containerDefinitions: [{ name: 'main', image: 'x', command: ['sleep', 'infinity'] }] }));
      ecs.setFaults({ families: { airflow: { hang: {} } } });
      expect((await client.send(new RunTaskCommand({ taskDefinition: 'other' }))).tasks).toHaveLength(1);
      const hung = track(client.send(new RunTaskCommand(withCommand(['sleep', 'infinity']))));
      await heldCalls(1);
      expect(ecs.releaseHungCalls('DescribeTasks')).toBe(0);
      expect(hung.settled).toBe(false);
      expect(ecs.releaseHungCalls('RunTask')).toBe(1);
      expect((await hung.promise).tasks?.[0]?.taskArn).toMatch(/:task\/default\//);
    });

    it('refuses a release body naming no ECS operation', async () => {
      const bad = await fetch(`${ecs.url}/_local/hung-calls/release`, { method: 'POST', body: '{"operation":"Nope"}' });
      expect(bad.status).toBe(400);
      expect(((await bad.json()) as { error: string }).error).toContain('{"operation": "<an ECS operation, e.g. DescribeTasks>"}');
      expect(await (await fetch(`${ecs.url}/_local/hung-calls`)).json()).toEqual({ calls: [] });
    });
  });

  describe('error', () => {
    it('refuses StopTask with AccessDeniedException in IAM\'s words, and the task keeps running', async () => {
      const taskArn = await launch();
      ecs.setFaults({ endpoint: { error: { next: 1, operations: ['StopTask'], code: 'AccessDeniedException' } } });
      const refused = await client.send(new StopTaskCommand({ task: taskArn })).catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(AccessDeniedException);
      expect(refused).toMatchObject({ $fault: 'client', $metadata: { httpStatusCode: 400 } });
      expect((refused as Error).message).toBe(
        'User: arn:aws:sts::000000000000:assumed-role/local-ecs/test is not authorized to perform: ecs:StopTask on resource: * because no identity-based policy allows the ecs:StopTask action',
      );
      expect(await describeTask(client, taskArn)).toMatchObject({ desiredStatus: 'RUNNING' });
      expect(ecs.stats()).toMatchObject({ errors: { AccessDeniedException: 1 }, faultsInjected: { error: 1 } });
      await expect(client.send(new StopTaskCommand({ task: taskArn }))).resolves.toMatchObject({ task: { desiredStatus: 'STOPPED' } });
    });

    it('answers with the configured code, message and HTTP status, for one family\'s RunTask', async () => {
      ecs.setFaults({ families: { airflow: { error: { code: 'ServiceUnavailableException', message: 'Try again later.', httpStatus: 503 } } } });
      const error = await client.send(new RunTaskCommand(withCommand(['true']))).catch((e: unknown) => e);
      expect(error).toMatchObject({ name: 'ServiceUnavailableException', message: 'Try again later.', $fault: 'server', $metadata: { httpStatusCode: 503 } });
      expect(ecs.stats().tasksLaunched).toBe(0);
      await expect(client.send(new ListTasksCommand({}))).resolves.toBeDefined();
    });

    it('rejects an error fault whose code is not an error name', () => {
      expect(() => ecs.setFaults({ endpoint: { error: { code: 'not valid!' } } })).toThrow(
        /endpoint\.error\.code: code must be an ECS error name such as AccessDeniedException/,
      );
    });
  });

  describe('noTaskArn', () => {
    it('answers RunTask with a task that has no taskArn and launches nothing; the retry with the same token launches', async () => {
      ecs.setFaults({ endpoint: { noTaskArn: { next: 1 } } });
      const input = withCommand(['sleep', 'infinity'], { clientToken: 'attempt-1' });
      const out = await client.send(new RunTaskCommand(input));
      expect(out.tasks).toHaveLength(1);
      expect(out.tasks?.[0]?.taskArn).toBeUndefined();
      expect(out.tasks?.[0]).toMatchObject({ lastStatus: 'PROVISIONING', desiredStatus: 'RUNNING' });
      expect(out.tasks?.[0]?.containers?.[0]?.taskArn).toBeUndefined();
      expect(ecs.tasks()).toEqual([]);
      expect(ecs.runTaskRequests().requests[0]?.outcome).toEqual({ status: 200, taskArns: [], failures: 0 });

      const retry = await client.send(new RunTaskCommand(input));
      expect(retry.tasks?.[0]?.taskArn).toMatch(/:task\/default\/[0-9a-f]{32}$/);
      expect(ecs.stats()).toMatchObject({ tasksLaunched: 1, faultsInjected: { noTaskArn: 1 } });
    });

    it('with `launches`, launches the task all the same: an answer mangled on its way back', async () => {
      ecs.setFaults({ endpoint: { noTaskArn: { next: 1, launches: true } } });
      const out = await client.send(new RunTaskCommand(withCommand(['sleep', 'infinity'], { count: 2 })));
      expect(out.tasks?.map((t) => t.taskArn)).toEqual([undefined, undefined]);
      expect(ecs.tasks()).toHaveLength(2);
      expect(ecs.stats().tasksLaunched).toBe(2);
    });
  });
});
