import { DefaultLogger, Runtime } from '@temporalio/worker';
import { bufferLog } from './logging-environment';

// Workers, workflows and activities log into a buffer that is printed only when a test fails
// (see logging-environment.ts); TEST_TEMPORAL_LOG_LEVEL picks the level (default INFO). The
// native side's warnings (e.g. the time-skipping server's missing capabilities) go there too.
//
// These are the options the SDK creates its runtime with when a worker, connection or test
// server first needs one, rather than a runtime installed now: an installed one lives until the
// process exits (its log forwarding holds the event loop), so `jest <one file>`, which runs in
// jest's own process, would never exit; a runtime created on demand shuts down when its last
// user closes.
Runtime.defaultOptions = {
  telemetryOptions: { logging: { filter: { core: 'WARN', other: 'ERROR' }, forward: {} } },
  logger: new DefaultLogger((process.env.TEST_TEMPORAL_LOG_LEVEL as 'INFO' | undefined) ?? 'INFO', (entry) => {
    bufferLog(`${new Date(Number(entry.timestampNanos / 1_000_000n)).toISOString()} ${entry.level} ${entry.message}${entry.meta ? ` ${JSON.stringify(entry.meta)}` : ''}`);
  }),
};
