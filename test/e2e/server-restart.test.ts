import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort, startDevServer, type DevServer } from '../../src/dev/dev-server';
import { eventually, Gate, startE2e, uniqueKey, type E2eContext } from '../support/e2e';

/**
 * The Temporal dev server is stopped mid-task and restarted on its SQLite file: the task is not
 * lost and no second ECS task is launched for it.
 */
describe('a Temporal server restarted on its SQLite file (own dev server, local ECS endpoint)', () => {
  const dbDir = mkdtempSync(path.join(tmpdir(), 'e2e-restart-'));
  const dbFilename = path.join(dbDir, 'temporal.db');
  let port: number;
  let server: DevServer | undefined;
  let e2e: E2eContext;

  beforeAll(async () => {
    port = await freePort();
    server = await startDevServer({ ui: false, port, dbFilename, readyTimeoutMs: 90_000 });
    e2e = await startE2e({ temporalAddress: server.address });
    await e2e.startWorker();
  });

  afterAll(async () => {
    await e2e?.teardown();
    await server?.stop();
    rmSync(dbDir, { recursive: true, force: true });
  });

  it('completes a task that was running while the server restarted, with one RunTask', async () => {
    const { client, ecs } = e2e;
    const key = uniqueKey('restart');
    const gate = new Gate('restart');
    await client.executeAsync(key, gate.command());
    await eventually(async () => (await client.status(key)).lastStatus === 'RUNNING', 'the task to be RUNNING');

    await server!.stop();
    server = undefined;
    await new Promise((resolve) => setTimeout(resolve, 1000));
    server = await startDevServer({ ui: false, port, dbFilename, readyTimeoutMs: 90_000 });
    expect(ecs.stats().runningProcesses).toBe(1);
    gate.open();

    const result = await eventually(() => client.result(key), 'the task result after the restart', 90_000);
    expect(result).toMatchObject({ state: 'SUCCESS', attempts: 1 });
    expect(ecs.stats().tasksLaunched).toBe(1);
  }, 150_000);
});
