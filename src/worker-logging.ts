import { DefaultLogger, Runtime, type LogLevel } from '@temporalio/worker';
import type { AppLogger } from './logger';

// The worker's own module: loading @temporalio/worker (the native bridge) is for worker processes only.

const TEMPORAL_LEVELS: Record<string, LogLevel> = {
  trace: 'TRACE',
  debug: 'DEBUG',
  info: 'INFO',
  warn: 'WARN',
  error: 'ERROR',
  fatal: 'ERROR',
  silent: 'ERROR',
};

/** Routes the Temporal SDK's own logs (worker, workflows, activities) through our logger. */
export function installTemporalLogger(logger: AppLogger): void {
  const level = TEMPORAL_LEVELS[logger.level] ?? 'INFO';
  Runtime.install({
    logger: new DefaultLogger(level, ({ level: l, message, meta }) => {
      const method = l === 'TRACE' ? 'trace' : l === 'DEBUG' ? 'debug' : l === 'WARN' ? 'warn' : l === 'ERROR' ? 'error' : 'info';
      logger[method](meta ?? {}, message);
    }),
  });
}
