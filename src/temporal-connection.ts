import { loadClientConnectConfig, type ClientConnectConfig } from '@temporalio/envconfig';

export interface TemporalTarget {
  address?: string;
  namespace?: string;
}

/**
 * Temporal connection settings, by Temporal's own conventions: TEMPORAL_ADDRESS,
 * TEMPORAL_NAMESPACE, TEMPORAL_API_KEY, TEMPORAL_TLS*, TEMPORAL_PROFILE and the TOML config file
 * (TEMPORAL_CONFIG_FILE). Explicit values (CLI flags, tests) win.
 */
export function temporalConnectConfig(target: TemporalTarget = {}): Required<Pick<ClientConnectConfig, 'namespace'>> & ClientConnectConfig {
  const loaded = loadClientConnectConfig();
  return {
    connectionOptions: {
      ...loaded.connectionOptions,
      address: target.address ?? loaded.connectionOptions.address ?? 'localhost:7233',
    },
    namespace: target.namespace ?? loaded.namespace ?? 'default',
  };
}
