import { TestWorkflowEnvironment } from '@temporalio/testing';
import { registerSearchAttributes } from '../../src/dev/search-attributes';
import { temporalTestServerPath } from '../../src/dev/temporal-binaries';

/**
 * The time-skipping test server (Java, from Maven Central), one per test file, with our search
 * attributes registered (it rejects upserts of unknown ones).
 */
export async function createTimeSkippingEnv(): Promise<TestWorkflowEnvironment> {
  const env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: temporalTestServerPath() } },
  });
  await registerSearchAttributes(env.connection, env.namespace ?? 'default');
  return env;
}

/** A dev server (real visibility, search attributes); by default the run-wide one that global-setup started. */
export async function connectToDevServer(address = process.env.TEST_TEMPORAL_ADDRESS): Promise<TestWorkflowEnvironment> {
  if (!address) throw new Error('TEST_TEMPORAL_ADDRESS is not set: run the tests through jest, whose global setup starts the dev server');
  return TestWorkflowEnvironment.createFromExistingServer({ address });
}
