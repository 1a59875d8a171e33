import * as ecs from '@aws-sdk/client-ecs';
import type { RunTaskCommandInput } from '@aws-sdk/client-ecs';
import { z } from 'zod';
import { ConfigError, InvalidExecutorConfigError } from '../../src/errors';
import {
  ECS_ENUMS,
  MAX_OVERRIDES_CHARACTERS,
  overridesSizeProblem,
  runTaskInputProblems,
  runTaskInputSchema,
  runTaskJsonSchema,
  runTaskOverlayProblems,
  validateRunTaskInput,
  type RunTaskInput,
} from '../../src/rules/run-task-shape';

// Compile-time: what the schema accepts can be handed to the SDK's RunTaskCommand as it is.
const acceptedBySdk = (input: RunTaskInput): RunTaskCommandInput => input;

const VALID = { taskDefinition: 'airflow:1', cluster: 'c', count: 1, overrides: { containerOverrides: [{ name: 'base', command: ['echo'] }] } };

/** A structure as a comparable tree: member name -> { required, type }. */
type Shape = string | { list: Shape } | { members: Record<string, { required: boolean; type: Shape }> };

// ---- the SDK's own schema (dist-es/schemas/schemas_0.js): [3, ns, name, traits, memberNames, memberSchemas, requiredCount] ----
type SdkSchema = unknown;
const resolve = (s: SdkSchema): SdkSchema => (typeof s === 'function' ? (s as () => SdkSchema)() : s);
const member = (s: SdkSchema): SdkSchema =>
  Array.isArray(s) && s.length === 2 && (typeof s[0] === 'function' || typeof s[0] === 'number') ? resolve(s[0]) : resolve(s);

function sdkShape(raw: SdkSchema): Shape {
  const s = resolve(raw);
  if (typeof s === 'number') {
    if (s & 64) return { list: sdkShape(s & 63) };
    return ({ 0: 'string', 1: 'number', 2: 'boolean' } as Record<number, string>)[s] ?? `sdk-simple-${s}`;
  }
  if (!Array.isArray(s)) throw new Error(`unexpected SDK schema ${String(s)}`);
  const kind = s[0] as number;
  if (kind === 0) return sdkShape(s[4]);
  if (kind === 1) return { list: sdkShape(member(s[4])) };
  if (kind === 3 || kind === 4) {
    const names = s[4] as string[];
    const schemas = s[5] as SdkSchema[];
    // A structure's first N members are required; a union with one member must set it.
    const requiredCount = kind === 3 ? ((s[6] as number | undefined) ?? 0) : names.length === 1 ? 1 : 0;
    return { members: Object.fromEntries(names.map((name, i) => [name, { required: i < requiredCount, type: sdkShape(member(schemas[i])) }])) };
  }
  throw new Error(`unexpected SDK schema kind ${kind}`);
}

function zodShape(schema: z.ZodType): Shape {
  if (schema instanceof z.ZodObject) {
    const members = Object.entries(schema.shape as Record<string, z.ZodType>).map(([name, m]) => {
      const required = !(m instanceof z.ZodOptional);
      return [name, { required, type: zodShape(required ? m : (m.unwrap() as z.ZodType)) }];
    });
    return { members: Object.fromEntries(members) };
  }
  if (schema instanceof z.ZodArray) return { list: zodShape(schema.element as z.ZodType) };
  if (schema instanceof z.ZodString || schema instanceof z.ZodEnum) return 'string';
  if (schema instanceof z.ZodNumber || schema instanceof z.ZodLiteral) return 'number';
  if (schema instanceof z.ZodBoolean) return 'boolean';
  throw new Error(`unexpected zod schema ${schema.constructor.name}`);
}

function problems(run: () => unknown): string[] {
  try {
    run();
  } catch (err) {
    return (err as Error).message.split('\n').slice(1).map((line) => line.replace(/^ {2}- /, ''));
  }
  throw new Error('expected an error, but nothing was thrown');
}

