import {
  CancellationScope,
  condition,
  getExternalWorkflowHandle,
  isCancellation,
  log,
  setHandler,
  sleep,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { WaitForEcsTaskChangeResult } from '../activities/contracts';
import {
  DEFAULT_TERMINATE_REASON,
  SearchAttributes,
  ecsTaskUpdateSignal,
  keySearchAttributes,
  terminateSignal,
  trackerStatusQuery,
  type EcsTaskTrackerStatus,
} from '../messages';
import { ecsTaskToAirflowState } from '../rules/ecs-task-state';
import type { AirflowState, EcsTaskSnapshot, TaskInstanceKey } from '../types';
import { stopActivities, waitActivities } from './activity-profiles';

export interface EcsTaskWorkflowInput {
  cluster: string;
  taskArn: string;
  /** What RunTask returned, when the task workflow launched it; absent when adopting. */
  initialTask?: EcsTaskSnapshot;
  /** The Airflow task this ECS task runs, for search attributes. */
  key?: TaskInstanceKey;
  /** Set when the client adopted the task: the tracker then reports to that executor itself. */
  adoptedBy?: { executorName: string };
  /** Stop the task as soon as tracking starts (a terminate that arrived during RunTask). */
  terminate?: { reason: string };
  /** How long to wait for STOPPED after StopTask before giving up on the task. */
  terminateTimeoutMs: number;
}

/**
 * DescribeTasks is eventually consistent: right after RunTask it may not know the task yet and
 * report it MISSING. Until DescribeTasks has seen the task once, MISSING within this grace
 * period means "ask again", not "the task is gone".
 */
const MISSING_GRACE_MS = 60_000;
const MISSING_RETRY_MS = 5_000;

export type EcsTaskWorkflowResult =
  | { kind: 'stopped'; task: EcsTaskSnapshot; state: AirflowState; terminated: boolean }
  | { kind: 'missing'; reason: string; terminated: boolean; task?: EcsTaskSnapshot }
  | { kind: 'stopTimedOut'; task?: EcsTaskSnapshot; terminated: true };

/**
 * Tracks one ECS task, keyed by its ARN, until it is STOPPED. Terminate (signal or workflow
 * cancellation) runs StopTask and keeps tracking until STOPPED, bounded by terminateTimeoutMs.
 */
export async function ecsTaskWorkflow(input: EcsTaskWorkflowInput): Promise<EcsTaskWorkflowResult> {
  const { cluster, taskArn } = input;
  let task = input.initialTask;
  let terminate = input.terminate;
  let done = false;

  setHandler(terminateSignal, (arg) => {
    terminate ??= { reason: arg?.reason ?? DEFAULT_TERMINATE_REASON };
  });
  setHandler(
    trackerStatusQuery,
    (): EcsTaskTrackerStatus => ({
      taskArn,
      cluster,
      lastStatus: task?.lastStatus,
      task,
      terminateRequested: terminate !== undefined,
      done,
    }),
  );
  // Cancelling this workflow (or closing its parent) means "terminate": the ECS task must not be
  // orphaned, so the body runs non-cancellable and turns the request into a terminate.
  CancellationScope.current().cancelRequested.catch(() => {
    terminate ??= { reason: DEFAULT_TERMINATE_REASON };
  });

  const parent = workflowInfo().parent;
  let reportedState: AirflowState | undefined;
  let reportedStatus: string | undefined;
  const report = async () => {
    if (!task) return;
    if (parent && task.lastStatus !== reportedStatus) {
      reportedStatus = task.lastStatus;
      await getExternalWorkflowHandle(parent.workflowId, parent.runId)
        .signal(ecsTaskUpdateSignal, task)
        .catch((err: unknown) => log.warn('could not report to the task workflow', { error: String(err) }));
    }
    const state = ecsTaskToAirflowState(task);
    if (state === reportedState) return;
    reportedState = state;
    upsertSearchAttributes([{ key: SearchAttributes.state, value: state }]);
  };
  upsertSearchAttributes([
    { key: SearchAttributes.taskArn, value: taskArn },
    { key: SearchAttributes.cluster, value: cluster },
    ...(input.key ? keySearchAttributes(input.key) : []),
    ...(input.adoptedBy ? [{ key: SearchAttributes.executorName, value: input.adoptedBy.executorName }] : []),
  ]);

  const result = await CancellationScope.nonCancellable(async (): Promise<EcsTaskWorkflowResult> => {
    await report();
    const waits = waitActivities();
    const trackingSince = Date.now();
    let seenByDescribe = false;
    let stopSentAt: number | undefined;
    while (task?.lastStatus !== 'STOPPED') {
      if (terminate && stopSentAt === undefined) {
        stopSentAt = Date.now();
        const stopped = await stopTask(cluster, taskArn, terminate.reason);
        if (stopped.kind === 'notFound') return { kind: 'missing', reason: stopped.reason, terminated: true, task };
        if (stopped.task) task = stopped.task;
        await report();
        continue;
      }
      const deadline = stopSentAt === undefined ? undefined : stopSentAt + input.terminateTimeoutMs;
      if (deadline !== undefined && Date.now() >= deadline) {
        log.warn('ECS task did not reach STOPPED after StopTask', { taskArn, timeoutMs: input.terminateTimeoutMs });
        return { kind: 'stopTimedOut', task, terminated: true };
      }
      const outcome = await waitForChange(waits.waitForEcsTaskChange, {
        cluster,
        taskArn,
        knownStatus: task?.lastStatus,
        // A terminate interrupts a wait that has not sent StopTask yet; after that, only the deadline does.
        interruptWhen: () => terminate !== undefined && stopSentAt === undefined,
        deadline,
      });
      if (outcome === 'interrupted') continue;
      if (outcome.kind === 'missing' && !seenByDescribe && Date.now() - trackingSince < MISSING_GRACE_MS) {
        await sleep(MISSING_RETRY_MS);
        continue;
      }
      if (outcome.kind === 'missing') return { kind: 'missing', reason: outcome.reason, terminated: terminate !== undefined, task };
      task = outcome.task;
      seenByDescribe = true;
      await report();
    }
    return { kind: 'stopped', task, state: ecsTaskToAirflowState(task), terminated: terminate !== undefined };
  });
  done = true;
  return result;
}

async function stopTask(cluster: string, taskArn: string, reason: string) {
  try {
    return await stopActivities.stopEcsTask({ cluster, taskArn, reason });
  } catch (err) {
    // StopTask kept failing: keep tracking, so the outcome still reflects what ECS reports.
    log.error('StopTask failed; tracking the task until it stops', { taskArn, error: String(err) });
    return { kind: 'stopFailed' as const, task: undefined };
  }
}

/** One wait activity, abandoned (its scope cancelled) when `interruptWhen` turns true or the deadline passes. */
async function waitForChange(
  waitForEcsTaskChange: ReturnType<typeof waitActivities>['waitForEcsTaskChange'],
  args: {
    cluster: string;
    taskArn: string;
    knownStatus?: string;
    interruptWhen: () => boolean;
    deadline?: number;
  },
): Promise<WaitForEcsTaskChangeResult | 'interrupted'> {
  const scope = new CancellationScope();
  const wait = scope.run(() =>
    waitForEcsTaskChange({ cluster: args.cluster, taskArn: args.taskArn, knownStatus: args.knownStatus }),
  );
  const timeout = args.deadline === undefined ? undefined : Math.max(args.deadline - Date.now(), 1);
  let settled = false;
  void wait.then(
    () => (settled = true),
    () => (settled = true),
  );
  await (timeout === undefined
    ? condition(() => settled || args.interruptWhen())
    : condition(() => settled || args.interruptWhen(), timeout));
  if (settled) return await wait;
  scope.cancel();
  try {
    await wait;
  } catch (err) {
    if (!isCancellation(err)) throw err;
  }
  return 'interrupted';
}
