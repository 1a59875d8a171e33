import type { Client } from '@temporalio/client';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import type { Logger } from '@temporalio/common';
import { observerWorkflowId } from '../contract/ids';
import { ecsObserverWorkflow } from '../workflows/observer';

/** A worker makes sure of a cluster's observer at most this often; tracked workflows check far less often. */
const RECHECK_MS = 60_000;

/**
 * Starts the observer workflow of (task queue, cluster) unless it runs: one start call per cluster
 * per minute per worker, however many tasks launch. Never throws: a task's launch must not fail
 * because its observer could not be started now; its workflow checks again later.
 */
export function observerStarter(args: {
  temporal: () => Client;
  taskQueue: string;
  heartbeatTimeoutMs: number;
  logger: Logger;
  now?: () => number;
}): (cluster: string) => Promise<void> {
  const checked = new Map<string, number>();
  const now = args.now ?? Date.now;
  return async (cluster) => {
    const last = checked.get(cluster);
    if (last !== undefined && now() - last < RECHECK_MS) return;
    checked.set(cluster, now());
    try {
      await args.temporal().workflow.start(ecsObserverWorkflow, {
        taskQueue: args.taskQueue,
        workflowId: observerWorkflowId(args.taskQueue, cluster),
        args: [{ cluster, heartbeatTimeoutMs: args.heartbeatTimeoutMs }],
        workflowIdConflictPolicy: 'USE_EXISTING',
        staticSummary: `Observer of ECS cluster ${cluster} for task queue ${args.taskQueue}`,
      });
    } catch (err) {
      if (err instanceof WorkflowExecutionAlreadyStartedError) return;
      checked.delete(cluster);
      args.logger.warn(`could not start the observer of cluster ${cluster}; tasks there are tracked once it runs`, { cluster, error: String(err) });
    }
  };
}
