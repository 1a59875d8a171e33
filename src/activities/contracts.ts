import type { LookupInput, LookupResult, ProbeResult } from '../contract/inputs';
import type { WorkloadKey } from '../contract/keys';
import type { EcsTaskSnapshot } from '../types';

/**
 * What the workflows ask of the activities, and what they get back. Workflows import this module
 * as types only; `createEcsActivities` (./index.ts) implements it.
 */

/**
 * The worker-side settings a tracking workflow needs. Every local activity returns them, so the
 * workflow reads them from history (deterministic) instead of from its input.
 */
export interface TrackingSettings {
  maxAttempts: number;
  /** How often a tracked task's workflow makes sure its cluster's observer runs. */
  trackingCheckMs: number;
  /** After StopTask, how long before StopTask is sent again while ECS still reports the task running. */
  terminateTimeoutMs: number;
}

export interface LaunchEcsTaskInput {
  /** Workflow ID, first run ID and launch attempt: together they derive RunTask's idempotency clientToken. */
  workflowId: string;
  firstRunId: string;
  attempt: number;
  key: WorkloadKey;
  command?: string[];
  workload?: string;
  executorConfig?: Record<string, unknown> | null;
}

export interface LaunchEcsTaskResult {
  task: EcsTaskSnapshot;
  /** The cluster the task runs in (from its ARN): where it is tracked and stopped. */
  cluster: string;
  logLocation?: string;
  settings: TrackingSettings;
}

/** Details of an `EcsLaunchFailed` failure: the reasons, and the settings the workflow needs to decide. */
export interface LaunchFailureDetails {
  reasons: string[];
  settings: TrackingSettings;
}

export interface StopEcsTaskInput {
  cluster: string;
  taskArn: string;
  reason: string;
}

/** `accepted`: StopTask accepted. `notFound`: ECS no longer knows the task (nothing to stop). Refusals throw `EcsStopRefused`. */
export type StopEcsTaskResult = { kind: 'accepted'; task: EcsTaskSnapshot } | { kind: 'notFound'; reason: string };

interface EnsureObserverInput {
  cluster: string;
}

export interface EcsActivities {
  /** Local: builds the RunTask input from the worker's settings, RunTask, describes a task answered already STOPPED. */
  launchEcsTask(input: LaunchEcsTaskInput): Promise<LaunchEcsTaskResult>;
  /** Local: StopTask. */
  stopEcsTask(input: StopEcsTaskInput): Promise<StopEcsTaskResult>;
  /** Local: starts the cluster's observer unless it runs (cached per worker process). */
  ensureObserver(input: EnsureObserverInput): Promise<TrackingSettings>;
  /** The observer: polls DescribeTasks for every tracked task of a cluster and signals changes. Heartbeats; runs for hours. */
  observeEcsCluster(input: { cluster: string }): Promise<void>;
  /** The start-up probe: the worker's clock and, when asked, Airflow's ECS health check. */
  probeExecutor(input: { checkHealth: boolean }): Promise<ProbeResult>;
  /** Adoption's lookup: DescribeTasks for ARNs, grouped by the cluster in each ARN. */
  lookupEcsTasks(input: LookupInput): Promise<LookupResult>;
}