describe('runTaskInputSchema', () => {
  it("has every member and nested member of the SDK's RunTaskRequest, with its type and whether it is required", () => {
    expect(zodShape(runTaskInputSchema)).toEqual(sdkShape(ecs.RunTaskRequest$));
  });

  it.each(Object.entries(ECS_ENUMS))("lists the values of the SDK's %s enum", (name, values) => {
    expect([...values].sort()).toEqual(Object.values((ecs as unknown as Record<string, Record<string, string>>)[name] ?? {}).sort());
  });

  it('accepts every launch type ECS accepts, EXTERNAL and MANAGED_INSTANCES included', () => {
    for (const launchType of ['EC2', 'FARGATE', 'EXTERNAL', 'MANAGED_INSTANCES']) {
      expect(runTaskInputProblems({ ...VALID, launchType })).toEqual([]);
    }
  });

  it('accepts a full input and hands it to the SDK unchanged', () => {
    const input = validateRunTaskInput({
      ...VALID,
      networkConfiguration: { awsvpcConfiguration: { subnets: ['s'], securityGroups: ['g'], assignPublicIp: 'ENABLED' } },
      tags: [{ key: 'team', value: 'data' }],
      volumeConfigurations: [
        { name: 'v', managedEBSVolume: { roleArn: 'arn:r', tagSpecifications: [{ resourceType: 'volume', tags: [{ key: 'k' }] }], terminationPolicy: { deleteOnTermination: true } } },
      ],
    });
    expect(acceptedBySdk(input).volumeConfigurations?.[0]?.managedEBSVolume?.roleArn).toBe('arn:r');
  });
});

describe('unknown keys, named with their full path', () => {
  it.each([
    ['a typo in a container override', { overrides: { containerOverrides: [{ name: 'base', memmory: 512 }] } }, 'overrides.containerOverrides[0].memmory: unknown key (did you mean "memory"?)'],
    ["boto3's capitalised spelling", { StartedBy: 'me' }, 'StartedBy: unknown key (did you mean "startedBy"?)'],
    ['the wrong case', { startedby: 'me' }, 'startedby: unknown key (did you mean "startedBy"?)'],
    ['an acronym in another case', { enableEcsManagedTags: true }, 'enableEcsManagedTags: unknown key (did you mean "enableECSManagedTags"?)'],
    [
      'a singular for a plural',
      { networkConfiguration: { awsvpcConfiguration: { subnets: ['s'], securityGroup: ['g'] } } },
      'networkConfiguration.awsvpcConfiguration.securityGroup: unknown key (did you mean "securityGroups"?)',
    ],
    ['a key in a list of lists', { volumeConfigurations: [{ name: 'v', managedEbsVolume: {} }] }, 'volumeConfigurations[0].managedEbsVolume: unknown key (did you mean "managedEBSVolume"?)'],
  ])('%s', (_label, overlay, expected) => {
    expect(runTaskInputProblems({ ...VALID, ...overlay })).toEqual([expected]);
  });

  it('lists what the place accepts when nothing is close', () => {
    expect(runTaskInputProblems({ ...VALID, networkConfiguration: { zzz: 1 } })).toEqual(['networkConfiguration.zzz: unknown key (expected one of "awsvpcConfiguration")']);
  });
});

describe('ill-typed values, named with their full path', () => {
  it.each([
    ['a container cpu as a string', { overrides: { containerOverrides: [{ cpu: '512' }] } }, 'overrides.containerOverrides[0].cpu: expected a number, got a string of 3 characters'],
    ['a fractional container memory', { overrides: { containerOverrides: [{ memory: 1.5 }] } }, 'overrides.containerOverrides[0].memory: expected a whole number, got 1.5'],
    ['a task memory as a number (ECS wants a string there)', { overrides: { memory: 4096 } }, 'overrides.memory: expected a string, got 4096'],
    ['a launch type in the wrong case', { launchType: 'fargate' }, 'launchType: expected one of "EC2", "EXTERNAL", "FARGATE", "MANAGED_INSTANCES", got "fargate"'],
    ['tags as an object', { tags: { team: 'data' } }, 'tags: expected a list, got {"team":"data"}'],
    ['a weight over 1,000', { capacityProviderStrategy: [{ capacityProvider: 'cp', weight: 2000 }] }, 'capacityProviderStrategy[0].weight: expected at most 1000, got 2000'],
    ['a boolean as a string', { enableExecuteCommand: 'true' }, 'enableExecuteCommand: expected true or false, got "true"'],
    ['a required member of a list item left out', { capacityProviderStrategy: [{ weight: 1 }] }, 'capacityProviderStrategy[0].capacityProvider: missing (expected a string)'],
  ])('%s', (_label, overlay, expected) => {
    expect(runTaskInputProblems({ ...VALID, ...overlay })).toEqual([expected]);
  });

  it('requires taskDefinition in a final input', () => {
    expect(runTaskInputProblems({ cluster: 'c' })).toEqual(['taskDefinition: missing (expected a string)']);
  });

  it('lists every problem, not only the first', () => {
    expect(runTaskInputProblems({ ...VALID, launchType: 'x', tags: 1, StartedBy: 'me' })).toHaveLength(3);
  });
});

