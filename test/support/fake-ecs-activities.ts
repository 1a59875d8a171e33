import { ApplicationFailure, Context } from '@temporalio/activity';
import type {
  EcsActivities,
  RunEcsTaskInput,
  RunEcsTaskResult,
  StopEcsTaskInput,
  WaitForEcsTaskChangeInput,
} from '../../src/activities/contracts';
import { ActivityErrorType } from '../../src/activities/contracts';
import type { EcsTaskSnapshot } from '../../src/types';

/**
 * Scriptable fake activities for time-skipping workflow tests. Each launch follows a script
 * step; each launched task walks through a list of snapshots, one per wait. A task whose
 * script ends with `block` waits (heartbeating) until StopTask is called or the wait is cancelled.
 */

export type LaunchStep =
  | { launch: TaskScript }
  | { failures: string[] }
  | { throw: 'transient' | 'credentials' | 'empty' }
  | { gate: Promise<void>; launch: TaskScript };

export type TaskScript = 'success' | 'exit1' | 'neverStarted' | 'missing' | 'block' | 'lateVisible' | 'vanished';

export interface LaunchCall extends RunEcsTaskInput {
  scheduledAtMs: number;
  activityAttempt: number;
}

export class FakeEcs {
  readonly launches: LaunchCall[] = [];
  readonly stops: StopEcsTaskInput[] = [];
  readonly waits: WaitForEcsTaskChangeInput[] = [];
  private readonly tasks = new Map<string, { script: TaskScript; position: number; stopped?: StopEcsTaskInput }>();
  private readonly stopListeners = new Set<() => void>();
  private next = 0;

  constructor(private readonly steps: LaunchStep[]) {}

  get successfulLaunches(): number {
    return this.launches.length === 0 ? 0 : [...this.tasks.keys()].filter((arn) => !this.adopted.has(arn)).length;
  }

  private readonly adopted = new Set<string>();

  /** A task someone else launched (for adoption): the tracker finds it without a RunTask. */
  seedTask(taskArn: string, script: TaskScript): void {
    this.tasks.set(taskArn, { script, position: 0 });
    this.adopted.add(taskArn);
  }

  activities(): EcsActivities {
    return {
      runEcsTask: (input) => this.runEcsTask(input),
      waitForEcsTaskChange: (input) => this.waitForEcsTaskChange(input),
      stopEcsTask: async (input) => {
        this.stops.push(input);
        const task = this.tasks.get(input.taskArn);
        if (!task) return { kind: 'notFound', reason: 'The referenced task was not found.' };
        task.stopped = input;
        for (const listener of this.stopListeners) listener();
        return { kind: 'stopped', task: snapshot(input.taskArn, 'RUNNING', 'STOPPED') };
      },
    };
  }

  private async runEcsTask(input: RunEcsTaskInput): Promise<RunEcsTaskResult> {
    const info = Context.current().info;
    this.launches.push({ ...input, scheduledAtMs: info.currentAttemptScheduledTimestampMs, activityAttempt: info.attempt });
    const step = this.steps[Math.min(this.next, this.steps.length - 1)];
    if (!step) throw new Error('FakeEcs has no launch steps');
    this.next += 1;
    if ('failures' in step) return { kind: 'failed', reasons: step.failures };
    if ('throw' in step) {
      if (step.throw === 'empty') {
        throw ApplicationFailure.create({ type: ActivityErrorType.EmptyRunTaskResponse, message: 'RunTask returned neither tasks nor failures', nonRetryable: true });
      }
      throw ApplicationFailure.create({
        type: step.throw === 'transient' ? ActivityErrorType.Transient : ActivityErrorType.Credentials,
        message: step.throw === 'transient' ? 'ThrottlingException: Rate exceeded' : 'ExpiredTokenException: token expired',
      });
    }
    if ('gate' in step) await step.gate;
    const taskArn = `arn:aws:ecs:us-east-1:000000000000:task/test/${input.workflowId.length}-${this.launches.length}`;
    this.tasks.set(taskArn, { script: step.launch, position: 0 });
    return { kind: 'launched', task: snapshot(taskArn, 'PROVISIONING', 'RUNNING') };
  }

