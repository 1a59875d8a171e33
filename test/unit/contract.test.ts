import { readFileSync } from 'node:fs';
import path from 'node:path';
import { adoptedTaskWorkflowId, observerWorkflowId, taskWorkflowId, WORKFLOW_ID_PREFIX } from '../../src/contract/ids';
import { adoptedTaskInputSchema, commandSchema, taskWorkflowInputSchema } from '../../src/contract/inputs';
import { workloadKeySchema, type WorkloadKey, type WorkloadKeyInput } from '../../src/contract/keys';
import { formatKey, shortKey } from '../../src/contract/key-format';
import { clusterOfTaskArn, taskIdOf } from '../../src/ecs/task-arn';

const TI_ID = '0190f0a2-7b7e-7c3e-9a51-2f1d3c4b5a69';
const CALLBACK_ID = '0190f0a2-7b7e-7c3e-9a51-2f1d3c4b5a70';
const ARN = 'arn:aws:ecs:us-east-1:123456789012:task/prod/0123456789abcdef0123456789abcdef';
const baseKey = { dagId: 'etl', taskId: 'load', runId: 'scheduled__2026-12-01T00:00:00+00:00', tryNumber: 1, mapIndex: -1 };

const key = (input: WorkloadKeyInput): WorkloadKey => workloadKeySchema.parse(input);
const issues = (result: { success: boolean; error?: { issues: { path: PropertyKey[]; message: string }[] } }) =>
  (result.error?.issues ?? []).map((i) => `${i.path.join('.')}: ${i.message}`);

describe('taskWorkflowId', () => {
  it('is airflow-task/<dag>/<task>/<run>/<map index>/<try>, with ":" and "+" of run IDs left readable', () => {
    expect(taskWorkflowId(key({ ...baseKey, runId: 'manual__2026-12-01T08:05:30.418+00:00' }))).toBe(
      'airflow-task/etl/load/manual__2026-12-01T08:05:30.418+00:00/-1/1',
    );
  });

  it('changes with every part of the task instance key', () => {
    const id = taskWorkflowId(key(baseKey));
    for (const change of [{ dagId: 'etl2' }, { taskId: 'load2' }, { runId: 'manual' }, { tryNumber: 2 }, { mapIndex: 0 }]) {
      expect(taskWorkflowId(key({ ...baseKey, ...change }))).not.toBe(id);
    }
  });

  it('does not depend on the task instance UUID: the try is the key (submitting the same try twice attaches)', () => {
    expect(taskWorkflowId(key({ ...baseKey, tiId: TI_ID }))).toBe(taskWorkflowId(key(baseKey)));
  });

  it('defaults map_index to -1 (unmapped)', () => {
    const { mapIndex: _omitted, ...unmapped } = baseKey;
    expect(taskWorkflowId(key(unmapped))).toBe(taskWorkflowId(key(baseKey)));
  });

  it('escapes "/" as %2F and "%" as %25, and nothing else', () => {
    expect(taskWorkflowId(key({ ...baseKey, dagId: 'a/b', taskId: '100%', runId: "r :+@é'\"?" }))).toBe("airflow-task/a%2Fb/100%25/r :+@é'\"?/-1/1");
  });

  describe('is unambiguous: distinct keys never share an ID, and the ID decodes back to the key', () => {
    const tricky = ['a', 'a/b', 'a%2Fb', 'a%252Fb', '%', '%25', '/', '//', 'b/c', 'a%', '%2', 'x:y+z'];
    const keys = tricky.flatMap((dagId) => tricky.map((taskId) => key({ ...baseKey, dagId, taskId, runId: `${dagId}|${taskId}` })));

    it('no two of these keys collide', () => {
      const ids = keys.map(taskWorkflowId);
      expect(new Set(ids).size).toBe(keys.length);
    });

    it('splitting on "/" and unescaping gives the parts back', () => {
      for (const k of keys) {
        const [, ...parts] = taskWorkflowId(k).split('/');
        const decode = (p: string) => p.replace(/%2F/g, '/').replace(/%25/g, '%');
        expect(parts.map(decode)).toEqual(['dagId' in k ? k.dagId : '', 'taskId' in k ? k.taskId : '', 'runId' in k ? k.runId : '', '-1', '1']);
      }
    });

    it('"a/b" + "c" and "a" + "b/c" stay apart', () => {
      expect(taskWorkflowId(key({ ...baseKey, dagId: 'a/b', taskId: 'c' }))).not.toBe(taskWorkflowId(key({ ...baseKey, dagId: 'a', taskId: 'b/c' })));
    });
  });

  it('is airflow-callback/<uuid> for a callback, whatever DAG run it belongs to', () => {
    expect(taskWorkflowId(key({ callbackId: CALLBACK_ID }))).toBe(`airflow-callback/${CALLBACK_ID}`);
    expect(taskWorkflowId(key({ callbackId: CALLBACK_ID, dagId: 'etl', runId: 'r1' }))).toBe(`airflow-callback/${CALLBACK_ID}`);
  });

  it('matches the vectors in contract/workflow-id-vectors.json (what the Python package must build too)', () => {
    const vectors = JSON.parse(readFileSync(path.resolve(__dirname, '..', '..', 'contract', 'workflow-id-vectors.json'), 'utf8')) as {
      taskWorkflowIds: { key: WorkloadKeyInput; workflowId: string }[];
      adoptedTaskWorkflowIds: { taskArn: string; workflowId: string }[];
      observerWorkflowIds: { taskQueue: string; cluster: string; workflowId: string }[];
    };
    expect(vectors.taskWorkflowIds.length).toBeGreaterThanOrEqual(5);
    for (const v of vectors.taskWorkflowIds) expect(taskWorkflowId(key(v.key))).toBe(v.workflowId);
    for (const v of vectors.adoptedTaskWorkflowIds) expect(adoptedTaskWorkflowId(v.taskArn)).toBe(v.workflowId);
    for (const v of vectors.observerWorkflowIds) expect(observerWorkflowId(v.taskQueue, v.cluster)).toBe(v.workflowId);
  });
});

