import { closestName } from '../../src/rules/did-you-mean';

describe('closestName', () => {
  const members = ['memory', 'memoryReservation', 'startedBy', 'enableECSManagedTags', 'count', 'cluster'];

  it.each([
    ['memmory', 'memory'],
    ['startedby', 'startedBy'],
    ['StartedBy', 'startedBy'],
    ['started_by', 'startedBy'],
    ['enableEcsManagedTags', 'enableECSManagedTags'],
    ['memoryReservatio', 'memoryReservation'],
    ['clustr', 'cluster'],
  ])('suggests %p -> %p', (name, expected) => {
    expect(closestName(name, members)).toBe(expected);
  });

  it.each(['c', 'zzz', 'placementStrategy'])('suggests nothing for %p, which is close to nothing', (name) => {
    expect(closestName(name, members)).toBeUndefined();
  });

  it('suggests a longer name that starts with most of a variable', () => {
    expect(closestName('ECS_EXECUTOR_POLL_INTERVAL', ['ECS_EXECUTOR_POLL_INTERVAL_SECONDS', 'ECS_EXECUTOR_NAME'])).toBe('ECS_EXECUTOR_POLL_INTERVAL_SECONDS');
  });
});
