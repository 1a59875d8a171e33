import type { ExecutionMode, FaultKind } from './config-schema';
import { ECS_OPERATIONS, type EcsOperation } from './operations/names';
import type { TaskStatus } from './task-model';

/** What a benchmark or test reads: `LocalEcs.stats()` and `GET /_local/stats`. */
export interface LocalEcsStats {
  execution: ExecutionMode;
  /** Requests received per operation, including ones answered with an (injected) error. */
  calls: Record<EcsOperation, number>;
  totalCalls: number;
  /** Error responses by `__type`. */
  errors: Record<string, number>;
  /** Task identifiers asked about in DescribeTasks calls, summed (with calls.DescribeTasks: ARNs per call). */
  arnsDescribed: number;
  /** Tasks RunTask created (not counting clientToken replays, `failures` or unlaunched `noTaskArn` answers). */
  tasksLaunched: number;
  /** Containers that started to run: OS processes in process mode, interpreted commands in scripted mode. */
  containersStarted: number;
  /** Containers running right now. */
  runningContainers: number;
  /** OS processes started (always 0 in scripted mode). */
  processesSpawned: number;
  /** OS processes alive right now. */
  runningProcesses: number;
  /** Retained tasks by lastStatus (vanished ones included). */
  tasksByLastStatus: Partial<Record<TaskStatus, number>>;
  /** Tasks this endpoint still retains (stopped ones until their retention ends). */
  retainedTasks: number;
  faultsInjected: Partial<Record<FaultKind, number>>;
  /** Calls held open by a `hang` fault right now. */
  hungCalls: number;
  /** RunTask requests in the record (GET /_local/run-task-requests), and how many fell out of it. */
  runTaskRequestsRecorded: number;
  runTaskRequestsDropped: number;
}

/** Live figures the recorder reads from their owners when asked, instead of keeping copies. */
interface StatsGauges {
  runningContainers(): number;
  runningProcesses(): number;
  hungCalls(): number;
  runTaskRequests(): { recorded: number; dropped: number };
}

/**
 * The endpoint's one stats recorder: every component reports what it did here, and `snapshot()`
 * is the whole picture. Counters restart at `reset()`; task counts by status are a gauge of the
 * retained tasks and are kept up to date incrementally, so reading them costs nothing at 10,000 tasks.
 */
export class StatsRecorder {
  private calls = emptyCalls();
  private errors: Record<string, number> = {};
  private faults: Partial<Record<FaultKind, number>> = {};
  private tasksLaunched = 0;
  private arnsDescribed = 0;
  private containersStarted = 0;
  private processesSpawned = 0;
  private readonly byStatus = new Map<TaskStatus, number>();
  private retained = 0;

  constructor(
    private readonly execution: ExecutionMode,
    private readonly gauges: StatsGauges,
  ) {}

  call(operation: EcsOperation): void {
    this.calls[operation] += 1;
  }

  error(code: string): void {
    this.errors[code] = (this.errors[code] ?? 0) + 1;
  }

  faultInjected(kind: FaultKind): void {
    this.faults[kind] = (this.faults[kind] ?? 0) + 1;
  }

  taskLaunched(status: TaskStatus): void {
    this.tasksLaunched += 1;
    this.retained += 1;
    this.adjust(status, 1);
  }

  taskStatusChanged(from: TaskStatus, to: TaskStatus): void {
    this.adjust(from, -1);
    this.adjust(to, 1);
  }

  taskForgotten(status: TaskStatus): void {
    this.retained -= 1;
    this.adjust(status, -1);
  }

  described(arns: number): void {
    this.arnsDescribed += arns;
  }

  containerStarted(asProcess: boolean): void {
    this.containersStarted += 1;
    if (asProcess) this.processesSpawned += 1;
  }

  /** Zeroes call, error, launch, container and fault counters (not the task counts). */
  reset(): void {
    this.calls = emptyCalls();
    this.errors = {};
    this.faults = {};
    this.tasksLaunched = 0;
    this.arnsDescribed = 0;
    this.containersStarted = 0;
    this.processesSpawned = 0;
  }

  snapshot(): LocalEcsStats {
    const requests = this.gauges.runTaskRequests();
    return {
      execution: this.execution,
      calls: { ...this.calls },
      totalCalls: Object.values(this.calls).reduce((a, b) => a + b, 0),
      errors: { ...this.errors },
      arnsDescribed: this.arnsDescribed,
      tasksLaunched: this.tasksLaunched,
      containersStarted: this.containersStarted,
      runningContainers: this.gauges.runningContainers(),
      processesSpawned: this.processesSpawned,
      runningProcesses: this.gauges.runningProcesses(),
      tasksByLastStatus: Object.fromEntries([...this.byStatus].filter(([, n]) => n > 0)),
      retainedTasks: this.retained,
      faultsInjected: { ...this.faults },
      hungCalls: this.gauges.hungCalls(),
      runTaskRequestsRecorded: requests.recorded,
      runTaskRequestsDropped: requests.dropped,
    };
  }

  private adjust(status: TaskStatus, delta: number): void {
    this.byStatus.set(status, (this.byStatus.get(status) ?? 0) + delta);
  }
}

const emptyCalls = (): Record<EcsOperation, number> =>
  Object.fromEntries(ECS_OPERATIONS.map((op) => [op, 0])) as Record<EcsOperation, number>;
