import { z } from 'zod';
import { FailureType } from '../errors';
import { runTaskJsonSchema } from '../rules/run-task-shape';
import { RESERVED_KEYS } from '../rules/task-run-input';
import { adoptedTaskWorkflowId, MAX_WORKFLOW_ID_LENGTH, observerWorkflowId, taskWorkflowId, WORKFLOW_ID_PREFIX } from './ids';
import { adoptedTaskInputSchema, taskWorkflowInputSchema } from './inputs';
import { workloadKeySchema, type WorkloadKeyInput } from './keys';
import { DEFAULT_TERMINATE_REASON } from './messages';
import { ALL_SEARCH_ATTRIBUTES } from './search-attributes';
import { SUBMIT_CONCURRENCY } from './submit-limits';

/**
 * The generated contract files, by name: what contract/ must contain. Deterministic output, so a
 * test can compare the committed files with it.
 */
export function contractFiles(): Record<string, string> {
  const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;
  return {
    'task-workflow-input.schema.json': json(z.toJSONSchema(taskWorkflowInputSchema, { io: 'input' })),
    'adopted-task-input.schema.json': json(z.toJSONSchema(adoptedTaskInputSchema, { io: 'input' })),
    // executor_config is RunTask arguments merged over the worker's template: every member optional, no unknown key.
    // It has no "name" nor "command": clients refuse those two first, in Airflow's words (names.json executorConfigReservedKeys).
    'executor-config.schema.json': json(runTaskJsonSchema('overlay')),
    'names.json': json({
      workflowTypes: {
        task: 'airflowTaskWorkflow',
        adoptedTask: 'ecsTaskWorkflow',
        observer: 'ecsObserverWorkflow',
        probe: 'executorProbeWorkflow',
        lookup: 'ecsLookupWorkflow',
      },
      signals: { terminate: 'terminate', ecsObservation: 'ecsObservation' },
      queries: { status: 'status' },
      defaultTerminateReason: DEFAULT_TERMINATE_REASON,
      searchAttributes: Object.fromEntries(ALL_SEARCH_ATTRIBUTES.map((key) => [key.name, key.type])),
      failureTypes: FailureType,
      workflowIdPrefixes: WORKFLOW_ID_PREFIX,
      maxWorkflowIdLength: MAX_WORKFLOW_ID_LENGTH,
      executorConfigReservedKeys: RESERVED_KEYS,
      submitConcurrency: SUBMIT_CONCURRENCY,
    }),
    'workflow-id-vectors.json': json(idVectors()),
  };
}

const VECTOR_KEYS: WorkloadKeyInput[] = [
  { dagId: 'demo_dag', taskId: 'hello', runId: 'manual__2026-12-01T08:05:30.418+00:00', tryNumber: 1, mapIndex: -1 },
  { dagId: 'etl', taskId: 'load', runId: 'scheduled__2026-12-01T00:00:00+00:00', tryNumber: 3, mapIndex: 7 },
  { dagId: 'odd.dag-1', taskId: 'a_b', runId: 'run/with/slashes and 100% spaces', tryNumber: 2, mapIndex: -1 },
  { dagId: 'uuid_dag', taskId: 't', runId: 'r', tryNumber: 1, mapIndex: 0, tiId: '0190f0a2-7b7e-7c3e-9a51-2f1d3c4b5a69' },
  { callbackId: '0190f0a2-7b7e-7c3e-9a51-2f1d3c4b5a70', dagId: 'etl', runId: 'r1' },
];

function idVectors() {
  return {
    taskWorkflowIds: VECTOR_KEYS.map((key) => ({ key, workflowId: taskWorkflowId(workloadKeySchema.parse(key)) })),
    adoptedTaskWorkflowIds: [{ taskArn: 'arn:aws:ecs:us-east-1:123456789012:task/prod/0123456789abcdef0123456789abcdef', workflowId: adoptedTaskWorkflowId('arn:aws:ecs:us-east-1:123456789012:task/prod/0123456789abcdef0123456789abcdef') }],
    observerWorkflowIds: [{ taskQueue: 'ecs-executor', cluster: 'prod', workflowId: observerWorkflowId('ecs-executor', 'prod') }],
  };
}
