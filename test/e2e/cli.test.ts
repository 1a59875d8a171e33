import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { RunTaskCommand } from '@aws-sdk/client-ecs';
import { adoptedTaskWorkflowId } from '../../src/contract/ids';
import type { AirflowTaskResult, AirflowTaskStatus } from '../../src/contract/messages';
import type { TaskSummary } from '../../src/client';
import { CREDENTIALS, eventually, Gate, nodeCommand, startE2e, terminateRunning, uniqueKey, type E2eContext } from '../support/e2e';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { runCli } from '../../src/cli';
import { connectToDevServer } from '../support/environments';
import { captureIo, cli, withEnv, type CliRun } from '../unit/cli-harness';

/**
 * The CLI against the run-wide dev server and the local ECS endpoint, in-process through runCli
 * (a worker in this process where one is needed), and two smoke cases of the real binary run from
 * a build made once.
 */

const run = promisify(execFile);
const repoRoot = path.resolve(__dirname, '..', '..');
const address = () => {
  const value = process.env.TEST_TEMPORAL_ADDRESS;
  if (!value) throw new Error('TEST_TEMPORAL_ADDRESS is not set: run the tests through jest, whose global setup starts the dev server');
  return value;
};

type Key = ReturnType<typeof uniqueKey>;

function keyArgs(key: Key): string[] {
  return ['--dag-id', key.dagId, '--task-id', key.taskId, '--run-id', key.runId, '--try-number', String(key.tryNumber)];
}

/** `ecs-executor <command> --address <dev server> ...`, in-process, with only `env` set. */
function against(env: Record<string, string>) {
  return ([command, ...rest]: string[]): Promise<CliRun> => cli([command!, '--address', address(), ...rest], { env });
}

function json<T>(result: CliRun): T {
  try {
    return JSON.parse(result.stdout) as T;
  } catch (err) {
    throw new Error(`stdout is not one JSON document (${(err as Error).message}):\n${result.stdout}\nstderr:\n${result.stderr}`, { cause: err });
  }
}

const succeed = nodeCommand('process.exit(0)');
const exitWith = (code: number) => nodeCommand(`console.error('the task failed on purpose'); process.exit(${code})`);

