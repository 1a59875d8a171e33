import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { contractFiles } from '../../src/contract/generate';

/**
 * contract/*.json is what the Python package is tested against; it is generated from the zod
 * schemas and ID functions in src/contract/. This fails when someone changed the sources and did
 * not regenerate, so the two clients can never drift apart unnoticed.
 */
const contractDir = path.resolve(__dirname, '..', '..', 'contract');
const REGENERATE = 'regenerate with `npx ts-node --transpile-only scripts/generate-contract.ts` and commit the result';

describe('contract/ (generated files)', () => {
  const expected = contractFiles();

  it('generates the input schemas, the names and the workflow ID vectors', () => {
    expect(Object.keys(expected)).toEqual(expect.arrayContaining(['task-workflow-input.schema.json', 'adopted-task-input.schema.json', 'names.json', 'workflow-id-vectors.json']));
  });

  it('contract/ holds no JSON file the sources no longer generate (a leftover the Python package would still read)', () => {
    // The codec vectors are written by their own test (test/unit/codec-vectors.test.ts).
    const others = new Set(['codec-vectors.json']);
    const leftovers = readdirSync(contractDir).filter((name) => name.endsWith('.json') && !others.has(name) && !(name in expected));
    expect(leftovers).toEqual([]);
  });

  it.each(Object.keys(contractFiles()))('contract/%s is what the sources generate', (name) => {
    const committed = readFileSync(path.join(contractDir, name), 'utf8');
    if (committed !== expected[name]) throw new Error(`contract/${name} is stale: it differs from what src/contract/ generates; ${REGENERATE}`);
    expect(committed).toBe(expected[name]);
  });

  it('every generated file is valid JSON ending with a newline (stable diffs)', () => {
    for (const [name, content] of Object.entries(expected)) {
      expect(content.endsWith('}\n')).toBe(true);
      expect(() => JSON.parse(content) as unknown).not.toThrow();
      expect(readdirSync(contractDir)).toContain(name);
    }
  });

  it('is deterministic: two generations are identical', () => {
    expect(contractFiles()).toEqual(expected);
  });

  it('names.json names what both clients need', () => {
    const names = JSON.parse(expected['names.json']!) as Record<string, Record<string, unknown>>;
    expect(names.workflowTypes).toEqual({
      task: 'airflowTaskWorkflow',
      adoptedTask: 'ecsTaskWorkflow',
      observer: 'ecsObserverWorkflow',
      probe: 'executorProbeWorkflow',
      lookup: 'ecsLookupWorkflow',
    });
    expect(names.signals).toEqual({ terminate: 'terminate', ecsObservation: 'ecsObservation' });
    expect(names.queries).toEqual({ status: 'status' });
    expect(names.searchAttributes).toMatchObject({ AirflowState: 'KEYWORD', AirflowStateChangedAt: 'DATETIME', EcsTaskArns: 'KEYWORD_LIST', AirflowTryNumber: 'INT' });
    expect(names.workflowIdPrefixes).toEqual({ task: 'airflow-task/', callback: 'airflow-callback/', adopted: 'ecs-task/', observer: 'ecs-observer/', probe: 'ecs-executor-probe/', lookup: 'ecs-lookup/' });
    expect(names.failureTypes).toMatchObject({ AirflowTaskFailed: 'AirflowTaskFailed', EcsLaunchFailed: 'EcsLaunchFailed' });
  });

  it('the task input schema carries the key rules to Python as JSON Schema (patterns, lengths, no extra keys)', () => {
    const schema = JSON.parse(expected['task-workflow-input.schema.json']!) as {
      properties: { key: { anyOf: { properties: Record<string, { pattern?: string; maxLength?: number }>; additionalProperties: boolean }[] }; command: { items: { pattern: string } } };
      additionalProperties: boolean;
    };
    const [taskKey, callbackKey] = schema.properties.key.anyOf;
    for (const part of ['dagId', 'taskId', 'runId']) {
      expect(taskKey!.properties[part]).toMatchObject({ maxLength: 250, pattern: '^[^\\u0000-\\u001f\\u007f]*$' });
    }
    expect(taskKey!.additionalProperties).toBe(false);
    expect(callbackKey!.additionalProperties).toBe(false);
    expect(schema.properties.command.items.pattern).toBe('^[^\\u0000]*$');
    expect(schema.additionalProperties).toBe(false);
    // The pattern as JSON Schema states it rejects what the zod schema rejects.
    const noControl = new RegExp(taskKey!.properties.dagId!.pattern!, 'u');
    expect(noControl.test('manual__2026-12-01T08:05:30+00:00 é')).toBe(true);
    for (const bad of ['a\u0000b', 'a\nb', 'a\tb', 'a\u007fb']) expect(noControl.test(bad)).toBe(false);
  });
});
