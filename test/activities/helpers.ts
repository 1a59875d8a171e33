import type { Info } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import { ApplicationFailure, type Logger, type LogMetadata } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { createEcsActivities, type EcsActivityOptions } from '../../src/activities';
import type { EcsActivities, TrackingSettings } from '../../src/activities/contracts';
import { EcsClientProvider } from '../../src/ecs/ecs-client';
import { buildRunTaskTemplate } from '../../src/rules/run-task-template';
import { loadExecutorConfig } from '../../src/settings';
import type { JsonObject } from '../../src/types';

export interface LogLine {
  level: string;
  message: string;
  meta?: LogMetadata;
}

/** Collects log lines so tests can assert what an activity reported, and keeps test output quiet. */
function recordingLogger(): Logger & { lines: LogLine[] } {
  const lines: LogLine[] = [];
  const logger = new DefaultLogger('TRACE', ({ level, message, meta }) => {
    lines.push({ level, message, ...(meta !== undefined ? { meta } : {}) });
  });
  return Object.assign(logger, { lines });
}

export const NAMESPACE = 'default';
export const TASK_QUEUE = 'ecs-executor';
export const TRACKING_SETTINGS: TrackingSettings = { maxAttempts: 3, trackingCheckMs: 1_800_000, terminateTimeoutMs: 900_000 };
export const LAUNCH_DEADLINE_MS = 30 * 60_000;

/** The [aws_ecs_executor] settings the worker's RunTask template is built from in these tests. */
const EXECUTOR_ENV = {
  ECS_EXECUTOR_CLUSTER: 'airflow',
  ECS_EXECUTOR_CONTAINER_NAME: 'base',
  ECS_EXECUTOR_TASK_DEFINITION: 'airflow-worker:3',
  ECS_EXECUTOR_LAUNCH_TYPE: 'FARGATE',
  ECS_EXECUTOR_SUBNETS: 'subnet-1',
  ECS_EXECUTOR_SECURITY_GROUPS: 'sg-1',
  ECS_EXECUTOR_RUN_TASK_KWARGS: '{"tags": [{"key": "team", "value": "data"}]}',
};

/** The RunTask template a worker builds from EXECUTOR_ENV, as the worker builds it. */
export async function workerTemplate(env: Record<string, string> = EXECUTOR_ENV): Promise<JsonObject> {
  return buildRunTaskTemplate(loadExecutorConfig(env), { clusterHasDefaultCapacityProviderStrategy: () => Promise.resolve(false) });
}

/** The part of the Temporal client the activities use to start an observer: records every start. */
function fakeTemporal() {
  const start = jest.fn<Promise<unknown>, [unknown, { workflowId: string; taskQueue: string; args: unknown[] }]>(() => Promise.resolve({}));
  const client = { workflow: { start } } as unknown as Client;
  return { client, start };
}

export interface ActivityFixture {
  activities: EcsActivities;
  ecs: EcsClientProvider;
  /** The activities' fallback logger (outside an activity context). */
  logger: Logger & { lines: LogLine[] };
  reset: jest.SpyInstance<void, []>;
  /** `workflow.start` of the worker's Temporal client: one call per observer the activities started. */
  observerStarts: ReturnType<typeof fakeTemporal>['start'];
}

/** The activities as the worker builds them, over a (mocked, by the caller) ECSClient and a fake Temporal client. */
export function activityFixture(template: JsonObject, overrides: Partial<EcsActivityOptions> = {}): ActivityFixture {
  const ecs = new EcsClientProvider({ region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  const logger = recordingLogger();
  const reset = jest.spyOn(ecs, 'reset');
  const temporal = fakeTemporal();
  const activities = createEcsActivities({
    ecs,
    temporal: () => temporal.client,
    namespace: NAMESPACE,
    taskQueue: TASK_QUEUE,
    executor: { cluster: 'airflow', containerName: 'base' },
    runTaskTemplate: () => Promise.resolve(template),
    trackingSettings: TRACKING_SETTINGS,
    launchDeadlineMs: LAUNCH_DEADLINE_MS,
    ecsCallTimeoutMs: 5_000,
    observerHeartbeatTimeoutMs: 60_000,
    observer: { pollIntervalMs: 1_000 },
    logger,
    ...overrides,
  });
  return { activities, ecs, logger, reset, observerStarts: temporal.start };
}

/**
 * A MockActivityEnvironment whose worker-side logging stays out of test output. Its default
 * `scheduledTimestampMs` is 1 (1970), which would put every launch past its deadline: tests get
 * "scheduled just now" unless they say otherwise.
 */
export function mockEnv(info: Partial<Info> = {}): MockActivityEnvironment & { lines: LogLine[] } {
  const now = Date.now();
  // Activities log through their context's logger: these are the lines they wrote.
  const logger = recordingLogger();
  const env = new MockActivityEnvironment({ scheduledTimestampMs: now, currentAttemptScheduledTimestampMs: now, ...info }, { logger });
  return Object.assign(env, { lines: logger.lines });
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

/** Runs an activity in the environment, keeping its result type (MockActivityEnvironment.run cannot infer it). */
export function run<A extends unknown[], R>(env: MockActivityEnvironment, fn: (...args: A) => Promise<R>, ...args: A): Promise<R> {
  return env.run<A, R, (...args: A) => Promise<R>>(fn, ...args);
}
