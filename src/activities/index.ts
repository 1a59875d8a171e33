import type { Client } from '@temporalio/client';
import type { Logger } from '@temporalio/common';
import { Context } from '@temporalio/activity';
import { DefaultLogger } from '@temporalio/worker';
import type { EcsClientProvider } from '../ecs/ecs-client';
import { startedByMarker } from '../rules/started-by';
import type { JsonObject } from '../types';
import type { EcsActivities, TrackingSettings } from './contracts';
import type { EcsActivityDeps, ObserverTuning } from './deps';
import { observerStarter } from './ensure-observer';
import { launchEcsTask } from './launch-ecs-task';
import { logLocator } from './log-location';
import { observeEcsCluster } from './observe-ecs-cluster';
import { lookupEcsTasks, probeExecutor } from './probe-and-lookup';
import { stopEcsTask } from './stop-ecs-task';

export { launchClientToken } from './launch-ecs-task';
export type { ObserverProgress } from './observe-ecs-cluster';

const DEFAULT_OBSERVER_TUNING: Omit<ObserverTuning, 'pollIntervalMs'> = {
  fullRefreshMs: 5 * 60_000,
  reconcileMs: 5 * 60_000,
  orphanGraceMs: 5 * 60_000,
  visibilityLagMs: 10_000,
  runForMs: 60 * 60_000,
  describeConcurrency: 10,
  signalConcurrency: 50,
  reportEcsRunning: false,
};

export interface EcsActivityOptions {
  ecs: EcsClientProvider;
  temporal: () => Client;
  namespace: string;
  taskQueue: string;
  executor: { cluster: string; containerName: string };
  runTaskTemplate: () => Promise<JsonObject>;
  trackingSettings: TrackingSettings;
  launchDeadlineMs: number;
  ecsCallTimeoutMs: number;
  observerHeartbeatTimeoutMs: number;
  observer: Partial<ObserverTuning> & { pollIntervalMs: number };
  logger?: Logger;
}

/** The activities of one worker, sharing its ECS client, Temporal client and caches. */
export function createEcsActivities(options: EcsActivityOptions): EcsActivities {
  // Activities log through their context's logger when they have one (it tags lines with the activity).
  const base = options.logger ?? new DefaultLogger('WARN');
  const logger: Logger = {
    log: (level, message, meta) => contextLogger(base).log(level, message, meta),
    trace: (message, meta) => contextLogger(base).trace(message, meta),
    debug: (message, meta) => contextLogger(base).debug(message, meta),
    info: (message, meta) => contextLogger(base).info(message, meta),
    warn: (message, meta) => contextLogger(base).warn(message, meta),
    error: (message, meta) => contextLogger(base).error(message, meta),
  };
  const deps: EcsActivityDeps = {
    ...options,
    observer: { ...DEFAULT_OBSERVER_TUNING, ...options.observer },
    startedBy: startedByMarker(options.namespace, options.taskQueue),
    ensureObserver: observerStarter({ temporal: options.temporal, taskQueue: options.taskQueue, heartbeatTimeoutMs: options.observerHeartbeatTimeoutMs, logger }),
    logLocation: logLocator(options.ecs, logger, options.ecsCallTimeoutMs),
    logger,
  };
  return {
    launchEcsTask: (input) => launchEcsTask(deps, input),
    stopEcsTask: (input) => stopEcsTask(deps, input),
    ensureObserver: async ({ cluster }) => {
      await deps.ensureObserver(cluster);
      return deps.trackingSettings;
    },
    observeEcsCluster: (input) => observeEcsCluster(deps, input),
    probeExecutor: (input) => probeExecutor(deps, input),
    lookupEcsTasks: (input) => lookupEcsTasks(deps, input),
  };
}

function contextLogger(fallback: Logger): Logger {
  try {
    return Context.current().log;
  } catch {
    return fallback;
  }
}
