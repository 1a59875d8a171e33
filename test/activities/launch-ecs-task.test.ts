import { DescribeTaskDefinitionCommand, DescribeTasksCommand, ECSClient, RunTaskCommand, type RunTaskCommandInput } from '@aws-sdk/client-ecs';
import { ApplicationFailureCategory } from '@temporalio/common';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { launchClientToken } from '../../src/activities';
import type { LaunchEcsTaskInput, LaunchFailureDetails } from '../../src/activities/contracts';
import { observerWorkflowId } from '../../src/contract/ids';
import { FailureType, NON_RETRYABLE_FAILURE_TYPES } from '../../src/errors';
import type { JsonObject } from '../../src/types';
import {
  accessDenied,
  clientException,
  expiredToken,
  invalidParameter,
  networkError,
  serverException,
  serviceError,
  taskArn,
  throttling,
} from '../ecs/fixtures';
import { activityFixture, type ActivityFixture, expectApplicationFailure, run, LAUNCH_DEADLINE_MS, mockEnv, TASK_QUEUE, TRACKING_SETTINGS, workerTemplate } from './helpers';

const ecsMock = mockClient(ECSClient);

const COMMAND = ['airflow', 'tasks', 'run', 'etl', 'load', 'scheduled__2026-12-01T00:00:00+00:00', '--local'];
const WORKFLOW_ID = 'airflow-task/etl/load/scheduled__2026-12-01T00:00:00+00:00/-1/1';
const FIRST_RUN_ID = '0190f0a2-7b7e-7c3e-9a51-2f1d3c4b5a00';
const MARKER = `temporal-ecs-executor/default/${TASK_QUEUE}`;

const input: LaunchEcsTaskInput = {
  workflowId: WORKFLOW_ID,
  firstRunId: FIRST_RUN_ID,
  attempt: 1,
  key: { dagId: 'etl', taskId: 'load', runId: 'scheduled__2026-12-01T00:00:00+00:00', tryNumber: 1, mapIndex: -1 },
  command: COMMAND,
  executorConfig: null,
};

/** What RunTask answers for a task it just launched. */
const launched = (arn = taskArn(1)) => ({
  tasks: [{ taskArn: arn, lastStatus: 'PROVISIONING', desiredStatus: 'RUNNING', containers: [{ name: 'base', lastStatus: 'PENDING' }] }],
  failures: [],
});

let template: JsonObject;
let fixture: ActivityFixture;

beforeAll(async () => {
  template = await workerTemplate();
});

beforeEach(() => {
  ecsMock.reset();
  ecsMock.on(DescribeTaskDefinitionCommand).resolves({
    taskDefinition: {
      containerDefinitions: [{ name: 'base', logConfiguration: { logDriver: 'awslogs', options: { 'awslogs-group': '/ecs/airflow', 'awslogs-stream-prefix': 'worker' } } }],
    },
  });
  fixture = activityFixture(template);
});

afterEach(() => {
  fixture.ecs.reset();
});

const runTaskInputs = (): RunTaskCommandInput[] => ecsMock.commandCalls(RunTaskCommand).map((call) => call.args[0].input);

