import { Worker, type CompiledWorkerOptions } from '@temporalio/worker';
import type { Logger } from '@temporalio/common';
import type { WorkflowCreator } from '@temporalio/worker/lib/workflow/interface';
import type { WorkflowBundleWithSourceMapAndFilename } from '@temporalio/worker/lib/workflow/workflow-worker-thread/input';

/**
 * The TypeScript SDK guards every call into workflow code with Node's `vm` timeout: its deadlock
 * detector, which fails a workflow task whose code runs longer than the timeout without yielding.
 * Node keeps that timeout with a watchdog thread it starts and joins on every call
 * (nodejs/node#47739), and a task costs 9 to 12 such calls (create, initialise, three activations
 * of three calls each, dispose). In the benchmark, turning it off saved 3 to 7 ms of the worker's 30 ms a task.
 *
 * Our workflow code is ours alone: short handlers and a loop that always awaits, with no unbounded
 * synchronous work on any input (a signal is checked by hand, field by field, in time linear in its
 * size, which Temporal caps at 2 MB a payload). So by default it runs
 * without the per-call watchdog; `ECS_EXECUTOR_WORKFLOW_DEADLOCK_TIMEOUT_SECONDS` above 0 puts the
 * SDK's guard back, at its cost.
 *
 * The Worker class whose workflow code runs with that timeout (0: none).
 */
export function workerWithDeadlockTimeout(timeoutMs: number): typeof Worker {
  // The SDK hands this value to `script.runInContext(context, { timeout })`, and Node starts no
  // watchdog for a timeout that is undefined. The SDK types it a number because it always sets one
  // (5 s), and offers no option for it: "not exposed at the moment".
  const isolateExecutionTimeoutMs = (timeoutMs > 0 ? timeoutMs : undefined) as number;
  return class WorkerWithDeadlockTimeout extends Worker {
    protected static override async createWorkflowCreator(
      workflowBundle: WorkflowBundleWithSourceMapAndFilename,
      compiledOptions: CompiledWorkerOptions,
      logger: Logger,
    ): Promise<WorkflowCreator> {
      return super.createWorkflowCreator(workflowBundle, { ...compiledOptions, isolateExecutionTimeoutMs }, logger);
    }
  };
}
