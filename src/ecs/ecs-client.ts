import { ECSClient, type ECSClientConfig } from '@aws-sdk/client-ecs';
import { NodeHttpHandler } from '@smithy/node-http-handler';

/** Static credentials or a credential provider, exactly as ECSClient accepts them. */
type EcsCredentials = NonNullable<ECSClientConfig['credentials']>;

export interface EcsClientOptions {
  /** AWS region; the SDK's default chain (AWS_REGION, profile) when omitted. */
  region?: string;
  /** Endpoint override, e.g. the local ECS endpoint; real AWS when omitted. */
  endpoint?: string;
  /** Credentials; the SDK's default chain (env, AWS_PROFILE, SSO, IMDS...) when omitted. */
  credentials?: EcsCredentials;
  /** Per-request timeout: a call that has not answered by then fails as a (transient) TimeoutError. Default 20 s. */
  requestTimeoutMs?: number;
}

export const DEFAULT_ECS_REQUEST_TIMEOUT_MS = 20_000;

/**
 * The SDK's own retries, on purpose: a throttled or failed call is retried quickly inside one
 * activity attempt (standard mode, 3 attempts in all, with jittered backoff), which costs no
 * Temporal round trip; longer outages are Temporal's to retry, with its own backoff and without
 * consuming launch attempts. `maxAttempts` is set here, not left to a default, so that a test pins it.
 */
export const ECS_SDK_MAX_ATTEMPTS = 3;

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

  /** The client configuration, exposed for the test that pins timeouts and retries. */
  clientConfig(): ECSClientConfig {
    const timeout = this.options.requestTimeoutMs ?? DEFAULT_ECS_REQUEST_TIMEOUT_MS;
    // The Node handler has no timeout by default: one hung call would hold its caller forever.
    const config: ECSClientConfig = {
      maxAttempts: ECS_SDK_MAX_ATTEMPTS,
      // throwOnRequestTimeout: without it the handler only warns when requestTimeout passes.
      requestHandler: new NodeHttpHandler({ connectionTimeout: Math.min(timeout, 5_000), requestTimeout: timeout, throwOnRequestTimeout: true }),
    };
    // Only set what was given: an explicit `undefined` would shadow the SDK's default chains.
    if (this.options.region !== undefined) config.region = this.options.region;
    if (this.options.endpoint !== undefined) config.endpoint = this.options.endpoint;
    if (this.options.credentials !== undefined) config.credentials = this.options.credentials;
    return config;
  }
}
