import type { Client, WorkflowExecutionInfo } from '@temporalio/client';
import { TypedSearchAttributes, type SearchAttributePair } from '@temporalio/common';
import { FRESH_OVERLAP_MS, FULL_EVERY_MS, StateChangeFeed } from '../../src/client/sync';
import { keySearchAttributes, SearchAttributes } from '../../src/contract/search-attributes';

/**
 * What each of the feed's reads lists, against an in-memory visibility store that answers its
 * query text (the since bound is parsed back out of it) and can hold a run's newest version back,
 * as a lagging store does. What the dev server does with the same reads is test/e2e/sync-feed.test.ts.
 */

interface Row {
  workflowId: string;
  status: 'RUNNING' | 'COMPLETED';
  state: string;
  changedAt: number;
  closeTime?: number;
  taskArn?: string;
}

const EXECUTOR = 'sched-1';
const T0 = Date.parse('2026-12-01T12:00:00.000Z');

class FakeVisibility {
  private readonly visible = new Map<string, Row>();
  private readonly pending = new Map<string, Row>();
  readonly sinces: number[] = [];
  failListAfter?: number;

  /** A run's new version; with `late`, it shows only once revealed, and the old one shows until then. */
  put(row: Row, late = false): void {
    (late ? this.pending : this.visible).set(row.workflowId, row);
  }

  reveal(workflowId: string): void {
    this.visible.set(workflowId, this.pending.get(workflowId)!);
    this.pending.delete(workflowId);
  }

  readonly client = {
    options: { namespace: 'default' },
    workflow: {
      list: ({ query }: { query: string }) => {
        expect(query).toContain(`EcsExecutorName = '${EXECUTOR}'`);
        const bounds = [...query.matchAll(/'(\d{4}-\d\d-\d\dT[^']+)'/g)].map((m) => Date.parse(m[1]!));
        expect(bounds).toHaveLength(2);
        expect(bounds[1]).toBe(bounds[0]);
        const since = bounds[0]!;
        this.sinces.push(since);
        const rows = [...this.visible.values()].filter((r) => r.changedAt >= since || (r.status !== 'RUNNING' && (r.closeTime ?? 0) >= since));
        const failAfter = this.failListAfter;
        this.failListAfter = undefined;
        return (async function* () {
          for (const [i, row] of rows.entries()) {
            if (failAfter !== undefined && i === failAfter) throw new Error('visibility went away half way through the page');
            yield info(row);
          }
        })();
      },
    },
  } as unknown as Client;
}

function info(row: Row): WorkflowExecutionInfo {
  const pairs: SearchAttributePair[] = [
    ...keySearchAttributes({ dagId: 'd', taskId: row.workflowId, runId: 'r', tryNumber: 1, mapIndex: -1 }),
    { key: SearchAttributes.executorName, value: EXECUTOR },
    { key: SearchAttributes.state, value: row.state },
    { key: SearchAttributes.stateChangedAt, value: new Date(row.changedAt) },
    ...(row.taskArn !== undefined ? [{ key: SearchAttributes.taskArn, value: row.taskArn }] : []),
  ];
  return {
    workflowId: row.workflowId,
    runId: `run-${row.workflowId}`,
    type: 'airflowTaskWorkflow',
    status: { name: row.status },
    startTime: new Date(row.changedAt),
    closeTime: row.closeTime !== undefined ? new Date(row.closeTime) : undefined,
    typedSearchAttributes: new TypedSearchAttributes(pairs),
  } as unknown as WorkflowExecutionInfo;
}

const running = (workflowId: string, changedAt: number): Row => ({ workflowId, status: 'RUNNING', state: 'RUNNING', changedAt, taskArn: `arn:${workflowId}` });
const succeeded = (workflowId: string, at: number): Row => ({ workflowId, status: 'COMPLETED', state: 'SUCCESS', changedAt: at, closeTime: at, taskArn: `arn:${workflowId}` });
const LAG_MS = 10_000;

