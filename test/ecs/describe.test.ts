import { DescribeTasksCommand, type DescribeTasksCommandInput } from '@aws-sdk/client-ecs';
import 'aws-sdk-client-mock-jest';
import { describeEcsTasks } from '../../src/ecs/describe';
import { describeAll, mockedEcsClient, taskArn } from './fixtures';

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
