import { cloneJson, findNonJson, findTooDeep, formatPath, isJsonObject } from '../../src/rules/json';

describe('isJsonObject', () => {
  it.each([
    ['{}', {}, true],
    ['a null-prototype object', Object.create(null) as object, true],
    ['a list', [], false],
    ['null', null, false],
    ['a Date', new Date(0), false],
    ['a string', 'x', false],
  ])('says %s is %p', (_label, value, expected) => {
    expect(isJsonObject(value)).toBe(expected);
  });
});

describe('cloneJson', () => {
  it('copies deeply: equal, but no shared objects or lists', () => {
    const value = { a: [{ b: 1 }], c: { d: null } };
    const copy = cloneJson(value);
    expect(copy).toEqual(value);
    expect(copy.a[0]).not.toBe(value.a[0]);
    expect(copy.c).not.toBe(value.c);
  });
});

describe('findNonJson', () => {
  it('finds nothing wrong in plain JSON', () => {
    expect(findNonJson({ a: [1, 'x', true, null, { b: -0.5 }] })).toBeUndefined();
  });

  it.each([
    ['Infinity', { a: Number.POSITIVE_INFINITY }, 'a is Infinity'],
    ['a bigint', { a: [BigInt(1)] }, 'a[0] is a bigint'],
    ['a Map', { a: { b: new Map() } }, 'a.b is a Map, not a plain object'],
    ['a symbol', { s: Symbol('s') }, 's is a symbol'],
  ])('reports %s with its path', (_label, value, expected) => {
    expect(findNonJson(value)).toBe(expected);
  });

  it('reports a bad value at the top level as "the value"', () => {
    expect(findNonJson(undefined)).toBe('the value is undefined');
  });
});

describe('findTooDeep', () => {
  it('finds nothing in a value exactly as deep as allowed', () => {
    expect(findTooDeep({ a: [{ b: 1 }] }, 3)).toBeUndefined();
  });

  it('reports one level more, with its path', () => {
    expect(findTooDeep({ a: [{ b: {} }] }, 3)).toBe('a[0].b (more than 3 levels of objects and lists)');
  });

  it('handles 200,000 levels without overflowing the stack, showing the first segments of the path', () => {
    let deep: unknown = [];
    for (let i = 0; i < 200_000; i++) deep = { k: deep };
    expect(findTooDeep(deep, 32)).toBe('k.k.k.k.k.k... (more than 32 levels of objects and lists)');
  });

  it('reports a cycle as too deep instead of looping', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(findTooDeep(cyclic, 5)).toMatch(/^self\.self/);
  });

  it('reports a top-level value too deep for a limit of 0 as "the value"', () => {
    expect(findTooDeep({}, 0)).toBe('the value (more than 0 levels of objects and lists)');
  });
});

describe('formatPath', () => {
  it.each([
    [['overrides', 'containerOverrides', 0, 'memory'], 'overrides.containerOverrides[0].memory'],
    [[0, 'weight'], '[0].weight'],
    [[], ''],
  ])('formats %j as %p', (path, expected) => {
    expect(formatPath(path)).toBe(expected);
  });
});