describe('launchClientToken', () => {
  it('is the same for the same workflow execution and attempt (a retried RunTask launches nothing new)', () => {
    expect(launchClientToken('wf-1', 'run-a', 2)).toBe(launchClientToken('wf-1', 'run-a', 2));
  });

  it('differs across attempts, workflows and executions of the same workflow ID (a re-queued try launches again)', () => {
    const tokens = new Set([launchClientToken('wf-1', 'run-a', 1), launchClientToken('wf-1', 'run-a', 2), launchClientToken('wf-2', 'run-a', 1), launchClientToken('wf-1', 'run-b', 1)]);
    expect(tokens.size).toBe(4);
  });

  it('keeps ("wf-1", 23) and ("wf-12", 3) apart, and the run ID from the workflow ID', () => {
    expect(launchClientToken('wf-1', 'r', 23)).not.toBe(launchClientToken('wf-12', 'r', 3));
    expect(launchClientToken('wf-1', 'r', 1)).not.toBe(launchClientToken('wf-1r', '', 1));
  });

  it('fits ECS limits: at most 64 printable ASCII characters, however long the workflow ID', () => {
    const token = launchClientToken('x'.repeat(1000), FIRST_RUN_ID, 99);
    expect(token).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('launchEcsTask: the RunTask request', () => {
  it("sends the worker's template with the command in the Airflow container, the executor marker, our startedBy and the attempt's clientToken", async () => {
    ecsMock.on(RunTaskCommand).resolves(launched());

    await run(mockEnv(), fixture.activities.launchEcsTask, input);

    expect(runTaskInputs()).toEqual([
      {
        cluster: 'airflow',
        platformVersion: 'LATEST',
        taskDefinition: 'airflow-worker:3',
        launchType: 'FARGATE',
        tags: [{ key: 'team', value: 'data' }],
        count: 1,
        overrides: { containerOverrides: [{ name: 'base', command: COMMAND, environment: [{ name: 'AIRFLOW_IS_EXECUTOR_CONTAINER', value: 'true' }] }] },
        networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-1'], securityGroups: ['sg-1'], assignPublicIp: 'DISABLED' } },
        startedBy: MARKER,
        clientToken: launchClientToken(WORKFLOW_ID, FIRST_RUN_ID, 1),
      },
    ]);
  });

  it("deep-merges the task's executor_config over the template (objects merge, lists replace)", async () => {
    ecsMock.on(RunTaskCommand).resolves(launched());

    await run(mockEnv(), fixture.activities.launchEcsTask, {
      ...input,
      executorConfig: { overrides: { cpu: '1024', memory: '4096' }, tags: [{ key: 'owner', value: 'etl' }], networkConfiguration: { awsvpcConfiguration: { assignPublicIp: 'ENABLED' } } },
    });

    const [sent] = runTaskInputs();
    expect(sent).toMatchObject({
      overrides: { cpu: '1024', memory: '4096', containerOverrides: [{ name: 'base', command: COMMAND }] },
      tags: [{ key: 'owner', value: 'etl' }],
      networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-1'], securityGroups: ['sg-1'], assignPublicIp: 'ENABLED' } },
      startedBy: MARKER,
    });
  });

  it('keeps a startedBy the user set in executor_config (reconciliation then never touches that task)', async () => {
    ecsMock.on(RunTaskCommand).resolves(launched());

    await run(mockEnv(), fixture.activities.launchEcsTask, { ...input, executorConfig: { startedBy: 'team-etl' } });

    expect(runTaskInputs()[0]?.startedBy).toBe('team-etl');
  });

  it("keeps a startedBy the worker's run_task_kwargs set", async () => {
    const own = activityFixture(await workerTemplate({ ECS_EXECUTOR_CLUSTER: 'airflow', ECS_EXECUTOR_CONTAINER_NAME: 'base', ECS_EXECUTOR_TASK_DEFINITION: 'td', ECS_EXECUTOR_LAUNCH_TYPE: 'EC2', ECS_EXECUTOR_RUN_TASK_KWARGS: '{"startedBy": "platform"}' }));
    ecsMock.on(RunTaskCommand).resolves(launched());

    await run(mockEnv(), own.activities.launchEcsTask, input);

    expect(runTaskInputs()[0]?.startedBy).toBe('platform');
    own.ecs.reset();
  });

  it('sends a new clientToken for the next attempt, the same one when the same attempt is retried', async () => {
    ecsMock.on(RunTaskCommand).resolves(launched());

    await run(mockEnv(), fixture.activities.launchEcsTask, input);
    await run(mockEnv(), fixture.activities.launchEcsTask, input);
    await run(mockEnv(), fixture.activities.launchEcsTask, { ...input, attempt: 2 });

    expect(runTaskInputs().map((i) => i.clientToken)).toEqual([
      launchClientToken(WORKFLOW_ID, FIRST_RUN_ID, 1),
      launchClientToken(WORKFLOW_ID, FIRST_RUN_ID, 1),
      launchClientToken(WORKFLOW_ID, FIRST_RUN_ID, 2),
    ]);
  });

  it("runs an Airflow 3 workload with execute_workload, passing the JSON on exactly as given", async () => {
    ecsMock.on(RunTaskCommand).resolves(launched());
    const workload = '{"type": "ExecuteTask", "ti": {"id": "0190f0a2-7b7e-7c3e-9a51-2f1d3c4b5a69"}, "big": 12345678901234567890}';

    const { command: _omitted, ...withoutCommand } = input;
    await run(mockEnv(), fixture.activities.launchEcsTask, { ...withoutCommand, workload });

    expect(runTaskInputs()[0]?.overrides?.containerOverrides?.[0]?.command).toEqual(['python', '-m', 'airflow.sdk.execution_time.execute_workload', '--json-string', workload]);
  });
});

describe('launchEcsTask: what it returns', () => {
  it('returns the launched task, its cluster, where its output goes, and the settings the workflow needs', async () => {
    ecsMock.on(RunTaskCommand).resolves(launched());

    const result = await run(mockEnv(), fixture.activities.launchEcsTask, input);

    expect(result).toEqual({
      task: { taskArn: taskArn(1), lastStatus: 'PROVISIONING', desiredStatus: 'RUNNING', containers: [{ name: 'base', lastStatus: 'PENDING' }] },
      cluster: 'airflow',
      logLocation: `CloudWatch Logs group /ecs/airflow, stream worker/base/${taskArn(1).slice(taskArn(1).lastIndexOf('/') + 1)}`,
      settings: TRACKING_SETTINGS,
    });
    expect(ecsMock).not.toHaveReceivedCommand(DescribeTasksCommand);
  });

  it('starts the observer of the cluster the task runs in, once per cluster', async () => {
    ecsMock.on(RunTaskCommand).resolves(launched());

    await run(mockEnv(), fixture.activities.launchEcsTask, input);
    await run(mockEnv(), fixture.activities.launchEcsTask, { ...input, attempt: 2 });

    expect(fixture.observerStarts).toHaveBeenCalledTimes(1);
    expect(fixture.observerStarts.mock.calls[0]?.[1]).toMatchObject({
      workflowId: observerWorkflowId(TASK_QUEUE, 'airflow'),
      taskQueue: TASK_QUEUE,
      args: [{ cluster: 'airflow', heartbeatTimeoutMs: 60_000 }],
    });
  });

  it('tracks a task in the cluster its ARN names: executor_config {"cluster": "other"} is tracked in "other"', async () => {
    ecsMock.on(RunTaskCommand).resolves(launched(taskArn(2, 'other')));

    const result = await run(mockEnv(), fixture.activities.launchEcsTask, { ...input, executorConfig: { cluster: 'other' } });

    expect(runTaskInputs()[0]?.cluster).toBe('other');
    expect(result.cluster).toBe('other');
    expect(fixture.observerStarts.mock.calls.map((call) => call[1].workflowId)).toEqual([observerWorkflowId(TASK_QUEUE, 'other')]);
  });

  it('reads the cluster from the ARN when the request named the cluster by ARN', async () => {
    ecsMock.on(RunTaskCommand).resolves(launched(taskArn(3, 'prod')));

    const result = await run(mockEnv(), fixture.activities.launchEcsTask, { ...input, executorConfig: { cluster: 'arn:aws:ecs:us-east-1:123456789012:cluster/prod' } });

    expect(result.cluster).toBe('prod');
  });

  it('launches all the same when the observer cannot be started now (its workflow checks again later)', async () => {
    ecsMock.on(RunTaskCommand).resolves(launched());
    fixture.observerStarts.mockRejectedValueOnce(new Error('Temporal unavailable'));

    const env = mockEnv();
    const result = await run(env, fixture.activities.launchEcsTask, input);

    expect(result.task.taskArn).toBe(taskArn(1));
    expect(env.lines.some((l) => l.level === 'WARN' && l.message.includes('could not start the observer of cluster airflow'))).toBe(true);
  });

  it('launches all the same, without a log location, when the task definition cannot be read', async () => {
    ecsMock.on(RunTaskCommand).resolves(launched());
    ecsMock.on(DescribeTaskDefinitionCommand).rejects(accessDenied());

    const result = await run(mockEnv(), fixture.activities.launchEcsTask, input);

    expect(result.task.taskArn).toBe(taskArn(1));
    expect(result.logLocation).toBeUndefined();
  });

  // The log location is best effort (src/activities/log-location.ts): a DescribeTaskDefinition
  // that never answers must not hold up the launch, nor every later launch of that task definition.
  it('launches all the same, without a log location, when DescribeTaskDefinition hangs', async () => {
    ecsMock.on(RunTaskCommand).resolves(launched());
    ecsMock.on(DescribeTaskDefinitionCommand).callsFake(() => new Promise(() => undefined));

    // The lookup waits no longer than an ECS call may take (here 200 ms; 5 s at most).
    const { activities } = activityFixture(template, { ecsCallTimeoutMs: 200 });
    const env = mockEnv();
    let guard: NodeJS.Timeout | undefined;
    const outcome = await Promise.race([
      run(env, activities.launchEcsTask, input),
      // A guard only: far outside the lookup's bound.
      new Promise((resolve) => {
        guard = setTimeout(() => resolve('still waiting for the task definition after 10 s'), 10_000);
      }),
    ]).finally(() => clearTimeout(guard));

    expect(outcome).toMatchObject({ task: { taskArn: taskArn(1) }, cluster: 'airflow' });
    // It gave up at the call timeout's bound (its race or the request's abort signal), not at its own 5 s.
    expect(env.lines).toContainEqual(
      expect.objectContaining({ message: 'could not read the task definition log configuration', meta: expect.objectContaining({ error: expect.stringMatching(/no answer within 200 ms|aborted/i) }) }),
    );
  }, 20_000);

  describe('an answer that is already STOPPED (a replayed clientToken for a task that ended)', () => {
    // What ECS answers for a repeated clientToken of a task that stopped: only the ARN and statuses.
    const replayed = { tasks: [{ taskArn: taskArn(4), lastStatus: 'STOPPED', desiredStatus: 'STOPPED' }], failures: [] };
    const described = {
      taskArn: taskArn(4),
      lastStatus: 'STOPPED',
      desiredStatus: 'STOPPED',
      startedAt: new Date('2026-12-01T10:00:05Z'),
      stoppedAt: new Date('2026-12-01T10:01:00Z'),
      stopCode: 'EssentialContainerExited' as const,
      containers: [{ name: 'base', lastStatus: 'STOPPED', exitCode: 0 }],
    };

    it('is described before it is returned, so a finished task does not look never started', async () => {
      ecsMock.on(RunTaskCommand).resolves(replayed);
      ecsMock.on(DescribeTasksCommand).resolves({ tasks: [described], failures: [] });

      const result = await run(mockEnv(), fixture.activities.launchEcsTask, input);

      expect(ecsMock).toHaveReceivedCommandWith(DescribeTasksCommand, { cluster: 'airflow', tasks: [taskArn(4)] });
      expect(result.task).toEqual({
        taskArn: taskArn(4),
        lastStatus: 'STOPPED',
        desiredStatus: 'STOPPED',
        startedAt: '2026-12-01T10:00:05.000Z',
        stoppedAt: '2026-12-01T10:01:00.000Z',
        stopCode: 'EssentialContainerExited',
        containers: [{ name: 'base', lastStatus: 'STOPPED', exitCode: 0 }],
      });
    });

    it('returns the answer as it is when DescribeTasks no longer knows the task', async () => {
      ecsMock.on(RunTaskCommand).resolves(replayed);
      ecsMock.on(DescribeTasksCommand).resolves({ tasks: [], failures: [{ arn: taskArn(4), reason: 'MISSING' }] });

      const result = await run(mockEnv(), fixture.activities.launchEcsTask, input);

      expect(result.task).toEqual({ taskArn: taskArn(4), lastStatus: 'STOPPED', desiredStatus: 'STOPPED', containers: [] });
    });

    it('throws a retryable EcsTransientError when that DescribeTasks fails transiently (the same clientToken answers again)', async () => {
      ecsMock.on(RunTaskCommand).resolves(replayed);
      ecsMock.on(DescribeTasksCommand).rejects(serverException());

      const failure = await expectApplicationFailure(run(mockEnv(), fixture.activities.launchEcsTask, input));

      expect(failure.type).toBe('EcsTransientError');
      expect(failure.message).toMatch(/^DescribeTasks after RunTask failed with a transient ECS error/);
    });
  });
});

describe('launchEcsTask: launches ECS refused (one attempt used)', () => {
  it('fails a RESOURCE:MEMORY answer as a benign EcsLaunchFailed carrying every reason and the settings', async () => {
    ecsMock.on(RunTaskCommand).resolves({
      tasks: [],
      failures: [
        { arn: 'arn:aws:ecs:us-east-1:123456789012:container-instance/airflow/ci-1', reason: 'RESOURCE:MEMORY' },
        { reason: 'Capacity is unavailable at this time. Please try again later or in a different availability zone' },
        { reason: 'AGENT', detail: 'agent disconnected' },
      ],
    });

    const failure = await expectApplicationFailure(run(mockEnv(), fixture.activities.launchEcsTask, input));

    const reasons = [
      'RESOURCE:MEMORY (arn: arn:aws:ecs:us-east-1:123456789012:container-instance/airflow/ci-1)',
      'Capacity is unavailable at this time. Please try again later or in a different availability zone',
      'AGENT (detail: agent disconnected)',
    ];
    expect(failure.type).toBe('EcsLaunchFailed');
    expect(failure.category).toBe(ApplicationFailureCategory.BENIGN);
    expect(failure.message).toBe(`RunTask failed: ${reasons.join(', ')}`);
    expect(failure.details).toEqual([{ reasons, settings: TRACKING_SETTINGS } satisfies LaunchFailureDetails]);
    expect(fixture.observerStarts).not.toHaveBeenCalled();
  });

  it('fails a task answered without a taskArn as EcsLaunchFailed: nothing could be tracked', async () => {
    ecsMock.on(RunTaskCommand).resolves({ tasks: [{ lastStatus: 'PROVISIONING' }], failures: [], $metadata: { requestId: 'req-42' } });

    const failure = await expectApplicationFailure(run(mockEnv(), fixture.activities.launchEcsTask, input));

    expect(failure.type).toBe('EcsLaunchFailed');
    const [details] = failure.details as LaunchFailureDetails[];
    expect(details?.reasons).toEqual([
      'RunTask on cluster "airflow" answered a task without a taskArn (request ID req-42): nothing can be tracked, so this counts as a failed launch attempt',
    ]);
  });

  it.each([
    ['InvalidParameterException', invalidParameter("Network Configuration must be provided when networkMode 'awsvpc' is specified.")],
    ['ClientException', clientException('TaskDefinition not found.')],
    ['AccessDeniedException', accessDenied()],
  ])('fails a permanent %s as EcsLaunchFailed with "<Name>: <message>"', async (name, err) => {
    ecsMock.on(RunTaskCommand).rejects(err);

    const failure = await expectApplicationFailure(run(mockEnv(), fixture.activities.launchEcsTask, input));

    expect(failure.type).toBe('EcsLaunchFailed');
    expect(failure.details).toEqual([{ reasons: [`${name}: ${err.message}`], settings: TRACKING_SETTINGS }]);
  });

  it('fails an answer with neither tasks nor failures as EcsEmptyRunTaskResponse (an ECS internal error), naming the request', async () => {
    ecsMock.on(RunTaskCommand).resolves({ tasks: [], failures: [], $metadata: { requestId: 'req-7' } });

    const failure = await expectApplicationFailure(run(mockEnv(), fixture.activities.launchEcsTask, input));

    expect(failure.type).toBe('EcsEmptyRunTaskResponse');
    expect(failure.message).toBe(
      'ECS internal error: RunTask on cluster "airflow" returned neither tasks nor failures (request ID req-7). Nothing was launched; check the ECS service health for the region',
    );
  });
});

describe('launchEcsTask: errors retried without using an attempt', () => {
  it.each([
    ['ThrottlingException', throttling(), true],
    ['ServerException', serverException(), false],
    ['HTTP 503', serviceError('ServiceUnavailable', 'try again', 503), false],
    ['ECONNRESET', networkError('ECONNRESET'), false],
  ])('throws a retryable EcsTransientError on %s (throttling marked benign)', async (_label, err, benign) => {
    ecsMock.on(RunTaskCommand).rejects(err);

    const failure = await expectApplicationFailure(run(mockEnv(), fixture.activities.launchEcsTask, input));

    expect(failure.type).toBe('EcsTransientError');
    expect(failure.nonRetryable).toBe(false);
    expect(failure.category === ApplicationFailureCategory.BENIGN).toBe(benign);
    expect(failure.details ?? []).toEqual([]);
    expect(fixture.reset).not.toHaveBeenCalled();
  });

  it('resets the ECS client and throws a retryable EcsCredentialsError on expired credentials', async () => {
    ecsMock.on(RunTaskCommand).rejects(expiredToken());

    const failure = await expectApplicationFailure(run(mockEnv(), fixture.activities.launchEcsTask, input));

    expect(failure.type).toBe('EcsCredentialsError');
    expect(failure.nonRetryable).toBe(false);
    expect(failure.message).toMatch(/ExpiredTokenException/);
    expect(fixture.reset).toHaveBeenCalledTimes(1);
  });

  describe('the launch deadline (counted from when this launch was first scheduled)', () => {
    const longAgo = () => mockEnv({ scheduledTimestampMs: Date.now() - LAUNCH_DEADLINE_MS - 60_000 });

    it('fails a transient error past the deadline as EcsLaunchDeadlineExceeded, with the last error', async () => {
      ecsMock.on(RunTaskCommand).rejects(serverException());

      const failure = await expectApplicationFailure(run(longAgo(), fixture.activities.launchEcsTask, input));

      expect(failure.type).toBe('EcsLaunchDeadlineExceeded');
      expect(failure.message).toMatch(
        /^RunTask kept failing for 1860 s, past the launch deadline of 1800 s \(ECS_EXECUTOR_LAUNCH_DEADLINE_SECONDS\); the last error: ServerException: Service Unavailable\. Please try again later\.+ Check the ECS endpoint, the region and the credentials$/,
      );
    });

    it('fails throttling and credential errors past the deadline the same way', async () => {
      ecsMock.on(RunTaskCommand).rejectsOnce(throttling()).rejectsOnce(expiredToken());

      expect((await expectApplicationFailure(run(longAgo(), fixture.activities.launchEcsTask, input))).type).toBe('EcsLaunchDeadlineExceeded');
      expect((await expectApplicationFailure(run(longAgo(), fixture.activities.launchEcsTask, input))).type).toBe('EcsLaunchDeadlineExceeded');
    });

    it('still fails a permanent error past the deadline as a launch attempt (EcsLaunchFailed), not as the deadline', async () => {
      ecsMock.on(RunTaskCommand).rejects(accessDenied());

      expect((await expectApplicationFailure(run(longAgo(), fixture.activities.launchEcsTask, input))).type).toBe('EcsLaunchFailed');
    });

    it('keeps retrying a transient error within the deadline', async () => {
      ecsMock.on(RunTaskCommand).rejects(serverException());

      const env = mockEnv({ scheduledTimestampMs: Date.now() - LAUNCH_DEADLINE_MS + 60_000 });
      expect((await expectApplicationFailure(run(env, fixture.activities.launchEcsTask, input))).type).toBe('EcsTransientError');
    });
  });
});

describe('launchEcsTask: input that can never launch (fails the task at once, before any RunTask)', () => {
  it('fails an invalid executor_config as InvalidExecutorConfig, saying what is wrong', async () => {
    const failure = await expectApplicationFailure(run(mockEnv(), fixture.activities.launchEcsTask, { ...input, executorConfig: { command: ['x'] } }));

    expect(failure.type).toBe('InvalidExecutorConfig');
    expect(failure.message).toMatch(/Executor Config should never override "name" or "command"/);
    expect(ecsMock).not.toHaveReceivedCommand(RunTaskCommand);
  });

  it('fails an executor_config that replaces the container overrides without the Airflow container', async () => {
    const failure = await expectApplicationFailure(
      run(mockEnv(), fixture.activities.launchEcsTask, { ...input, executorConfig: { overrides: { containerOverrides: [{ name: 'sidecar', memory: 512 }] } } }),
    );

    expect(failure.type).toBe('InvalidExecutorConfig');
    expect(failure.message).toMatch(/No container override named "base"/);
    expect(ecsMock).not.toHaveReceivedCommand(RunTaskCommand);
  });

  it('fails a command with a NUL byte as InvalidTaskCommand', async () => {
    const failure = await expectApplicationFailure(run(mockEnv(), fixture.activities.launchEcsTask, { ...input, command: ['airflow', 'a\u0000b'] }));

    expect(failure.type).toBe('InvalidTaskCommand');
    expect(ecsMock).not.toHaveReceivedCommand(RunTaskCommand);
  });

  it('fails a workload that is not an ExecuteTask or ExecuteCallback as InvalidTaskCommand', async () => {
    const { command: _omitted, ...withoutCommand } = input;
    const failure = await expectApplicationFailure(run(mockEnv(), fixture.activities.launchEcsTask, { ...withoutCommand, workload: '{"type": "RunTrigger"}' }));

    expect(failure.type).toBe('InvalidTaskCommand');
    expect(ecsMock).not.toHaveReceivedCommand(RunTaskCommand);
  });
});

describe('which failures Temporal retries (decided by type, in the workflows\' retry policies)', () => {
  it('ends the activity for good on what retrying cannot fix, retries throttling, transient and credential errors', () => {
    expect([...NON_RETRYABLE_FAILURE_TYPES].sort()).toEqual(
      [
        'EcsLaunchFailed',
        'EcsEmptyRunTaskResponse',
        'EcsLaunchDeadlineExceeded',
        'EcsStopRefused',
        'InvalidExecutorConfig',
        'InvalidTaskCommand',
      ].sort(),
    );
    expect(NON_RETRYABLE_FAILURE_TYPES).not.toContain(FailureType.EcsTransient);
    expect(NON_RETRYABLE_FAILURE_TYPES).not.toContain(FailureType.EcsCredentials);
  });
});
