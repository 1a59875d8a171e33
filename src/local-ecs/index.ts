/**
 * A local ECS-compatible endpoint for development and tests: speaks ECS's JSON protocol, runs each
 * task's container commands as local processes, reports ECS's lifecycle, injects faults on demand.
 * The embedded default, like SQLite for a database; never a production backend.
 */
export {
  startLocalEcs,
  DEFAULT_LIFECYCLE_DELAYS,
  DEFAULT_LOG_DIR,
  DEFAULT_STOP_TIMEOUT_MS,
  DEFAULT_STOPPED_TASK_RETENTION_MS,
  type LocalEcs,
  type LocalEcsOptions,
} from './local-ecs';
export { loadLocalEcsConfig, parseLocalEcsConfig, LocalEcsConfigError } from './load-config';
export type {
  LocalEcsConfig,
  LocalEcsConfigInput,
  FaultsConfig,
  FaultsConfigInput,
  FaultSpec,
  FaultSpecInput,
  FaultKind,
  LifecycleDelays,
  TaskDefinitionInput,
  ContainerDefinition,
} from './config-schema';
export { DEFAULT_TASK_DEFINITION } from './task-definitions';
export { ECS_OPERATIONS, type EcsOperation } from './operations-list';
export { seededRandom, type RandomSource } from './random';
export type { LocalEcsStats } from './stats';