describe('the other workflow IDs', () => {
  it('an adopted task\'s tracker is ecs-task/<ARN>, the ARN unescaped', () => {
    expect(adoptedTaskWorkflowId(ARN)).toBe(`ecs-task/${ARN}`);
  });

  it("a cluster's observer is ecs-observer/<task queue>/<cluster>, both escaped", () => {
    expect(observerWorkflowId('ecs-executor', 'prod')).toBe('ecs-observer/ecs-executor/prod');
    expect(observerWorkflowId('team/q', 'arn:aws:ecs:us-east-1:123456789012:cluster/prod')).toBe('ecs-observer/team%2Fq/arn:aws:ecs:us-east-1:123456789012:cluster%2Fprod');
    expect(observerWorkflowId('a/b', 'c')).not.toBe(observerWorkflowId('a', 'b/c'));
  });

  it('every kind has its own prefix, none a prefix of another', () => {
    const prefixes = Object.values(WORKFLOW_ID_PREFIX);
    for (const a of prefixes) for (const b of prefixes) if (a !== b) expect(b.startsWith(a)).toBe(false);
  });
});

describe('the workload key schema', () => {
  it('accepts a task instance key with a task instance UUID, and a callback key', () => {
    expect(workloadKeySchema.parse({ ...baseKey, tiId: TI_ID })).toEqual({ ...baseKey, tiId: TI_ID });
    expect(workloadKeySchema.parse({ callbackId: CALLBACK_ID, dagId: 'etl', runId: 'r1' })).toEqual({ callbackId: CALLBACK_ID, dagId: 'etl', runId: 'r1' });
  });

  it.each([
    ['NUL', 'a\u0000b'],
    ['a newline', 'a\nb'],
    ['a tab', 'a\tb'],
    ['a carriage return', 'a\rb'],
    ['an escape', '\u001b[31m'],
    ['DEL', 'a\u007f'],
  ])('rejects %s in any part of a task key, naming the part', (_label, bad) => {
    for (const part of ['dagId', 'taskId', 'runId'] as const) {
      expect(issues(workloadKeySchema.safeParse({ ...baseKey, [part]: bad }))).toEqual([`${part}: ${part} must not contain control characters (NUL, newline, tab...)`]);
    }
    expect(issues(workloadKeySchema.safeParse({ callbackId: CALLBACK_ID, dagId: bad }))).toEqual(['dagId: dagId must not contain control characters (NUL, newline, tab...)']);
  });

  it('accepts non-ASCII letters, spaces and punctuation (Airflow allows them in run IDs)', () => {
    expect(workloadKeySchema.safeParse({ ...baseKey, runId: "manual__ré-run 'quoted' +00:00" }).success).toBe(true);
  });

  it("rejects a 5,000-character dag_id: Airflow's columns hold 250", () => {
    expect(issues(workloadKeySchema.safeParse({ ...baseKey, dagId: 'd'.repeat(5_000) }))).toEqual(["dagId: dagId must be at most 250 characters (Airflow's limit)"]);
    expect(workloadKeySchema.safeParse({ ...baseKey, dagId: 'd'.repeat(250) }).success).toBe(true);
  });

  it('rejects empty parts', () => {
    expect(issues(workloadKeySchema.safeParse({ ...baseKey, taskId: '' }))).toEqual(['taskId: taskId must not be empty']);
  });

  it.each([
    ['tryNumber -1', { tryNumber: -1 }, 'tryNumber: tryNumber must be 0 or more'],
    ['mapIndex -2', { mapIndex: -2 }, 'mapIndex: mapIndex must be -1 (unmapped) or more'],
    ['a tiId that is not a UUID', { tiId: 'ti-1' }, 'tiId: tiId must be the task instance UUID'],
  ])('rejects %s', (_label, change, expected) => {
    expect(issues(workloadKeySchema.safeParse({ ...baseKey, ...change }))).toEqual([expected]);
  });

  // zod reports a type mismatch inside a union as the union's own issue; the branch's issue, naming
  // the field, is nested in it (what a client must print for the user to see which field is wrong).
  it.each([
    ['tryNumber 1.5', 1.5],
    ['tryNumber "1"', '1'],
  ])('rejects %s, with the field named in the task key branch', (_label, tryNumber) => {
    const result = workloadKeySchema.safeParse({ ...baseKey, tryNumber });
    expect(result.success).toBe(false);
    const union = result.error!.issues[0] as { code: string; errors?: { path: PropertyKey[]; message: string }[][] };
    expect(union.code).toBe('invalid_union');
    expect(union.errors?.[0]?.map((i) => `${i.path.join('.')}: ${i.message}`)).toEqual(['tryNumber: tryNumber must be a whole number']);
  });

  it('rejects a callback ID that is not a UUID', () => {
    expect(issues(workloadKeySchema.safeParse({ callbackId: 'cb-1' }))).toEqual(['callbackId: callbackId must be the callback UUID']);
  });

  it('rejects unknown keys (a typo must not pass as a different key)', () => {
    expect(workloadKeySchema.safeParse({ ...baseKey, try_number: 1 }).success).toBe(false);
    expect(workloadKeySchema.safeParse({ callbackId: CALLBACK_ID, taskId: 't' }).success).toBe(false);
  });

  it('rejects a half task key, half callback key, and says what is expected', () => {
    expect(issues(workloadKeySchema.safeParse({ ...baseKey, callbackId: CALLBACK_ID }))).toEqual([
      ': expected a task instance key {dagId, taskId, runId, tryNumber, mapIndex} or a callback key {callbackId}',
    ]);
    expect(issues(workloadKeySchema.safeParse({}))).toEqual([': expected a task instance key {dagId, taskId, runId, tryNumber, mapIndex} or a callback key {callbackId}']);
  });

  it('prints keys as Airflow does, and short labels for lists', () => {
    expect(formatKey(key(baseKey))).toBe("TaskInstanceKey(dag_id='etl', task_id='load', run_id='scheduled__2026-12-01T00:00:00+00:00', try_number=1, map_index=-1)");
    expect(formatKey(key({ callbackId: CALLBACK_ID }))).toBe(`CallbackKey(id='${CALLBACK_ID}')`);
    expect(shortKey(key({ ...baseKey, mapIndex: 3, tryNumber: 2 }))).toBe('etl.load[3] try 2');
    expect(shortKey(key(baseKey))).toBe('etl.load try 1');
  });
});

