import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { EcsExecutorClient } from '../../src/client';
import { loadExecutorConfig, loadRuntimeConfig } from '../../src/config';
import { freePort, startDevServer, type DevServer } from '../../src/dev/dev-server';
import { EcsClientProvider } from '../../src/ecs/ecs-client';
import { startLocalEcs, type LocalEcs } from '../../src/local-ecs';
import { createLogger } from '../../src/logger';
import { createEcsWorker, type EcsWorker } from '../../src/worker';
import { CREDENTIALS, eventually, Gate, uniqueKey } from '../support/e2e';

/**
 * The Temporal dev server is stopped mid-task and restarted on its SQLite file: the task is not
 * lost and no second ECS task is launched for it.
 */
describe('a Temporal server restarted on its SQLite file (own dev server, local ECS endpoint)', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'e2e-restart-'));
  const dbFilename = path.join(dir, 'temporal.db');
  let port: number;
  let server: DevServer | undefined;
  let ecs: LocalEcs;
  let worker: EcsWorker;
  let workerRun: Promise<void>;
  let workerConnection: NativeConnection;
  let connection: Connection;
  let client: EcsExecutorClient;

  beforeAll(async () => {
    port = await freePort();
    server = await startDevServer({ ui: false, port, dbFilename, readyTimeoutMs: 90_000 });
    ecs = await startLocalEcs({ lifecycle: { provisioningMs: 50, pendingMs: 50, deactivatingMs: 20, deprovisioningMs: 20 }, logDir: dir });
    const env = {
      ECS_EXECUTOR_CLUSTER: 'default',
      ECS_EXECUTOR_CONTAINER_NAME: 'airflow',
      ECS_EXECUTOR_TASK_DEFINITION: 'airflow',
      ECS_EXECUTOR_LAUNCH_TYPE: 'FARGATE',
      ECS_EXECUTOR_NAME: 'restart',
      ECS_EXECUTOR_TASK_QUEUE: 'restart',
      ECS_EXECUTOR_POLL_INTERVAL_SECONDS: '0.2',
    };
    const executor = loadExecutorConfig(env);
    const runtime = loadRuntimeConfig(env);
    const provider = () => new EcsClientProvider({ region: 'us-east-1', endpoint: ecs.url, credentials: CREDENTIALS });
    const logger = createLogger('error', 'e2e-restart');
    workerConnection = await NativeConnection.connect({ address: server.address });
    worker = await createEcsWorker({ connection: workerConnection, runtime, executor, ecs: provider(), logger });
    workerRun = worker.run();
    connection = await Connection.connect({ address: server.address });
    client = await EcsExecutorClient.connect({ client: new Client({ connection }), executor, runtime, ecs: provider(), logger });
  });

  afterAll(async () => {
    worker?.shutdown();
    await workerRun?.catch(() => undefined);
    await workerConnection?.close();
    await connection?.close();
    await ecs?.stop();
    await server?.stop();
  });

  it('completes a task that was running while the server restarted, with one RunTask', async () => {
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
