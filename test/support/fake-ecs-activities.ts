import { randomUUID } from 'node:crypto';
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { EcsActivities, LaunchEcsTaskInput, LaunchFailureDetails, StopEcsTaskInput, TrackingSettings } from '../../src/activities/contracts';
import { ecsObservationSignal, type EcsObservation } from '../../src/contract/messages';
import { FailureType } from '../../src/errors';
import type { EcsTaskSnapshot } from '../../src/types';

/**
 * Scriptable fake activities for time-skipping workflow tests. Each launch follows a script step;
 * the fake then plays the cluster's observer for the launched task: it signals the workflow the
 * observations its script names (RUNNING, FINISHED, MISSING), as the real observer would after
 * DescribeTasks. A task whose script is `block` runs until StopTask (or `finish()`).
 *
 * Those signals go out after the activity has answered, so the test server could otherwise skip
 * the workflow's clock to its next timer (the 30-minute tracking check, the stop deadline) before
 * they land: the fake locks time skipping before it answers and unlocks it once they are sent.
 */

export type LaunchStep =
  | { launch: TaskScript; answerAfterObserverMs?: number }
  | { failures: string[] }
  | { throw: 'transient' | 'credentials' | 'empty' | 'invalidExecutorConfig' | 'deadline' };

export type TaskScript = 'success' | 'exit1' | 'neverStarted' | 'missing' | 'block' | 'silent';

export interface LaunchCall extends LaunchEcsTaskInput {
  scheduledAtMs: number;
  activityAttempt: number;
}

export const FAKE_SETTINGS: TrackingSettings = { maxAttempts: 3, trackingCheckMs: 30 * 60_000, terminateTimeoutMs: 15 * 60_000 };

export class FakeEcs {
  readonly launches: LaunchCall[] = [];
  readonly stops: StopEcsTaskInput[] = [];
  readonly observerChecks: string[] = [];
  /** What StopTask answers: `accept` (the task then exits 143), `refuse` (EcsStopRefused), `notFound`. */
  stopAnswer: 'accept' | 'refuse' | 'notFound' = 'accept';
  private readonly workflowOf = new Map<string, string>();
  /** Unique per fake, so workflows never see another test's ARNs. */
  private readonly arnPrefix = `arn:aws:ecs:us-east-1:000000000000:task/test/${randomUUID().replace(/-/g, '')}`;
  private next = 0;

  constructor(
    private readonly steps: LaunchStep[],
    private readonly env: TestWorkflowEnvironment,
    readonly settings: TrackingSettings = FAKE_SETTINGS,
  ) {}

  get successfulLaunches(): number {
    return this.workflowOf.size;
  }

  /** A task someone else launched, for adoption: its tracker is told what the script says once it tracks it. */
  seedArn(): string {
    return `${this.arnPrefix}-seeded-${randomUUID().slice(0, 8)}`;
  }

  /** Tells `workflowId` what the observer would about `taskArn`. */
  async observe(workflowId: string, observation: EcsObservation): Promise<void> {
    await this.env.client.workflow.getHandle(workflowId).signal(ecsObservationSignal, observation);
  }

  /**
   * Runs `send` once the caller has answered, with the server's clock held until it is done: the
   * lock is taken before this returns, so no timer can fire between the answer and the signals.
   */
  private async afterAnswer(send: () => Promise<void>): Promise<void> {
    const testService = this.env.connection.testService;
    if (testService === undefined) throw new Error('FakeEcs needs the time-skipping test server (createTimeSkippingEnv)');
    await testService.lockTimeSkipping({});
    setImmediate(() => {
      void send()
        .catch(() => undefined)
        .finally(() => void testService.unlockTimeSkipping({}).catch(() => undefined));
    });
  }

  /** Plays the observer for a task: what its script says it does. */
  async play(workflowId: string, taskArn: string, script: TaskScript): Promise<void> {
    this.workflowOf.set(taskArn, workflowId);
    switch (script) {
      case 'success':
      case 'exit1':
        await this.observe(workflowId, { taskArn, kind: 'RUNNING', task: snapshot(taskArn, 'RUNNING', 'RUNNING', { startedAt: true }) });
        await this.observe(workflowId, { taskArn, kind: 'FINISHED', task: stopped(taskArn, script === 'success' ? 0 : 1) });
        return;
      case 'neverStarted':
        await this.observe(workflowId, { taskArn, kind: 'FINISHED', task: neverStarted(taskArn) });
        return;
      case 'missing':
        await this.observe(workflowId, { taskArn, kind: 'MISSING', reason: 'MISSING' });
        return;
      case 'block':
        await this.observe(workflowId, { taskArn, kind: 'RUNNING', task: snapshot(taskArn, 'RUNNING', 'RUNNING', { startedAt: true }) });
        return;
      case 'silent':
        return;
    }
  }

  /** The task ends on its own with this exit code (a `block` task whose StopTask was refused, say). */
  async finish(taskArn: string, exitCode: number): Promise<void> {
    const workflowId = this.workflowOf.get(taskArn);
    if (workflowId === undefined) throw new Error(`FakeEcs never launched or adopted ${taskArn}`);
    await this.observe(workflowId, { taskArn, kind: 'FINISHED', task: stopped(taskArn, exitCode) });
  }

