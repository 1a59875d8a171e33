import { startDevServer, type DevServer } from '../../src/dev/dev-server';

/**
 * One dev server for the whole test run, started with a generous readiness check; test files
 * connect to it through TEST_TEMPORAL_ADDRESS (see connectToDevServer in ./environments.ts).
 */
export default async function globalSetup(): Promise<void> {
  const server = await startDevServer({ ui: false, readyTimeoutMs: 90_000 });
  process.env.TEST_TEMPORAL_ADDRESS = server.address;
  (globalThis as { __devServer?: DevServer }).__devServer = server;
}
