import type { Client, WorkflowExecutionInfo } from '@temporalio/client';
import { TypedSearchAttributes, type SearchAttributePair } from '@temporalio/common';
import { FRESH_OVERLAP_MS, StateChangeFeed } from '../../src/client/sync';
import { keySearchAttributes, SearchAttributes } from '../../src/contract/search-attributes';

/**
 * The feed's reads against an in-memory visibility store that answers its query texts (the time
 * bounds are parsed back out of them) and can hold a row back, as a lagging store does. What the
 * dev server does with the same reads is test/e2e/sync-feed.test.ts.
 */

interface Row {
  workflowId: string;
  runId: string;
  status: 'RUNNING' | 'COMPLETED' | 'TERMINATED';
  state: string;
  changedAt: number;
  closeTime?: number;
  taskArn?: string;
  visible: boolean;
}

const EXECUTOR = 'sched-1';
const T0 = Date.parse('2026-12-01T12:00:00.000Z');

class FakeVisibility {
  private readonly rows = new Map<string, Row>();
  readonly lists: string[] = [];
  readonly counts: string[] = [];
  failListAfter?: number;

  put(row: Omit<Row, 'runId' | 'visible'> & { visible?: boolean }): void {
    this.rows.set(row.workflowId, { runId: `run-${row.workflowId}`, visible: true, ...row });
  }

  reveal(workflowId: string): void {
    this.rows.get(workflowId)!.visible = true;
  }

  private matches(row: Row, from: number, until = Number.POSITIVE_INFINITY): boolean {
    const within = (t: number | undefined) => t !== undefined && t >= from && t < until;
    return row.visible && (within(row.changedAt) || (row.status !== 'RUNNING' && within(row.closeTime)));
  }

  private static bounds(query: string): number[] {
    expect(query).toContain(`EcsExecutorName = '${EXECUTOR}'`);
    return [...query.matchAll(/'(\d{4}-\d\d-\d\dT[^']+)'/g)].map((m) => Date.parse(m[1]!));
  }

