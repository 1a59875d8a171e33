import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { buildProgram, runCli } from '../../src/cli';
import { CREDENTIALS, eventually, startE2e, uniqueKey, type E2eContext } from '../support/e2e';

const run = promisify(execFile);
const bin = path.resolve(__dirname, '..', '..', 'bin', 'ecs-executor');

/** Runs the real `ecs-executor` binary as a script would, returning its exit code and output. */
async function cli(args: string[], env: Record<string, string | undefined>): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [bin, ...args], { env: { ...process.env, ...env }, timeout: 90_000 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

function keyArgs(key: ReturnType<typeof uniqueKey>): string[] {
  return ['--dag-id', key.dagId, '--task-id', key.taskId, '--run-id', key.runId, '--try-number', String(key.tryNumber)];
}

describe('ecs-executor CLI: arguments', () => {
  let output: string;
  let spies: jest.SpyInstance[];

  beforeEach(() => {
    output = '';
    const capture = (chunk: string | Uint8Array) => {
      output += String(chunk);
      return true;
    };
    spies = [jest.spyOn(process.stdout, 'write').mockImplementation(capture), jest.spyOn(process.stderr, 'write').mockImplementation(capture)];
  });

  afterEach(() => {
    for (const spy of spies) spy.mockRestore();
    process.exitCode = undefined;
  });

  it.each(buildProgram().commands.map((c) => c.name()))('prints --help for `%s` and exits 0', async (name) => {
    expect(await runCli([name, '--help'])).toBe(0);
    expect(output).toContain(`Usage: ecs-executor ${name}`);
  });

  it('answers a missing required option with a usage message and exit code 2, not a stack trace', async () => {
    expect(await runCli(['submit', '--dag-id', 'd'])).toBe(2);
    expect(output).toContain("required option '--task-id <id>' not specified");
    expect(output).not.toMatch(/\n\s+at /);
  });

  it('answers an unknown command with exit code 2', async () => {
    expect(await runCli(['launch-rockets'])).toBe(2);
    expect(output).toContain("unknown command 'launch-rockets'");
  });

  it('rejects a non-numeric --try-number with exit code 2', async () => {
    expect(await runCli(['status', '--dag-id', 'd', '--task-id', 't', '--run-id', 'r', '--try-number', 'two'])).toBe(2);
    expect(output).toContain('--try-number must be a whole number, got "two"');
  });

  it('answers terminate without a full key or --all with exit code 2, before connecting anywhere', async () => {
    expect(await runCli(['terminate', '--dag-id', 'd', '--address', '127.0.0.1:1'])).toBe(2);
    expect(output).toContain('give --dag-id, --task-id and --run-id for one task, or --all');
  });
});

describe('ecs-executor CLI against the dev server and the local ECS endpoint', () => {
  let e2e: E2eContext;
  let env: Record<string, string | undefined>;

  beforeAll(async () => {
    e2e = await startE2e({ maxRunTaskAttempts: 1 });
    await e2e.startWorker();
    env = {
      ...e2e.executorEnv,
      TEMPORAL_ADDRESS: process.env.TEST_TEMPORAL_ADDRESS,
      AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      ECS_EXECUTOR_FROM_SOURCE: '1',
    };
  });

  afterAll(async () => {
    await e2e?.teardown();
  });

  it('submit --wait runs a task and exits 0; status --json and list --json describe it', async () => {
    const key = uniqueKey('cli');
    const submitted = await cli(['submit', ...keyArgs(key), '--wait', '--', process.execPath, '-e', 'process.exit(0)'], env);
    expect(submitted.stdout).toContain('submitted airflow-task:e2e_dag:');
    expect(submitted.stdout).toContain('SUCCESS');
    expect(submitted.code).toBe(0);

    const status = await cli(['status', ...keyArgs(key), '--json'], env);
    expect(status.code).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({ state: 'SUCCESS', phase: 'DONE', attempts: [{ outcome: 'SUCCESS' }] });

    const human = await cli(['status', ...keyArgs(key)], env);
    expect(human.stdout).toMatch(/ATTEMPT\s+OUTCOME\s+ECS STATUS/);

    // Visibility is eventually consistent: ask again until it shows the final state.
    const listed = await eventually(async () => {
      const list = await cli(['list', '--json', '--dag-id', key.dagId], env);
      expect(list.code).toBe(0);
      const rows = JSON.parse(list.stdout) as { key?: { taskId: string }; state?: string }[];
      return rows.find((r) => r.key?.taskId === key.taskId && r.state === 'SUCCESS');
    }, 'the task to be listed as SUCCESS');
    expect(listed.state).toBe('SUCCESS');
  });

  it('wait exits 1 for a task that failed', async () => {
    const key = uniqueKey('cli-fail');
    const submitted = await cli(['submit', ...keyArgs(key), '--', process.execPath, '-e', 'process.exit(2)'], env);
    expect(submitted.code).toBe(0);
    const waited = await cli(['wait', ...keyArgs(key)], env);
    expect(waited.code).toBe(1);
    expect(waited.stdout).toContain('FAILED');
  });

  it('adopt exits 3 for an ARN that ECS does not know', async () => {
    const arn = 'arn:aws:ecs:us-east-1:000000000000:task/default/ffffffffffffffffffffffffffffffff';
    const adopted = await cli(['adopt', ...keyArgs(uniqueKey('cli-adopt')), '--arn', arn], env);
    expect(adopted.code).toBe(3);
    expect(adopted.stderr).toContain(`not adopted: ECS does not know ${arn}`);
  });

  it('status exits 3 for a task that was never submitted', async () => {
    const status = await cli(['status', ...keyArgs(uniqueKey('never'))], env);
    expect(status.code).toBe(3);
  });

  it('health exits 0 against the endpoint', async () => {
    const health = await cli(['health'], env);
    expect(health.stdout).toMatch(/^healthy: /);
    expect(health.code).toBe(0);
  });

  it('exits 2 with a message naming the variable when the configuration is incomplete', async () => {
    const result = await cli(['health'], { ...env, ECS_EXECUTOR_CLUSTER: '', AIRFLOW__AWS_ECS_EXECUTOR__CLUSTER: '' });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('ECS_EXECUTOR_CLUSTER is not set');
  });
});
