import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import { envVarsHelp } from '../settings';
import { registerAdoptAndTerminate } from './commands/adopt-terminate';
import { registerDevCommands } from './commands/dev';
import { registerHealth } from './commands/health';
import { registerList } from './commands/list';
import { registerStatus } from './commands/status';
import { registerSubmit } from './commands/submit';
import { registerWorker } from './commands/worker';
import { ExitCode, exitCodeOf } from './exit-codes';
import { processIo, type CliIo } from './io';

export { ExitCode } from './exit-codes';

function version(): string {
  const pkg = JSON.parse(readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version: string };
  return pkg.version;
}

/** `ecs-executor`: the command line over the client, the worker and the development tools. */
export function buildProgram(io: CliIo): Command {
  const program = new Command('ecs-executor')
    .description("Apache Airflow's ECS executor as durable Temporal workflows")
    .version(version(), '-V, --version')
    .configureOutput({ writeOut: (text) => io.out(text), writeErr: (text) => io.err(text) })
    // A usage error prints itself and one line pointing at the help, not the whole help.
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .addHelpText(
      'after',
      `\nExit codes: 0 ok, 1 task failed / unhealthy / runtime error, 2 bad arguments or configuration, 3 not found / not adopted.\n\nEnvironment:\n${envVarsHelp()}\n  TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_API_KEY, TEMPORAL_TLS*, TEMPORAL_PROFILE: Temporal connection (Temporal's own conventions).`,
    );
  registerWorker(program, io);
  registerSubmit(program, io);
  registerStatus(program, io);
  registerList(program, io);
  registerAdoptAndTerminate(program, io);
  registerHealth(program, io);
  registerDevCommands(program, io);
  for (const command of program.commands) command.exitOverride().showHelpAfterError('(run with --help for usage)').configureOutput({ writeOut: (t) => io.out(t), writeErr: (t) => io.err(t) });
  return program;
}

/** Runs the CLI; returns the exit code instead of exiting, so it can be tested in-process. */
export async function runCli(argv: string[], io: CliIo = processIo()): Promise<number> {
  const program = buildProgram(io);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return io.exitCode ?? ExitCode.OK;
  } catch (err) {
    const code = exitCodeOf(err);
    // commander has already printed its own usage errors.
    if (!(err instanceof Error && err.name === 'CommanderError')) io.err(`error: ${err instanceof Error ? err.message : String(err)}\n`);
    return code;
  }
}