  readonly client = {
    options: { namespace: 'default' },
    workflow: {
      list: ({ query }: { query: string }) => {
        this.lists.push(query);
        const [since] = FakeVisibility.bounds(query);
        const rows = [...this.rows.values()].filter((row) => this.matches(row, since!));
        const failAfter = this.failListAfter;
        this.failListAfter = undefined;
        return (async function* () {
          for (const [i, row] of rows.entries()) {
            if (failAfter !== undefined && i === failAfter) throw new Error('visibility went away half way through the page');
            yield info(row);
          }
        })();
      },
      count: async (query: string) => {
        this.counts.push(query);
        const [from, until, closeFrom, closeUntil] = FakeVisibility.bounds(query);
        expect([closeFrom, closeUntil]).toEqual([from, until]);
        return { count: [...this.rows.values()].filter((row) => this.matches(row, from!, until!)).length, groups: [] };
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
    runId: row.runId,
    type: 'airflowTaskWorkflow',
    status: { name: row.status },
    startTime: new Date(row.changedAt),
    closeTime: row.closeTime !== undefined ? new Date(row.closeTime) : undefined,
    typedSearchAttributes: new TypedSearchAttributes(pairs),
  } as unknown as WorkflowExecutionInfo;
}

const running = (workflowId: string, changedAt: number, visible = true) => ({ workflowId, status: 'RUNNING' as const, state: 'RUNNING', changedAt, taskArn: `arn:${workflowId}`, visible });

describe('StateChangeFeed: what each read lists', () => {
  let now: jest.SpyInstance;
  beforeEach(() => {
    now = jest.spyOn(Date, 'now').mockReturnValue(T0 + 60_000);
  });
  afterEach(() => now.mockRestore());

  const feedOn = (visibility: FakeVisibility) => new StateChangeFeed(visibility.client, EXECUTOR, { lagMs: 10_000, deepEveryMs: 3_600_000 });

  it('lists only the fresh end of the lag window again, and counts the rest', async () => {
    const visibility = new FakeVisibility();
    // One change a second for 20 s; the newest at T0 + 19 s.
    for (let i = 0; i < 20; i++) visibility.put(running(`w${i}`, T0 + i * 1_000));
    const feed = feedOn(visibility);
    expect((await feed.read()).map((e) => e.workflowId)).toHaveLength(20);
    const listedByFirstRead = feed.stats.rowsListed;

    expect(await feed.read()).toEqual([]);
    // Since the watermark minus FRESH_OVERLAP_MS: T0 + 17 s, 18 s and 19 s, not the 10 s of the lag allowance.
    expect(feed.stats.rowsListed - listedByFirstRead).toBe(FRESH_OVERLAP_MS / 1_000 + 1);
    expect(visibility.counts).toHaveLength(1);
    expect(visibility.counts[0]).toContain(`AirflowStateChangedAt < '${new Date(T0 + 19_000 - FRESH_OVERLAP_MS).toISOString()}'`);
    expect(visibility.counts[0]).toContain(`AirflowStateChangedAt >= '${new Date(T0 + 19_000 - 10_000).toISOString()}'`);
    expect(feed.stats.lateWindowReads).toBe(0);
  });

  it('a change that shows late, older than the fresh overlap but inside the lag allowance, is reported once, on the next read', async () => {
    const visibility = new FakeVisibility();
    for (let i = 0; i < 20; i++) visibility.put(running(`w${i}`, T0 + i * 1_000));
    // Changed at T0 + 14 s, 5 s before the watermark, but not yet in visibility.
    visibility.put(running('late', T0 + 14_500, false));
    const feed = feedOn(visibility);
    expect((await feed.read()).map((e) => e.workflowId)).not.toContain('late');

    visibility.reveal('late');
    const next = await feed.read();
    expect(next.map((e) => [e.workflowId, e.state, e.externalExecutorId])).toEqual([['late', 'RUNNING', 'arn:late']]);
    expect(feed.stats.lateWindowReads).toBe(1);
    expect(await feed.read()).toEqual([]);
    expect(await feed.read()).toEqual([]);
    expect(feed.stats.lateWindowReads).toBe(1);
  });

  it('a late change is found while another run in the window changes again', async () => {
    const visibility = new FakeVisibility();
    for (let i = 0; i < 20; i++) visibility.put(running(`w${i}`, T0 + i * 1_000));
    visibility.put(running('late', T0 + 13_000, false));
    const feed = feedOn(visibility);
    await feed.read();

    // w12 leaves the counted part of the window (it succeeded just now) as the late row enters it.
    visibility.put({ workflowId: 'w12', status: 'COMPLETED', state: 'SUCCESS', changedAt: T0 + 19_500, closeTime: T0 + 19_500, taskArn: 'arn:w12' });
    visibility.reveal('late');
    const reported: string[] = [];
    for (let i = 0; i < 3; i++) reported.push(...(await feed.read()).map((e) => `${e.workflowId}:${e.state}`));
    expect(reported.sort()).toEqual(['late:RUNNING', 'w12:SUCCESS']);
  });

  it('a closed run is counted by its close time, so a run that closed earlier without a state change is no false alarm', async () => {
    const visibility = new FakeVisibility();
    for (let i = 0; i < 20; i++) visibility.put(running(`w${i}`, T0 + i * 1_000));
    // Terminated from the Temporal side at T0 + 15 s: its state changed long before, at launch.
    visibility.put({ workflowId: 'terminated', status: 'TERMINATED', state: 'RUNNING', changedAt: T0 - 30_000, closeTime: T0 + 15_000 });
    const feed = feedOn(visibility);
    await feed.read();
    await feed.read();
    await feed.read();
    expect(feed.stats.lateWindowReads).toBe(0);
  });

  it('a read that fails part way changes nothing: the next read reports everything it would have', async () => {
    const visibility = new FakeVisibility();
    for (let i = 0; i < 5; i++) visibility.put(running(`w${i}`, T0 + i * 1_000));
    const feed = feedOn(visibility);
    visibility.failListAfter = 3;
    await expect(feed.read()).rejects.toThrow('half way');
    expect((await feed.read()).map((e) => e.workflowId).sort()).toEqual(['w0', 'w1', 'w2', 'w3', 'w4']);
    expect(await feed.read()).toEqual([]);
  });

  it('a lag allowance no longer than the fresh overlap lists the whole window, with no count', async () => {
    const visibility = new FakeVisibility();
    for (let i = 0; i < 5; i++) visibility.put(running(`w${i}`, T0 + i * 1_000));
    const feed = new StateChangeFeed(visibility.client, EXECUTOR, { lagMs: FRESH_OVERLAP_MS, deepEveryMs: 3_600_000 });
    await feed.read();
    await feed.read();
    expect(visibility.counts).toEqual([]);
    expect(visibility.lists).toHaveLength(2);
  });
});
