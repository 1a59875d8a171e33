import type { AirflowTaskStatus } from '../../contract/messages';
import { taskIdOf } from '../../ecs/task-arn';

/**
 * What the demo prints, as pure functions: one line per state change of a sample, and the
 * commands a user can paste once the stack stays up.
 */

/** "FAILED  waiting to retry attempt 1/3 next attempt at 08:05:34 UTC", "RUNNING running attempt 2/3 task 0123456789ab ECS RUNNING". */
export function statusLine(status: AirflowTaskStatus): string {
  // While waiting to retry, the last attempt's task is history: name only the task being tracked.
  const tracking = status.phase === 'RUNNING' || status.phase === 'TERMINATING';
  const arn = tracking && status.taskArn ? ` task ${taskIdOf(status.taskArn).slice(0, 12)}` : '';
  const ecsStatus = tracking && status.lastStatus ? ` ECS ${status.lastStatus}` : '';
  const retry = status.nextAttemptAt ? ` next attempt at ${status.nextAttemptAt.slice(11, 19)} UTC` : '';
  return `${status.state.padEnd(7)} ${status.phase.toLowerCase().replace(/_/g, ' ')} attempt ${status.attempt}/${status.maxAttempts ?? '?'}${arn}${ecsStatus}${retry}`;
}

export interface StackAddresses {
  temporalAddress: string;
  namespace: string;
  /** Absent when the dev server runs without its UI. */
  uiUrl?: string | undefined;
  taskQueue: string;
  executorName: string;
  /** The run ID the samples ran under. */
  runId: string;
  /** The Node that runs the demo: the sample submit runs a command with it. */
  node: string;
}

/** The lines printed when the stack stays up: where the UI is, and CLI commands that work against this stack as they are. */
export function stayUpHints(stack: StackAddresses): string[] {
  const cli = `TEMPORAL_ADDRESS=${stack.temporalAddress} ECS_EXECUTOR_TASK_QUEUE=${stack.taskQueue} ECS_EXECUTOR_NAME=${stack.executorName} ./bin/ecs-executor`;
  return [
    stack.uiUrl !== undefined
      ? `\nThe stack stays up: open the Temporal Web UI at ${stack.uiUrl} (namespace ${stack.namespace}), or in another terminal:`
      : `\nThe stack stays up (namespace ${stack.namespace}); in another terminal:`,
    `  ${cli} list`,
    `  ${cli} status --dag-id demo_dag --task-id exit-1 --run-id '${stack.runId}'`,
    `  ${cli} submit --dag-id demo_dag --task-id mine --run-id manual__1 --wait -- ${stack.node} -e "console.log('hi')"`,
    'Press Ctrl-C to stop it.',
  ];
}
