import { camelCaseKeys, snakeToCamel } from '../../src/rules/camel-case';
import { deepFreeze } from './deep-freeze';

describe('snakeToCamel', () => {
  it.each([
    ['task_definition', 'taskDefinition'],
    ['enable_ecs_managed_tags', 'enableEcsManagedTags'],
    ['taskDefinition', 'taskDefinition'],
    ['cluster', 'cluster'],
    ['_private__key', 'privateKey'],
  ])('turns %p into %p', (key, expected) => {
    expect(snakeToCamel(key)).toBe(expected);
  });
});

describe('camelCaseKeys', () => {
  it('converts keys in nested objects and in objects inside lists', () => {
    expect(camelCaseKeys({ a_b: { c_d: [{ e_f: 1 }, 'g_h'] } })).toEqual({ aB: { cD: [{ eF: 1 }, 'g_h'] } });
  });

  it('leaves values alone: only keys are converted', () => {
    expect(camelCaseKeys({ launch_type: 'SOME_VALUE' })).toEqual({ launchType: 'SOME_VALUE' });
  });

  it('leaves everything inside tags as given, whatever the case of "tags"', () => {
    const value = { tags: [{ key: 'a_b', my_field: 1 }], Tags: { x_y: 1 }, nested_thing: { tags: { p_q: 2 } } };
    expect(camelCaseKeys(value)).toEqual({ tags: [{ key: 'a_b', my_field: 1 }], Tags: { x_y: 1 }, nestedThing: { tags: { p_q: 2 } } });
  });

  it('rejects two spellings of one key, saying where', () => {
    expect(() => camelCaseKeys({ overrides: { container_overrides: [], containerOverrides: [] } })).toThrow(
      'overrides sets both "container_overrides" and "containerOverrides", which mean the same RunTask field "containerOverrides": keep one',
    );
  });

  it('returns new objects and never mutates its input', () => {
    const input = deepFreeze({ a_b: { tags: [{ k: 1 }] } });
    const output = camelCaseKeys(input);
    expect((output.aB as { tags: unknown[] }).tags[0]).not.toBe(input.a_b.tags[0]);
  });
});