describe('the task workflow input schema', () => {
  const valid = { key: baseKey, executorName: 'sched-1', command: ['airflow', 'tasks', 'run', 'etl', 'load', 'r1'] };

  it('accepts a command, or a workload, with a queue and an executor_config', () => {
    expect(taskWorkflowInputSchema.safeParse({ ...valid, queue: 'default', executorConfig: { overrides: { cpu: '512' } } }).success).toBe(true);
    const { command: _c, ...withoutCommand } = valid;
    expect(taskWorkflowInputSchema.safeParse({ ...withoutCommand, workload: '{"type": "ExecuteTask"}', queue: null, executorConfig: null }).success).toBe(true);
  });

  it.each([
    ['both a command and a workload', { ...valid, workload: '{"type": "ExecuteTask"}' }],
    ['neither a command nor a workload', { key: baseKey, executorName: 'sched-1' }],
  ])('wants exactly one of command and workload: rejects %s', (_label, input) => {
    expect(issues(taskWorkflowInputSchema.safeParse(input))).toEqual(['command: give exactly one of command (a list of strings) and workload (the Airflow workload JSON)']);
  });

  it('rejects a NUL byte in a command part, naming the part', () => {
    expect(issues(taskWorkflowInputSchema.safeParse({ ...valid, command: ['bash', '-c', 'echo a\u0000b'] }))).toEqual([
      'command.2: a command part contains a NUL byte, which no process can receive',
    ]);
    expect(issues(commandSchema.safeParse(['a\u0000']))).toEqual(['0: a command part contains a NUL byte, which no process can receive']);
  });

  it('accepts newlines and tabs in a command (a shell script is a command part)', () => {
    expect(commandSchema.safeParse(['bash', '-c', 'set -e\n\techo hi']).success).toBe(true);
  });

  it('rejects an empty command and a command that is not a list of strings', () => {
    expect(issues(commandSchema.safeParse([]))).toEqual([': the command must not be empty']);
    expect(issues(commandSchema.safeParse('airflow tasks run'))).toEqual([': the command must be a list of strings']);
    expect(issues(commandSchema.safeParse(['airflow', 3]))).toEqual(['1: every command part must be a string']);
  });

  it('rejects an executor name that cannot be part of a query or an ID', () => {
    expect(issues(taskWorkflowInputSchema.safeParse({ ...valid, executorName: "x' OR 1=1" }))).toEqual([
      'executorName: executorName must be 1-64 letters, digits, ".", "_" or "-"',
    ]);
    expect(taskWorkflowInputSchema.safeParse({ ...valid, executorName: 'e'.repeat(65) }).success).toBe(false);
  });

  it('rejects an executor_config that is not an object, and keys from the old contract (the worker builds RunTask input)', () => {
    expect(issues(taskWorkflowInputSchema.safeParse({ ...valid, executorConfig: ['cpu'] }))).toEqual(['executorConfig: executorConfig must be a JSON object of RunTask arguments']);
    expect(issues(taskWorkflowInputSchema.safeParse({ ...valid, runTaskInput: { cluster: 'x' } }))).toEqual([': Unrecognized key: "runTaskInput"']);
  });

  it('rejects a queue over 256 characters and a workload too short to be JSON', () => {
    expect(taskWorkflowInputSchema.safeParse({ ...valid, queue: 'q'.repeat(257) }).success).toBe(false);
    const { command: _c, ...withoutCommand } = valid;
    expect(taskWorkflowInputSchema.safeParse({ ...withoutCommand, workload: '{' }).success).toBe(false);
  });
});

