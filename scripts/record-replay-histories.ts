/**
 * Records the histories the replay tests (test/replay/) replay: real runs of the workflows on a dev
 * server with our worker and the local ECS endpoint, one per scenario. Run it on purpose, after a
 * workflow change that is meant to alter history (and is behind `patched()`), never to make a
 * failing replay test pass: `npx ts-node --transpile-only scripts/record-replay-histories.ts`.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { RunTaskCommand } from '@aws-sdk/client-ecs';
import { execFileSync } from 'node:child_process';
import { adoptedTaskWorkflowId, taskWorkflowId } from '../src/contract/ids';
import { startDevServer } from '../src/dev/dev-server';
import { temporalCliPath } from '../src/dev/temporal-binaries';
import { eventually, Gate, nodeCommand, startE2e, uniqueKey, type E2eContext } from '../test/support/e2e';

const OUT = path.resolve(__dirname, '..', 'test', 'replay');

/** The history as `temporal workflow show --output json` writes it: the format Worker.runReplayHistories reads. */
async function save(e2e: E2eContext, name: string, workflowId: string): Promise<void> {
  const json = execFileSync(temporalCliPath(), ['workflow', 'show', '--address', e2e.env.address, '--workflow-id', workflowId, '--output', 'json'], { encoding: 'utf8' });
  writeFileSync(path.join(OUT, `${name}.json`), json);
  process.stdout.write(`recorded ${name}: ${(JSON.parse(json) as { events: unknown[] }).events.length} events\n`);
}

/** Submits a task, waits for its outcome (whatever it is) and saves its history. */
async function recordTask(e2e: E2eContext, name: string, command: string[], during?: (key: ReturnType<typeof uniqueKey>) => Promise<void>): Promise<void> {
  const key = uniqueKey(name);
  await e2e.client.executeAsync(key, command);
  await during?.(key);
  await e2e.client.result(key);
  await save(e2e, name, taskWorkflowId(key));
}

async function main(): Promise<void> {
  const server = await startDevServer({ ui: false });
  const e2e = await startE2e({ temporalAddress: server.address, maxRunTaskAttempts: 2 });
  await e2e.startWorker();
  try {
    await recordTask(e2e, 'success', nodeCommand('setTimeout(() => {}, 1500)'));
    await recordTask(e2e, 'relaunch-after-exit-1', nodeCommand('process.exit(1)'));

    e2e.ecs.setFaults({ endpoint: { runTaskFailure: { next: 1, reason: 'RESOURCE:MEMORY' } } });
    await recordTask(e2e, 'launch-refused-then-backoff', nodeCommand('process.exit(0)'));
    e2e.ecs.clearFaults();

    const gate = new Gate('terminate');
    await recordTask(e2e, 'terminate-while-running', gate.command(), async (key) => {
      await eventually(async () => (await e2e.client.status(key)).lastStatus === 'RUNNING', 'the task to run');
      await e2e.client.terminateTask(key, 'recorded terminate');
    });

    // ECS forgets the first launch after it was seen running: MISSING, relaunched.
    e2e.ecs.setFaults({ endpoint: { vanish: { next: 1, afterMs: 1500 } } });
    await recordTask(e2e, 'missing-then-relaunch', nodeCommand('setTimeout(() => {}, 4000)'));
    e2e.ecs.clearFaults();

    const adoptGate = new Gate('adopt');
    const launched = await e2e.sdk.send(
      new RunTaskCommand({ cluster: 'default', taskDefinition: 'airflow', overrides: { containerOverrides: [{ name: 'airflow', command: adoptGate.command() }] } }),
    );
    const arn = launched.tasks?.[0]?.taskArn;
    if (arn === undefined) throw new Error('RunTask for the adoption scenario launched nothing');
    const key = uniqueKey('adopted');
    await e2e.client.tryAdoptTaskInstances([{ key, externalExecutorId: arn }]);
    adoptGate.open();
    await eventually(async () => (await e2e.client.status(key)).phase === 'DONE', 'the adopted task to finish');
    await save(e2e, 'adoption', adoptedTaskWorkflowId(arn));
  } finally {
    await e2e.teardown();
    await server.stop();
  }
}

void main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
