import { DescribeTasksCommand, type DescribeTasksCommandInput } from '@aws-sdk/client-ecs';
import 'aws-sdk-client-mock-jest';
import { DescribeTasksBatcher } from '../../src/ecs/describe-batcher';
import { describeAll, ecsTask, mockedEcsClient, taskArn, throttling } from './fixtures';

const { ecsMock, client } = mockedEcsClient();

function requestedArns(call: number): string[] {
  const calls = ecsMock.commandCalls(DescribeTasksCommand);
  return calls[call]?.args[0].input.tasks ?? [];
}

describe('DescribeTasksBatcher', () => {
  it('coalesces concurrent callers into one DescribeTasks call', async () => {
    ecsMock.on(DescribeTasksCommand).callsFake(describeAll);
    const batcher = new DescribeTasksBatcher(() => client, { windowMs: 5 });
    const arns = Array.from({ length: 10 }, (_, i) => taskArn(i));

    const results = await Promise.all(arns.map((arn) => batcher.describe('airflow', arn)));

    expect(ecsMock).toHaveReceivedCommandTimes(DescribeTasksCommand, 1);
    expect(requestedArns(0)).toEqual(arns);
    expect(results).toEqual(arns.map((arn) => ({ task: expect.objectContaining({ taskArn: arn, lastStatus: 'RUNNING' }) })));
    expect(batcher.stats()).toEqual({ requests: 10, calls: 1, arns: 10, failedCalls: 0 });
  });

  it('splits 250 concurrent describes into 3 calls of at most 100 ARNs', async () => {
    ecsMock.on(DescribeTasksCommand).callsFake(describeAll);
    const batcher = new DescribeTasksBatcher(() => client, { windowMs: 5 });
    const arns = Array.from({ length: 250 }, (_, i) => taskArn(i));

    const results = await Promise.all(arns.map((arn) => batcher.describe('airflow', arn)));

    expect(ecsMock).toHaveReceivedCommandTimes(DescribeTasksCommand, 3);
    const sent = [0, 1, 2].map(requestedArns);
    expect(sent.map((chunk) => chunk.length)).toEqual([100, 100, 50]);
    expect(sent.flat().sort()).toEqual([...arns].sort());
    expect(results.every((r) => 'task' in r)).toBe(true);
  });

  it('flushes early once 100 ARNs are pending instead of waiting for the window', async () => {
    ecsMock.on(DescribeTasksCommand).callsFake(describeAll);
    const batcher = new DescribeTasksBatcher(() => client, { windowMs: 60_000 });
    const arns = Array.from({ length: 100 }, (_, i) => taskArn(i));

    await Promise.all(arns.map((arn) => batcher.describe('airflow', arn)));

    expect(ecsMock).toHaveReceivedCommandTimes(DescribeTasksCommand, 1);
  });

  it('gives callers asking for the same ARN in one window one shared slot', async () => {
    ecsMock.on(DescribeTasksCommand).callsFake(describeAll);
    const batcher = new DescribeTasksBatcher(() => client, { windowMs: 5 });

    const results = await Promise.all([1, 2, 3].map(() => batcher.describe('airflow', taskArn(1))));

    expect(requestedArns(0)).toEqual([taskArn(1)]);
    expect(results).toHaveLength(3);
    expect(results.every((r) => 'task' in r && r.task.taskArn === taskArn(1))).toBe(true);
  });

  it('reports an ARN under failures to its caller only; the others get their tasks', async () => {
    ecsMock.on(DescribeTasksCommand).resolves({
      tasks: [ecsTask(taskArn(1), 'RUNNING'), ecsTask(taskArn(3), 'PENDING')],
      failures: [{ arn: taskArn(2), reason: 'MISSING' }],
    });
    const batcher = new DescribeTasksBatcher(() => client, { windowMs: 5 });

    const [one, two, three] = await Promise.all([1, 2, 3].map((i) => batcher.describe('airflow', taskArn(i))));

    expect(one).toEqual({ task: expect.objectContaining({ taskArn: taskArn(1), lastStatus: 'RUNNING' }) });
    expect(two).toEqual({ failure: { arn: taskArn(2), reason: 'MISSING' } });
    expect(three).toEqual({ task: expect.objectContaining({ taskArn: taskArn(3), lastStatus: 'PENDING' }) });
  });

  it('reports an ARN absent from both tasks and failures as MISSING', async () => {
    ecsMock.on(DescribeTasksCommand).resolves({ tasks: [ecsTask(taskArn(1), 'RUNNING')], failures: [] });
    const batcher = new DescribeTasksBatcher(() => client, { windowMs: 5 });

    const [, absent] = await Promise.all([batcher.describe('airflow', taskArn(1)), batcher.describe('airflow', taskArn(2))]);

    expect(absent).toEqual({ failure: { arn: taskArn(2), reason: 'MISSING' } });
  });

  it('matches a task asked for by ID to the full ARN ECS answers with', async () => {
    const id = '0123456789abcdef0123456789abcdef';
    ecsMock.on(DescribeTasksCommand).resolves({ tasks: [ecsTask(`arn:aws:ecs:us-east-1:123456789012:task/airflow/${id}`, 'RUNNING')] });
    const batcher = new DescribeTasksBatcher(() => client, { windowMs: 5 });

    expect(await batcher.describe('airflow', id)).toEqual({ task: expect.objectContaining({ lastStatus: 'RUNNING' }) });
  });

  it('matches a task asked for by legacy ARN (task/<id>) to the new-format ARN ECS answers with', async () => {
    const id = '0123456789abcdef0123456789abcdef';
    ecsMock.on(DescribeTasksCommand).resolves({ tasks: [ecsTask(`arn:aws:ecs:us-east-1:123456789012:task/airflow/${id}`, 'RUNNING')] });
    const batcher = new DescribeTasksBatcher(() => client, { windowMs: 5 });

    const outcome = await batcher.describe('airflow', `arn:aws:ecs:us-east-1:123456789012:task/${id}`);

    expect(outcome).toEqual({ task: expect.objectContaining({ lastStatus: 'RUNNING' }) });
  });

  it('rejects only the callers in a chunk whose call throws', async () => {
    const poisoned = taskArn(150);
    ecsMock.on(DescribeTasksCommand).callsFake((input: DescribeTasksCommandInput) => {
      if (input.tasks?.includes(poisoned)) throw throttling();
      return describeAll(input);
    });
    const batcher = new DescribeTasksBatcher(() => client, { windowMs: 5 });
    const arns = Array.from({ length: 250 }, (_, i) => taskArn(i));

    const results = await Promise.allSettled(arns.map((arn) => batcher.describe('airflow', arn)));

    const failedChunk = new Set(
      ecsMock
        .commandCalls(DescribeTasksCommand)
        .map((call) => call.args[0].input.tasks ?? [])
        .find((tasks) => tasks.includes(poisoned)),
    );
    expect(failedChunk.size).toBeGreaterThan(0);
    results.forEach((result, i) => {
      const arn = arns[i] ?? '';
      if (failedChunk.has(arn)) expect(result).toEqual({ status: 'rejected', reason: expect.objectContaining({ name: 'ThrottlingException' }) });
      else expect(result.status).toBe('fulfilled');
    });
    expect(batcher.stats().failedCalls).toBe(1);
  });

  it('sends separate calls for separate clusters', async () => {
    ecsMock.on(DescribeTasksCommand).callsFake(describeAll);
    const batcher = new DescribeTasksBatcher(() => client, { windowMs: 5 });

    await Promise.all([
      batcher.describe('blue', taskArn(1, 'blue')),
      batcher.describe('green', taskArn(2, 'green')),
      batcher.describe('blue', taskArn(3, 'blue')),
    ]);

    expect(ecsMock).toHaveReceivedCommandTimes(DescribeTasksCommand, 2);
    expect(ecsMock).toHaveReceivedCommandWith(DescribeTasksCommand, { cluster: 'blue', tasks: [taskArn(1, 'blue'), taskArn(3, 'blue')] });
    expect(ecsMock).toHaveReceivedCommandWith(DescribeTasksCommand, { cluster: 'green', tasks: [taskArn(2, 'green')] });
  });

  it('asks getClient for the client at each call, so a reset provider is followed', async () => {
    ecsMock.on(DescribeTasksCommand).callsFake(describeAll);
    const getClient = jest.fn(() => client);
    const batcher = new DescribeTasksBatcher(getClient, { windowMs: 1 });

    await batcher.describe('airflow', taskArn(1));
    await batcher.describe('airflow', taskArn(2));

    expect(getClient).toHaveBeenCalledTimes(2);
  });

  it('rejects a batch size DescribeTasks would refuse', () => {
    expect(() => new DescribeTasksBatcher(() => client, { maxBatchSize: 101 })).toThrow(/1 to 100/);
  });

  describe('describeAtNextPoll: one shared poll tick per cluster', () => {
    beforeEach(() => {
      jest.useFakeTimers({ now: new Date('2026-11-26T00:00:00.000Z'), doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
    });

    afterEach(() => {
      jest.useRealTimers();
    });

    it('answers waits that started at different moments of an interval with one call at the tick', async () => {
      ecsMock.on(DescribeTasksCommand).callsFake(describeAll);
      const batcher = new DescribeTasksBatcher(() => client);
      const first = batcher.describeAtNextPoll('airflow', taskArn(1), 1000);
      await jest.advanceTimersByTimeAsync(400);
      const second = batcher.describeAtNextPoll('airflow', taskArn(2), 1000);
      await jest.advanceTimersByTimeAsync(500);
      const third = batcher.describeAtNextPoll('airflow', taskArn(3), 1000);
      expect(ecsMock).toHaveReceivedCommandTimes(DescribeTasksCommand, 0);

      await jest.advanceTimersByTimeAsync(100);
      await Promise.all([first, second, third]);
      expect(ecsMock).toHaveReceivedCommandTimes(DescribeTasksCommand, 1);
      expect(requestedArns(0)).toEqual([taskArn(1), taskArn(2), taskArn(3)]);
    });

    it('puts 250 waiting tasks into one round of 3 calls per interval, never flushing early', async () => {
      ecsMock.on(DescribeTasksCommand).callsFake(describeAll);
      const batcher = new DescribeTasksBatcher(() => client);
      const arns = Array.from({ length: 250 }, (_, i) => taskArn(i));
      const poll = () => Promise.all(arns.map((arn) => batcher.describeAtNextPoll('airflow', arn, 1000)));

      const round1 = poll();
      await jest.advanceTimersByTimeAsync(999);
      expect(ecsMock).toHaveReceivedCommandTimes(DescribeTasksCommand, 0);
      await jest.advanceTimersByTimeAsync(1);
      await round1;
      expect(ecsMock).toHaveReceivedCommandTimes(DescribeTasksCommand, 3);

      // Every wait asks again at once: they all land on the next tick, one interval later.
      const round2 = poll();
      await jest.advanceTimersByTimeAsync(999);
      expect(ecsMock).toHaveReceivedCommandTimes(DescribeTasksCommand, 3);
      await jest.advanceTimersByTimeAsync(1);
      await round2;
      expect(ecsMock).toHaveReceivedCommandTimes(DescribeTasksCommand, 6);
    });

    it('keeps ticks of different clusters apart', async () => {
      ecsMock.on(DescribeTasksCommand).callsFake(describeAll);
      const batcher = new DescribeTasksBatcher(() => client);
      const both = Promise.all([batcher.describeAtNextPoll('a', taskArn(1), 1000), batcher.describeAtNextPoll('b', taskArn(2), 1000)]);
      await jest.advanceTimersByTimeAsync(1000);
      await both;
      const clusters = ecsMock.commandCalls(DescribeTasksCommand).map((c) => c.args[0].input.cluster);
      expect(clusters.sort()).toEqual(['a', 'b']);
    });
  });
});
