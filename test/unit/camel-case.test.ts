import { camelCaseKeys, snakeToCamel } from '../../src/rules/camel-case';
import { deepFreeze } from './deep-freeze';

describe('snakeToCamel', () => {
  // Expected values are what Airflow's inflection.camelize(key, uppercase_first_letter=False) returns.
  it.each([
    ['task_definition', 'taskDefinition'],
    ['enable_ecs_managed_tags', 'enableEcsManagedTags'],
    ['taskDefinition', 'taskDefinition'],
    ['cluster', 'cluster'],
    ['StartedBy', 'startedBy'],
    ['PlatformVersion', 'platformVersion'],
    ['Tags', 'tags'],
    ['NetworkConfiguration', 'networkConfiguration'],
    ['EnableECSManagedTags', 'enableECSManagedTags'],
    ['enableECSManagedTags', 'enableECSManagedTags'],
    ['ABC', 'aBC'],
    ['a__b', 'a_b'],
    ['_private__key', '_private_key'],
    ['', ''],
  ])('turns %p into %p, as Airflow does', (key, expected) => {
    expect(snakeToCamel(key)).toBe(expected);
  });
});

describe('camelCaseKeys', () => {
  it('converts keys in nested objects and in objects inside lists', () => {
    expect(camelCaseKeys({ a_b: { c_d: [{ e_f: 1 }, 'g_h'] } })).toEqual({ aB: { cD: [{ eF: 1 }, 'g_h'] } });
  });

  it('lower-cases the first letter of capitalised keys, leaving tag contents as given (issue 9, item 12)', () => {
    expect(camelCaseKeys({ StartedBy: 'me', Tags: [{ Key: 'A_B', Value: 'x' }], Overrides: { ContainerOverrides: [{ Name: 'base' }] } })).toEqual({
      startedBy: 'me',
      tags: [{ Key: 'A_B', Value: 'x' }],
      overrides: { containerOverrides: [{ name: 'base' }] },
    });
  });

  it('leaves values alone: only keys are converted', () => {
    expect(camelCaseKeys({ launch_type: 'SOME_VALUE' })).toEqual({ launchType: 'SOME_VALUE' });
  });

  it('leaves everything inside tags as given, whatever the case of "tags"', () => {
    const value = { tags: [{ key: 'a_b', my_field: 1 }], nested_thing: { TAGS: { p_q: 2 } } };
    expect(camelCaseKeys(value)).toEqual({ tags: [{ key: 'a_b', my_field: 1 }], nestedThing: { tAGS: { p_q: 2 } } });
    expect(camelCaseKeys({ Tags: { x_y: 1 } })).toEqual({ tags: { x_y: 1 } });
  });

  it('rejects "tags" and "Tags" together: both are the RunTask field "tags"', () => {
    expect(() => camelCaseKeys({ tags: [], Tags: [] })).toThrow('the top level sets both "tags" and "Tags", which mean the same RunTask field "tags": keep one');
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
