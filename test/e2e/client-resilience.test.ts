import { Client, Connection } from '@temporalio/client';
import { EcsExecutorClient } from '../../src/client';
import { freePort } from '../../src/dev/dev-server';
import pino from 'pino';

/**
 * sync, end and terminate never take the scheduler down, whatever fails
 * (docs/airflow-behaviour.md, "8. Errors never kill the scheduler").
 */
describe('EcsExecutorClient when Temporal is unreachable', () => {
  let connection: Connection;
  let client: EcsExecutorClient;
  const logged: string[] = [];

  beforeAll(async () => {
    // Nothing listens on this port: every call fails.
    // No gRPC retry interceptor: each call fails at once instead of retrying for ~20 s.
    connection = Connection.lazy({ address: `127.0.0.1:${await freePort()}`, connectTimeout: 500, interceptors: [] });
    client = await EcsExecutorClient.connect({
      client: new Client({ connection }),
      settings: { taskQueue: 'unreachable', executorName: 'unreachable', syncLagMs: 10_000 },
      logger: pino({ level: 'error' }, { write: (line: string) => void logged.push(line) }),
    });
  });

  afterAll(async () => {
    await client.close();
    await connection.close();
  });

  beforeEach(() => {
    logged.length = 0;
  });

  it('sync() logs the failure and returns no events instead of throwing', async () => {
    await expect(client.sync()).resolves.toEqual([]);
    expect(logged.join('')).toContain('sync failed; the next sync will catch up');
  });

  it('end() keeps retrying until its timeout, then returns instead of throwing', async () => {
    const started = Date.now();
    await expect(client.end({ pollIntervalMs: 100, timeoutMs: 1_500 })).resolves.toBeUndefined();
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_500);
    expect(logged.join('')).toContain('end: could not count running tasks; retrying');
  });

  it('terminate() logs and returns instead of throwing', async () => {
    await expect(client.terminate('test', { pollIntervalMs: 100, timeoutMs: 1_500 })).resolves.toBeUndefined();
    expect(logged.join('')).toContain('terminate: could not list running tasks');
  });
});
