import { startDevServer, type DevServer } from '../../src/dev/dev-server';
import { buildRunWideBundle } from './workflow-bundle';

/**
 * One dev server for the whole test run, started with a generous readiness check, and one
 * workflow bundle, built while the server starts. Test files find the server through
 * TEST_TEMPORAL_ADDRESS (see connectToDevServer in ./environments.ts) and the bundle through
 * TEST_WORKFLOW_BUNDLE (see ./workflow-bundle.ts).
 */
export default async function globalSetup(): Promise<void> {
  const [server, bundle] = await Promise.allSettled([startDevServer({ ui: false, readyTimeoutMs: 90_000 }), buildRunWideBundle()]);
  if (server.status === 'rejected' || bundle.status === 'rejected') {
    // Whichever did start must not outlive a setup that failed, and the failure is what gets reported.
    if (server.status === 'fulfilled') await server.value.stop().catch(() => undefined);
    if (bundle.status === 'fulfilled') bundle.value.dispose();
    throw server.status === 'rejected' ? server.reason : (bundle as PromiseRejectedResult).reason;
  }
  process.env.TEST_TEMPORAL_ADDRESS = server.value.address;
  const state = globalThis as RunWide;
  state.__devServer = server.value;
  state.__workflowBundle = bundle.value;
}

/** What global setup leaves for global teardown (jest runs both in one context). */
export interface RunWide {
  __devServer?: DevServer;
  __workflowBundle?: { dispose(): void };
}
