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
