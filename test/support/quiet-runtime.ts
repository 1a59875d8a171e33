import { DefaultLogger, Runtime } from '@temporalio/worker';

// Workers and workflows log every state change at INFO; tests show warnings and errors only.
try {
  Runtime.install({ logger: new DefaultLogger((process.env.TEST_TEMPORAL_LOG_LEVEL as 'WARN' | undefined) ?? 'WARN') });
} catch {
  // Already installed in this process by an earlier test file.
}
