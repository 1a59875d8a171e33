import type { JsonObject, JsonValue } from '../types';

/** Small JSON helpers shared by the rules. Workflow-safe: no imports besides types. */

/** A plain object (`{...}`), not a list, null, or a class instance such as a Date. */
export function isJsonObject(value: unknown): value is JsonObject {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/** A deep copy, so rules never hand out (or mutate) their caller's objects. */
export function cloneJson<T extends JsonValue>(value: T): T {
  if (Array.isArray(value)) return value.map((item) => cloneJson(item)) as T;
  if (isJsonObject(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, cloneJson(v)])) as T;
  return value;
}

/**
 * Where `value` stops being plain JSON (a function, undefined, NaN, a Date, a class instance...):
 * a description like `overrides.cpu is NaN`, or undefined when it is all plain JSON. JSON.stringify
 * would not tell: it silently drops or rewrites such values.
 */
export function findNonJson(value: unknown, path = ''): string | undefined {
  const here = path || 'the value';
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return undefined;
  if (typeof value === 'number') return Number.isFinite(value) ? undefined : `${here} is ${String(value)}`;
  if (Array.isArray(value)) {
    for (const [i, item] of value.entries()) {
      const found = findNonJson(item, `${path}[${i}]`);
      if (found) return found;
    }
    return undefined;
  }
  if (typeof value === 'object') {
    if (!isJsonObject(value)) return `${here} is a ${value.constructor?.name ?? 'non-plain object'}, not a plain object`;
    for (const [key, inner] of Object.entries(value)) {
      const found = findNonJson(inner, path ? `${path}.${key}` : key);
      if (found) return found;
    }
    return undefined;
  }
  return `${here} is ${typeof value === 'undefined' ? 'undefined' : `a ${typeof value}`}`;
}
