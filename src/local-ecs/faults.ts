import { EcsError } from './errors';
import type { FaultKind, FaultSpec, FaultsConfig } from './config-schema';
import type { EcsOperation } from './operations-list';
import type { RandomSource } from './random';

interface Trigger {
  next?: number | undefined;
  rate?: number | undefined;
}

/**
 * Decides, call by call and task by task, whether an injected fault fires. Holds its own copy of
 * the fault config and counts `next` down in it, so `snapshot()` shows what is left.
 */
export class FaultInjector {
  private config: FaultsConfig = {};
  private readonly injectedCounts = new Map<FaultKind, number>();

  constructor(
    config: FaultsConfig,
    private readonly random: RandomSource,
  ) {
    this.set(config);
  }

  /** Replaces every fault (and its remaining `next` counts). */
  set(config: FaultsConfig): void {
    this.config = structuredClone(config);
  }

  snapshot(): FaultsConfig {
    return structuredClone(this.config);
  }

  resetCounts(): void {
    this.injectedCounts.clear();
  }

  injected(): Partial<Record<FaultKind, number>> {
    return Object.fromEntries(this.injectedCounts);
  }

  /**
   * Throttling or a 5xx answered before the operation runs: the endpoint's faults when `family` is
   * undefined (checked for every call), else only that family's (checked by RunTask once it knows
   * the family).
   */
  requestFault(operation: EcsOperation, family?: string): EcsError | undefined {
    const spec = family === undefined ? this.config.endpoint : this.config.families?.[family];
    if (spec) {
      const throttle = spec.throttle;
      if (throttle && appliesTo(throttle.operations, operation) && this.fire('throttle', throttle)) {
        return new EcsError('ThrottlingException', 'Rate exceeded');
      }
      const serverError = spec.serverError;
      if (serverError && appliesTo(serverError.operations, operation) && this.fire('serverError', serverError)) {
        return new EcsError('ServerException', serverError.message ?? 'Service Unavailable. Please try again later.');
      }
    }
    return undefined;
  }

  /** The fault of this kind that fires for one event (a RunTask call or one launched task), if any. */
  take<K extends Exclude<FaultKind, 'throttle' | 'serverError'>>(kind: K, family: string): NonNullable<FaultSpec[K]> | undefined {
    for (const spec of this.specsFor(family)) {
      const fault = spec[kind];
      if (fault && this.fire(kind, fault)) return fault as NonNullable<FaultSpec[K]>;
    }
    return undefined;
  }

  /** Endpoint-wide faults first, then the family's. */
  private specsFor(family: string): FaultSpec[] {
    return [this.config.endpoint, this.config.families?.[family]].filter((spec): spec is FaultSpec => spec !== undefined);
  }

  private fire(kind: FaultKind, trigger: Trigger): boolean {
    let fires: boolean;
    if (trigger.next !== undefined && trigger.next > 0) {
      trigger.next -= 1;
      fires = true;
    } else if (trigger.rate !== undefined) {
      fires = this.random() < trigger.rate;
    } else {
      fires = trigger.next === undefined;
    }
    if (fires) this.injectedCounts.set(kind, (this.injectedCounts.get(kind) ?? 0) + 1);
    return fires;
  }
}

const appliesTo = (operations: readonly EcsOperation[] | undefined, operation: EcsOperation): boolean =>
  operations === undefined || operations.includes(operation);
