import { readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * Airflow's own config file, read the way Airflow 3.3 reads it, so one airflow.cfg serves Airflow
 * and our worker:
 * - where: `AIRFLOW_CONFIG`, else `$AIRFLOW_HOME/airflow.cfg`, else `~/airflow/airflow.cfg`
 *   (airflow/configuration.py get_airflow_home / get_airflow_config);
 * - how: Python's `configparser.ConfigParser()` defaults, which Airflow keeps: `[section]`
 *   headers, `key = value` or `key: value`, values continued on lines indented deeper, `#` and
 *   `;` comments on their own lines only (a `#` after a value is part of it), `[DEFAULT]` values
 *   visible in every section, duplicate sections or keys an error, keys case-sensitive (Airflow's
 *   optionxform keeps case), `%%` for `%` and `%(key)s` for another key of the section
 *   (BasicInterpolation);
 * - then `expand_env_var`: `$VAR` / `${VAR}` and a leading `~` expanded, repeatedly, as Airflow
 *   does for values from the file and from AIRFLOW__* variables.
 */

type Env = Readonly<Record<string, string | undefined>>;

interface RawOption {
  /** The value's lines, joined with "\n" once the file is read. */
  lines: string[];
  line: number;
}

interface CfgValue {
  value: string;
  /** 1-based line of the key in the file. */
  line: number;
}

/** What is wrong with one value (bad interpolation); the file itself was fine. */
interface CfgValueProblem {
  problem: string;
  line: number;
}

const DEFAULT_SECTION = 'DEFAULT';
const MAX_INTERPOLATION_DEPTH = 10;

/** A parsed airflow.cfg. */
export class AirflowCfg {
  constructor(
    readonly path: string,
    private readonly sections: ReadonlyMap<string, ReadonlyMap<string, RawOption>>,
    private readonly defaults: ReadonlyMap<string, RawOption>,
  ) {}

  /**
   * `key` of `[section]` as Airflow's conf.get reads it from the file (interpolated, not yet
   * env-expanded), or undefined when the section does not exist or has no such key (a
   * `[DEFAULT]` key counts, but only in a section that exists, as in configparser).
   */
  get(section: string, key: string): CfgValue | CfgValueProblem | undefined {
    const options = this.sections.get(section);
    if (options === undefined) return undefined;
    const option = options.get(key) ?? this.defaults.get(key);
    if (option === undefined) return undefined;
    const lookup = (name: string) => {
      const found = options.get(name) ?? this.defaults.get(name);
      return found === undefined ? undefined : joined(found);
    };
    try {
      return { value: interpolate(joined(option), lookup, 1), line: option.line };
    } catch (err) {
      return { problem: `[${section}] ${key}: ${(err as Error).message}`, line: option.line };
    }
  }
}

function joined(option: RawOption): string {
  return option.lines.join('\n').trimEnd();
}

/** configparser's BasicInterpolation.before_get. */
function interpolate(value: string, lookup: (name: string) => string | undefined, depth: number): string {
  if (depth > MAX_INTERPOLATION_DEPTH) {
    throw new Error(`more than ${MAX_INTERPOLATION_DEPTH} levels of %(...)s references (a loop?): write %% for a literal %`);
  }
  let out = '';
  let rest = value;
  while (rest !== '') {
    const at = rest.indexOf('%');
    if (at < 0) return out + rest;
    out += rest.slice(0, at);
    rest = rest.slice(at);
    const next = rest.charAt(1);
    if (next === '%') {
      out += '%';
      rest = rest.slice(2);
    } else if (next === '(') {
      const match = /^%\(([^)]+)\)s/.exec(rest);
      if (!match) throw new Error(`bad interpolation variable reference ${JSON.stringify(rest)}: write %% for a literal %`);
      const name = match[1] as string;
      const replacement = lookup(name);
      if (replacement === undefined) throw new Error(`%(${name})s refers to a key this section does not have: write %% for a literal %`);
      out += replacement.includes('%') ? interpolate(replacement, lookup, depth + 1) : replacement;
      rest = rest.slice(match[0].length);
    } else {
      throw new Error(`'%' must be followed by '%' or '(', found: ${JSON.stringify(rest)}: write %% for a literal %`);
    }
  }
  return out;
}

/** Thrown when the file cannot be parsed at all (as configparser would refuse it). */
export class AirflowCfgSyntaxError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(problems.join('\n'));
  }
}

