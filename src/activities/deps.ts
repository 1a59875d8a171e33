import type { Client } from '@temporalio/client';
import type { Logger } from '@temporalio/common';
import type { EcsClientProvider } from '../ecs/ecs-client';
import type { JsonObject } from '../types';
import type { TrackingSettings } from './contracts';

/** How the observer paces itself; tests shorten these. */
export interface ObserverTuning {
  /** Between DescribeTasks rounds over every tracked task. */
  pollIntervalMs: number;
  /** How often the tracked set is re-read from visibility in full (between full reads: only what changed). */
  fullRefreshMs: number;
  /** How often running ECS tasks with our startedBy are compared with the tracked set. */
  reconcileMs: number;
  /** How long an ECS task must have been untracked before it is stopped as an orphan. */
  orphanGraceMs: number;
  /** How far back an incremental read looks, to cover visibility lag. */
  visibilityLagMs: number;
  /** One observer activity runs this long, then returns (the workflow starts the next). */
  runForMs: number;
  /** DescribeTasks calls in flight at once. */
  describeConcurrency: number;
  /** Signals in flight at once. */
  signalConcurrency: number;
  /** Also tell workflows when ECS reports the task RUNNING (ECS_EXECUTOR_REPORT_ECS_RUNNING). */
  reportEcsRunning: boolean;
}

/** What every activity receives: built once per worker by `createEcsActivities`. */
export interface EcsActivityDeps {
  ecs: EcsClientProvider;
  /** The worker's Temporal client: the observer reads visibility and signals with it. */
  temporal: () => Client;
  namespace: string;
  taskQueue: string;
  executor: { cluster: string; containerName: string };
  /** The RunTask template, built once per worker from the [aws_ecs_executor] settings. */
  runTaskTemplate: () => Promise<JsonObject>;
  trackingSettings: TrackingSettings;
  launchDeadlineMs: number;
  /** Every ECS call gives up after this long (on top of the client's socket timeout). */
  ecsCallTimeoutMs: number;
  observerHeartbeatTimeoutMs: number;
  observer: ObserverTuning;
  /** Our startedBy for tasks whose RunTask input sets none. */
  startedBy: string;
  /** Starts the cluster's observer unless this worker made sure of it recently. Never throws. */
  ensureObserver(cluster: string): Promise<void>;
  /** Where a task's output is, from its task definition's log configuration (cached). Never throws. */
  logLocation(taskDefinition: string | undefined, taskArn: string, containerName: string): Promise<string | undefined>;
  logger: Logger;
}
