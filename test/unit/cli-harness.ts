import { runCli, type CliIo, type CliOptions } from '../../src/cli';

/**
 * Runs `ecs-executor` in-process, as a script would see it: exit code, stdout and stderr. The
 * process environment is the case's own for the duration of the run: every ECS_EXECUTOR_*,
 * AIRFLOW*, TEMPORAL_* and AWS_* variable of the developer's shell is hidden, the given ones set,
 * and everything restored afterwards.
 */

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

export interface CliCase extends CliOptions {
  env?: Record<string, string>;
}

const HIDDEN = /^(ECS_EXECUTOR_|AIRFLOW|TEMPORAL_|AWS_)/;

/** Sets exactly these variables (of the families above) while `body` runs; restores the environment after. */
export async function withEnv<T>(env: Record<string, string>, body: () => Promise<T>): Promise<T> {
  const saved = Object.entries(process.env).filter(([name]) => HIDDEN.test(name));
  for (const [name] of saved) delete process.env[name];
  // No airflow.cfg of the developer's is read either.
  Object.assign(process.env, { AIRFLOW_CONFIG: '/nonexistent/airflow.cfg', ...env });
  try {
    return await body();
  } finally {
    for (const name of [...Object.keys(process.env).filter((n) => HIDDEN.test(n)), ...Object.keys(env)]) delete process.env[name];
    for (const [name, value] of saved) process.env[name] = value;
  }
}

/** A capturing CliIo: what a command wrote, as text, readable while it still runs. */
export function captureIo(): CliIo & { stdout: () => string; stderr: () => string } {
  let out = '';
  let err = '';
  return {
    out: (text) => {
      out += text;
    },
    err: (text) => {
      err += text;
    },
    stdout: () => out,
    stderr: () => err,
  };
}

export async function cli(argv: string[], { env = {}, ...options }: CliCase = {}): Promise<CliRun> {
  const io = captureIo();
  const code = await withEnv(env, () => runCli(argv, io, options));
  return { code, stdout: io.stdout(), stderr: io.stderr() };
}

/** The lines a usage error must consist of: the error, then one line pointing at --help. */
export function expectUsageError(run: CliRun, message: string | RegExp): void {
  expect({ code: run.code, stdout: run.stdout }).toEqual({ code: 2, stdout: '' });
  const lines = run.stderr.trimEnd().split('\n');
  expect(lines[0]).toMatch(/^error: /);
  if (typeof message === 'string') expect(run.stderr).toContain(message);
  else expect(run.stderr).toMatch(message);
  expect(lines[lines.length - 1]).toMatch(/^\(run "ecs-executor( [a-z-]+)? --help" for (usage|every setting)\)$/);
  // Not the whole help.
  expect(run.stderr).not.toMatch(/^(Usage:|Options:|Commands:)/m);
  // No stack trace.
  expect(run.stderr).not.toMatch(/\n\s+at /);
}
