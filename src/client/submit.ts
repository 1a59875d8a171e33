import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import { MAX_WORKFLOW_ID_LENGTH, taskWorkflowId } from '../contract/ids';
import { taskWorkflowInputSchema, type TaskWorkflowInput } from '../contract/inputs';
import { type WorkloadKeyInput } from '../contract/keys';
import { shortKey } from '../contract/key-format';
import { keySearchAttributes, SearchAttributes } from '../contract/search-attributes';
import { SUBMIT_CONCURRENCY } from '../contract/submit-limits';
import { InvalidExecutorConfigError, InvalidTaskCommandError, InvalidTaskKeyError } from '../errors';
import { validateExecutorConfig } from '../rules/task-run-input';
import { workloadCommand } from '../rules/workload-command';
import { airflowTaskWorkflow } from '../workflows/airflow-task';
import { concurrencyLimit } from '../concurrency';

/** What a task runs: an exec-form command, or an Airflow 3 workload (ExecuteTask / ExecuteCallback) as JSON. */
export type TaskCommand = string[] | { workload: string };

export interface SubmitRequest {
  key: WorkloadKeyInput;
  command: TaskCommand;
  queue?: string | null;
  executorConfig?: unknown;
}

export interface SubmitResult {
  workflowId: string;
  /** True when a workflow for this task instance already existed: nothing new was launched. */
  attached: boolean;
  /** Set when no worker polls the task queue: the task waits until one does. */
  warning?: string;
}

/**
 * Validates one submit at the edge: the key, the command, and the executor_config's shape (the
 * worker applies it to its RunTask template and rejects what only the template can tell).
 */
export function buildTaskInput(request: SubmitRequest, executorName: string): TaskWorkflowInput {
  // An Airflow workload that is not ExecuteTask or ExecuteCallback is refused here, with Airflow's message.
  if (!Array.isArray(request.command)) workloadCommand(request.command.workload);
  const executorConfig = request.executorConfig === undefined || request.executorConfig === null ? undefined : validateExecutorConfig(request.executorConfig);
  const parsed = taskWorkflowInputSchema.safeParse({
    key: request.key,
    executorName,
    ...(Array.isArray(request.command) ? { command: request.command } : { workload: request.command.workload }),
    queue: request.queue ?? null,
    ...(executorConfig !== undefined ? { executorConfig } : {}),
  });
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || 'input'}: ${i.message}`);
    const message = `Invalid task ${JSON.stringify(request.key)}: ${issues.join('; ')}.`;
    if (parsed.error.issues.some((i) => i.path[0] === 'key')) {
      throw new InvalidTaskKeyError(`${message} Expected {dagId, taskId, runId, tryNumber, mapIndex (-1 when unmapped)} or {callbackId}.`);
    }
    if (parsed.error.issues.some((i) => i.path[0] === 'executorConfig')) throw new InvalidExecutorConfigError(message);
    throw new InvalidTaskCommandError(message);
  }
  const workflowId = taskWorkflowId(parsed.data.key);
  if (workflowId.length > MAX_WORKFLOW_ID_LENGTH) {
    throw new InvalidTaskKeyError(
      `The task's workflow ID would be ${workflowId.length} characters, over Temporal's limit of ${MAX_WORKFLOW_ID_LENGTH}: shorten the dag_id, task_id or run_id (${shortKey(parsed.data.key)}).`,
    );
  }
  return parsed.data;
}

/** Starts one task workflow; the same key again attaches to the first, never launches twice. */
export async function startTask(client: Client, taskQueue: string, input: TaskWorkflowInput): Promise<SubmitResult> {
  const workflowId = taskWorkflowId(input.key);
  try {
    await client.workflow.start(airflowTaskWorkflow, {
      taskQueue,
      workflowId,
      args: [input],
      // A workflow with this ID, running or closed, means this try was submitted already.
      workflowIdConflictPolicy: 'FAIL',
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
      typedSearchAttributes: [
        ...keySearchAttributes(input.key),
        { key: SearchAttributes.state, value: 'QUEUED' },
        { key: SearchAttributes.executorName, value: input.executorName },
      ],
      staticSummary: `${shortKey(input.key)}${'runId' in input.key && input.key.runId !== undefined ? ` (${input.key.runId})` : ''}`,
    });
    return { workflowId, attached: false };
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) return { workflowId, attached: true };
    throw err;
  }
}

/** Many submits at once: each validated, then started SUBMIT_CONCURRENCY at a time. Results in request order. */
export async function startTasks(
  client: Client,
  taskQueue: string,
  inputs: readonly TaskWorkflowInput[],
): Promise<PromiseSettledResult<SubmitResult>[]> {
  const slot = concurrencyLimit(SUBMIT_CONCURRENCY);
  return Promise.allSettled(inputs.map((input) => slot(() => startTask(client, taskQueue, input))));
}
