import { DescribeTasksCommand, type DescribeTasksCommandInput } from '@aws-sdk/client-ecs';
import 'aws-sdk-client-mock-jest';
import { describeEcsTasks, matchDescribeResults } from '../../src/ecs/describe';
import { describeAll, ecsTask, mockedEcsClient, taskArn } from './fixtures';

const { ecsMock, client } = mockedEcsClient();

describe('describeEcsTasks', () => {
  it('describes any number of ARNs in calls of at most 100', async () => {
    ecsMock.on(DescribeTasksCommand).callsFake(describeAll);
    const arns = Array.from({ length: 205 }, (_, i) => taskArn(i));

    const { tasks, failures } = await describeEcsTasks(client, 'airflow', arns);

    const sizes = ecsMock.commandCalls(DescribeTasksCommand).map((call) => call.args[0].input.tasks?.length);
    expect(sizes).toEqual([100, 100, 5]);
    expect(tasks.map((t) => t.taskArn)).toEqual(arns);
    expect(failures).toEqual([]);
  });

  it('reports every ARN ECS does not know under failures, including ones it left out', async () => {
    ecsMock.on(DescribeTasksCommand).callsFake((input: DescribeTasksCommandInput) => ({
      tasks: [],
      failures: [{ arn: input.tasks?.[0], reason: 'MISSING', detail: 'gone' }],
    }));

    const { tasks, failures } = await describeEcsTasks(client, 'airflow', [taskArn(1), taskArn(2)]);

    expect(tasks).toEqual([]);
    expect(failures).toEqual([
      { arn: taskArn(1), reason: 'MISSING', detail: 'gone' },
      { arn: taskArn(2), reason: 'MISSING' },
    ]);
  });

  it('makes no call for an empty list (DescribeTasks rejects "Tasks cannot be empty")', async () => {
    expect(await describeEcsTasks(client, 'airflow', [])).toEqual({ tasks: [], failures: [] });
    expect(ecsMock).not.toHaveReceivedCommand(DescribeTasksCommand);
  });
});

describe('matchDescribeResults', () => {
  it('matches tasks by task ID: asked by ID or by ARN, ECS answers with full ARNs', () => {
    const arn = taskArn(1);
    const id = arn.slice(arn.lastIndexOf('/') + 1);
    const results = matchDescribeResults([id, taskArn(2)], { tasks: [ecsTask(arn, 'RUNNING'), ecsTask(taskArn(2), 'PENDING')], failures: [] });
    expect([...results.keys()]).toEqual([id, taskArn(2)]);
    expect(results.get(id)).toEqual({ task: expect.objectContaining({ taskArn: arn, lastStatus: 'RUNNING' }) });
    expect(results.get(taskArn(2))).toEqual({ task: expect.objectContaining({ lastStatus: 'PENDING' }) });
  });

  it('reports an ARN that the answer does not mention at all as MISSING (so nobody waits forever)', () => {
    expect(matchDescribeResults([taskArn(3)], { tasks: [], failures: [] }).get(taskArn(3))).toEqual({ failure: { arn: taskArn(3), reason: 'MISSING' } });
    expect(matchDescribeResults([taskArn(3)], {}).get(taskArn(3))).toEqual({ failure: { arn: taskArn(3), reason: 'MISSING' } });
  });

  it('keeps the failure reason and detail ECS gave, and MISSING when it gave no reason', () => {
    const results = matchDescribeResults([taskArn(4), taskArn(5)], {
      failures: [
        { arn: taskArn(4), reason: 'MISSING', detail: 'stopped over an hour ago' },
        { arn: taskArn(5) },
      ],
    });
    expect(results.get(taskArn(4))).toEqual({ failure: { arn: taskArn(4), reason: 'MISSING', detail: 'stopped over an hour ago' } });
    expect(results.get(taskArn(5))).toEqual({ failure: { arn: taskArn(5), reason: 'MISSING' } });
  });

  it('prefers the task when an answer has both (tasks win over a stale failure)', () => {
    const results = matchDescribeResults([taskArn(6)], { tasks: [ecsTask(taskArn(6), 'RUNNING')], failures: [{ arn: taskArn(6), reason: 'MISSING' }] });
    expect(results.get(taskArn(6))).toEqual({ task: expect.objectContaining({ lastStatus: 'RUNNING' }) });
  });
});
