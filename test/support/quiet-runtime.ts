import { DefaultLogger, Runtime } from '@temporalio/worker';
import { bufferLog } from './logging-environment';

// Workers, workflows and activities log into a buffer that is printed only when a test fails
// (see logging-environment.ts); TEST_TEMPORAL_LOG_LEVEL picks the level (default INFO). The
// native side's warnings (e.g. the time-skipping server's missing capabilities) go there too.
try {
  Runtime.install({
    telemetryOptions: { logging: { filter: { core: 'WARN', other: 'ERROR' }, forward: {} } },
    logger: new DefaultLogger((process.env.TEST_TEMPORAL_LOG_LEVEL as 'INFO' | undefined) ?? 'INFO', (entry) => {
      bufferLog(`${new Date(Number(entry.timestampNanos / 1_000_000n)).toISOString()} ${entry.level} ${entry.message}${entry.meta ? ` ${JSON.stringify(entry.meta)}` : ''}`);
    }),
  });
} catch {
  // Already installed in this process by an earlier test file.
}