describe('count', () => {
  it.each([0, 3, 10])('rejects count %p: one Airflow task is one ECS task', (count) => {
    expect(runTaskInputProblems({ ...VALID, count })).toEqual([
      `count: ${count}, but one Airflow task runs as exactly one ECS task: count must be 1 (or left out)`,
    ]);
  });

  it('accepts count 1 or none', () => {
    expect(runTaskInputProblems({ ...VALID, count: 1 })).toEqual([]);
    expect(runTaskInputProblems({ taskDefinition: 'td' })).toEqual([]);
  });
});

describe("ECS's 8,192-character limit on overrides", () => {
  const withCommand = (length: number) => ({ containerOverrides: [{ name: 'base', command: ['python', 'x'.repeat(length)] }] });

  it('accepts overrides of exactly 8,192 characters as JSON', () => {
    const overrides = withCommand(MAX_OVERRIDES_CHARACTERS - JSON.stringify(withCommand(0)).length);
    expect(JSON.stringify(overrides)).toHaveLength(MAX_OVERRIDES_CHARACTERS);
    expect(overridesSizeProblem(overrides)).toBeUndefined();
  });

  it('rejects one character more, saying how long it is, what takes the room and what to do', () => {
    const overrides = withCommand(MAX_OVERRIDES_CHARACTERS - JSON.stringify(withCommand(0)).length + 1);
    expect(overridesSizeProblem(overrides)).toEqual({
      message:
        `overrides: 8,193 characters as JSON, over ECS's limit of 8,192; the command of container "base" is ${JSON.stringify(overrides.containerOverrides[0]?.command).length.toLocaleString('en-US')} of them: ` +
        'pass large data through XCom or a file, not the command',
      byCommand: true,
    });
  });

  it('names the environment when it is what takes the room', () => {
    const overrides = { containerOverrides: [{ name: 'base', command: ['a'], environment: [{ name: 'BIG', value: 'v'.repeat(9000) }] }] };
    const problem = overridesSizeProblem(overrides);
    expect(problem?.byCommand).toBe(false);
    expect(problem?.message).toMatch(/^overrides: 9,\d{3} characters as JSON, over ECS's limit of 8,192; the environment of container "base" is 9,\d{3} of them: move large values/);
  });

  it('is part of the problems of a final input', () => {
    expect(runTaskInputProblems({ ...VALID, overrides: withCommand(9000) })[0]).toMatch(/^overrides: 9,\d{3} characters as JSON/);
  });
});

describe('launchType and capacityProviderStrategy', () => {
  it('rejects both in a final input, saying how to unset one from executor_config', () => {
    expect(runTaskInputProblems({ ...VALID, launchType: 'FARGATE', capacityProviderStrategy: [{ capacityProvider: 'cp' }] })).toEqual([
      'launchType ("FARGATE") and capacityProviderStrategy are both set, but ECS accepts only one of them: ' +
        'when executor_config sets one over a template that has the other, set the other to null in executor_config',
    ]);
  });
});

describe('input that is not plain, shallow JSON', () => {
  it('rejects nesting 20,000 levels deep with a message, not a stack overflow', () => {
    let deep: unknown = {};
    for (let i = 0; i < 20_000; i++) deep = { overrides: deep };
    expect(runTaskInputProblems(deep)).toEqual([
      'nested too deeply at overrides.overrides.overrides.overrides.overrides.overrides... (more than 32 levels of objects and lists); a RunTask input is never deeper than 8 levels',
    ]);
  });

  it('rejects a value JSON would drop, naming where', () => {
    expect(runTaskInputProblems({ ...VALID, startedBy: undefined })).toEqual(['not plain JSON: startedBy is undefined']);
  });
});

describe('runTaskOverlayProblems (executor_config, run_task_kwargs: merged over an input)', () => {
  it('accepts partial objects: they merge with what is underneath', () => {
    expect(runTaskOverlayProblems({ networkConfiguration: { awsvpcConfiguration: { assignPublicIp: 'ENABLED' } }, overrides: { ephemeralStorage: {} } })).toEqual([]);
  });

  it('accepts null for any object member: it unsets the value underneath', () => {
    expect(runTaskOverlayProblems({ launchType: null, platformVersion: null, overrides: { cpu: null } })).toEqual([]);
  });

  it('requires complete list items: a list replaces the list underneath', () => {
    expect(runTaskOverlayProblems({ capacityProviderStrategy: [{ weight: 1 }] })).toEqual(['capacityProviderStrategy[0].capacityProvider: missing (expected a string)']);
  });

  it('does not require taskDefinition (the template has it)', () => {
    expect(runTaskOverlayProblems({ startedBy: 'x' })).toEqual([]);
  });

  it('rejects clientToken: the executor sets one per launch attempt', () => {
    expect(runTaskOverlayProblems({ clientToken: 'mine' })).toEqual([
      'clientToken: the executor sets it (one token per launch attempt, so a retried RunTask never starts a second task); remove it',
    ]);
  });

  it('rejects unknown keys and count != 1 as a final input does', () => {
    expect(runTaskOverlayProblems({ count: 3, overrides: { containerOverrides: [{ memmory: 1 }] } })).toEqual([
      'count: 3, but one Airflow task runs as exactly one ECS task: count must be 1 (or left out)',
      'overrides.containerOverrides[0].memmory: unknown key (did you mean "memory"?)',
    ]);
  });
});

describe('validateRunTaskInput', () => {
  it('throws InvalidExecutorConfigError by default, listing every problem', () => {
    const run = () => validateRunTaskInput({ ...VALID, count: 2, StartedBy: 'x' });
    expect(run).toThrow(InvalidExecutorConfigError);
    expect(problems(run)).toEqual([
      'count: 2, but one Airflow task runs as exactly one ECS task: count must be 1 (or left out)',
      'StartedBy: unknown key (did you mean "startedBy"?)',
    ]);
  });

  it('throws the error the caller makes (ConfigError for the template), with its problems', () => {
    const run = () => validateRunTaskInput({ cluster: 'c' }, { what: 'The template', error: (message, list) => new ConfigError(message, list) });
    expect(run).toThrow(ConfigError);
    expect(run).toThrow(/^The template is not a valid RunTask input \(1 problem\):/);
    try {
      run();
    } catch (err) {
      expect((err as ConfigError).problems).toEqual(['taskDefinition: missing (expected a string)']);
    }
  });
});

describe('runTaskJsonSchema (for the Python package)', () => {
  it('describes a final input: strict, taskDefinition required, count 1', () => {
    const schema = runTaskJsonSchema('input') as { properties: Record<string, { const?: number }>; required: string[]; additionalProperties: boolean };
    expect(schema.additionalProperties).toBe(false);
    expect(schema.required).toEqual(['taskDefinition']);
    expect(Object.keys(schema.properties).sort()).toEqual(Object.keys(runTaskInputSchema.shape).sort());
    expect(schema.properties.count?.const).toBe(1);
  });

  it('describes an overlay: strict, nothing required, null allowed at the top', () => {
    const schema = runTaskJsonSchema('overlay') as { properties: Record<string, unknown>; required?: string[]; additionalProperties: boolean };
    expect(schema.additionalProperties).toBe(false);
    expect(schema.required).toBeUndefined();
    expect(schema.properties.startedBy).toEqual({ anyOf: [{ type: 'string', maxLength: 128, pattern: '^[A-Za-z0-9_/-]*$' }, { type: 'null' }] });
    expect(schema.properties).not.toHaveProperty('clientToken');
  });
});
