import type { ArnContext } from './arns';
import type { FaultKind, FaultSpec, FaultsConfig } from './config-schema';
import { EcsError } from './errors';
import type { EcsOperation } from './operations/names';
import type { RandomSource } from './random';

interface Trigger {
  next?: number | undefined;
  rate?: number | undefined;
}

/** Faults that answer a call before its operation runs. */
type CallFaultKind = 'hang' | 'throttle' | 'serverError' | 'error';
/** Faults that fire once per RunTask call or per launched task. */
type EventFaultKind = Exclude<FaultKind, CallFaultKind>;

/**
 * Decides, call by call and task by task, whether an injected fault fires. Holds its own copy of
 * the fault config and counts `next` down in it, so `snapshot()` shows what is left.
 */
export class FaultInjector {
  private config: FaultsConfig = {};

  constructor(
    config: FaultsConfig,
    private readonly deps: { random: RandomSource; arns: ArnContext; onInjected: (kind: FaultKind) => void },
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

  /**
   * A hang for this call: the endpoint's faults, then (for RunTask, whose family is known) the
   * family's. Checked before any other fault, so a released call can still be throttled.
   */
  hangFor(operation: EcsOperation, family: string | undefined): { forMs?: number | undefined } | undefined {
    for (const spec of this.callSpecs(family)) {
      const hang = spec.hang;
      if (hang && appliesTo(hang.operations, operation) && this.fire('hang', hang)) return { forMs: hang.forMs };
    }
    return undefined;
  }

  /**
   * Throttling, a 5xx or a configured error answered before the operation runs: the endpoint's
   * faults when `family` is undefined (checked for every call), else only that family's (checked by
   * RunTask once it knows the family).
   */
  requestFault(operation: EcsOperation, family?: string): EcsError | undefined {
    const spec = family === undefined ? this.config.endpoint : this.config.families?.[family];
    if (!spec) return undefined;
    const { throttle, serverError, error } = spec;
    if (throttle && appliesTo(throttle.operations, operation) && this.fire('throttle', throttle)) {
      return new EcsError('ThrottlingException', 'Rate exceeded');
    }
    if (serverError && appliesTo(serverError.operations, operation) && this.fire('serverError', serverError)) {
      return new EcsError('ServerException', serverError.message ?? 'Service Unavailable. Please try again later.');
    }
    if (error && appliesTo(error.operations, operation) && this.fire('error', error)) {
      return new EcsError(error.code, error.message ?? this.defaultMessage(error.code, operation), {}, error.httpStatus);
    }
    return undefined;
  }

  /** The fault of this kind that fires for one event (a RunTask call or one launched task), if any. */
  take<K extends EventFaultKind>(kind: K, family: string): NonNullable<FaultSpec[K]> | undefined {
    for (const spec of this.callSpecs(family)) {
      const fault = spec[kind];
      if (fault && this.fire(kind, fault)) return fault as NonNullable<FaultSpec[K]>;
    }
    return undefined;
  }

  /** Endpoint-wide faults first, then the family's. */
  private callSpecs(family: string | undefined): FaultSpec[] {
    const specs: FaultSpec[] = [];
    if (this.config.endpoint) specs.push(this.config.endpoint);
    const forFamily = family === undefined ? undefined : this.config.families?.[family];
    if (forFamily) specs.push(forFamily);
    return specs;
  }

  /** IAM's wording, so a test of a refused call sees what AWS would show it. */
  private defaultMessage(code: string, operation: EcsOperation): string {
    if (code === 'AccessDeniedException') {
      const { accountId } = this.deps.arns;
      return `User: arn:aws:sts::${accountId}:assumed-role/local-ecs/test is not authorized to perform: ecs:${operation} on resource: * because no identity-based policy allows the ecs:${operation} action`;
    }
    return `${code} injected by the local ECS endpoint's fault config`;
  }

  private fire(kind: FaultKind, trigger: Trigger): boolean {
    let fires: boolean;
    if (trigger.next !== undefined && trigger.next > 0) {
      trigger.next -= 1;
      fires = true;
    } else if (trigger.rate !== undefined) {
      fires = this.deps.random() < trigger.rate;
    } else {
      fires = trigger.next === undefined;
    }
    if (fires) this.deps.onInjected(kind);
    return fires;
  }
}

const appliesTo = (operations: readonly EcsOperation[] | undefined, operation: EcsOperation): boolean =>
  operations === undefined || operations.includes(operation);
