import { Client, Connection } from '@temporalio/client';
import { EcsExecutorClient } from '../../src/client';
import { loadExecutorConfig, loadRuntimeConfig } from '../../src/config';
import { freePort } from '../../src/dev/dev-server';
import { createLogger } from '../../src/logger';

/** Spec section 8: sync, end and terminate never take the scheduler down, whatever fails. */
describe('EcsExecutorClient when Temporal is unreachable', () => {
  let connection: Connection;
  let client: EcsExecutorClient;

  beforeAll(async () => {
    // Nothing listens on this port: every call fails.
    // No gRPC retry interceptor: each call fails at once instead of retrying for ~20 s.
    connection = Connection.lazy({ address: `127.0.0.1:${await freePort()}`, connectTimeout: 500, interceptors: [] });
    const env = { ECS_EXECUTOR_CLUSTER: 'c', ECS_EXECUTOR_CONTAINER_NAME: 'airflow', ECS_EXECUTOR_TASK_DEFINITION: 'td' };
    client = await EcsExecutorClient.connect({
      client: new Client({ connection }),
      executor: loadExecutorConfig(env),
      runtime: loadRuntimeConfig(env),
      logger: createLogger('silent'),
    });
  });

  afterAll(async () => {
    await client.close();
    await connection.close();
  });

  it('sync() returns no events instead of throwing', async () => {
    await expect(client.sync()).resolves.toEqual([]);
  });

  it('end() gives up after its timeout instead of throwing', async () => {
    await expect(client.end({ pollIntervalMs: 100, timeoutMs: 1_500 })).resolves.toBeUndefined();
  });

  it('terminate() logs and returns instead of throwing', async () => {
    await expect(client.terminate('test', { pollIntervalMs: 100, timeoutMs: 1_500 })).resolves.toBeUndefined();
  });
});