describe('the adopted task input schema', () => {
  const valid = { taskArn: ARN, cluster: 'prod', key: baseKey, executorName: 'sched-1' };

  it('accepts an ECS task ARN, new or legacy format, in any partition', () => {
    expect(adoptedTaskInputSchema.safeParse(valid).success).toBe(true);
    expect(adoptedTaskInputSchema.safeParse({ ...valid, taskArn: 'arn:aws:ecs:us-east-1:123456789012:task/0123456789abcdef0123456789abcdef' }).success).toBe(true);
    expect(adoptedTaskInputSchema.safeParse({ ...valid, taskArn: 'arn:aws-cn:ecs:cn-north-1:123456789012:task/prod/abc' }).success).toBe(true);
  });

  it.each(['0123456789abcdef0123456789abcdef', 'arn:aws:ecs:us-east-1:123456789012:cluster/prod', 'arn:aws:ec2:us-east-1:123456789012:task/prod/abc', ''])(
    'rejects %j, saying what a task ARN looks like',
    (taskArn) => {
      expect(issues(adoptedTaskInputSchema.safeParse({ ...valid, taskArn }))).toEqual(['taskArn: taskArn must be an ECS task ARN (arn:aws:ecs:<region>:<account>:task/...)']);
    },
  );
});

describe('task ARNs', () => {
  it('reads the cluster from a new-format ARN, and none from a legacy one', () => {
    expect(clusterOfTaskArn(ARN)).toBe('prod');
    expect(clusterOfTaskArn('arn:aws:ecs:us-east-1:123456789012:task/0123456789abcdef0123456789abcdef')).toBeUndefined();
  });

  it('takes the task ID from a new-format ARN, a legacy ARN, or an ID', () => {
    const id = '0123456789abcdef0123456789abcdef';
    expect(taskIdOf(ARN)).toBe(id);
    expect(taskIdOf(`arn:aws:ecs:us-east-1:123456789012:task/${id}`)).toBe(id);
    expect(taskIdOf(id)).toBe(id);
  });
});
