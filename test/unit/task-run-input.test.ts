import { InvalidExecutorConfigError, InvalidTaskCommandError } from '../../src/errors';
import { buildTaskRunInput, validateExecutorConfig, validateTaskCommand } from '../../src/rules/task-run-input';
import type { JsonObject } from '../../src/types';
import { deepFreeze } from './deep-freeze';

const MARKER = { name: 'AIRFLOW_IS_EXECUTOR_CONTAINER', value: 'true' };
const COMMAND = ['python', '-m', 'airflow.sdk.execution_time.execute_workload', '--json-string', '{"type":"ExecuteTask"}'];

/** A template as buildRunTaskTemplate makes it, frozen so any mutation throws. */
function template(extra: JsonObject = {}): JsonObject {
  return deepFreeze({
    cluster: 'airflow',
    taskDefinition: 'airflow-task:3',
    launchType: 'FARGATE',
    count: 1,
    overrides: { containerOverrides: [{ name: 'base', command: [] }] },
    ...extra,
  });
}

const containerOverrides = (input: JsonObject) => (input.overrides as { containerOverrides: JsonObject[] }).containerOverrides;
const baseContainer = (input: JsonObject) => containerOverrides(input).find((c) => c.name === 'base');

describe('buildTaskRunInput', () => {
  it('sets the command on the Airflow container override', () => {
    expect(baseContainer(buildTaskRunInput(template(), { containerName: 'base', command: COMMAND }))?.command).toEqual(COMMAND);
  });

  it('finds the Airflow container by name, wherever it is in the list', () => {
    const t = template({ overrides: { containerOverrides: [{ name: 'sidecar', cpu: 64 }, { name: 'base', command: [] }] } });
    const input = buildTaskRunInput(t, { containerName: 'base', command: COMMAND });
    expect(containerOverrides(input)).toEqual([
      { name: 'sidecar', cpu: 64 },
      { name: 'base', command: COMMAND, environment: [MARKER] },
    ]);
  });

  it('adds AIRFLOW_IS_EXECUTOR_CONTAINER=true to the container environment', () => {
    expect(baseContainer(buildTaskRunInput(template(), { containerName: 'base', command: COMMAND }))?.environment).toEqual([MARKER]);
  });

  it('keeps the environment entries already there, adding the marker after them', () => {
    const t = template({ overrides: { containerOverrides: [{ name: 'base', command: [], environment: [{ name: 'A', value: '1' }] }] } });
    expect(baseContainer(buildTaskRunInput(t, { containerName: 'base', command: COMMAND }))?.environment).toEqual([{ name: 'A', value: '1' }, MARKER]);
  });

  it('adds the marker exactly once when called twice on the same template', () => {
    const t = template();
    buildTaskRunInput(t, { containerName: 'base', command: COMMAND });
    const second = buildTaskRunInput(t, { containerName: 'base', command: COMMAND });
    expect(baseContainer(second)?.environment).toEqual([MARKER]);
  });

  it('adds the marker exactly once when its input already carries it (a previous result passed back in)', () => {
    const first = buildTaskRunInput(template(), { containerName: 'base', command: COMMAND });
    const again = buildTaskRunInput(deepFreeze(first), { containerName: 'base', command: COMMAND });
    expect(baseContainer(again)?.environment).toEqual([MARKER]);
  });

  it('returns a deep copy: the frozen template is untouched and shares nothing with the result', () => {
    const t = template();
    const snapshot = JSON.stringify(t);
    const input = buildTaskRunInput(t, { containerName: 'base', command: COMMAND });
    expect(input.overrides).not.toBe(t.overrides);
    expect(JSON.stringify(t)).toBe(snapshot);
  });

  it("copies the command, so changing the caller's list later does not change the input", () => {
    const command = [...COMMAND];
    const input = buildTaskRunInput(template(), { containerName: 'base', command });
    command.push('--extra');
    expect(baseContainer(input)?.command).toEqual(COMMAND);
  });

  describe('executor_config merge', () => {
    it('merges nested objects recursively (a new key in overrides keeps containerOverrides)', () => {
      const input = buildTaskRunInput(template(), { containerName: 'base', command: COMMAND, executorConfig: { overrides: { taskRoleArn: 'arn:role' } } });
      expect(input.overrides).toEqual({ taskRoleArn: 'arn:role', containerOverrides: [{ name: 'base', command: COMMAND, environment: [MARKER] }] });
    });

    it('replaces scalars', () => {
      const input = buildTaskRunInput(template(), { containerName: 'base', command: COMMAND, executorConfig: { launchType: 'EC2', count: 1 } });
      expect(input.launchType).toBe('EC2');
    });

    it('adds top-level keys the template does not have', () => {
      const input = buildTaskRunInput(template(), { containerName: 'base', command: COMMAND, executorConfig: { startedBy: 'dag-x' } });
      expect(input.startedBy).toBe('dag-x');
    });

    it('replaces lists instead of merging them', () => {
      const t = template({ tags: [{ key: 'a', value: '1' }] });
      const input = buildTaskRunInput(t, { containerName: 'base', command: COMMAND, executorConfig: { tags: [{ key: 'b', value: '2' }] } });
      expect(input.tags).toEqual([{ key: 'b', value: '2' }]);
    });

    it("removes a template value set to null, e.g. to use a capacity provider strategy over the template's launch type", () => {
      const t = template({ platformVersion: 'LATEST', networkConfiguration: { awsvpcConfiguration: { subnets: ['s'] } } });
      const executorConfig = { launchType: null, platformVersion: null, networkConfiguration: null, capacityProviderStrategy: [{ capacityProvider: 'cp' }] };
      const input = buildTaskRunInput(t, { containerName: 'base', command: COMMAND, executorConfig });
      expect(input).not.toHaveProperty('launchType');
      expect(input).not.toHaveProperty('platformVersion');
      expect(input).not.toHaveProperty('networkConfiguration');
      expect(input.capacityProviderStrategy).toEqual([{ capacityProvider: 'cp' }]);
    });

    it('removes a nested value set to null and keeps its siblings', () => {
      const t = template({ networkConfiguration: { awsvpcConfiguration: { subnets: ['s'], assignPublicIp: 'ENABLED' } } });
      const executorConfig = { networkConfiguration: { awsvpcConfiguration: { assignPublicIp: null } } };
      expect(buildTaskRunInput(t, { containerName: 'base', command: COMMAND, executorConfig }).networkConfiguration).toEqual({ awsvpcConfiguration: { subnets: ['s'] } });
    });

    it('rejects executor_config setting a capacity provider strategy over a template with a launch type, saying how to unset it', () => {
      const run = () => buildTaskRunInput(template(), { containerName: 'base', command: COMMAND, executorConfig: { capacityProviderStrategy: [{ capacityProvider: 'cp' }] } });
      expect(run).toThrow(InvalidExecutorConfigError);
      expect(run).toThrow(/launchType \("FARGATE"\) and capacityProviderStrategy are both set.*set the other to null in executor_config/);
    });

    it('rejects {"count": 3} instead of launching three ECS tasks (issue 9, item 6)', () => {
      const run = () => buildTaskRunInput(template(), { containerName: 'base', command: COMMAND, executorConfig: { count: 3 } });
      expect(run).toThrow(InvalidExecutorConfigError);
      expect(run).toThrow('count: 3, but one Airflow task runs as exactly one ECS task: count must be 1 (or left out)');
    });

    it('asks ECS for one task whatever was merged', () => {
      expect(buildTaskRunInput(template(), { containerName: 'base', command: COMMAND, executorConfig: { count: null } }).count).toBe(1);
    });

    it('rejects an unknown key, naming its full path and the key it most likely meant (issue 9, item 13)', () => {
      const executorConfig = { overrides: { containerOverrides: [{ name: 'base', memmory: 4096 }] } };
      const run = () => buildTaskRunInput(template(), { containerName: 'base', command: COMMAND, executorConfig });
      expect(run).toThrow(InvalidExecutorConfigError);
      expect(run).toThrow('overrides.containerOverrides[0].memmory: unknown key (did you mean "memory"?)');
    });

    it('uses the container override from executor_config when its list names the Airflow container', () => {
      const executorConfig = { overrides: { containerOverrides: [{ name: 'base', memory: 4096 }] } };
      const input = buildTaskRunInput(template(), { containerName: 'base', command: COMMAND, executorConfig });
      expect(containerOverrides(input)).toEqual([{ name: 'base', memory: 4096, command: COMMAND, environment: [MARKER] }]);
    });

    it('explains that executor_config replaced the list when it leaves the Airflow container out', () => {
      const executorConfig = { overrides: { containerOverrides: [{ memory: 4096 }] } };
      const run = () => buildTaskRunInput(template(), { containerName: 'base', command: COMMAND, executorConfig });
      expect(run).toThrow(InvalidExecutorConfigError);
      expect(run).toThrow(/No container override named "base" in overrides\.containerOverrides/);
      expect(run).toThrow(/A list in executor_config replaces the template's list.*include \{"name": "base", \.\.\.\} in it/);
    });

    it('never mutates a frozen executor_config, and shares no objects with it', () => {
      const executorConfig = deepFreeze({ overrides: { containerOverrides: [{ name: 'base', environment: [{ name: 'A', value: '1' }] }] } });
      const input = buildTaskRunInput(template(), { containerName: 'base', command: COMMAND, executorConfig });
      expect(executorConfig.overrides.containerOverrides[0]?.environment).toEqual([{ name: 'A', value: '1' }]);
      expect(baseContainer(input)).not.toBe(executorConfig.overrides.containerOverrides[0]);
    });

    it('rejects an executor_config that sets "name"', () => {
      const run = () => buildTaskRunInput(template(), { containerName: 'base', command: COMMAND, executorConfig: { name: 'x' } });
      expect(run).toThrow('Executor Config should never override "name" or "command"');
    });

    it('rejects an executor_config that is not a JSON object, as given by a caller', () => {
      const run = () => buildTaskRunInput(template(), { containerName: 'base', command: COMMAND, executorConfig: ['overrides'] });
      expect(run).toThrow(InvalidExecutorConfigError);
      expect(run).toThrow(/must be a JSON object of RunTask arguments/);
    });
  });

  it('fails clearly for a template without the Airflow container override', () => {
    const t = template({ overrides: {} });
    expect(() => buildTaskRunInput(t, { containerName: 'base', command: COMMAND })).toThrow(/No container override named "base"/);
  });

  it('rejects an environment that is not a list, naming its kind (never its values: they may be secrets)', () => {
    const t = template({ overrides: { containerOverrides: [{ name: 'base', command: [], environment: { A: '1' } }] } });
    expect(() => buildTaskRunInput(t, { containerName: 'base', command: COMMAND })).toThrow(
      'The "base" container override has environment=an object: expected a list of {"name", "value"} objects',
    );
  });

  describe("ECS's 8,192-character limit on overrides (issue 9, item 13)", () => {
    it('rejects a command that makes overrides too long before any RunTask, saying how long and what to do', () => {
      const run = () => buildTaskRunInput(template(), { containerName: 'base', command: ['python', 'x'.repeat(9_300)] });
      expect(run).toThrow(InvalidTaskCommandError);
      expect(run).toThrow(
        /overrides: 9,4\d\d characters as JSON, over ECS's limit of 8,192; the command of container "base" is 9,3\d\d of them: pass large data through XCom or a file, not the command/,
      );
    });

    it('blames executor_config when its environment is what takes the room', () => {
      const executorConfig = { overrides: { containerOverrides: [{ name: 'base', environment: [{ name: 'BIG', value: 'v'.repeat(9_000) }] }] } };
      const run = () => buildTaskRunInput(template(), { containerName: 'base', command: COMMAND, executorConfig });
      expect(run).toThrow(InvalidExecutorConfigError);
      expect(run).toThrow(/the environment of container "base" is 9,\d{3} of them/);
    });
  });

  it.each([
    ['an empty list', []],
    ['a list with a non-string', ['python', 3]],
    ['a string', 'python -m airflow'],
  ])('rejects a command that is %s', (_label, command) => {
    const run = () => buildTaskRunInput(template(), { containerName: 'base', command: command as string[] });
    expect(run).toThrow(InvalidTaskCommandError);
    expect(run).toThrow(/The task command must be a non-empty list of strings, got /);
  });
});

describe('validateTaskCommand', () => {
  it('returns a copy of a good command', () => {
    const command = ['python', '-c', 'print(1)'];
    expect(validateTaskCommand(command)).toEqual(command);
    expect(validateTaskCommand(command)).not.toBe(command);
  });

  it('rejects a command with a NUL byte, saying where, instead of failing three times at ECS (issue 9, item 11)', () => {
    const run = () => validateTaskCommand(['python', '-c', 'print(1)\u0000'] as unknown);
    expect(run).toThrow(InvalidTaskCommandError);
    expect(run).toThrow(
      'Part 3 of 3 of the task command contains a NUL byte (\\0) at character 9 (a string of 9 characters): no process can receive an argument with one; remove it from the command',
    );
  });

  it('is what buildTaskRunInput checks the command with', () => {
    expect(() => buildTaskRunInput(template(), { containerName: 'base', command: ['a\u0000'] })).toThrow(/contains a NUL byte/);
  });
});

describe('validateExecutorConfig', () => {
  it('returns a valid executor_config as it is', () => {
    const config = { overrides: { containerOverrides: [{ name: 'base', cpu: 512 }] } };
    expect(validateExecutorConfig(config)).toBe(config);
  });

  it.each([undefined, null])('treats %p as no executor_config ({})', (value) => {
    expect(validateExecutorConfig(value)).toEqual({});
  });

  it.each([
    ['a list', [1], '[1]'],
    ['a string', 'cpu=1', '"cpu=1"'],
    ['a number', 5, '5'],
  ])('rejects %s, showing the value', (_label, value, shown) => {
    expect(() => validateExecutorConfig(value)).toThrow(
      `executor_config must be a JSON object of RunTask arguments (e.g. {"overrides": {...}}), got ${shown}`,
    );
  });

  it('rejects a top-level "name" with Airflow\'s message and what to do', () => {
    expect(() => validateExecutorConfig({ name: 'x' })).toThrow(
      'Executor Config should never override "name" or "command": this executor_config sets "name". ' +
        'The executor sets the container name (the container_name setting) and the task command itself; remove these keys.',
    );
  });

  it('rejects a top-level "command"', () => {
    expect(() => validateExecutorConfig({ command: ['x'] })).toThrow(/this executor_config sets "command"/);
  });

  it('names both when "name" and "command" are set', () => {
    expect(() => validateExecutorConfig({ name: 'x', command: [] })).toThrow(/sets "name" and "command"/);
  });

  it.each([
    ['a Date', { startedAt: new Date(0) }, 'startedAt is a Date, not a plain object'],
    ['NaN', { overrides: { cpu: Number.NaN } }, 'overrides.cpu is NaN'],
    ['a function', { tags: [() => 1] }, 'tags[0] is a function'],
    ['undefined', { startedBy: undefined }, 'startedBy is undefined'],
  ])('rejects %s anywhere inside, naming where', (_label, value, where) => {
    expect(() => validateExecutorConfig(value)).toThrow(`executor_config must be plain JSON, but ${where}`);
  });

  it.each([
    ['count other than 1', { count: 3 }, 'count: 3, but one Airflow task runs as exactly one ECS task: count must be 1 (or left out)'],
    ['a capitalised key (executor_config is not camel-cased, as in Airflow)', { StartedBy: 'me' }, 'StartedBy: unknown key (did you mean "startedBy"?)'],
    ['a typo deep inside', { overrides: { containerOverrides: [{ name: 'base', memmory: 1 }] } }, 'overrides.containerOverrides[0].memmory: unknown key (did you mean "memory"?)'],
    ['a value of the wrong type', { overrides: { memory: 4096 } }, 'overrides.memory: expected a string, got 4096'],
    ['a launch type ECS does not know', { launchType: 'fargate' }, 'launchType: expected one of "EC2", "EXTERNAL", "FARGATE", "MANAGED_INSTANCES", got "fargate"'],
    ['a clientToken', { clientToken: 't' }, 'clientToken: the executor sets it (one token per launch attempt, so a retried RunTask never starts a second task); remove it'],
    ['an incomplete list item (lists replace the template\'s)', { capacityProviderStrategy: [{ weight: 1 }] }, 'capacityProviderStrategy[0].capacityProvider: missing (expected a string)'],
  ])('rejects %s at submit, without the template', (_label, value, problem) => {
    expect(() => validateExecutorConfig(value)).toThrow(`Invalid executor_config (1 problem):\n  - ${problem}`);
  });

  it('accepts a partial object (it merges with the template) and null (it unsets a template value)', () => {
    const config = { networkConfiguration: { awsvpcConfiguration: { assignPublicIp: 'ENABLED' } }, launchType: null, count: 1 };
    expect(validateExecutorConfig(config)).toBe(config);
  });

  it('lists every problem at once, Airflow\'s "name"/"command" rule included', () => {
    expect(() => validateExecutorConfig({ name: 'x', count: 2, memmory: 1 })).toThrow(/^Invalid executor_config \(3 problems\):/);
  });

  it('rejects executor_config nested 20,000 levels deep with a clear message, not "Maximum call stack size exceeded" (issue 9, item 11)', () => {
    let deep: unknown = {};
    for (let i = 0; i < 20_000; i++) deep = { overrides: deep };
    expect(() => validateExecutorConfig(deep)).toThrow(
      'executor_config is nested too deeply, at overrides.overrides.overrides.overrides.overrides.overrides... (more than 32 levels of objects and lists); ' +
        'a RunTask input is never deeper than 8 levels',
    );
  });

  it('rejects a list nested 20,000 levels deep the same way', () => {
    let deep: unknown = [];
    for (let i = 0; i < 20_000; i++) deep = [deep];
    expect(() => validateExecutorConfig(deep)).toThrow(/executor_config is nested too deeply, at \[0\]\[0\]/);
  });

  it('throws InvalidExecutorConfigError, named InvalidExecutorConfig', () => {
    expect(() => validateExecutorConfig({ name: 'x' })).toThrow(expect.objectContaining({ name: 'InvalidExecutorConfig' }));
    expect(() => validateExecutorConfig({ name: 'x' })).toThrow(InvalidExecutorConfigError);
  });
});
