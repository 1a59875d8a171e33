/**
 * The commands scripted mode understands: what a container does, interpreted instead of run. The
 * whole grammar, on the container's argv (entryPoint + command):
 *
 *   sleep <duration>        runs that long, then exits 0. <duration> is seconds (`1.5`), or GNU
 *                           sleep's `<n>s|m|h|d`, or `infinity` (runs until stopped)
 *   exit <code>             exits with <code> at once (0-255; larger values wrap, as in sh)
 *   true | false            exits 0 | 1 at once
 *   sh -c "<script>"        (also bash, /bin/sh, /bin/bash) statements separated by `;` or new
 *                           lines, run in order: sleep <duration>, exit [<code>], true, false.
 *                           The exit code is the `exit` code, else the last statement's status.
 *                           `trap '' TERM` as the first statement makes the container ignore
 *                           SIGTERM, so a stop ends it with SIGKILL (137) after the stop timeout.
 *                           No operators (&&, |, >), quoting, globs or expansions ($VAR).
 *
 * `sleep`, `true` and `false` may be written as /bin/…, /usr/bin/… or /usr/local/bin/….
 * Anything else does not start: the task stops with TaskFailedToStart and a stoppedReason naming
 * the command. A stop (SIGTERM) ends a scripted container at once with 143, as it ends `sleep`.
 */
export interface ScriptedCommand {
  /** How long it runs before exiting on its own; undefined = until stopped (`sleep infinity`). */
  runsForMs: number | undefined;
  exitCode: number;
  ignoresSigterm: boolean;
}

type ParsedCommand = { ok: true; command: ScriptedCommand } | { ok: false; reason: string };

const SHELLS = new Set(['sh', 'bash']);
const BIN_DIRS = ['/bin/', '/usr/bin/', '/usr/local/bin/'];
/** Operators, expansions, quoting and globs: none of them is in the grammar. */
const SHELL_SYNTAX = /&&|\|\||[|&<>$`"'(){}*?\\]/;
const DURATION_UNITS_MS: Record<string, number> = { '': 1000, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** What the argv means in scripted mode, or why it cannot run there. */
export function parseScriptedCommand(argv: readonly string[]): ParsedCommand {
  const [first, ...rest] = argv;
  if (first === undefined) return { ok: true, command: { runsForMs: 0, exitCode: 0, ignoresSigterm: false } };
  const program = programName(first);
  if (program !== undefined && SHELLS.has(program) && rest[0] === '-c' && rest[1] !== undefined) {
    // Arguments after the script only set $0, $1…, which the grammar has no use for.
    return runScript(rest[1], argv);
  }
  const outcome = runStatement(program === undefined ? [first, ...rest] : [program, ...rest], false);
  if (typeof outcome === 'string') return unsupported(argv, outcome);
  return { ok: true, command: { runsForMs: outcome.ms, exitCode: outcome.status, ignoresSigterm: false } };
}

interface Outcome {
  ms: number | undefined;
  status: number;
  exits: boolean;
}

function runScript(script: string, argv: readonly string[]): ParsedCommand {
  const statements = script
    .split(/[;\n]/)
    .map((s) => s.trim().split(/\s+/).filter((word) => word !== ''))
    .filter((words) => words.length > 0);
  let ignoresSigterm = false;
  let ms: number | undefined = 0;
  let status = 0;
  for (const [i, words] of statements.entries()) {
    if (words[0] === 'trap') {
      if (i !== 0 || !isIgnoreTermTrap(words)) return unsupported(argv, `only \`trap '' TERM\` as the first statement is understood, not \`${words.join(' ')}\``);
      ignoresSigterm = true;
      continue;
    }
    const syntax = SHELL_SYNTAX.exec(words.join(' '));
    if (syntax) return unsupported(argv, `\`${words.join(' ')}\` uses shell syntax (${syntax[0]}) the scripted grammar does not have`);
    const outcome = runStatement(words, true, status);
    if (typeof outcome === 'string') return unsupported(argv, outcome);
    ms = ms === undefined || outcome.ms === undefined ? undefined : ms + outcome.ms;
    status = outcome.status;
    // Nothing after `exit` (or after `sleep infinity`) ever runs.
    if (outcome.exits || ms === undefined) break;
  }
  return { ok: true, command: { runsForMs: ms, exitCode: status, ignoresSigterm } };
}

/** One simple command; a string is why it is not understood. */
function runStatement(words: readonly string[], inShell: boolean, lastStatus = 0): Outcome | string {
  const [name, ...args] = words;
  const program = name === undefined ? undefined : (programName(name) ?? name);
  switch (program) {
    case 'true':
    case 'false':
      if (args.length > 0) return `\`${program}\` takes no arguments`;
      return { ms: 0, status: program === 'true' ? 0 : 1, exits: false };
    case 'sleep': {
      if (args.length !== 1) return '`sleep` takes exactly one duration';
      const ms = durationMs(args[0] as string);
      if (ms === null) return `\`sleep ${args[0]}\`: the duration must be seconds (e.g. 1.5), <n>s|m|h|d or infinity`;
      return { ms, status: 0, exits: false };
    }
    case 'exit': {
      // `exit` is a shell builtin; scripted mode also takes it as a whole command, for brevity.
      if (name !== 'exit' || args.length > 1) return '`exit` takes at most one exit code';
      if (args.length === 0) return inShell ? { ms: 0, status: lastStatus, exits: true } : { ms: 0, status: 0, exits: true };
      if (!/^\d+$/.test(args[0] as string)) return `\`exit ${args[0]}\`: the exit code must be a whole number`;
      return { ms: 0, status: Number(args[0]) % 256, exits: true };
    }
    default:
      return `\`${words.join(' ')}\` is not part of the scripted grammar`;
  }
}

/** `sleep` for `/usr/bin/sleep`; undefined when the word is not a bare name or a standard bin path. */
function programName(word: string): string | undefined {
  if (!word.includes('/')) return word;
  const dir = BIN_DIRS.find((d) => word.startsWith(d));
  const rest = dir === undefined ? undefined : word.slice(dir.length);
  return rest !== undefined && rest !== '' && !rest.includes('/') ? rest : undefined;
}

/** GNU sleep's forms; null when malformed, undefined for `infinity`. */
function durationMs(text: string): number | undefined | null {
  if (text === 'infinity' || text === 'inf') return undefined;
  const match = /^(\d+(?:\.\d+)?|\.\d+)([smhd]?)$/.exec(text);
  if (!match) return null;
  return Math.round(Number(match[1]) * (DURATION_UNITS_MS[match[2] as string] as number));
}

const isIgnoreTermTrap = (words: readonly string[]): boolean =>
  words.length === 3 && (words[1] === "''" || words[1] === '""') && (words[2] === 'TERM' || words[2] === 'SIGTERM');

function unsupported(argv: readonly string[], why: string): ParsedCommand {
  return {
    ok: false,
    reason: `the local ECS endpoint runs in scripted mode and cannot run ${JSON.stringify(argv)}: ${why}. Scripted mode understands sleep <seconds>, exit <code>, true, false and sh -c "<those, separated by ;>"; start the endpoint with execution 'process' to run real commands.`,
  };
}
