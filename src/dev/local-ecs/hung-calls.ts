import type { EcsOperation } from './operations/names';

export interface HungCall {
  id: number;
  operation: EcsOperation;
  /** Epoch ms. */
  heldSince: number;
  /** Epoch ms at which the hang ends by itself, for a `hang` fault with `forMs`. */
  releasesAt?: number;
}

/** How a hang ended: the call runs now (`released`), or never (`dropped`: client gone, endpoint stopping). */
type HangEnd = 'released' | 'dropped';

interface Held extends HungCall {
  end: (how: HangEnd) => void;
}

/** The calls a `hang` fault holds open with no answer, until released, timed out or dropped. */
export class HungCalls {
  private readonly held = new Map<number, Held>();
  private nextId = 1;

  hold(operation: EcsOperation, forMs: number | undefined, clientGone: AbortSignal): Promise<HangEnd> {
    if (clientGone.aborted) return Promise.resolve('dropped');
    return new Promise<HangEnd>((resolve) => {
      const id = this.nextId++;
      const heldSince = Date.now();
      let timer: NodeJS.Timeout | undefined;
      const onAbort = (): void => end('dropped');
      const end = (how: HangEnd): void => {
        if (!this.held.delete(id)) return;
        if (timer !== undefined) clearTimeout(timer);
        clientGone.removeEventListener('abort', onAbort);
        resolve(how);
      };
      const call: Held = { id, operation, heldSince, end };
      if (forMs !== undefined) {
        call.releasesAt = heldSince + forMs;
        timer = setTimeout(() => end('released'), forMs);
      }
      this.held.set(id, call);
      clientGone.addEventListener('abort', onAbort);
    });
  }

  list(): HungCall[] {
    return [...this.held.values()].map(({ end: _end, ...call }) => call);
  }

  get count(): number {
    return this.held.size;
  }

  /** Lets the held calls (all, or one operation's) run now; returns how many there were. */
  release(operation?: EcsOperation): number {
    const calls = [...this.held.values()].filter((c) => operation === undefined || c.operation === operation);
    for (const call of calls) call.end('released');
    return calls.length;
  }

  /** The endpoint is stopping: no held call will ever be answered. */
  dropAll(): void {
    for (const call of [...this.held.values()]) call.end('dropped');
  }
}