describe('ecs-executor with a worker (dev server, local ECS endpoint)', () => {
  let e2e: E2eContext;
  /** What a scheduler host sets: which workers and which executor; no AWS region, credentials or ECS settings. */
  let clientEnv: Record<string, string>;
  let ecs: (argv: string[]) => Promise<CliRun>;

  beforeAll(async () => {
    e2e = await startE2e({ maxRunTaskAttempts: 1 });
    await e2e.startWorker();
    clientEnv = { ECS_EXECUTOR_TASK_QUEUE: e2e.runtime.taskQueue, ECS_EXECUTOR_NAME: e2e.runtime.executorName };
    ecs = against(clientEnv);
  });

  afterAll(async () => {
    await e2e?.teardown();
  });

  it('submit needs no AWS region, credentials or ECS settings: the worker builds the RunTask input', async () => {
    const key = uniqueKey('no-aws');
    const submitted = await ecs(['submit', ...keyArgs(key), '--wait', '--', ...succeed]);
    expect(submitted.stderr).toBe('');
    expect(submitted.stdout).toMatch(/^submitted airflow-task\/e2e_dag\/no-aws-[0-9a-f]+\/manual__2026-11-26\/-1\/1\nSUCCESS: /);
    expect(submitted.code).toBe(0);

    // The same key again attaches to the first submission: nothing is launched twice.
    const again = await ecs(['submit', ...keyArgs(key), '--', ...succeed]);
    expect(again).toMatchObject({ code: 0, stdout: expect.stringMatching(/^attached to airflow-task\//) as unknown });
  });

  it('submit --json --wait prints exactly one JSON document, with the result', async () => {
    const key = uniqueKey('json');
    const submitted = await ecs(['submit', ...keyArgs(key), '--json', '--wait', '--', ...succeed]);
    expect(submitted.code).toBe(0);
    const doc = json<{ workflowId: string; attached: boolean; result: AirflowTaskResult }>(submitted);
    expect(doc).toMatchObject({ attached: false, result: { state: 'SUCCESS', key: { taskId: key.taskId } } });
    expect(doc.workflowId).toMatch(/^airflow-task\//);
    expect(Object.keys(doc).sort()).toEqual(['attached', 'result', 'workflowId']);
  });

  it('status, wait and list describe a finished task; wait and submit --wait exit 1 when it failed', async () => {
    const key = uniqueKey('failed');
    const submitted = await ecs(['submit', ...keyArgs(key), '--wait', '--', ...exitWith(3)]);
    expect(submitted.code).toBe(1);
    expect(submitted.stdout).toContain('FAILED: ');

    const waited = await ecs(['wait', ...keyArgs(key)]);
    expect(waited.code).toBe(1);
    expect(waited.stdout).toMatch(/^FAILED: /);

    const status = await ecs(['status', ...keyArgs(key), '--json']);
    expect(status.code).toBe(0);
    expect(json<AirflowTaskStatus>(status)).toMatchObject({ state: 'FAILED', phase: 'DONE', attempts: [{ outcome: 'FAILED', containers: [{ exitCode: 3 }] }] });
    const human = await ecs(['status', ...keyArgs(key)]);
    expect(human.stdout).toMatch(/^state {5}FAILED \(DONE\)$/m);
    expect(human.stdout).toMatch(/ATTEMPT\s+STARTED\s+OUTCOME\s+ECS STATUS\s+STOP CODE\s+EXIT CODES\s+TASK ARN/);
    expect(human.stdout).toMatch(/^events:$/m);

    const listed = await eventually(async () => {
      const list = await ecs(['list', '--json', '--dag-id', key.dagId, '--state', 'FAILED']);
      return json<TaskSummary[]>(list).find((r) => r.key !== undefined && 'taskId' in r.key && r.key.taskId === key.taskId);
    }, 'the failed task in list --state FAILED');
    expect(listed).toMatchObject({ status: 'FAILED', state: 'FAILED' });
  });

  it('list --limit caps the rows; the table says what each row is', async () => {
    for (const name of ['limit-a', 'limit-b']) await ecs(['submit', ...keyArgs(uniqueKey(name)), '--wait', '--', ...succeed]);
    const rows = await eventually(async () => {
      const list = json<TaskSummary[]>(await ecs(['list', '--json', '--limit', '2']));
      return list.length === 2 && list;
    }, 'two rows');
    expect(rows).toHaveLength(2);
    expect(json<TaskSummary[]>(await ecs(['list', '--json', '--limit', '1']))).toHaveLength(1);
    const table = await ecs(['list', '--limit', '1']);
    expect(table.stdout.split('\n')[0]).toMatch(/^KIND\s+DAG\s+TASK\s+RUN\s+TRY\s+MAP\s+STATE\s+WORKFLOW\s+ECS TASK$/);
    expect(table.stdout.trimEnd().split('\n')).toHaveLength(2);
  });

  it('adopt: status and wait find the adopted task that list shows', async () => {
    const gate = new Gate('cli-adopted');
    const launched = await e2e.sdk.send(
      new RunTaskCommand({ cluster: 'default', taskDefinition: 'airflow', overrides: { containerOverrides: [{ name: 'airflow', command: gate.command() }] } }),
    );
    const arn = launched.tasks?.[0]?.taskArn;
    if (arn === undefined) throw new Error('RunTask launched nothing');
    const key = uniqueKey('adopted');

    const adopted = await ecs(['adopt', ...keyArgs(key), '--arn', arn]);
    expect(adopted).toEqual({ code: 0, stdout: `adopted ${arn}\n`, stderr: '' });

    const row = await eventually(async () => json<TaskSummary[]>(await ecs(['list', '--json', '--arn', arn]))[0], 'the adopted task in list');
    expect(row).toMatchObject({ workflowId: adoptedTaskWorkflowId(arn), key: { taskId: key.taskId } });
    expect((await ecs(['list', '--arn', arn])).stdout).toMatch(/^adopted\s+e2e_dag\s+adopted-/m);

    const byKey = await ecs(['status', ...keyArgs(key), '--json']);
    expect(byKey.code).toBe(0);
    expect(json<AirflowTaskStatus>(byKey)).toMatchObject({ adopted: true, taskArn: arn, key: { taskId: key.taskId } });
    const byArn = await ecs(['status', '--arn', arn, '--json']);
    expect(json<AirflowTaskStatus>(byArn)).toMatchObject({ adopted: true, taskArn: arn });

    gate.open();
    const waited = await ecs(['wait', ...keyArgs(key), '--json']);
    expect(waited.code).toBe(0);
    expect(json<AirflowTaskResult>(waited)).toMatchObject({ state: 'SUCCESS', taskArn: arn });
  });

  it('adopt exits 3 for an ARN that ECS does not know; the client log goes to stderr, as lines, only when asked for', async () => {
    const arn = 'arn:aws:ecs:us-east-1:000000000000:task/default/ffffffffffffffffffffffffffffffff';
    const adopted = await ecs(['adopt', ...keyArgs(uniqueKey('unknown-arn')), '--arn', arn]);
    expect(adopted).toEqual({ code: 3, stdout: '', stderr: `error: not adopted: ECS does not know ${arn} (or it stopped over an hour ago)\n` });

    const verbose = await against({ ...clientEnv, ECS_EXECUTOR_LOG_LEVEL: 'info' })(['adopt', ...keyArgs(uniqueKey('unknown-arn')), '--arn', arn]);
    expect({ code: verbose.code, stdout: verbose.stdout }).toEqual({ code: 3, stdout: '' });
    expect(verbose.stderr).toMatch(/^info: not adopted \{"key":\{"dagId":"e2e_dag",.*"reason":"ECS does not know /m);
  });

  it('status, wait and terminate exit 3 for a task that was never submitted', async () => {
    const key = uniqueKey('never');
    for (const command of ['status', 'wait', 'terminate']) {
      const result = await ecs([command, ...keyArgs(key)]);
      expect({ command, code: result.code, stdout: result.stdout }).toEqual({ command, code: 3, stdout: '' });
      expect(result.stderr).toMatch(/^error: No (running task )?workflow airflow-task\/e2e_dag\/never-/);
    }
  });

  it('terminate stops a running task and prints its outcome', async () => {
    const key = uniqueKey('terminate');
    const gate = new Gate('cli-terminate');
    expect((await ecs(['submit', ...keyArgs(key), '--', ...gate.command({ maxMs: 60_000 })])).code).toBe(0);
    await eventually(async () => json<AirflowTaskStatus>(await ecs(['status', ...keyArgs(key), '--json'])).lastStatus === 'RUNNING', 'the ECS task to run');
    const terminated = await ecs(['terminate', ...keyArgs(key), '--reason', 'operator asked']);
    expect(terminated.code).toBe(0);
    expect(terminated.stdout).toMatch(/^FAILED: .*operator asked/);
    expect(json<AirflowTaskStatus>(await ecs(['status', ...keyArgs(key), '--json']))).toMatchObject({ state: 'FAILED', attempts: [{ outcome: 'TERMINATED' }] });
    // Once it has ended, there is nothing to terminate.
    const again = await ecs(['terminate', ...keyArgs(key)]);
    expect(again.code).toBe(3);
    expect(again.stderr).toMatch(/^error: The workflow airflow-task\/e2e_dag\/terminate-\S+ is not running \(FAILED\): there is nothing to terminate\./);
  });

  it('an executor_config the RunTask shape refuses is exit 2, before anything starts', async () => {
    const key = uniqueKey('bad-config');
    const submitted = await ecs(['submit', ...keyArgs(key), '--executor-config', '{"overrides": {"containerOverrides": [{"memmory": 1}]}}', '--', ...succeed]);
    expect(submitted.code).toBe(2);
    expect(submitted.stderr).toContain('memmory');
    expect((await ecs(['status', ...keyArgs(key)])).code).toBe(3);
  });

  it('health exits 0 against the endpoint with the worker settings', async () => {
    const health = await cli(['health'], {
      env: { ...e2e.executorEnv, AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId, AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey },
    });
    expect(health.stdout).toMatch(/^healthy: /);
    expect(health.code).toBe(0);
  });
});

describe('ecs-executor when no worker polls the task queue', () => {
  let ecs: (argv: string[]) => Promise<CliRun>;
  let queue: string;
  let temporal: TestWorkflowEnvironment;

  beforeAll(async () => {
    queue = `cli-unserved-${randomUUID().slice(0, 8)}`;
    ecs = against({ ECS_EXECUTOR_TASK_QUEUE: queue, ECS_EXECUTOR_NAME: queue });
    temporal = await connectToDevServer();
  });

  afterAll(async () => {
    // Nothing will ever run these: end them, so the run-wide server does not carry them on.
    await terminateRunning(temporal.client, queue, 'test over');
    await temporal.teardown();
  });

  /** Each of these must answer within seconds: the test's own timeout is the bound. */
  const SECONDS = 15_000;

  it(
    'submit says no worker polls the queue, and status of the running task says so instead of hanging',
    async () => {
      const key = uniqueKey('unserved');
      const submitted = await ecs(['submit', ...keyArgs(key), '--', ...succeed]);
      expect(submitted.code).toBe(0);
      expect(submitted.stderr).toContain(`warning: No worker is polling task queue "${queue}"`);

      const status = await ecs(['status', ...keyArgs(key)]);
      expect(status.code).toBe(1);
      expect(status.stderr).toContain(`error: No worker is polling task queue "${queue}"`);
    },
    SECONDS,
  );

  it(
    'terminate of a task nobody serves fails saying no worker is polling the queue (one task, or --all)',
    async () => {
      const key = uniqueKey('unserved-terminate');
      expect((await ecs(['submit', ...keyArgs(key), '--', ...succeed])).code).toBe(0);
      const one = await ecs(['terminate', ...keyArgs(key)]);
      expect(one.code).toBe(1);
      expect(one.stderr).toContain(`No worker is polling task queue "${queue}"`);
      await eventually(async () => json<TaskSummary[]>(await ecs(['list', '--json', '--running'])).length > 0, 'the running task in list');
      const all = await ecs(['terminate', '--all']);
      expect(all.code).toBe(1);
      expect(all.stderr).toContain(`No worker is polling task queue "${queue}"`);
    },
    SECONDS,
  );

  it(
    'adopt fails at once saying no worker is polling the queue',
    async () => {
      const arn = 'arn:aws:ecs:us-east-1:000000000000:task/default/0123456789abcdef0123456789abcdef';
      const adopted = await ecs(['adopt', ...keyArgs(uniqueKey('unserved-adopt')), '--arn', arn]);
      expect(adopted.code).toBe(1);
      expect(adopted.stderr).toContain(`No worker is polling task queue "${queue}"`);
    },
    SECONDS,
  );

  it(
    'wait says no worker is polling, and keeps waiting until the task ends',
    async () => {
      const key = uniqueKey('unserved-wait');
      const submitted = json<{ workflowId: string }>(await ecs(['submit', ...keyArgs(key), '--json', '--', ...succeed]));
      const io = captureIo();
      const waiting = withEnv({ ECS_EXECUTOR_TASK_QUEUE: queue, ECS_EXECUTOR_NAME: queue }, () => runCli(['wait', '--address', address(), ...keyArgs(key)], io));
      await eventually(() => io.stderr().includes(`warning: No worker is polling task queue "${queue}"`), 'the warning');
      // An operator ends it from the Temporal side: wait reports how it ended.
      await temporal.client.workflow.getHandle(submitted.workflowId).terminate('nobody serves this queue');
      expect(await waiting).toBe(1);
      expect(io.stdout()).toMatch(/^FAILED: /);
    },
    SECONDS,
  );
});

describe('ecs-executor status of finished tasks, with no worker left', () => {
  let e2e: E2eContext;
  let ecs: (argv: string[]) => Promise<CliRun>;
  const succeeded = uniqueKey('closed-ok');
  const failed = uniqueKey('closed-failed');

  beforeAll(async () => {
    e2e = await startE2e({ maxRunTaskAttempts: 1 });
    const worker = await e2e.startWorker();
    ecs = against({ ECS_EXECUTOR_TASK_QUEUE: e2e.runtime.taskQueue, ECS_EXECUTOR_NAME: e2e.runtime.executorName });
    expect((await ecs(['submit', ...keyArgs(succeeded), '--wait', '--', ...succeed])).code).toBe(0);
    expect((await ecs(['submit', ...keyArgs(failed), '--wait', '--', ...exitWith(4)])).code).toBe(1);
    worker.shutdown();
  });

  afterAll(async () => {
    await e2e?.teardown();
  });

  it('reads the attempts and events of a succeeded task from its result', async () => {
    const status = await ecs(['status', ...keyArgs(succeeded), '--json']);
    expect(status.code).toBe(0);
    const parsed = json<AirflowTaskStatus>(status);
    expect(parsed).toMatchObject({ state: 'SUCCESS', phase: 'DONE', attempts: [{ attempt: 1, outcome: 'SUCCESS', containers: [{ exitCode: 0 }] }] });
    expect(parsed.events.length).toBeGreaterThan(0);
  });

  it('reads the attempts and events of a failed task from its failure', async () => {
    const status = await ecs(['status', ...keyArgs(failed), '--json']);
    expect(status.code).toBe(0);
    const parsed = json<AirflowTaskStatus>(status);
    expect(parsed).toMatchObject({ state: 'FAILED', phase: 'DONE', attempts: [{ attempt: 1, outcome: 'FAILED', containers: [{ exitCode: 4 }] }] });
    expect(parsed.events.some((e) => e.level === 'error')).toBe(true);
    const waited = await ecs(['wait', ...keyArgs(failed)]);
    expect(waited.code).toBe(1);
  });
});

/**
 * The real binary, run as a script runs it. It needs a build: `tsc -p tsconfig.build.json`, the
 * command `npm run build` runs, into .cache/cli-smoke/ (git-ignored) laid out as the package is
 * (bin/, lib/, package.json; node_modules is found in the repository above it). Not into lib/: bin/ecs-executor prefers a lib/ it
 * finds, so a lib/ left behind by a test would run stale code for whoever edits src/ next. The
 * build is reused while no source or config is newer than it, so only the first run after a
 * change pays for it (about 4 s on 2 cores).
 */
const smokeRoot = path.join(repoRoot, '.cache', 'cli-smoke');
const smokeBin = path.join(smokeRoot, 'bin', 'ecs-executor');

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(full) : statSync(full).mtimeMs);
  }
  return newest;
}

async function buildOnce(): Promise<void> {
  const stamp = path.join(smokeRoot, '.built');
  const inputs = Math.max(newestMtime(path.join(repoRoot, 'src')), ...['tsconfig.json', 'tsconfig.build.json', 'package.json', 'bin/ecs-executor'].map((f) => statSync(path.join(repoRoot, f)).mtimeMs));
  if (existsSync(stamp) && statSync(stamp).mtimeMs > inputs) return;
  // Stamped with the time the build started: a source saved while it ran makes the next run build again.
  const started = new Date();
  rmSync(smokeRoot, { recursive: true, force: true });
  mkdirSync(path.join(smokeRoot, 'bin'), { recursive: true });
  try {
    // --noCheck: the same JavaScript (isolatedModules), without a second type-check of what the suite's tsc step has already checked.
    await run(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', path.join(repoRoot, 'tsconfig.build.json'), '--outDir', path.join(smokeRoot, 'lib'), '--noCheck'], {
      cwd: repoRoot,
    });
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string };
    throw new Error(`the build (tsc -p tsconfig.build.json) failed:\n${e.stdout ?? ''}${e.stderr ?? ''}`, { cause: err });
  }
  cpSync(path.join(repoRoot, 'bin', 'ecs-executor'), smokeBin);
  cpSync(path.join(repoRoot, 'package.json'), path.join(smokeRoot, 'package.json'));
  writeFileSync(stamp, started.toISOString());
  utimesSync(stamp, started, started);
}

/** Runs the built binary with only `env` (and PATH, HOME) set. */
async function binary(args: string[], env: Record<string, string> = {}): Promise<CliRun> {
  try {
    const { stdout, stderr } = await run(process.execPath, [smokeBin, ...args], {
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', AIRFLOW_CONFIG: '/nonexistent/airflow.cfg', ...env },
      timeout: 60_000,
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

describe('the real ecs-executor binary (a build made once)', () => {
  let e2e: E2eContext;

  beforeAll(async () => {
    [e2e] = await Promise.all([startE2e({ maxRunTaskAttempts: 1 }), buildOnce()]);
    await e2e.startWorker();
  });

  afterAll(async () => {
    await e2e?.teardown();
  });

  it('prints its version, and exits 2 with the error and the hint for a usage error', async () => {
    const { version } = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { version: string };
    expect(await binary(['--version'])).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
    expect(await binary(['list', '--limit', '0'])).toEqual({ code: 2, stdout: '', stderr: 'error: --limit must be 1 or more, got 0\n(run "ecs-executor list --help" for usage)\n' });
  });

  it('submit --wait --json runs a task against the dev server and exits 0 with one JSON document', async () => {
    const key = uniqueKey('binary');
    const result = await binary(['submit', '--wait', '--json', ...keyArgs(key), '--', ...succeed], {
      TEMPORAL_ADDRESS: address(),
      ECS_EXECUTOR_TASK_QUEUE: e2e.runtime.taskQueue,
      ECS_EXECUTOR_NAME: e2e.runtime.executorName,
    });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(json<{ result: AirflowTaskResult }>(result).result).toMatchObject({ state: 'SUCCESS', key: { taskId: key.taskId } });
  });
});
