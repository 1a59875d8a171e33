import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Command, CommanderError } from 'commander';
import { ConfigError, UserInputError } from '../errors';
import { envVarsHelp } from '../settings';
import { registerAdoptAndTerminate } from './commands/adopt-terminate';
import { registerDevCommands } from './commands/dev-tools';
import { registerHealth } from './commands/health';
import { registerList } from './commands/list';
import { registerStatus } from './commands/status';
import { registerSubmit } from './commands/submit';
import { registerWorker } from './commands/worker';
import { cliContext, type CliOptions } from './context';
import { ExitCode, exitCodeOf } from './exit-codes';
import { processIo, type CliIo } from './io';

export type { CliOptions } from './context';
export type { CliIo } from './io';

const NAME = 'ecs-executor';

function version(): string {
  // src/cli/ and lib/cli/ are both two levels below the package root.
  const pkg = JSON.parse(readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version: string };
  return pkg.version;
}

const helpHint = (command?: Command) => `(run "${[NAME, command?.parent ? command.name() : undefined].filter(Boolean).join(' ')} --help" for usage)`;

const EXIT_CODES = `Exit codes:
  0  done (wait, submit --wait: the task succeeded; health: healthy)
  1  the task failed (wait, submit --wait), ECS is unhealthy (health), no worker serves the task queue,
     Temporal cannot be reached, or another runtime error
  2  bad arguments or configuration: nothing was done
  3  not found (status, wait, terminate) or not adopted (adopt)`;

const ENVIRONMENT = () => `Settings (environment variables). worker and health read every one; the client commands (submit,
status, wait, list, adopt, terminate) only the runtime settings: ECS_EXECUTOR_TASK_QUEUE names the workers
they talk to, ECS_EXECUTOR_NAME the executor whose tasks they see. An unknown or removed ECS_EXECUTOR_*
variable is a configuration error (exit 2).

${envVarsHelp()}

Temporal connection (Temporal's own variables; --address and --namespace win):
  TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_API_KEY, TEMPORAL_TLS*, TEMPORAL_PROFILE, TEMPORAL_CONFIG_FILE

AWS (worker and health only: submit, status, wait, list, adopt and terminate never call AWS; workers do):
  region and credentials from the AWS SDK's default chain (AWS_REGION, AWS_PROFILE, AWS_ACCESS_KEY_ID...),
  the region overridden by ECS_EXECUTOR_REGION_NAME`;

/** `ecs-executor`: the command line over the client, the worker and the development tools. */
export function buildProgram(io: CliIo, options: CliOptions = {}): Command {
  const context = cliContext(io, options);
  const program = new Command(NAME)
    .description("Apache Airflow's ECS executor as durable Temporal workflows")
    .version(version(), '-V, --version', 'print the version')
    .helpOption('-h, --help', 'print this help')
    .addHelpText('after', () => `\n${EXIT_CODES}\n\n${ENVIRONMENT()}\n`);
  registerWorker(program, context);
  registerSubmit(program, context);
  registerStatus(program, context);
  registerList(program, context);
  registerAdoptAndTerminate(program, context);
  registerHealth(program, context);
  registerDevCommands(program, context);
  program.helpCommand('help [command]', 'print the help of a command');
  for (const command of [program, ...program.commands]) {
    command
      // A usage error prints itself and one line pointing at the help, not the whole help.
      .showHelpAfterError(helpHint(command))
      .exitOverride()
      .configureOutput({ writeOut: (text) => io.out(text), writeErr: (text) => io.err(text) });
    if (command !== program) command.helpOption('-h, --help', 'print the help of this command');
  }
  return program;
}

/** Runs the CLI; returns the exit code instead of exiting, so it can be tested in-process. */
export async function runCli(argv: string[], io: CliIo = processIo(), options: CliOptions = {}): Promise<number> {
  const program = buildProgram(io, options);
  if (argv.length === 0) {
    io.err(`error: no command given: ${program.commands.map((c) => c.name()).join(', ')}\n${helpHint()}\n`);
    return ExitCode.USAGE;
  }
  let current: Command = program;
  program.hook('preAction', (_program, actionCommand) => {
    current = actionCommand;
  });
  try {
    await program.parseAsync(argv, { from: 'user' });
    return io.exitCode ?? ExitCode.OK;
  } catch (err) {
    // commander has already printed its own errors (and --help, --version), with the hint.
    if (err instanceof CommanderError) return exitCodeOf(err);
    io.err(`error: ${err instanceof Error ? err.message : String(err)}\n`);
    if (err instanceof ConfigError) io.err(`(run "${NAME} --help" for every setting)\n`);
    else if (err instanceof UserInputError) io.err(`${helpHint(current)}\n`);
    return exitCodeOf(err);
  }
}
