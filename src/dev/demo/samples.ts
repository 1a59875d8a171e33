import type { LocalEcsConfigInput } from '../local-ecs';
import { LOCAL_LOG_DIR_OPTION } from '../../rules/log-location';
import type { JsonObject } from '../../types';

/** One sample task of the demo: what it runs and how it must end. */
export interface DemoSample {
  name: string;
  what: string;
  command: string[];
  executorConfig?: JsonObject;
  /** Terminate the task this long after ECS reports it RUNNING. */
  terminateAfterRunningMs?: number;
  expect: { state: 'SUCCESS' | 'FAILED'; attempts: number; terminated: boolean };
}

const node = (code: string) => [process.execPath, '-e', code];

/** A family whose first RunTask answers RESOURCE:MEMORY, as a cluster short of memory would. */
const MEMORY_HUNGRY_FAMILY = 'airflow-memory-hungry';

export function demoSamples(maxRunTaskAttempts: number): DemoSample[] {
  return [
    {
      name: 'hello',
      what: 'prints a few lines and exits 0',
      command: node("for (const i of [1, 2, 3]) setTimeout(() => console.log('hello from ECS, step', i), i * 700)"),
      expect: { state: 'SUCCESS', attempts: 1, terminated: false },
    },
    {
      name: 'exit-1',
      what: `exits 1 every time: relaunched after 4 s, 16 s… until ${maxRunTaskAttempts} attempts`,
      command: node("console.error('something went wrong'); process.exit(1)"),
      expect: { state: 'FAILED', attempts: maxRunTaskAttempts, terminated: false },
    },
    {
      name: 'memory',
      what: 'RunTask answers RESOURCE:MEMORY once, then the launch succeeds',
      command: node("setTimeout(() => console.log('got the memory'), 500)"),
      executorConfig: { taskDefinition: MEMORY_HUNGRY_FAMILY },
      expect: { state: 'SUCCESS', attempts: 2, terminated: false },
    },
    {
      name: 'long',
      what: 'runs for 10 minutes; the demo terminates it after 3 s',
      command: node("console.log('working for a long time'); setTimeout(() => {}, 600000)"),
      terminateAfterRunningMs: 3_000,
      expect: { state: 'FAILED', attempts: 1, terminated: true },
    },
  ];
}

/**
 * The local ECS endpoint's setup for the demo: the default `airflow` family plus the memory-hungry
 * one, both saying where the endpoint writes each task's output, so `status` can point at it.
 */
export function demoLocalEcsConfig(logDir: string): LocalEcsConfigInput {
  const logConfiguration = { logDriver: 'json-file', options: { [LOCAL_LOG_DIR_OPTION]: logDir } } as const;
  return {
    clusters: ['demo'],
    taskDefinitions: [
      { family: 'airflow', containerDefinitions: [{ name: 'airflow', image: 'apache/airflow:latest', essential: true, logConfiguration }] },
      { family: MEMORY_HUNGRY_FAMILY, containerDefinitions: [{ name: 'airflow', image: 'apache/airflow:latest', essential: true, memory: 8192, logConfiguration }] },
    ],
    faults: { families: { [MEMORY_HUNGRY_FAMILY]: { runTaskFailure: { next: 1, reason: 'RESOURCE:MEMORY' } } } },
  };
}
