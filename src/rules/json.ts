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

interface DepthFrame {
  value: unknown;
  depth: number;
  key: string | number | undefined;
  parent: DepthFrame | undefined;
}

/**
 * Where `value` is nested deeper than `maxDepth` objects and lists (a description like
 * `overrides.a.b.c... (more than 32 levels of objects and lists)`), or undefined when it is not.
 * Iterative, so it is safe on input that would overflow the stack of every recursive walk
 * (cloneJson, findNonJson, JSON.stringify): call it first. A cycle counts as too deep.
 */
export function findTooDeep(value: unknown, maxDepth: number): string | undefined {
  const stack: DepthFrame[] = [{ value, depth: 1, key: undefined, parent: undefined }];
  for (let frame = stack.pop(); frame !== undefined; frame = stack.pop()) {
    if (typeof frame.value !== 'object' || frame.value === null) continue;
    if (frame.depth > maxDepth) return `${framePath(frame) || 'the value'} (more than ${maxDepth} levels of objects and lists)`;
    const entries: [string | number, unknown][] = Array.isArray(frame.value) ? frame.value.map((item, i) => [i, item]) : Object.entries(frame.value);
    for (const [key, inner] of entries) stack.push({ value: inner, depth: frame.depth + 1, key, parent: frame });
  }
  return undefined;
}

/** The first segments of a frame's path, e.g. `a.b[0].c...`: enough to find it, short enough to read. */
function framePath(frame: DepthFrame): string {
  const keys: (string | number)[] = [];
  for (let f: DepthFrame | undefined = frame; f !== undefined; f = f.parent) {
    if (f.key !== undefined) keys.push(f.key);
  }
  keys.reverse();
  const shown = keys.slice(0, 6);
  return formatPath(shown) + (keys.length > shown.length ? '...' : '');
}

/** `['overrides', 'containerOverrides', 0, 'memory']` -> `overrides.containerOverrides[0].memory`. */
export function formatPath(path: readonly PropertyKey[]): string {
  return path.map((key, i) => (typeof key === 'number' ? `[${key}]` : i === 0 ? String(key) : `.${String(key)}`)).join('');
}
