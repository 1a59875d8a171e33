import { readFileSync } from 'node:fs';
import { Worker as NodeWorker } from 'node:worker_threads';
import { Worker, type CompiledWorkerOptions } from '@temporalio/worker';
import type { Logger } from '@temporalio/common';
import type { WorkflowCreator } from '@temporalio/worker/lib/workflow/interface';
import { ThreadedVMWorkflowCreator, WorkerThreadClient } from '@temporalio/worker/lib/workflow/threaded-vm';
import type { WorkflowBundleWithSourceMapAndFilename } from '@temporalio/worker/lib/workflow/workflow-worker-thread/input';

/** How the worker runs workflow code: two costs of the SDK's that our workflows can do without. */
export interface WorkflowRuntimeOptions {
  /** The SDK's deadlock guard, in ms; 0 runs workflow code without it. */
  deadlockTimeoutMs: number;
  /** Stacks for the UI's Stack Trace tab (the `__stack_trace` query); off, that query says they are not enabled. */
  stackTraces: boolean;
  /** The @temporalio/worker version to check our thread set-up against (tests); the installed one by default. */
  sdkVersion?: string;
}

/**
 * The deadlock guard. The TypeScript SDK guards every call into workflow code with Node's `vm`
 * timeout: its deadlock detector, which fails a workflow task whose code runs longer than the
 * timeout without yielding. Node keeps that timeout with a watchdog thread it starts and joins on
 * every call (nodejs/node#47739), and a task costs 9 to 12 such calls (create, initialise, three
 * activations of three calls each, dispose). In the benchmark, turning it off saved 3 to 8 ms of
 * worker CPU a task (of about 30 then). Our workflow code is ours alone: short handlers and a loop that
 * always awaits, with no unbounded synchronous work on any input (a signal is checked by hand,
 * field by field, in time linear in its size, which Temporal caps at 2 MB a payload).
 *
 * Stack traces. To answer the stack-trace queries, the SDK hooks every promise created in its
 * workflow thread (`v8.promiseHooks`): for each it compiles small functions (on creation and again
 * on settling), captures a stack and maps each frame through the bundle's source map, then keeps
 * the result until the promise settles. That was a sixth to a fifth of the worker's CPU (3.4 to
 * 4.4 ms of 20.7 to 21.4 a task, side by side). Our workflows always wait in the same two places,
 * which `status` and the history already show, so by default the worker's workflow thread starts
 * with the hook left out: the SDK's own mode for runtimes without promise hooks, in which
 * `__stack_trace` and `__enhanced_stack_trace` answer that stack traces are not enabled. Errors
 * keep their source-mapped stacks, and unhandled rejections are still pinned to their workflow
 * (by the promise's context, not the hook).
 *
 * The Worker class that runs workflow code this way. Debug mode (`debugMode`, workflows in the
 * main thread) keeps the SDK's stack traces: it is for looking inside.
 */
export function workerClass(options: WorkflowRuntimeOptions): typeof Worker {
  // The SDK hands this value to `script.runInContext(context, { timeout })`, and Node starts no
  // watchdog for a timeout that is undefined. The SDK types it a number because it always sets one
  // (5 s), and offers no option for it: "not exposed at the moment".
  const isolateExecutionTimeoutMs = (options.deadlockTimeoutMs > 0 ? options.deadlockTimeoutMs : undefined) as number;
  return class WorkerWithWorkflowRuntime extends Worker {
    protected static override async createWorkflowCreator(
      workflowBundle: WorkflowBundleWithSourceMapAndFilename,
      compiledOptions: CompiledWorkerOptions,
      logger: Logger,
    ): Promise<WorkflowCreator> {
      const compiled = { ...compiledOptions, isolateExecutionTimeoutMs };
      if (options.stackTraces || compiled.debugMode) return super.createWorkflowCreator(workflowBundle, compiled, logger);
      const sdkVersion = options.sdkVersion ?? INSTALLED_SDK_VERSION;
      if (!threadSetUpMatches(sdkVersion)) {
        logger.warn(
          `@temporalio/worker ${sdkVersion} is not the ${CHECKED_SDK_MINOR}.x whose workflow thread set-up src/temporal/workflow-runtime.ts repeats: ` +
            "the worker runs the SDK's own set-up, with stack traces on, until that file is checked against this SDK",
        );
        return super.createWorkflowCreator(workflowBundle, compiled, logger);
      }
      return createThreadsWithoutPromiseHook(workflowBundle, compiled, logger);
    }
  };
}

/** The SDK minor version whose `ThreadedVMWorkflowCreator.create` createThreadsWithoutPromiseHook repeats. */
const CHECKED_SDK_MINOR = '1.24';

export const INSTALLED_SDK_VERSION = (JSON.parse(readFileSync(require.resolve('@temporalio/worker/package.json'), 'utf8')) as { version: string }).version;

/** Whether our thread set-up was checked against this SDK version (any patch release of the checked minor). */
export function threadSetUpMatches(sdkVersion: string): boolean {
  return sdkVersion.startsWith(`${CHECKED_SDK_MINOR}.`);
}

/**
 * A workflow thread's entry: the SDK's own, with its promise hook made a no-op before the SDK's
 * thread module loads. The hook is installed once per thread and never otherwise.
 */
const THREAD_WITHOUT_PROMISE_HOOK = `
const { globalHandlers } = require(${JSON.stringify(require.resolve('@temporalio/worker/lib/workflow/vm-shared'))});
globalHandlers.setPromiseHook = () => {};
require(${JSON.stringify(require.resolve('@temporalio/worker/lib/workflow/workflow-worker-thread'))});
`;

/** What `ThreadedVMWorkflowCreator.create` does (SDK 1.24), with our thread entry instead of its own. */
async function createThreadsWithoutPromiseHook(
  workflowBundle: WorkflowBundleWithSourceMapAndFilename,
  compiled: CompiledWorkerOptions,
  logger: Logger,
): Promise<WorkflowCreator> {
  const { patchActivationCallback } = compiled;
  const clients = Array.from(
    { length: compiled.workflowThreadPoolSize },
    () => new WorkerThreadClient(new NodeWorker(THREAD_WITHOUT_PROMISE_HOOK, { eval: true }), logger, patchActivationCallback),
  );
  await Promise.all(
    clients.map((client) =>
      client.send({
        type: 'init',
        workflowBundle,
        isolateExecutionTimeoutMs: compiled.isolateExecutionTimeoutMs,
        reuseV8Context: compiled.reuseV8Context ?? true,
        registeredActivityNames: new Set(compiled.activities.keys()),
        hasPatchActivationCallback: patchActivationCallback !== undefined,
      }),
    ),
  );
  return new ThreadedVMWorkflowCreator(clients);
}
