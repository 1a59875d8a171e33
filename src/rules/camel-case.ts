import type { JsonObject, JsonValue } from '../types';
import { cloneJson, isJsonObject } from './json';

/**
 * Airflow users write run_task_kwargs in Python's snake_case (`task_definition`); the RunTask API
 * wants camelCase (`taskDefinition`). Converting lets both spellings mean the same thing.
 */

/** `task_definition` -> `taskDefinition`; keys without underscores are left as they are. */
export function snakeToCamel(key: string): string {
  return key.replace(/^_+/, '').replace(/_+([^_])/g, (_match, letter: string) => letter.toUpperCase());
}

/**
 * Converts every key, recursively (through lists too), except inside `tags` (at any depth): tag
 * keys and values are the user's own data, not API field names.
 * Throws when two spellings of one key meet (`task_definition` and `taskDefinition`), rather than
 * silently picking one.
 */
export function camelCaseKeys(value: JsonObject, path = ''): JsonObject {
  const result: JsonObject = {};
  const originals = new Map<string, string>();
  for (const [key, inner] of Object.entries(value)) {
    const camel = snakeToCamel(key);
    const earlier = originals.get(camel);
    if (earlier !== undefined) {
      throw new Error(`${path || 'the top level'} sets both "${earlier}" and "${key}", which mean the same RunTask field "${camel}": keep one`);
    }
    originals.set(camel, key);
    const innerPath = path ? `${path}.${camel}` : camel;
    result[camel] = key.toLowerCase() === 'tags' ? cloneJson(inner) : convert(inner, innerPath);
  }
  return result;
}

function convert(value: JsonValue, path: string): JsonValue {
  if (Array.isArray(value)) return value.map((item, i) => convert(item, `${path}[${i}]`));
  if (isJsonObject(value)) return camelCaseKeys(value, path);
  return value;
}
