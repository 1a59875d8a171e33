import { cloneJson, findNonJson, isJsonObject } from '../../src/rules/json';

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