/** configparser.RawConfigParser._read with Airflow's settings; every syntax problem, with its line. */
export function parseAirflowCfg(text: string, path: string): AirflowCfg {
  const sections = new Map<string, Map<string, RawOption>>();
  const defaults = new Map<string, RawOption>();
  const seenSections = new Set<string>();
  const problems: string[] = [];
  let current: Map<string, RawOption> | undefined;
  let currentName: string | undefined;
  let option: RawOption | undefined;
  let indentLevel = 0;
  const lines = text.replace(/^\uFEFF/, '').split(/\r\n|\n|\r/);
  for (const [index, line] of lines.entries()) {
    const lineNumber = index + 1;
    const stripped = line.trim();
    const isComment = stripped.startsWith('#') || stripped.startsWith(';');
    const value = isComment ? '' : stripped;
    if (value === '') {
      // A blank line inside a value is kept (empty_lines_in_values); a comment line is not.
      if (!isComment && option !== undefined) option.lines.push('');
      continue;
    }
    const indent = line.search(/\S/);
    if (current !== undefined && option !== undefined && indent > indentLevel) {
      option.lines.push(value);
      continue;
    }
    indentLevel = indent;
    const header = /^\[(.+)\]/.exec(value);
    if (header) {
      const name = header[1] as string;
      if (seenSections.has(name)) problems.push(`${path}:${lineNumber}: section [${name}] already exists: merge the two sections`);
      seenSections.add(name);
      if (name === DEFAULT_SECTION) {
        current = defaults;
      } else {
        current = sections.get(name) ?? new Map<string, RawOption>();
        sections.set(name, current);
      }
      currentName = name;
      option = undefined;
      continue;
    }
    if (current === undefined) {
      problems.push(`${path}:${lineNumber}: a key before any [section] header: put it under a section such as [aws_ecs_executor]`);
      continue;
    }
    const assignment = /^(.*?)\s*[=:]\s*(.*)$/.exec(value);
    const key = assignment?.[1]?.trimEnd();
    if (!assignment || !key) {
      problems.push(`${path}:${lineNumber}: not a "key = value" line: ${JSON.stringify(value)}`);
      option = undefined;
      continue;
    }
    if (current.has(key)) problems.push(`${path}:${lineNumber}: key ${key} in [${currentName ?? ''}] already exists: keep one`);
    option = { lines: [(assignment[2] ?? '').trim()], line: lineNumber };
    current.set(key, option);
  }
  if (problems.length > 0) throw new AirflowCfgSyntaxError(problems);
  return new AirflowCfg(path, sections, defaults);
}

/** `~` at the start of a value is the home directory (HOME, as Python's expanduser reads it). */
function expandUser(value: string, env: Env): string {
  if (value !== '~' && !value.startsWith('~/')) return value;
  const home = (env.HOME ?? homedir()).replace(/\/+$/, '');
  return (home || '/') + value.slice(1);
}

/** Python's posixpath.expandvars: `$NAME` and `${NAME}` of set variables; anything else stays. */
function expandVars(value: string, env: Env): string {
  return value.replace(/\$(\w+|\{[^}]*\})/g, (whole, name: string) => {
    const bare = name.startsWith('{') && name.endsWith('}') ? name.slice(1, -1) : name;
    return env[bare] ?? whole;
  });
}

/** Airflow's expand_env_var: expandvars then expanduser, until nothing changes. */
export function expandAirflowValue(value: string, env: Env): string {
  // Bounded, since a variable may refer to itself ($A = "$A$A" would grow forever).
  let current = value;
  for (let round = 0; round < 20; round++) {
    const next = expandUser(expandVars(current, env), env);
    if (next === current) return next;
    current = next;
  }
  return current;
}

/** Where Airflow reads its config file: AIRFLOW_CONFIG, else $AIRFLOW_HOME/airflow.cfg (AIRFLOW_HOME default ~/airflow). */
export function airflowCfgPath(env: Env): string {
  const explicit = env.AIRFLOW_CONFIG;
  if (explicit !== undefined) return expandAirflowValue(explicit, env);
  return join(expandAirflowValue(env.AIRFLOW_HOME ?? '~/airflow', env), 'airflow.cfg');
}

/** The airflow.cfg Airflow would read, parsed; undefined when there is no such file. Throws AirflowCfgSyntaxError. */
export function readAirflowCfg(env: Env): AirflowCfg | undefined {
  const path = airflowCfgPath(env);
  const stat = statSync(path, { throwIfNoEntry: false });
  if (stat === undefined) return undefined;
  const where = env.AIRFLOW_CONFIG !== undefined ? 'AIRFLOW_CONFIG' : 'AIRFLOW_HOME';
  if (!stat.isFile()) throw new AirflowCfgSyntaxError([`${path} (from ${where}) is not a file: point ${where} at Airflow's config file`]);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new AirflowCfgSyntaxError([`${path} cannot be read (${(err as Error).message}): make it readable by this process, or point ${where} elsewhere`]);
  }
  return parseAirflowCfg(text, path);
}
