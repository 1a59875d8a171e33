import { loadClientConnectConfig, type ClientConnectConfig } from '@temporalio/envconfig';
import { ConfigError } from './errors';

export interface TemporalTarget {
  address?: string;
  namespace?: string;
}

/**
 * Temporal connection settings, by Temporal's own conventions: TEMPORAL_ADDRESS,
 * TEMPORAL_NAMESPACE, TEMPORAL_API_KEY, TEMPORAL_TLS*, TEMPORAL_PROFILE and the TOML config file
 * (TEMPORAL_CONFIG_FILE). Explicit values (CLI flags, tests) win. A malformed address is a
 * ConfigError naming where it came from, not a connection error later.
 */
export function temporalConnectConfig(target: TemporalTarget = {}): Required<Pick<ClientConnectConfig, 'namespace'>> & ClientConnectConfig {
  const loaded = loadClientConnectConfig();
  const address = target.address ?? loaded.connectionOptions.address ?? 'localhost:7233';
  const source =
    target.address !== undefined
      ? 'the Temporal address given (--address)'
      : process.env.TEMPORAL_ADDRESS
        ? 'TEMPORAL_ADDRESS'
        : 'the Temporal profile (TEMPORAL_CONFIG_FILE, TEMPORAL_PROFILE)';
  const problem = temporalAddressProblem(address);
  if (problem) {
    const line = `${source}="${address}": ${problem}`;
    throw new ConfigError(`Invalid Temporal connection settings (1 problem):\n  - ${line}`, [line]);
  }
  return {
    connectionOptions: { ...loaded.connectionOptions, address },
    namespace: target.namespace ?? loaded.namespace ?? 'default',
  };
}

/** What is wrong with a Temporal address (`host:port`, IPv6 as `[::1]:7233`), or undefined when it is fine. */
export function temporalAddressProblem(address: string): string | undefined {
  const expected = 'expected host:port, e.g. localhost:7233 or temporal.example.com:7233';
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(address)) return `${expected}, without a scheme (drop "${address.split('://')[0]}://")`;
  const match = /^(\[[0-9A-Fa-f:.]+\]|[^\s:/[\]]+):(\d+)$/.exec(address);
  if (!match) return /:\d+$/.test(address) ? `${expected} (the host is not valid)` : `${expected} (the port is missing)`;
  const port = Number(match[2]);
  if (port < 1 || port > 65535) return `${expected} (port ${port} is not from 1 to 65535)`;
  return undefined;
}
