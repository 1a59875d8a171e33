import type { FaultKind } from './config-schema';
import { ECS_OPERATIONS, type EcsOperation } from './operations-list';
import type { TaskStatus } from './task-model';

/** What a benchmark or test reads: `LocalEcs.stats()` and `GET /_local/stats`. */
export interface LocalEcsStats {
  /** Requests received per operation, including ones answered with an (injected) error. */
  calls: Record<EcsOperation, number>;
  totalCalls: number;
  /** Error responses by `__type`. */
  errors: Record<string, number>;
  /** Tasks RunTask created (not counting clientToken replays or `failures`). */
  tasksLaunched: number;
  processesSpawned: number;
  /** Container processes alive right now. */
  runningProcesses: number;
  /** Retained tasks by lastStatus (vanished ones included). */
  tasksByLastStatus: Partial<Record<TaskStatus, number>>;
  faultsInjected: Partial<Record<FaultKind, number>>;
}

export class CallCounter {
  calls = emptyCalls();
  errors: Record<string, number> = {};

  record(operation: EcsOperation): void {
    this.calls[operation] += 1;
  }

  recordError(code: string): void {
    this.errors[code] = (this.errors[code] ?? 0) + 1;
  }

  reset(): void {
    this.calls = emptyCalls();
    this.errors = {};
  }

  get total(): number {
    return Object.values(this.calls).reduce((a, b) => a + b, 0);
  }
}

const emptyCalls = (): Record<EcsOperation, number> =>
  Object.fromEntries(ECS_OPERATIONS.map((op) => [op, 0])) as Record<EcsOperation, number>;
