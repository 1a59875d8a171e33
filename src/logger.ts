import { DefaultLogger, Runtime, type LogLevel } from '@temporalio/worker';
import pino from 'pino';

export type AppLogger = pino.Logger;

/** The process logger: JSON lines by default, human-readable when ECS_EXECUTOR_LOG_PRETTY=1. */
export function createLogger(level: string, name = 'ecs-executor'): AppLogger {
  const pretty = process.env.ECS_EXECUTOR_LOG_PRETTY === '1';
  return pino({
    name,
    level,
    ...(pretty ? { transport: { target: 'pino-pretty', options: { colorize: true, translateTime: 'HH:MM:ss.l' } } } : {}),
  });
}

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
