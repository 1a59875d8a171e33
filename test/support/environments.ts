import { TestWorkflowEnvironment } from '@temporalio/testing';
import { temporalTestServerPath } from '../../src/dev/temporal-binaries';

/** The time-skipping test server (Java, from Maven Central), one per test file. */
export async function createTimeSkippingEnv(): Promise<TestWorkflowEnvironment> {
  return TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: temporalTestServerPath() } },
  });
}

/** The run-wide dev server that global-setup started (real visibility, search attributes). */
export async function connectToDevServer(): Promise<TestWorkflowEnvironment> {
  const address = process.env.TEST_TEMPORAL_ADDRESS;
  if (!address) throw new Error('TEST_TEMPORAL_ADDRESS is not set: run the tests through jest, whose global setup starts the dev server');
  return TestWorkflowEnvironment.createFromExistingServer({ address });
}
