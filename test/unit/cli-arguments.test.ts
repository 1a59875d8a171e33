import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { CommanderError } from 'commander';
import { buildProgram } from '../../src/cli';
import { exitCodeOf } from '../../src/cli/exit-codes';
import { ConfigError, InvalidExecutorConfigError, InvalidTaskKeyError, NoWorkerError, NotFoundError, UsageError } from '../../src/errors';
import { ALL_SETTINGS } from '../../src/settings';
import { captureIo, cli, expectUsageError } from './cli-harness';

/**
 * The CLI's arguments, settings checks and exit codes, in-process: nothing here reaches a Temporal
 * server. Cases that would connect point --address at a closed port with a short connect timeout,
 * so a command that wrongly connected before rejecting its arguments fails with exit 1, not 2.
 */

/** A local port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

let nowhere: string;
beforeAll(async () => {
  nowhere = `127.0.0.1:${await closedPort()}`;
});

/** Fails fast if a case connects when it should not have. */
const offline = { connectTimeoutMs: 300 };
const key = ['--dag-id', 'd', '--task-id', 't', '--run-id', 'r'];
const commandNames = buildProgram(captureIo()).commands.map((c) => c.name());

describe('ecs-executor --help and --version', () => {
  it('--version prints the package version and exits 0', async () => {
    const { version } = JSON.parse(readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version: string };
    for (const flag of ['--version', '-V']) {
      expect(await cli([flag])).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
    }
  });

  it('--help lists every command, the exit codes and every setting, and exits 0', async () => {
    const run = await cli(['--help']);
    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
    for (const name of commandNames) expect(run.stdout).toMatch(new RegExp(`^  ${name}\\b`, 'm'));
    for (const code of [0, 1, 2, 3]) expect(run.stdout).toMatch(new RegExp(`^  ${code}  \\S`, 'm'));
    for (const setting of ALL_SETTINGS) expect(run.stdout).toContain(setting.env);
    expect(run.stdout).toContain('TEMPORAL_ADDRESS');
    expect(run.stdout).toMatch(/AWS \(worker and health only/);
  });

  it.each(commandNames)('`%s --help` prints its usage and options; `help <command>` the same', async (name) => {
    const run = await cli([name, '--help']);
    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
    expect(run.stdout).toContain(`Usage: ecs-executor ${name} `);
    const command = buildProgram(captureIo()).commands.find((c) => c.name() === name)!;
    for (const option of command.options) expect(run.stdout).toContain(option.flags);
    expect(await cli(['help', name])).toEqual(run);
  });
});

describe('usage errors: the error and one line pointing at --help, exit 2, nothing done', () => {
  it('no command at all', async () => {
    const run = await cli([]);
    expectUsageError(run, 'no command given: worker, submit, status');
    expect(run.stderr).toContain('(run "ecs-executor --help" for usage)');
  });

  it('an unknown command, with a suggestion', async () => {
    expectUsageError(await cli(['sumbit']), "unknown command 'sumbit'");
    expect((await cli(['sumbit'])).stderr).toContain('Did you mean submit?');
  });

  it('an unknown option, pointing at the help of its command', async () => {
    const run = await cli(['list', '--bogus', '--address', nowhere], offline);
    expectUsageError(run, "unknown option '--bogus'");
    expect(run.stderr).toContain('(run "ecs-executor list --help" for usage)');
  });

  it('a missing required option or option value', async () => {
    expectUsageError(await cli(['adopt', ...key, '--address', nowhere], offline), "required option '--arn <taskArn>' not specified");
    expectUsageError(await cli(['list', '--limit']), "option '--limit <n>' argument missing");
  });

  it('an option value outside its choices', async () => {
    expectUsageError(await cli(['list', '--state', 'DONE', '--address', nowhere], offline), /--state.*DONE.*QUEUED, RUNNING, SUCCESS, FAILED, REMOVED/);
  });

  it.each([
    [['list', '--limit', '0'], '--limit must be 1 or more, got 0'],
    [['list', '--limit', '-5'], '--limit must be 1 or more, got -5'],
    [['list', '--limit', '1.5'], '--limit must be a whole number, got "1.5"'],
    [['status', ...key, '--try-number', ''], '--try-number must be a whole number, got ""'],
    [['status', ...key, '--try-number', '1.5'], '--try-number must be a whole number, got "1.5"'],
    [['wait', ...key, '--try-number', 'two'], '--try-number must be a whole number, got "two"'],
    [['terminate', ...key, '--try-number', '-1'], '--try-number must be 0 or more, got -1'],
    [['submit', ...key, '--map-index', '-2', '--', 'true'], '--map-index must be -1 or more, got -2'],
    [['local-ecs', '--port', '70000'], '--port must be from 0 to 65535, got 70000'],
    [['demo', '--ui-port', 'x'], '--ui-port must be a whole number, got "x"'],
  ])('%j: %s', async (argv, message) => {
    expectUsageError(await cli([...argv, ...(argv[0] === 'local-ecs' || argv[0] === 'demo' ? [] : ['--address', nowhere])], offline), message);
  });

  it('a key that is incomplete or malformed names the flag, before connecting', async () => {
    expectUsageError(await cli(['status', '--dag-id', 'd', '--address', nowhere], offline), 'missing --task-id, --run-id');
    expectUsageError(await cli(['wait', ...key, '--ti-id', 'not-a-uuid', '--address', nowhere], offline), '--ti-id: tiId must be the task instance UUID');
    expectUsageError(await cli(['status', '--dag-id', '', '--task-id', 't', '--run-id', 'r', '--address', nowhere], offline), '--dag-id: dagId must not be empty');
    expectUsageError(await cli(['status', '--callback-id', 'nope', '--address', nowhere], offline), '--callback-id: callbackId must be the callback UUID');
    expectUsageError(
      await cli(['status', '--callback-id', '0b7c9a52-5b1e-4d55-9d6a-3a1f6e1f2c3d', '--task-id', 't', '--address', nowhere], offline),
      '--callback-id names a callback, not a task instance: drop --task-id',
    );
  });

  it('an ARN that is not an ECS task ARN says which shape is expected (adopt, status, list)', async () => {
    const expected = 'taskArn must be an ECS task ARN (arn:aws:ecs:<region>:<account>:task/...)';
    expectUsageError(await cli(['adopt', ...key, '--arn', 'i-0abc', '--address', nowhere], offline), `--arn "i-0abc": ${expected}`);
    expectUsageError(await cli(['status', '--arn', 'task/123', '--address', nowhere], offline), `--arn "task/123": ${expected}`);
    expectUsageError(await cli(['list', '--arn', 'arn:aws:ecs:us-east-1:123:task/x', '--address', nowhere], offline), expected);
  });

  it('submit needs exactly one of a command and --workload, and JSON in --executor-config', async () => {
    expectUsageError(await cli(['submit', ...key, '--address', nowhere], offline), 'no command: give the command after -- or --workload <json>');
    expectUsageError(await cli(['submit', ...key, '--workload', '{}', '--address', nowhere, '--', 'true'], offline), 'give either --workload or a command after --, not both');
    expectUsageError(await cli(['submit', ...key, '--executor-config', '{memory', '--address', nowhere, '--', 'true'], offline), "--executor-config must be JSON (e.g. '");
  });

  it('submit checks the task as the client does (executor_config shape, command) before connecting', async () => {
    expectUsageError(
      await cli(['submit', ...key, '--executor-config', '{"count": 3}', '--address', nowhere, '--', 'true'], offline),
      'count: 3, but one Airflow task runs as exactly one ECS task: count must be 1 (or left out)',
    );
    expectUsageError(await cli(['submit', ...key, '--address', nowhere, '--', 'echo', 'a\u0000b'], offline), 'a command part contains a NUL byte');
  });

  it('terminate needs a key or --all, not both', async () => {
    expectUsageError(await cli(['terminate', '--dag-id', 'd', '--address', nowhere], offline), 'missing --task-id, --run-id');
    expectUsageError(await cli(['terminate', '--address', nowhere], offline), 'give --dag-id, --task-id and --run-id for one task, or --all');
    expectUsageError(await cli(['terminate', ...key, '--all', '--address', nowhere], offline), 'give either a key or --all, not both');
  });

  it('status takes a key or --arn, not both', async () => {
    expectUsageError(await cli(['status', ...key, '--arn', 'arn:aws:ecs:us-east-1:000000000000:task/default/abc', '--address', nowhere], offline), 'give either a key or --arn, not both');
  });
});

describe('configuration errors: exit 2, naming the variable, before connecting', () => {
  it('TEMPORAL_ADDRESS without a port', async () => {
    const run = await cli(['list'], { ...offline, env: { TEMPORAL_ADDRESS: 'foo' } });
    expectUsageError(run, 'TEMPORAL_ADDRESS="foo": expected host:port');
    expect(run.stderr).toContain('(the port is missing)');
  });

  it('--address with a scheme', async () => {
    expectUsageError(await cli(['status', ...key, '--address', 'http://localhost:7233'], offline), 'the Temporal address given (--address)="http://localhost:7233"');
  });

  it('an unknown ECS_EXECUTOR_* variable, with the setting it probably meant', async () => {
    for (const argv of [['list'], ['submit', ...key, '--', 'true'], ['status', ...key], ['worker']]) {
      const run = await cli([...argv, '--address', nowhere], { ...offline, env: { ECS_EXECUTOR_TASK_QUEU: 'q' } });
      expectUsageError(run, 'ECS_EXECUTOR_TASK_QUEU is not a setting of this executor (did you mean ECS_EXECUTOR_TASK_QUEUE?)');
    }
  });

  it('a removed ECS_EXECUTOR_* variable, saying what replaced it', async () => {
    const run = await cli(['list', '--address', nowhere], { ...offline, env: { ECS_EXECUTOR_MAX_CONCURRENT_WAITS: '10' } });
    expectUsageError(run, 'ECS_EXECUTOR_MAX_CONCURRENT_WAITS="10" is set, but this setting was removed');
    expect(run.stderr).toContain('ECS_EXECUTOR_MAX_CONCURRENT_ECS_CALLS');
  });

  it('worker and health without the executor settings they need', async () => {
    for (const command of ['worker', 'health']) {
      const run = await cli([command], offline);
      expectUsageError(run, 'ECS_EXECUTOR_CLUSTER is not set');
      expect(run.stderr).toContain('ECS_EXECUTOR_CONTAINER_NAME is not set');
    }
  });

  it('codec-server without a key', async () => {
    expectUsageError(await cli(['codec-server', '--port', '0']), 'codec-server needs the payload keys: set ECS_EXECUTOR_CODEC_KEY_FILE');
  });
});

describe('connection errors', () => {
  it('name the address, where it came from and what to check (exit 1)', async () => {
    const run = await cli(['list', '--address', nowhere], offline);
    expect({ code: run.code, stdout: run.stdout }).toEqual({ code: 1, stdout: '' });
    expect(run.stderr).toContain(`error: cannot reach Temporal at ${nowhere} (namespace "default"; address from --address) within 0.3 s`);
    expect(run.stderr).toContain('--address or TEMPORAL_ADDRESS');

    const fromEnv = await cli(['status', ...key], { ...offline, env: { TEMPORAL_ADDRESS: nowhere, TEMPORAL_NAMESPACE: 'ops' } });
    expect(fromEnv.code).toBe(1);
    expect(fromEnv.stderr).toContain(`cannot reach Temporal at ${nowhere} (namespace "ops"; address from TEMPORAL_ADDRESS)`);
  });
});

describe('exit codes come from the error class', () => {
  it.each([
    [new UsageError('x'), 2],
    [new ConfigError('x'), 2],
    [new InvalidTaskKeyError('x'), 2],
    [new InvalidExecutorConfigError('x'), 2],
    [new NotFoundError('x'), 3],
    [new NoWorkerError('x'), 1],
    [new Error('x'), 1],
    ['not even an error', 1],
    [new CommanderError(1, 'commander.unknownOption', 'x'), 2],
    [new CommanderError(0, 'commander.helpDisplayed', '(outputHelp)'), 0],
  ])('%p -> %d', (err, code) => {
    expect(exitCodeOf(err)).toBe(code);
  });
});
