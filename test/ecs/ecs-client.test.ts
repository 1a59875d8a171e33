import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DescribeTasksCommand, ECSClient } from '@aws-sdk/client-ecs';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { DEFAULT_ECS_REQUEST_TIMEOUT_MS, ECS_SDK_MAX_ATTEMPTS, EcsClientProvider } from '../../src/ecs/ecs-client';
import { classifyEcsError } from '../../src/ecs/errors';

const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };

describe('EcsClientProvider', () => {
  it('builds one client lazily and hands the same one out until reset', () => {
    const provider = new EcsClientProvider({ region: 'eu-west-1', credentials });

    const first = provider.get();

    expect(first).toBeInstanceOf(ECSClient);
    expect(provider.get()).toBe(first);
    provider.reset();
  });

  it('destroys the client on reset and builds a fresh one on the next get (so the credential chain runs again)', () => {
    const provider = new EcsClientProvider({ region: 'eu-west-1', credentials });
    const first = provider.get();
    const destroy = jest.spyOn(first, 'destroy');

    provider.reset();
    const second = provider.get();

    expect(destroy).toHaveBeenCalledTimes(1);
    expect(second).not.toBe(first);
    provider.reset();
  });

  it('passes region and endpoint to the SDK client', async () => {
    const provider = new EcsClientProvider({ region: 'eu-west-1', endpoint: 'http://127.0.0.1:4566', credentials });
    const client = provider.get();

    expect(await client.config.region()).toBe('eu-west-1');
    const endpoint = await client.config.endpoint?.();
    expect(endpoint?.hostname).toBe('127.0.0.1');
    expect(endpoint?.port).toBe(4566);
    provider.reset();
  });

  it('resetting before any get is harmless', () => {
    expect(() => new EcsClientProvider().reset()).not.toThrow();
  });
});

describe('EcsClientProvider.clientConfig (retries and timeouts are pinned, not left to SDK defaults)', () => {
  it('pins the SDK to 3 attempts in all', () => {
    expect(ECS_SDK_MAX_ATTEMPTS).toBe(3);
    expect(new EcsClientProvider().clientConfig().maxAttempts).toBe(3);
  });

  it('uses a Node HTTP handler (the one whose timeouts we set)', () => {
    expect(new EcsClientProvider().clientConfig().requestHandler).toBeInstanceOf(NodeHttpHandler);
  });

  it('sets neither region, endpoint nor credentials unless given (an explicit undefined would shadow the default chains)', () => {
    const config = new EcsClientProvider().clientConfig();
    expect('region' in config).toBe(false);
    expect('endpoint' in config).toBe(false);
    expect('credentials' in config).toBe(false);
  });

  it('defaults the request timeout to 20 s', () => {
    expect(DEFAULT_ECS_REQUEST_TIMEOUT_MS).toBe(20_000);
  });

  describe('against an endpoint that accepts the connection and never answers', () => {
    let server: Server;
    let url: string;

    beforeAll(async () => {
      server = createServer(() => {
        // Never answers: a hung ECS call.
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });

    afterAll(async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    });

    // @smithy/node-http-handler 4.x only *warns* when `requestTimeout` passes unless told
    // `throwOnRequestTimeout`: without it a hung call would wait for the 15-minute socket timeout.
    it('fails a call that has not answered within the request timeout, as a transient TimeoutError', async () => {
      const provider = new EcsClientProvider({ region: 'us-east-1', endpoint: url, credentials, requestTimeoutMs: 300 });
      // One attempt, so the test measures the handler's timeout, not the SDK's retries of it.
      const client = new ECSClient({ ...provider.clientConfig(), maxAttempts: 1 });
      const started = Date.now();
      try {
        const outcome = await Promise.race([
          client.send(new DescribeTasksCommand({ cluster: 'c', tasks: ['t'] })).then(
            () => 'answered',
            (err: unknown) => err,
          ),
          // A guard only: a correct handler fails the call after 300 ms, far inside this.
          new Promise((resolve) => setTimeout(() => resolve('still waiting after 5 s'), 5_000)),
        ]);
        expect(outcome).toBeInstanceOf(Error);
        expect((outcome as Error).name).toBe('TimeoutError');
        expect(classifyEcsError(outcome)).toBe('transient');
        expect(Date.now() - started).toBeGreaterThanOrEqual(300);
        expect(client.config.requestHandler).toBeInstanceOf(NodeHttpHandler);
        expect((client.config.requestHandler as NodeHttpHandler).httpHandlerConfigs()).toMatchObject({ requestTimeout: 300, connectionTimeout: 300 });
      } finally {
        client.destroy();
      }
    });

    it('caps the connection timeout at 5 s while the request timeout may be longer', async () => {
      const provider = new EcsClientProvider({ region: 'us-east-1', endpoint: url, credentials, requestTimeoutMs: 60_000 });
      const client = new ECSClient({ ...provider.clientConfig(), maxAttempts: 1 });
      const abort = new AbortController();
      // The handler resolves its options before it sends the first request: once the request is here, they are readable.
      const arrived = new Promise((resolve) => server.once('request', resolve));
      const call = client.send(new DescribeTasksCommand({ cluster: 'c', tasks: ['t'] }), { abortSignal: abort.signal }).catch((err: unknown) => err);
      try {
        await arrived;
        expect((client.config.requestHandler as NodeHttpHandler).httpHandlerConfigs()).toMatchObject({ requestTimeout: 60_000, connectionTimeout: 5_000 });
      } finally {
        abort.abort();
        await call;
        client.destroy();
      }
    });
  });
});
