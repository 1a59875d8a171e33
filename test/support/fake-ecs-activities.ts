import { randomUUID } from 'node:crypto';
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

interface FakeTask {
  script: TaskScript;
  position: number;
  stopped?: StopEcsTaskInput;
  /** Opened by StopTask with its reason; a `block` wait on this task returns then. */
  stop: Gate<string>;
}

export class FakeEcs {
  readonly launches: LaunchCall[] = [];
  readonly stops: StopEcsTaskInput[] = [];
  readonly waits: WaitForEcsTaskChangeInput[] = [];
  private readonly tasks = new Map<string, FakeTask>();
  /** Unique per fake, so trackers (whose workflow IDs come from ARNs) never collide across tests. */
  private readonly arnPrefix = `arn:aws:ecs:us-east-1:000000000000:task/test/${randomUUID().replace(/-/g, '')}`;
  private seeded = 0;
  private next = 0;

  constructor(private readonly steps: LaunchStep[]) {}

  get successfulLaunches(): number {
    return this.tasks.size - this.seeded;
  }

  /** A task someone else launched (for adoption): the tracker finds it without a RunTask. Returns its ARN. */
  seedTask(script: TaskScript): string {
    this.seeded += 1;
    return this.addTask(`${this.arnPrefix}-seeded-${this.seeded}`, script);
  }

  private addTask(taskArn: string, script: TaskScript): string {
    this.tasks.set(taskArn, { script, position: 0, stop: gate<string>() });
    return taskArn;
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
        task.stop.open(input.reason);
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
    const taskArn = this.addTask(`${this.arnPrefix}-${this.launches.length}`, step.launch);
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
      const reason = await Promise.race([task.stop.promise, context.cancelled]);
      return { kind: 'changed' as const, task: stoppedByUser(input.taskArn, reason) };
    } finally {
      clearInterval(beat);
    }
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

export interface Gate<T = void> {
  promise: Promise<T>;
  open: (value: T) => void;
}

/** A promise with its resolve function, to hold an activity until the test lets it go. */
export function gate<T = void>(): Gate<T> {
  let open!: (value: T) => void;
  const promise = new Promise<T>((resolve) => (open = resolve));
  return { promise, open };
}