  activities(): EcsActivities {
    return {
      launchEcsTask: (input) => this.launch(input),
      stopEcsTask: async (input) => {
        this.stops.push(input);
        if (this.stopAnswer === 'notFound') return { kind: 'notFound', reason: 'InvalidParameterException: The referenced task was not found.' };
        if (this.stopAnswer === 'refuse') {
          throw ApplicationFailure.create({ type: FailureType.EcsStopRefused, message: `StopTask for ${input.taskArn} was refused: AccessDeniedException: not allowed` });
        }
        const workflowId = this.workflowOf.get(input.taskArn);
        if (workflowId !== undefined) {
          await this.afterAnswer(() => this.observe(workflowId, { taskArn: input.taskArn, kind: 'FINISHED', task: stoppedByUser(input.taskArn, input.reason) }));
        }
        return { kind: 'accepted', task: snapshot(input.taskArn, 'RUNNING', 'STOPPED', { startedAt: true }) };
      },
      ensureObserver: async ({ cluster }) => {
        this.observerChecks.push(cluster);
        return this.settings;
      },
      observeEcsCluster: () => Promise.reject(new Error('the observer does not run in workflow tests: FakeEcs plays it')),
      probeExecutor: async () => ({ now: new Date().toISOString(), health: { healthy: true, message: 'fake ECS is healthy' } }),
      lookupEcsTasks: async ({ taskArns }) => ({ found: taskArns.map((taskArn) => ({ taskArn, cluster: 'test' })), notFound: [] }),
    };
  }

  private async launch(input: LaunchEcsTaskInput) {
    const info = Context.current().info;
    this.launches.push({ ...input, scheduledAtMs: info.currentAttemptScheduledTimestampMs, activityAttempt: info.attempt });
    const step = this.steps[Math.min(this.next, this.steps.length - 1)];
    if (!step) throw new Error('FakeEcs has no launch steps');
    this.next += 1;
    if ('failures' in step) {
      const details: LaunchFailureDetails = { reasons: step.failures, settings: this.settings };
      throw ApplicationFailure.create({ type: FailureType.EcsLaunchFailed, message: `RunTask failed: ${step.failures.join(', ')}`, details: [details] });
    }
    if ('throw' in step) throw thrown(step.throw);
    const taskArn = `${this.arnPrefix}-${this.launches.length}`;
    if (step.answerAfterObserverMs !== undefined) {
      // The observer quicker than the launch: its signals are on the server, and long enough before
      // this answer that the worker heartbeats the workflow task and delivers them first.
      await this.play(input.workflowId, taskArn, step.launch);
      await new Promise((resolve) => setTimeout(resolve, step.answerAfterObserverMs));
    } else {
      // The observer speaks after the launch, as the real one does (it learns the ARN from visibility).
      await this.afterAnswer(() => this.play(input.workflowId, taskArn, step.launch));
    }
    return { task: snapshot(taskArn, 'PROVISIONING', 'RUNNING'), cluster: 'test', settings: this.settings, logLocation: `/tmp/local-ecs/${taskArn.slice(-12)}.log` };
  }
}

function thrown(kind: Extract<LaunchStep, { throw: unknown }>['throw']): ApplicationFailure {
  switch (kind) {
    case 'empty':
      return ApplicationFailure.create({ type: FailureType.EcsEmptyRunTaskResponse, message: 'RunTask returned neither tasks nor failures' });
    case 'invalidExecutorConfig':
      return ApplicationFailure.create({ type: FailureType.InvalidExecutorConfig, message: 'overrides.containerOverrides[0].memmory: unknown key (did you mean "memory"?)' });
    case 'deadline':
      return ApplicationFailure.create({ type: FailureType.EcsLaunchDeadlineExceeded, message: 'RunTask kept failing for 1800 s, past the launch deadline' });
    case 'transient':
      return ApplicationFailure.create({ type: FailureType.EcsTransient, message: 'ThrottlingException: Rate exceeded' });
    case 'credentials':
      return ApplicationFailure.create({ type: FailureType.EcsCredentials, message: 'ExpiredTokenException: token expired' });
  }
}

export function snapshot(taskArn: string, lastStatus: string, desiredStatus: string, opts: { startedAt?: boolean } = {}): EcsTaskSnapshot {
  return {
    taskArn,
    lastStatus,
    desiredStatus,
    ...(opts.startedAt ? { startedAt: '2026-01-01T00:00:00.000Z' } : {}),
    containers: [{ name: 'airflow', lastStatus }],
  };
}

export function stopped(taskArn: string, exitCode: number): EcsTaskSnapshot {
  return {
    ...snapshot(taskArn, 'STOPPED', 'STOPPED', { startedAt: true }),
    stopCode: 'EssentialContainerExited',
    stoppedReason: 'Essential container in task exited',
    containers: [{ name: 'airflow', lastStatus: 'STOPPED', exitCode }],
  };
}

function neverStarted(taskArn: string): EcsTaskSnapshot {
  return {
    ...snapshot(taskArn, 'STOPPED', 'STOPPED'),
    stopCode: 'TaskFailedToStart',
    stoppedReason: 'CannotPullContainerError: pull image manifest has been retried 5 time(s)',
    containers: [{ name: 'airflow', lastStatus: 'STOPPED', reason: 'CannotPullContainerError' }],
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
