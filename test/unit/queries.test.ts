import { SearchAttributes } from '../../src/contract/search-attributes';
import {
  and,
  atLeast,
  byTaskArnsQuery,
  changedSinceQuery,
  executorScope,
  is,
  listQuery,
  literal,
  oneOf,
  or,
  RUNNING,
  trackedTasksQuery,
} from '../../src/temporal/queries';

const T = new Date('2026-12-01T10:00:00.123Z');
const ARN_1 = 'arn:aws:ecs:us-east-1:123456789012:task/prod/0123456789abcdef0123456789abcdef';
const ARN_2 = 'arn:aws:ecs:us-east-1:123456789012:task/prod/fedcba9876543210fedcba9876543210';

describe('literal (visibility string literals)', () => {
  it.each([
    ['plain text', 'etl', "'etl'"],
    ['an empty string', '', "''"],
    ['a single quote', "it's", "'it\\'s'"],
    ['a backslash', 'C:\\dags', "'C:\\\\dags'"],
    // The backslash is escaped first, so an escaped quote in the input cannot end the literal.
    ['a backslash before a quote', "\\'", "'\\\\\\''"],
    ['an injection attempt', "x' OR WorkflowType = 'y", "'x\\' OR WorkflowType = \\'y'"],
    ['double quotes (left alone inside single quotes)', 'say "hi"', `'say "hi"'`],
  ])('quotes %s', (_label, value, expected) => {
    expect(literal(value)).toBe(expected);
  });

  it('writes numbers bare and dates as ISO 8601 strings', () => {
    expect(literal(3)).toBe('3');
    expect(literal(-1)).toBe('-1');
    expect(literal(T)).toBe("'2026-12-01T10:00:00.123Z'");
  });
});

describe('the query builders', () => {
  it('is, atLeast, oneOf name our search attributes by their registered names, and system attributes as they are', () => {
    expect(is(SearchAttributes.dagId, "d'1")).toBe("AirflowDagId = 'd\\'1'");
    expect(is(SearchAttributes.tryNumber, 2)).toBe('AirflowTryNumber = 2');
    expect(is('WorkflowType', 'airflowTaskWorkflow')).toBe("WorkflowType = 'airflowTaskWorkflow'");
    expect(atLeast(SearchAttributes.stateChangedAt, T)).toBe("AirflowStateChangedAt >= '2026-12-01T10:00:00.123Z'");
    expect(atLeast('CloseTime', T)).toBe("CloseTime >= '2026-12-01T10:00:00.123Z'");
    expect(oneOf('WorkflowId', ['a', "b'"])).toBe("WorkflowId IN ('a', 'b\\'')");
    expect(oneOf(SearchAttributes.mapIndex, [1, 2])).toBe('AirflowMapIndex IN (1, 2)');
  });

  it('and() brackets every part, drops false/undefined/empty parts, and leaves a single part bare', () => {
    expect(and('A = 1', 'B = 2')).toBe('(A = 1) AND (B = 2)');
    expect(and('A = 1', undefined, false, '', 'B = 2')).toBe('(A = 1) AND (B = 2)');
    expect(and('A = 1 OR B = 2')).toBe('A = 1 OR B = 2');
    expect(and('A = 1 OR B = 2', 'C = 3')).toBe('(A = 1 OR B = 2) AND (C = 3)');
  });

  it('or() brackets every part', () => {
    expect(or('A = 1', 'B = 2 AND C = 3')).toBe('(A = 1) OR (B = 2 AND C = 3)');
  });

  it('RUNNING is the execution status Running', () => {
    expect(RUNNING).toBe("ExecutionStatus = 'Running'");
  });

  it('executorScope: the executor name attribute', () => {
    expect(executorScope('sched-1')).toBe("EcsExecutorName = 'sched-1'");
  });

  it("trackedTasksQuery: running workflows of the task queue on the cluster whose Airflow state is RUNNING", () => {
    expect(trackedTasksQuery({ taskQueue: 'ecs-executor', cluster: 'prod' })).toBe(
      "(TaskQueue = 'ecs-executor') AND (EcsCluster = 'prod') AND (ExecutionStatus = 'Running') AND (AirflowState = 'RUNNING')",
    );
  });

  it('trackedTasksQuery with changedSince: only what changed since then', () => {
    expect(trackedTasksQuery({ taskQueue: 'q', cluster: "team's", changedSince: T })).toBe(
      "(TaskQueue = 'q') AND (EcsCluster = 'team\\'s') AND (ExecutionStatus = 'Running') AND (AirflowState = 'RUNNING') AND (AirflowStateChangedAt >= '2026-12-01T10:00:00.123Z')",
    );
  });

  it("changedSinceQuery: the executor's workflows whose state changed, or that closed, since the watermark", () => {
    expect(changedSinceQuery('sched-1', T)).toBe(
      "(EcsExecutorName = 'sched-1') AND ((AirflowStateChangedAt >= '2026-12-01T10:00:00.123Z') OR ((ExecutionStatus != 'Running') AND (CloseTime >= '2026-12-01T10:00:00.123Z')))",
    );
  });

  it('byTaskArnsQuery: any attempt\'s ECS task, by the keyword list', () => {
    expect(byTaskArnsQuery([ARN_1, ARN_2])).toBe(`EcsTaskArns IN ('${ARN_1}', '${ARN_2}')`);
    expect(byTaskArnsQuery([ARN_1])).toBe(`EcsTaskArns IN ('${ARN_1}')`);
  });

  it('listQuery with no filter: the executor scope alone', () => {
    expect(listQuery({ executorName: 'sched-1' })).toBe("EcsExecutorName = 'sched-1'");
    expect(listQuery({ executorName: 'sched-1', running: false })).toBe("EcsExecutorName = 'sched-1'");
  });

  it('listQuery with every filter, quoted, in a fixed order', () => {
    expect(
      listQuery({
        executorName: 'sched-1',
        state: 'FAILED',
        dagId: "o'brien",
        taskId: 'a\\b',
        runId: 'manual__2026-12-01T08:05:30+00:00',
        tryNumber: 2,
        mapIndex: -1,
        taskArn: ARN_1,
        running: true,
      }),
    ).toBe(
      [
        "(EcsExecutorName = 'sched-1')",
        "(AirflowState = 'FAILED')",
        "(AirflowDagId = 'o\\'brien')",
        "(AirflowTaskId = 'a\\\\b')",
        "(AirflowRunId = 'manual__2026-12-01T08:05:30+00:00')",
        '(AirflowTryNumber = 2)',
        '(AirflowMapIndex = -1)',
        `(EcsTaskArns = '${ARN_1}')`,
        "(ExecutionStatus = 'Running')",
      ].join(' AND '),
    );
  });

  it('listQuery keeps a map index of 0 and a try number of 0 (falsy, but set)', () => {
    expect(listQuery({ executorName: 'e', tryNumber: 0, mapIndex: 0 })).toBe("(EcsExecutorName = 'e') AND (AirflowTryNumber = 0) AND (AirflowMapIndex = 0)");
  });
});
