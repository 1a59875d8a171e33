import { ConfigError } from '../../src/errors';
import { temporalAddressProblem, temporalConnectConfig } from '../../src/temporal-connection';

describe('temporalAddressProblem', () => {
  it.each(['localhost:7233', '127.0.0.1:7233', 'temporal.example.com:443', '[::1]:7233', 'my-ns.a1b2c.tmprl.cloud:7233'])('accepts %p', (address) => {
    expect(temporalAddressProblem(address)).toBeUndefined();
  });

  it.each([
    ['foo', 'expected host:port, e.g. localhost:7233 or temporal.example.com:7233 (the port is missing)'],
    ['localhost', 'expected host:port, e.g. localhost:7233 or temporal.example.com:7233 (the port is missing)'],
    ['http://localhost:7233', 'expected host:port, e.g. localhost:7233 or temporal.example.com:7233, without a scheme (drop "http://")'],
    ['localhost:99999', 'expected host:port, e.g. localhost:7233 or temporal.example.com:7233 (port 99999 is not from 1 to 65535)'],
    ['local host:7233', 'expected host:port, e.g. localhost:7233 or temporal.example.com:7233 (the host is not valid)'],
  ])('rejects %p', (address, problem) => {
    expect(temporalAddressProblem(address)).toBe(problem);
  });
});

describe('temporalConnectConfig', () => {
  const saved = process.env.TEMPORAL_ADDRESS;
  afterEach(() => {
    if (saved === undefined) delete process.env.TEMPORAL_ADDRESS;
    else process.env.TEMPORAL_ADDRESS = saved;
  });

  it('rejects TEMPORAL_ADDRESS=foo as a configuration error naming the variable (issue 9, item 21)', () => {
    process.env.TEMPORAL_ADDRESS = 'foo';
    const run = () => temporalConnectConfig();
    expect(run).toThrow(ConfigError);
    expect(run).toThrow('TEMPORAL_ADDRESS="foo": expected host:port, e.g. localhost:7233 or temporal.example.com:7233 (the port is missing)');
  });

  it('names the explicit address when that is the bad one', () => {
    expect(() => temporalConnectConfig({ address: 'bar' })).toThrow('the Temporal address given (--address)="bar": expected host:port');
  });

  it('passes a good address through', () => {
    process.env.TEMPORAL_ADDRESS = 'temporal:7233';
    expect(temporalConnectConfig().connectionOptions.address).toBe('temporal:7233');
  });
});
