import { ECSClient, type ECSClientConfig } from '@aws-sdk/client-ecs';

/** Static credentials or a credential provider, exactly as ECSClient accepts them. */
export type EcsCredentials = NonNullable<ECSClientConfig['credentials']>;

export interface EcsClientOptions {
  /** AWS region; the SDK's default chain (AWS_REGION, profile) when omitted. */
  region?: string;
  /** Endpoint override, e.g. the local ECS endpoint; real AWS when omitted. */
  endpoint?: string;
  /** Credentials; the SDK's default chain (env, AWS_PROFILE, SSO, IMDS...) when omitted. */
  credentials?: EcsCredentials;
}

/**
 * Owns the worker's single ECSClient. The client is built on first use, so a worker starts even
 * when the credential chain cannot resolve yet; `reset()` throws it away after a credential error
 * so the next call re-runs the credential chain and picks up refreshed credentials.
 */
export class EcsClientProvider {
  private client: ECSClient | undefined;

  constructor(private readonly options: EcsClientOptions = {}) {}

  get(): ECSClient {
    this.client ??= new ECSClient(this.clientConfig());
    return this.client;
  }

  /**
   * Destroys the current client; the next `get()` builds a new one. Calls still in flight on the
   * old client fail as network errors, which every caller treats as transient (and RunTask is
   * idempotent through its clientToken), so destroying right away is safe.
   */
  reset(): void {
    const old = this.client;
    this.client = undefined;
    old?.destroy();
  }

  private clientConfig(): ECSClientConfig {
    // Only set what was given: an explicit `undefined` would shadow the SDK's default chains.
    const config: ECSClientConfig = {};
    if (this.options.region !== undefined) config.region = this.options.region;
    if (this.options.endpoint !== undefined) config.endpoint = this.options.endpoint;
    if (this.options.credentials !== undefined) config.credentials = this.options.credentials;
    return config;
  }
}
