import { z } from 'zod';

/**
 * The keys Airflow hands an executor, as both clients (TypeScript and Python) send them. Workflow
 * code imports this module: no Node APIs.
 */

/** Airflow's ID_LEN: dag_id, task_id and run_id columns hold at most 250 characters. */
const MAX_ID_PART_LENGTH = 250;

// Control characters (NUL included) cannot be typed, printed or stored safely in a workflow ID.
// A pattern rather than a refinement, so that the generated JSON schema carries it to Python.
// eslint-disable-next-line no-control-regex
const NO_CONTROL_CHARACTERS = /^[^\u0000-\u001f\u007f]*$/;

const idPart = (what: string) =>
  z
    .string({ error: `${what} must be a string` })
    .min(1, `${what} must not be empty`)
    .max(MAX_ID_PART_LENGTH, `${what} must be at most ${MAX_ID_PART_LENGTH} characters (Airflow's limit)`)
    .regex(NO_CONTROL_CHARACTERS, `${what} must not contain control characters (NUL, newline, tab...)`);

/** Airflow's TaskInstanceKey, plus the task instance UUID Airflow 3 gives every try. map_index is -1 when unmapped. */
export const taskInstanceKeySchema = z.strictObject({
  dagId: idPart('dagId'),
  taskId: idPart('taskId'),
  runId: idPart('runId'),
  tryNumber: z.number({ error: 'tryNumber must be a whole number' }).int('tryNumber must be a whole number').min(0, 'tryNumber must be 0 or more').max(1_000_000),
  mapIndex: z
    .number({ error: 'mapIndex must be a whole number' })
    .int('mapIndex must be a whole number')
    .min(-1, 'mapIndex must be -1 (unmapped) or more')
    .max(1_000_000_000)
    .default(-1),
  tiId: z.uuid('tiId must be the task instance UUID').optional(),
});
export type TaskInstanceKey = z.infer<typeof taskInstanceKeySchema>;
type TaskInstanceKeyInput = z.input<typeof taskInstanceKeySchema>;

/** Airflow 3.3's CallbackKey (an ExecuteCallback workload), with the DAG run it belongs to when known. */
export const callbackKeySchema = z.strictObject({
  callbackId: z.uuid('callbackId must be the callback UUID'),
  dagId: idPart('dagId').optional(),
  runId: idPart('runId').optional(),
});
export type CallbackKey = z.infer<typeof callbackKeySchema>;

/** What one task workflow runs: a task instance try, or a callback. */
export const workloadKeySchema = z.union([taskInstanceKeySchema, callbackKeySchema], {
  error: 'expected a task instance key {dagId, taskId, runId, tryNumber, mapIndex} or a callback key {callbackId}',
});
export type WorkloadKey = TaskInstanceKey | CallbackKey;
export type WorkloadKeyInput = TaskInstanceKeyInput | CallbackKey;
