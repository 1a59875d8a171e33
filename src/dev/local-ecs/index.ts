/**
 * A local ECS-compatible endpoint for development, tests and the benchmark: speaks ECS's JSON
 * protocol, runs each task's container commands as local processes (or, in scripted mode,
 * interprets them without any process), reports ECS's lifecycle, injects faults on demand, and
 * records what it was asked and what it did. The embedded default, like SQLite for a database;
 * never a production backend.
 */
export { startLocalEcs, type LocalEcs, type LocalEcsOptions } from './local-ecs';
export { loadLocalEcsConfig, LocalEcsConfigError } from './load-config';
export type { LocalEcsConfigInput } from './config-schema';
export type { LocalTaskRecord, RunTaskRequestRecord } from './records';
export { seededRandom } from './random';
export { measureEndpointCeiling } from './measure-ceiling';