  private async waitForEcsTaskChange(input: WaitForEcsTaskChangeInput) {
    this.waits.push(input);
    const task = this.tasks.get(input.taskArn);
    if (!task) return { kind: 'missing' as const, reason: 'MISSING' };
    if (task.stopped) return { kind: 'changed' as const, task: stoppedByUser(input.taskArn, task.stopped.reason) };
    if (task.script === 'vanished') return { kind: 'missing' as const, reason: 'MISSING' };
    const lifecycle = LIFECYCLES[task.script];
    if (task.position < lifecycle.length) {
      const step = lifecycle[task.position++]!;
      if (step === 'missing') return { kind: 'missing' as const, reason: 'MISSING' };
      return { kind: 'changed' as const, task: step(input.taskArn) };
    }
    // `block`: a long-running task; wait (heartbeating) until it is stopped or the wait cancelled.
    const context = Context.current();
    const beat = setInterval(() => context.heartbeat(), 50);
    try {
      await Promise.race([new Promise<void>((resolve) => this.stopListeners.add(resolve)), context.cancelled]);
    } finally {
      clearInterval(beat);
    }
    return { kind: 'changed' as const, task: stoppedByUser(input.taskArn, (task as { stopped?: StopEcsTaskInput }).stopped?.reason ?? 'stopped') };
  }
}

type Step = ((arn: string) => EcsTaskSnapshot) | 'missing';

const LIFECYCLES: Record<TaskScript, Step[]> = {
  success: [(arn) => snapshot(arn, 'RUNNING', 'RUNNING', { startedAt: true }), (arn) => stopped(arn, 0)],
  exit1: [(arn) => snapshot(arn, 'RUNNING', 'RUNNING', { startedAt: true }), (arn) => stopped(arn, 1)],
  neverStarted: [
    (arn) => ({
      ...snapshot(arn, 'STOPPED', 'STOPPED'),
      stopCode: 'TaskFailedToStart',
      stoppedReason: 'CannotPullContainerError: pull image manifest has been retried 5 time(s)',
      containers: [{ name: 'airflow', lastStatus: 'STOPPED', reason: 'CannotPullContainerError' }],
    }),
  ],
  missing: [(arn) => snapshot(arn, 'RUNNING', 'RUNNING', { startedAt: true }), 'missing'],
  block: [(arn) => snapshot(arn, 'RUNNING', 'RUNNING', { startedAt: true })],
  // DescribeTasks is eventually consistent: right after RunTask it may not know the task yet.
  lateVisible: ['missing', (arn) => snapshot(arn, 'RUNNING', 'RUNNING', { startedAt: true }), (arn) => stopped(arn, 0)],
  vanished: [],
};

export function snapshot(taskArn: string, lastStatus: string, desiredStatus: string, opts: { startedAt?: boolean } = {}): EcsTaskSnapshot {
  return {
    taskArn,
    lastStatus,
    desiredStatus,
    ...(opts.startedAt ? { startedAt: '2026-01-01T00:00:00.000Z' } : {}),
    containers: [{ name: 'airflow', lastStatus }],
  };
}

function stopped(taskArn: string, exitCode: number): EcsTaskSnapshot {
  return {
    ...snapshot(taskArn, 'STOPPED', 'STOPPED', { startedAt: true }),
    stopCode: 'EssentialContainerExited',
    stoppedReason: 'Essential container in task exited',
    containers: [{ name: 'airflow', lastStatus: 'STOPPED', exitCode }],
  };
}

function stoppedByUser(taskArn: string, reason: string): EcsTaskSnapshot {
  return {
    ...snapshot(taskArn, 'STOPPED', 'STOPPED', { startedAt: true }),
    stopCode: 'UserInitiated',
    stoppedReason: reason,
    containers: [{ name: 'airflow', lastStatus: 'STOPPED', exitCode: 143 }],
  };
}

/** A promise with its resolve function, to hold an activity until the test lets it go. */
export function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}
