/**
 * Shapes shared by the client, the workflows and the activities. Workflow code imports this
 * module, so it must stay free of Node APIs and I/O.
 */

type JsonPrimitive = string | number | boolean | null;
export type JsonValue = JsonPrimitive | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/** The Airflow task states this executor reports (Airflow's TaskInstanceState names). */
export const AIRFLOW_STATES = ['QUEUED', 'RUNNING', 'SUCCESS', 'FAILED', 'REMOVED'] as const;
export type AirflowState = (typeof AIRFLOW_STATES)[number];

/** The part of an ECS container the executor looks at, as plain JSON. */
export interface EcsContainerSnapshot {
  name?: string;
  lastStatus?: string;
  /** Null (after crossing JSON) or absent for a container that has not exited. */
  exitCode?: number | null;
  reason?: string;
}

/** The part of an ECS task the executor looks at, as plain JSON (dates as ISO strings). */
export interface EcsTaskSnapshot {
  taskArn: string;
  clusterArn?: string;
  lastStatus?: string;
  desiredStatus?: string;
  createdAt?: string;
  startedAt?: string;
  stoppingAt?: string;
  stoppedAt?: string;
  stopCode?: string;
  stoppedReason?: string;
  containers: EcsContainerSnapshot[];
}

/** An ARN DescribeTasks could not report on (its `failures[]` entry). */
export interface EcsTaskFailure {
  arn: string;
  reason: string;
  detail?: string;
}
