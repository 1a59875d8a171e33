import type { Logger } from 'pino';
import { newRuntimeId } from './arns';
import type { LifecycleDelays } from './config-schema';
import { ContainerStartError, type ContainerRunner, type RunningContainer } from './container-runner';
import type { LocalContainer, LocalTask, StopCode, TaskStatus } from './task-model';

interface LaunchFaults {
  extraProvisioningMs?: number;
  /** Stop the task before it starts, with this stoppedReason. */
  failToStartReason?: string;
}

/** ECS's stoppedReason for an essential container's exit. */
const ESSENTIAL_CONTAINER_EXITED = 'Essential container in task exited';
const STOPPED_BY_USER = 'Task stopped by user';

/**
 * Walks tasks through ECS's lifecycle on timers and container exits:
 * PROVISIONING → PENDING → RUNNING → DEACTIVATING → STOPPING → DEPROVISIONING → STOPPED.
 * `desiredStatus` flips to STOPPED the moment a stop is decided, before `lastStatus` walks down,
 * which is what Airflow's state mapping relies on. A task has at most one lifecycle timer pending
 * at a time, so 10,000 tasks cost 10,000 timers.
 */
export class TaskLifecycle {
  private readonly timers = new Map<LocalTask, NodeJS.Timeout>();
  private closed = false;

  constructor(
    private readonly deps: {
      delays: LifecycleDelays;
      runner: ContainerRunner;
      logger: Logger;
      onStatus: (task: LocalTask, from: TaskStatus, to: TaskStatus) => void;
    },
  ) {}

  launch(task: LocalTask, faults: LaunchFaults = {}): void {
    this.after(task, this.deps.delays.provisioningMs + (faults.extraProvisioningMs ?? 0), () => {
      this.setStatus(task, 'PENDING');
      task.pullStartedAt = new Date();
      this.after(task, this.deps.delays.pendingMs, () => {
        task.pullStoppedAt = new Date();
        if (faults.failToStartReason !== undefined) {
          this.failToStart(task, faults.failToStartReason);
        } else {
          void this.startContainers(task);
        }
      });
    });
  }

  /** StopTask: a no-op for a task already stopping (the first stop reason stays). */
  stop(task: LocalTask, reason: string | undefined): void {
    this.beginStop(task, 'UserInitiated', reason ?? STOPPED_BY_USER);
  }

  /** Ends every timer and every container; the endpoint is going away. */
  async shutdown(): Promise<void> {
    this.closed = true;
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    await this.deps.runner.killAll();
  }

  private async startContainers(task: LocalTask): Promise<void> {
    const results = await Promise.allSettled(
      task.containers.map((c) =>
        c.argv.length === 0
          ? Promise.resolve(undefined)
          : this.deps.runner.start({ argv: c.argv, environment: c.environment, cwd: c.workingDirectory, logFile: task.logFile }),
      ),
    );
    const started: Array<[LocalContainer, RunningContainer | undefined]> = [];
    const failures: Array<[LocalContainer, string]> = [];
    results.forEach((result, i) => {
      const container = task.containers[i] as LocalContainer;
      if (result.status === 'fulfilled') started.push([container, result.value]);
      else failures.push([container, result.reason instanceof ContainerStartError ? result.reason.message : String(result.reason)]);
    });
    if (this.closed) {
      for (const [, running] of started) running?.kill();
      return;
    }
    if (failures.length > 0) {
      for (const [, running] of started) running?.kill();
      for (const [container, detail] of failures) container.reason = `CannotStartContainerError: ${detail}`;
      const [, firstDetail] = failures[0] as [LocalContainer, string];
      this.failToStart(task, `CannotStartContainerError: ${firstDetail}`);
      return;
    }
    for (const [container, running] of started) {
      container.lastStatus = 'RUNNING';
      container.runtimeId = newRuntimeId();
      if (running) {
        container.running = running;
        this.deps.logger.debug({ taskArn: task.arn, container: container.name, pid: running.pid, argv: container.argv }, 'container started');
        void running.exited.then((code) => this.onContainerExit(task, container, code));
      } else {
        // No command: the image's default, which we cannot run. Like an image whose CMD exits at once.
        setImmediate(() => this.onContainerExit(task, container, 0));
      }
    }
    if (task.desiredStatus === 'STOPPED') {
      // StopTask arrived while the containers were being started: the task never counts as started.
      this.enterStopping(task);
      return;
    }
    const now = new Date();
    task.startedAt = now;
    task.connectivityAt = now;
    this.setStatus(task, 'RUNNING');
  }

