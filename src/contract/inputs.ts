import { z } from 'zod';
import { workloadKeySchema } from './keys';

/**
 * The workflow contract: what a client (TypeScript or Python) sends to start each workflow. Only
 * what Airflow hands an executor travels here; the worker, which holds the [aws_ecs_executor]
 * settings, builds the RunTask input. contract/task-workflow-input.schema.json is generated from
 * these schemas and the Python package is tested against it.
 */

// eslint-disable-next-line no-control-regex
const NO_NUL = /^[^\u0000]*$/;

const executorNameSchema = z
  .string({ error: 'executorName must be a string' })
  .regex(/^[A-Za-z0-9._-]{1,64}$/, 'executorName must be 1-64 letters, digits, ".", "_" or "-"');

export const commandSchema = z
  .array(
    z.string({ error: 'every command part must be a string' }).regex(NO_NUL, 'a command part contains a NUL byte, which no process can receive'),
    { error: 'the command must be a list of strings' },
  )
  .min(1, 'the command must not be empty');

export const taskWorkflowInputSchema = z
  .strictObject({
    key: workloadKeySchema,
    executorName: executorNameSchema,
    /** The container command, exec form (Airflow 2 style, or any command). */
    command: commandSchema.optional(),
    /** An Airflow 3 workload (ExecuteTask or ExecuteCallback) as JSON: run with execute_workload. */
    workload: z.string({ error: 'workload must be the workload JSON as a string' }).min(2).optional(),
    queue: z.string().max(256).nullable().optional(),
    /** RunTask arguments deep-merged over the worker's template; validated in full by the worker. */
    executorConfig: z.record(z.string(), z.unknown(), { error: 'executorConfig must be a JSON object of RunTask arguments' }).nullable().optional(),
  })
  .refine((input) => (input.command === undefined) !== (input.workload === undefined), {
    message: 'give exactly one of command (a list of strings) and workload (the Airflow workload JSON)',
    path: ['command'],
  });
export type TaskWorkflowInput = z.infer<typeof taskWorkflowInputSchema>;

/** An ECS task that runs already (launched by an earlier scheduler, or by Airflow's own executor). */
export const adoptedTaskInputSchema = z.strictObject({
  taskArn: z.string().regex(/^arn:aws[a-z-]*:ecs:[a-z0-9-]+:\d{12}:task\/.+/, 'taskArn must be an ECS task ARN (arn:aws:ecs:<region>:<account>:task/...)'),
  /** The cluster the task runs in, as adoption's lookup found it. */
  cluster: z.string().min(1),
  key: workloadKeySchema,
  executorName: executorNameSchema,
});
export type AdoptedTaskInput = z.infer<typeof adoptedTaskInputSchema>;

export interface ObserverInput {
  cluster: string;
  /** From the worker's settings: how soon a dead worker's observer moves to another worker. */
  heartbeatTimeoutMs: number;
}

/** The start-up probe: proves a worker polls the queue, reads the workers' clock, optionally checks ECS. */
export interface ProbeInput {
  checkHealth: boolean;
}
export interface ProbeResult {
  /** The workflow's time when the worker ran it (the server's clock): sync() keeps its watermark by it. */
  now: string;
  health?: { healthy: boolean; message: string };
}

/** Adoption's lookup: which of these ARNs ECS still knows. */
export interface LookupInput {
  taskArns: string[];
}
export interface LookupResult {
  found: { taskArn: string; cluster: string; lastStatus?: string }[];
  notFound: { taskArn: string; reason: string }[];
}
