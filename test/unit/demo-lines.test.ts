import type { AirflowTaskStatus } from '../../src/contract/messages';
import { stayUpHints, statusLine } from '../../src/dev/demo/lines';

/** What the demo prints (issue 9, item 22): the relaunch line, times with their zone, and hints that work as pasted. */
const ARN_1 = 'arn:aws:ecs:us-east-1:000000000000:task/default/1111111111112222222222223333333';
const ARN_2 = 'arn:aws:ecs:us-east-1:000000000000:task/default/aaaaaaaaaaaabbbbbbbbbbbbcccccccc';

function status(overrides: Partial<AirflowTaskStatus>): AirflowTaskStatus {
  return {
    key: { dagId: 'demo_dag', taskId: 'exit-1', runId: 'demo__2026-12-01T08:05:30.418Z', tryNumber: 1, mapIndex: -1 },
    adopted: false,
    phase: 'RUNNING',
    state: 'RUNNING',
    attempt: 1,
    maxAttempts: 3,
    terminateRequested: false,
    attempts: [],
    events: [],
    ...overrides,
  };
}

describe("the demo's lines", () => {
  it('names the task being tracked, and only that one: waiting to retry shows no task, the relaunch shows the new one', () => {
    expect(statusLine(status({ taskArn: ARN_1, lastStatus: 'RUNNING' }))).toBe('RUNNING running attempt 1/3 task 111111111111 ECS RUNNING');
    // Between attempts the status still carries attempt 1's ARN: it is history, not named.
    const waiting = statusLine(status({ phase: 'WAITING_TO_RETRY', state: 'QUEUED', taskArn: ARN_1, lastStatus: 'STOPPED', nextAttemptAt: '2026-12-01T08:05:34.000Z' }));
    expect(waiting).toBe('QUEUED  waiting to retry attempt 1/3 next attempt at 08:05:34 UTC');
    expect(statusLine(status({ attempt: 2, taskArn: ARN_2, lastStatus: 'PROVISIONING' }))).toBe('RUNNING running attempt 2/3 task aaaaaaaaaaaa ECS PROVISIONING');
  });

  it('gives commands that reach this stack as pasted: address, task queue and executor name included', () => {
    const lines = stayUpHints({
      temporalAddress: '127.0.0.1:7233',
      namespace: 'default',
      uiUrl: 'http://127.0.0.1:8233',
      taskQueue: 'ecs-executor',
      executorName: 'demo',
      runId: 'demo__2026-12-01T08:05:30.418Z',
      node: '/usr/bin/node',
    });
    expect(lines[0]).toBe('\nThe stack stays up: open the Temporal Web UI at http://127.0.0.1:8233 (namespace default), or in another terminal:');
    const env = 'TEMPORAL_ADDRESS=127.0.0.1:7233 ECS_EXECUTOR_TASK_QUEUE=ecs-executor ECS_EXECUTOR_NAME=demo ./bin/ecs-executor';
    expect(lines.slice(1, 4)).toEqual([
      `  ${env} list`,
      `  ${env} status --dag-id demo_dag --task-id exit-1 --run-id 'demo__2026-12-01T08:05:30.418Z'`,
      `  ${env} submit --dag-id demo_dag --task-id mine --run-id manual__1 --wait -- /usr/bin/node -e "console.log('hi')"`,
    ]);
    expect(lines.at(-1)).toBe('Press Ctrl-C to stop it.');
  });
});
