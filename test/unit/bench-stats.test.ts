import { eventTypeName, perTask } from '../../scripts/bench/history-stats';
import { combineRuns, formatComparisonTable, formatRatio, median, percentile, ratio, spread } from '../../scripts/bench/stats';

describe('percentile (nearest rank) and median', () => {
  const values = [5, 1, 4, 2, 3, 6, 7, 8, 9, 10];

  it.each([
    [0, 1],
    [50, 5],
    [90, 9],
    [99, 10],
    [100, 10],
  ])('p%d of 1..10 is %d', (p, expected) => {
    expect(percentile(values, p)).toBe(expected);
  });

  it('takes the mean of the middle two for an even count, the middle one for an odd count', () => {
    expect(median(values)).toBe(5.5);
    expect(median([3, 1, 2])).toBe(2);
  });

  it('ignores NaN and infinities and gives undefined for nothing', () => {
    expect(median([Number.NaN, 4, Number.POSITIVE_INFINITY])).toBe(4);
    expect(percentile([], 50)).toBeUndefined();
    expect(spread([])).toBeUndefined();
  });

  it('refuses a percentile outside 0..100', () => {
    expect(() => percentile(values, 101)).toThrow('percentile expects p in [0, 100], got 101');
  });

  it('summarizes with spread', () => {
    expect(spread([2, 4, 6])).toEqual({ count: 3, min: 2, p50: 4, p99: 6, max: 6, mean: 4 });
  });
});

describe('combineRuns', () => {
  it('takes the median of each figure over the runs that measured it', () => {
    const combined = combineRuns<'rate' | 'cpu' | 'p99'>([
      { rate: 100, cpu: 0.03 },
      { rate: 120, cpu: 0.05, p99: 2 },
      { rate: 90, cpu: undefined },
    ]);
    expect(combined.rate).toEqual({ median: 100, min: 90, max: 120, values: [100, 120, 90] });
    expect(combined.cpu).toEqual({ median: 0.04, min: 0.03, max: 0.05, values: [0.03, 0.05, undefined] });
    expect(combined.p99?.median).toBe(2);
  });
});

describe('comparison table', () => {
  it('prints ours, Airflow and the ratio of the medians, with the spread of several runs', () => {
    const table = formatComparisonTable([
      { figure: 'launch tasks/s', ours: { median: 150, min: 140, max: 160, values: [140, 150, 160] }, airflow: 300, better: 'higher' },
      { figure: 'CPU per task', ours: 20, airflow: 10, unit: ' ms', digits: 1, better: 'lower' },
      { figure: 'not measured', ours: undefined, airflow: 3 },
    ]);
    const lines = table.split('\n');
    expect(lines[0]).toMatch(/^\| figure\s+\|\s+ours \|\s+Airflow \| ours \/ Airflow \|$/);
    expect(lines[1]).toMatch(/^\|-+\|-+:\|-+:\|-+:\|$/);
    expect(lines[2]).toContain('150 (140–160)');
    expect(lines[2]).toContain('0.50× worse');
    expect(lines[3]).toContain('20.0 ms');
    expect(lines[3]).toContain('2.00× worse');
    expect(lines[4]).toContain('n/a');
    expect(new Set(lines.map((l) => l.length)).size).toBe(1);
  });

  it('has no ratio against zero or a missing value', () => {
    expect(ratio(1, 0)).toBeUndefined();
    expect(ratio(undefined, 2)).toBeUndefined();
    expect(formatRatio(0.8, 'lower')).toBe('0.80× better');
  });
});

describe('history event names and per-task counts', () => {
  it('turns enum numbers and names into the names the Web UI shows', () => {
    expect(eventTypeName(5)).toBe('WorkflowTaskScheduled');
    expect(eventTypeName('EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES')).toBe('UpsertWorkflowSearchAttributes');
    expect(eventTypeName(9999)).toBe('Unknown(9999)');
  });

  it('divides every count by the number of tasks', () => {
    const counts = {
      workflows: 4,
      events: 80,
      eventsByType: { WorkflowTaskScheduled: 8, MarkerRecorded: 4 },
      eventsPerWorkflow: { median: 20, min: 20, max: 20 },
      workflowTasks: 8,
      signals: 2,
      activities: 0,
      localActivities: 4,
      timers: 2,
      searchAttributeUpserts: 6,
      childWorkflows: 0,
      continuedAsNew: 0,
    };
    expect(perTask(counts, 4)).toMatchObject({ events: 20, eventsByType: { WorkflowTaskScheduled: 2, MarkerRecorded: 1 }, searchAttributeUpserts: 1.5 });
  });
});
