import { type DescribeTasksCommandInput, type DescribeTasksCommandOutput } from '@aws-sdk/client-ecs';
import { WorkflowNotFoundError } from '@temporalio/client';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import type { ObserverProgress } from '../../src/activities';
import { observerWorkflowId } from '../../src/contract/ids';
import type { EcsObservation } from '../../src/contract/messages';
import type { EcsWorker } from '../../src/worker';
import { eventually, terminateRunning, type E2eContext, type E2eOptions } from './e2e';

/**
 * What the observer's end-to-end tests read on the real servers: the worker's DescribeTasks calls,
 * the observer's heartbeat details, and the ecsObservation signals in workflow histories. What
 * they prove is counted, never inferred from timing.
 */

export const CLUSTER = 'default';

/** One DescribeTasks call the worker's ECS client made: the ARNs asked, and each task's lastStatus in the answer. */
export interface DescribeCall {
  arns: string[];
  statuses: Map<string, string | undefined>;
}

/** Records every DescribeTasks call of the worker's ECS client (the observer's polls). */
export function recordDescribeTasks(worker: EcsWorker): DescribeCall[] {
  const calls: DescribeCall[] = [];
  worker.ecs.get().middlewareStack.add(
    (next, context) => async (args) => {
      const result = await next(args);
      if (context.commandName === 'DescribeTasksCommand') {
        const input = args.input as DescribeTasksCommandInput;
        const output = result.output as DescribeTasksCommandOutput;
        calls.push({ arns: input.tasks ?? [], statuses: new Map((output.tasks ?? []).map((t) => [t.taskArn ?? '', t.lastStatus])) });
      }
      return result;
    },
    { step: 'initialize', name: 'observerTestDescribeRecorder' },
  );
  return calls;
}

/** The observer's pending activity as the server shows it, with its last heartbeat decoded. */
export async function observerActivity(e2e: E2eContext) {
  const description = await e2e.env.client.workflow.getHandle(observerWorkflowId(e2e.runtime.taskQueue, CLUSTER)).describe();
  const pending = description.raw.pendingActivities?.[0];
  const payload = pending?.heartbeatDetails?.payloads?.[0];
  return {
    pending,
    progress: payload ? defaultPayloadConverter.fromPayload<ObserverProgress>(payload as Payload) : undefined,
  };
}

export async function heartbeat(e2e: E2eContext, what: string, ready: (p: ObserverProgress) => boolean, timeoutMs = 60_000): Promise<ObserverProgress> {
  return eventually(
    async () => {
      const { progress } = await observerActivity(e2e);
      return progress !== undefined && ready(progress) ? progress : undefined;
    },
    `an observer heartbeat with ${what}`,
    timeoutMs,
    250,
  );
}

/** The ecsObservation signals in a workflow's history, in order. */
export async function observationsOf(e2e: E2eContext, workflowId: string): Promise<EcsObservation['kind'][]> {
  const history = await e2e.env.client.workflow.getHandle(workflowId).fetchHistory();
  return (history.events ?? []).flatMap((event) => {
    const signal = event.workflowExecutionSignaledEventAttributes;
    if (signal?.signalName !== 'ecsObservation') return [];
    const payload = signal.input?.payloads?.[0];
    return payload ? [defaultPayloadConverter.fromPayload<EcsObservation>(payload as Payload).kind] : [];
  });
}

export const scripted: E2eOptions['localEcs'] = { execution: 'scripted' };

/** Stops what a test group left behind on the shared dev server: its running task workflows and its observer. */
export async function cleanUp(e2e: E2eContext | undefined): Promise<void> {
  if (e2e === undefined) return;
  const client = e2e.env.client;
  await terminateRunning(client, e2e.runtime.executorName, 'observer e2e test cleanup');
  await client.workflow
    .getHandle(observerWorkflowId(e2e.runtime.taskQueue, CLUSTER))
    .terminate('observer e2e test cleanup')
    .catch((err: unknown) => {
      if (!(err instanceof WorkflowNotFoundError)) throw err;
    });
  await e2e.teardown();
}
