import type { JsonObject, JsonValue } from '../types';
import { cloneJson, isJsonObject } from './json';

/**
 * Airflow users write run_task_kwargs in Python's snake_case (`task_definition`) or in boto3's
 * capitalised style (`StartedBy`); the RunTask API wants camelCase (`taskDefinition`,
 * `startedBy`). Airflow converts every key with `inflection.camelize(key, False)`, and so do we.
 */

/**
 * `inflection.camelize(key, uppercase_first_letter=False)`, character for character: the first
 * letter lower-cased, each `_x` turned into `X` (`task_definition` -> `taskDefinition`,
 * `StartedBy` -> `startedBy`, `PlatformVersion` -> `platformVersion`, `Tags` -> `tags`).
 * Letters after the first are left alone (`enableECSManagedTags` stays as it is).
 */
export function snakeToCamel(key: string): string {
  if (key === '') return key;
  const upperCamel = key.replace(/(?:^|_)(.)/g, (_match, letter: string) => letter.toUpperCase());
  return key.charAt(0).toLowerCase() + upperCamel.slice(1);
}

/**
 * Converts every key, recursively (through lists too, which Airflow skips: no RunTask member
 * has an underscore, so this only ever helps), except inside `tags` (at any depth, whatever its
 * case): tag keys and values are the user's own data, not API field names.
 * Throws when two spellings of one key meet (`task_definition` and `taskDefinition`), rather than
 * silently picking one. Call findTooDeep first on untrusted input: this walk is recursive.
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
