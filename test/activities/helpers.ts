import { ApplicationFailure } from '@temporalio/common';
import type { Info } from '@temporalio/activity';
import type { Logger, LogMetadata } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { createEcsActivities, type EcsActivityDeps } from '../../src/activities';
import type { EcsActivities } from '../../src/activities/contracts';
import { DescribeTasksBatcher } from '../../src/ecs/describe-batcher';
import { EcsClientProvider } from '../../src/ecs/ecs-client';

export interface LogLine {
  level: string;
  message: string;
  meta?: LogMetadata;
}

/** Collects log lines so tests can assert what an activity reported, and keeps test output quiet. */
export function recordingLogger(): Logger & { lines: LogLine[] } {
  const lines: LogLine[] = [];
  const logger = new DefaultLogger('TRACE', ({ level, message, meta }) => {
    lines.push({ level, message, ...(meta !== undefined ? { meta } : {}) });
  });
  return Object.assign(logger, { lines });
}

export interface ActivityFixture {
  activities: EcsActivities;
  ecs: EcsClientProvider;
  batcher: DescribeTasksBatcher;
  logger: Logger & { lines: LogLine[] };
  reset: jest.SpyInstance<void, []>;
}

/** The activities as the worker builds them, with tiny intervals; ECSClient is mocked by the caller. */
export function activityFixture(options: Partial<Pick<EcsActivityDeps, 'pollIntervalMs' | 'maxWaitMs'>> = {}): ActivityFixture {
  const ecs = new EcsClientProvider({ region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  const batcher = new DescribeTasksBatcher(() => ecs.get(), { windowMs: 1 });
  const logger = recordingLogger();
  const reset = jest.spyOn(ecs, 'reset');
  const activities = createEcsActivities({ ecs, batcher, logger, pollIntervalMs: options.pollIntervalMs ?? 5, maxWaitMs: options.maxWaitMs ?? 5_000 });
  return { activities, ecs, batcher, logger, reset };
}

/** A MockActivityEnvironment whose worker-side logging ("Activity failed" ...) stays out of test output. */
export function mockEnv(info: Partial<Info> = {}): MockActivityEnvironment {
  return new MockActivityEnvironment(info, { logger: recordingLogger() });
}

/** The ApplicationFailure a promise rejects with (and that it does reject with one). */
export async function expectApplicationFailure(promise: Promise<unknown>): Promise<ApplicationFailure> {
  const err: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ApplicationFailure);
  return err as ApplicationFailure;
}
