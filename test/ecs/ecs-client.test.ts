import { ECSClient } from '@aws-sdk/client-ecs';
import { EcsClientProvider } from '../../src/ecs/ecs-client';

describe('EcsClientProvider', () => {
  const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };

  it('builds one client lazily and hands the same one out until reset', () => {
    const provider = new EcsClientProvider({ region: 'eu-west-1', credentials });

    const first = provider.get();

    expect(first).toBeInstanceOf(ECSClient);
    expect(provider.get()).toBe(first);
    provider.reset();
  });

  it('destroys the client on reset and builds a fresh one on the next get', () => {
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
