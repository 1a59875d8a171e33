import { startedByMarker } from '../../src/rules/started-by';

/** What ECS accepts for RunTask's startedBy (and ListTasks filters by). */
const ECS_STARTED_BY = /^[A-Za-z0-9_/-]{1,128}$/;

describe('startedByMarker', () => {
  it('names the executor, the namespace and the task queue', () => {
    expect(startedByMarker('default', 'ecs-executor')).toBe('temporal-ecs-executor/default/ecs-executor');
  });

  it.each([
    ['a namespace with dots (a Temporal Cloud namespace)', 'prod.a1b2c', 'ecs-executor', 'temporal-ecs-executor/prod_a1b2c/ecs-executor'],
    ['a task queue with a slash', 'default', 'team/airflow', 'temporal-ecs-executor/default/team_airflow'],
    ['spaces, colons and non-ASCII', 'default', 'queue: é 1', 'temporal-ecs-executor/default/queue____1'],
  ])('replaces what ECS does not accept in %s, and adds a hash of the exact names', (_label, namespace, taskQueue, readable) => {
    const marker = startedByMarker(namespace, taskQueue);
    expect(marker).toMatch(new RegExp(`^${readable}-[0-9a-f]{8}$`));
    expect(marker).toMatch(ECS_STARTED_BY);
  });

  it('keeps the separators: a slash in a part never looks like a part boundary', () => {
    expect(startedByMarker('a/b', 'c')).not.toBe(startedByMarker('a', 'b/c'));
  });

  it('is never longer than ECS allows (128), however long the task queue', () => {
    const marker = startedByMarker('default', 'q'.repeat(255));
    expect(marker.length).toBe(128);
    expect(marker).toMatch(ECS_STARTED_BY);
    expect(marker.startsWith('temporal-ecs-executor/default/qqq')).toBe(true);
  });

  it('is the same for the same deployment (every worker of a task queue lists the same tasks)', () => {
    expect(startedByMarker('ns', 'tq')).toBe(startedByMarker('ns', 'tq'));
  });

  // Two deployments whose names differ only in characters the marker replaces ("a.b" / "a_b"), or
  // only after the 128th character, must not share a startedBy: the observer's reconciliation of
  // one would see the other's tasks in ListTasks and, seeing no workflow of its own for them,
  // stop them as orphans.
  it.each([
    ['namespaces "prod.airflow" and "prod_airflow"', ['prod.airflow', 'q'], ['prod_airflow', 'q']],
    ['task queues "etl.daily" and "etl_daily"', ['ns', 'etl.daily'], ['ns', 'etl_daily']],
    ['namespaces that differ after the 128th character', ['n'.repeat(120) + 'a', 'q'], ['n'.repeat(120) + 'b', 'q']],
  ] as const)('tells apart %s', (_label, [ns1, tq1], [ns2, tq2]) => {
    const first = startedByMarker(ns1, tq1);
    const second = startedByMarker(ns2, tq2);
    expect(first).toMatch(ECS_STARTED_BY);
    expect(second).toMatch(ECS_STARTED_BY);
    expect(first).not.toBe(second);
  });
});