  private onContainerExit(task: LocalTask, container: LocalContainer, exitCode: number): void {
    if (this.closed) return;
    delete container.running;
    container.lastStatus = 'STOPPED';
    container.exitCode = exitCode;
    task.version += 1;
    this.deps.logger.debug({ taskArn: task.arn, container: container.name, exitCode }, 'container exited');
    if (container.essential) this.beginStop(task, 'EssentialContainerExited', ESSENTIAL_CONTAINER_EXITED);
    if (task.lastStatus === 'STOPPING') this.finishIfAllExited(task);
  }

  private beginStop(task: LocalTask, stopCode: StopCode, reason: string): void {
    if (task.desiredStatus === 'STOPPED') return;
    task.desiredStatus = 'STOPPED';
    task.stopCode = stopCode;
    task.stoppedReason = reason;
    task.stoppingAt = new Date();
    task.version += 1;
    if (task.lastStatus === 'RUNNING') {
      this.setStatus(task, 'DEACTIVATING');
      this.after(task, this.deps.delays.deactivatingMs, () => this.enterStopping(task));
    } else if (task.lastStatus === 'PROVISIONING' || (task.lastStatus === 'PENDING' && task.pullStoppedAt === undefined)) {
      // Nothing runs yet: drop the pending launch timer and wind down.
      this.cancelTimer(task);
      this.enterStopping(task);
    }
    // PENDING with the pull done: startContainers is starting them and will see desiredStatus STOPPED.
  }

  private failToStart(task: LocalTask, reason: string): void {
    // ECS puts the failure on the containers too (e.g. CannotPullContainerError), with no exitCode.
    for (const container of task.containers) container.reason ??= reason;
    task.desiredStatus = 'STOPPED';
    task.stopCode = 'TaskFailedToStart';
    task.stoppedReason = reason;
    task.stoppingAt = new Date();
    this.enterStopping(task);
  }

  private enterStopping(task: LocalTask): void {
    this.setStatus(task, 'STOPPING');
    for (const container of task.containers) {
      if (container.running) container.running.terminate(container.stopTimeoutMs);
      else if (container.lastStatus !== 'RUNNING') container.lastStatus = 'STOPPED';
    }
    this.finishIfAllExited(task);
  }

  private finishIfAllExited(task: LocalTask): void {
    if (task.executionStoppedAt || !task.containers.every((c) => c.lastStatus === 'STOPPED')) return;
    task.executionStoppedAt = new Date();
    this.setStatus(task, 'DEPROVISIONING');
    this.after(task, this.deps.delays.deprovisioningMs, () => {
      task.stoppedAt = new Date();
      this.setStatus(task, 'STOPPED');
      this.deps.logger.debug({ taskArn: task.arn, stopCode: task.stopCode, stoppedReason: task.stoppedReason }, 'task stopped');
    });
  }

  private setStatus(task: LocalTask, status: TaskStatus): void {
    const from = task.lastStatus;
    task.lastStatus = status;
    task.statusHistory.push(status);
    task.version += 1;
    this.deps.onStatus(task, from, status);
  }

  /** The task's next lifecycle step; the lifecycle never needs two at once for one task. */
  private after(task: LocalTask, ms: number, fn: () => void): void {
    if (this.closed) return;
    this.cancelTimer(task);
    const timer = setTimeout(() => {
      this.timers.delete(task);
      fn();
    }, ms);
    this.timers.set(task, timer);
  }

  private cancelTimer(task: LocalTask): void {
    const timer = this.timers.get(task);
    if (timer !== undefined) clearTimeout(timer);
    this.timers.delete(task);
  }
}