describe('StateChangeFeed: what each read lists', () => {
  let clientNow = T0 + 30_000;
  let now: jest.SpyInstance;
  beforeEach(() => {
    clientNow = T0 + 30_000;
    now = jest.spyOn(Date, 'now').mockImplementation(() => clientNow);
  });
  afterEach(() => now.mockRestore());

  const feedOn = (visibility: FakeVisibility, lagMs = LAG_MS) => new StateChangeFeed(visibility.client, EXECUTOR, { lagMs, deepEveryMs: 3_600_000 });
  const ids = async (feed: StateChangeFeed) => (await feed.read()).map((e) => `${e.workflowId}:${e.state}`);

  it('lists the last 2 s before the watermark on every read, and every 5 s the allowance behind the watermark the last full read left', async () => {
    const visibility = new FakeVisibility();
    // One change a second for 20 s; the newest at T0 + 19 s.
    for (let i = 0; i < 20; i++) visibility.put(running(`w${i}`, T0 + i * 1_000));
    const feed = feedOn(visibility);
    expect(await ids(feed)).toHaveLength(20);
    const afterFirst = feed.stats.rowsListed;

    clientNow += 1_000;
    expect(await feed.read()).toEqual([]);
    expect(visibility.sinces.at(-1)).toBe(T0 + 19_000 - FRESH_OVERLAP_MS);
    expect(feed.stats.rowsListed - afterFirst).toBe(FRESH_OVERLAP_MS / 1_000 + 1);

    clientNow += FULL_EVERY_MS;
    expect(await feed.read()).toEqual([]);
    expect(visibility.sinces.at(-1)).toBe(T0 + 19_000 - LAG_MS);
    expect(feed.stats.fullReads).toBe(1);
  });

  it("a run's next change that shows late, inside the allowance, is reported once, at the next full read", async () => {
    const visibility = new FakeVisibility();
    visibility.put(running('r', T0));
    visibility.put(running('a', T0 + 7_000));
    const feed = feedOn(visibility);
    expect((await ids(feed)).sort()).toEqual(['a:RUNNING', 'r:RUNNING']);

    // r succeeded at T0 + 4 s, 3 s behind the watermark, and shows only now: the 2 s fresh overlap does not reach it.
    visibility.put(succeeded('r', T0 + 4_000), true);
    visibility.reveal('r');
    clientNow += 1_000;
    expect(await ids(feed)).toEqual([]);
    clientNow += FULL_EVERY_MS;
    expect(await ids(feed)).toEqual(['r:SUCCESS']);
    // Counted as visibility showing a change late: by a full read, 3 s behind the watermark.
    expect(feed.stats).toMatchObject({ changesReported: 3, changesShownLate: 1 });
    expect(feed.stats.maxLatenessMs).toBe(3_000);
    clientNow += 1_000;
    expect(await ids(feed)).toEqual([]);
    clientNow += FULL_EVERY_MS;
    expect(await ids(feed)).toEqual([]);
  });

  it('a change that shows a whole allowance late, just after a full read, is reported at the next one, though the watermark moved on', async () => {
    const visibility = new FakeVisibility();
    visibility.put(running('a', T0));
    const feed = feedOn(visibility);
    await feed.read();
    visibility.put(running('late', T0 + 1_000), true);
    const lateAt: number[] = [];
    // One read a second, the watermark a second ahead each time; full reads at i = 5, 10, 15 and 20.
    for (let i = 1; i <= 20; i++) {
      clientNow += 1_000;
      visibility.put(running(`w${i}`, T0 + 1_000 * i));
      // Shows when the watermark is T0 + 10 s: the allowance (10 s) behind it.
      if (i === 11) visibility.reveal('late');
      if ((await ids(feed)).includes('late:RUNNING')) lateAt.push(i);
    }
    expect(lateAt).toEqual([15]);
    expect(feed.stats.fullReads).toBe(4);
  });

  it('a change inside the allowance is still found when visibility catches up and the watermark jumps ahead of the clock', async () => {
    const visibility = new FakeVisibility();
    visibility.put(running('a', T0 + 10_000));
    const feed = feedOn(visibility);
    await feed.read(); // watermark T0 + 10 s; the next full read lists from T0 + 0 s
    // Changed at T0 + 1 s (9 s behind the watermark) and shows now, with a backlog that moves the watermark 8 s at once.
    visibility.put(running('late', T0 + 1_000));
    for (let i = 1; i <= 8; i++) visibility.put(running(`backlog${i}`, T0 + 10_000 + i * 1_000));
    const lateAt: number[] = [];
    for (let i = 1; i <= 6; i++) {
      clientNow += 1_000;
      if ((await ids(feed)).includes('late:RUNNING')) lateAt.push(i);
    }
    // Not by the routine reads (2 s behind T0 + 18 s), but by the full read 5 s after the last one.
    expect(lateAt).toEqual([5]);
  });

  it('a read that fails part way changes nothing: the next read reports everything it would have', async () => {
    const visibility = new FakeVisibility();
    for (let i = 0; i < 5; i++) visibility.put(running(`w${i}`, T0 + i * 1_000));
    const feed = feedOn(visibility);
    visibility.failListAfter = 3;
    await expect(feed.read()).rejects.toThrow('half way');
    expect((await ids(feed)).sort()).toEqual(['w0:RUNNING', 'w1:RUNNING', 'w2:RUNNING', 'w3:RUNNING', 'w4:RUNNING']);
    expect(await feed.read()).toEqual([]);
  });

  it('an allowance shorter than the fresh overlap is what every routine read lists again', async () => {
    const visibility = new FakeVisibility();
    visibility.put(running('a', T0 + 19_000));
    const feed = feedOn(visibility, 500);
    await feed.read();
    clientNow += 1_000;
    await feed.read();
    expect(visibility.sinces.at(-1)).toBe(T0 + 19_000 - 500);
  });
});
