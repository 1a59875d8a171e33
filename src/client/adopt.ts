import { randomUUID } from 'node:crypto';
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import { adoptedTaskWorkflowId, taskWorkflowId, WORKFLOW_ID_PREFIX } from '../contract/ids';
import { adoptedTaskInputSchema, type AdoptedTaskInput } from '../contract/inputs';
import { workloadKeySchema, type WorkloadKeyInput } from '../contract/keys';
import { shortKey } from '../contract/key-format';
import { keySearchAttributes, SearchAttributes } from '../contract/search-attributes';
import { concurrencyLimit } from '../concurrency';
import { chunk } from '../concurrency';
import { and, byTaskArnsQuery, oneOf, or, RUNNING } from '../temporal/queries';
import { ecsTaskWorkflow } from '../workflows/ecs-task';
import { ecsLookupWorkflow } from '../workflows/probe';

/** A task instance as Airflow hands it over for adoption: its key and its ECS task ARN. */
export interface TaskInstanceRef {
  key: WorkloadKeyInput;
  externalExecutorId?: string | null;
}

export interface AdoptionOutcome<T extends TaskInstanceRef> {
  adopted: T[];
  notAdopted: { ti: T; reason: string }[];
}

/** How long adoption waits for a worker to describe the ARNs before it gives up (the tasks are then not adopted). */
const LOOKUP_TIMEOUT_MS = 60_000;

/**
 * Airflow's try_adopt_task_instances. A task whose ECS task a running workflow tracks is already
 * adopted; an ARN that ECS still knows gets a tracker keyed by the ARN (attaching to one that
 * runs: never a second tracker, never a RunTask). Each task instance is judged on its own: a
 * malformed ARN or key only keeps that one from being adopted.
 */
export async function adoptTaskInstances<T extends TaskInstanceRef>(
  client: Client,
  args: { taskQueue: string; executorName: string },
  tis: readonly T[],
): Promise<AdoptionOutcome<T>> {
  const outcome: AdoptionOutcome<T> = { adopted: [], notAdopted: [] };
  // A TI without a (valid) ARN can still be adopted when its own try's workflow runs: a scheduler
  // that died right after submitting may never have stored the ARN.
  const candidates: { ti: T; arn?: string; arnProblem?: string; key: AdoptedTaskInput['key'] }[] = [];
  for (const ti of tis) {
    const key = workloadKeySchema.safeParse(ti.key);
    if (!key.success) {
      outcome.notAdopted.push({ ti, reason: `invalid key: ${key.error.issues.map((i) => i.message).join('; ')}` });
      continue;
    }
    const arn = ti.externalExecutorId ?? '';
    const arnCheck = adoptedTaskInputSchema.shape.taskArn.safeParse(arn);
    if (arnCheck.success) candidates.push({ ti, arn, key: key.data });
    else candidates.push({ ti, key: key.data, arnProblem: arn === '' ? 'no external_executor_id (ECS task ARN)' : `${arnCheck.error.issues[0]?.message} (got ${JSON.stringify(arn)})` });
  }
  if (candidates.length === 0) return outcome;

  // Already tracked: the try's own task workflow runs (it tracks its current attempt, whatever the
  // ARN Airflow last saw), or a running workflow's current ECS task is this one (an earlier adoption).
  const running = new Set<string>();
  const tracked = new Set<string>();
  for (const batch of chunk(candidates, 50)) {
    const arns = batch.flatMap((c) => (c.arn !== undefined ? [c.arn] : []));
    const ids = oneOf('WorkflowId', batch.map((c) => taskWorkflowId(c.key)));
    const query = and(arns.length > 0 ? or(byTaskArnsQuery(arns), ids) : ids, RUNNING);
    for await (const info of client.workflow.list({ query })) {
      running.add(info.workflowId);
      const current = info.typedSearchAttributes.get(SearchAttributes.taskArn);
      if (current !== undefined) tracked.add(current);
    }
  }
  const isTracked = (c: (typeof candidates)[number]) => running.has(taskWorkflowId(c.key)) || (c.arn !== undefined && tracked.has(c.arn));
  outcome.adopted.push(...candidates.filter(isTracked).map((c) => c.ti));
  const lookups: { ti: T; arn: string; key: AdoptedTaskInput['key'] }[] = [];
  for (const c of candidates) {
    if (isTracked(c)) continue;
    if (c.arn === undefined) outcome.notAdopted.push({ ti: c.ti, reason: c.arnProblem ?? 'no ECS task ARN' });
    else lookups.push({ ti: c.ti, arn: c.arn, key: c.key });
  }
  const untracked = lookups;
  if (untracked.length === 0) return outcome;

  const lookup = await client.workflow.execute(ecsLookupWorkflow, {
    taskQueue: args.taskQueue,
    workflowId: `${WORKFLOW_ID_PREFIX.lookup}${randomUUID()}`,
    args: [{ taskArns: untracked.map((c) => c.arn) }],
    workflowExecutionTimeout: LOOKUP_TIMEOUT_MS,
    staticSummary: `Adoption: which of ${untracked.length} ECS tasks ECS still knows`,
  });
  const found = new Map(lookup.found.map((f) => [f.taskArn, f.cluster]));
  const missing = new Map(lookup.notFound.map((f) => [f.taskArn, f.reason]));
  const slot = concurrencyLimit(20);
  await Promise.all(
    untracked.map((c) =>
      slot(async () => {
        const cluster = found.get(c.arn);
        if (cluster === undefined) {
          outcome.notAdopted.push({ ti: c.ti, reason: `ECS does not know ${c.arn} (${missing.get(c.arn) ?? 'MISSING'})` });
          return;
        }
        await startTracker(client, args, { taskArn: c.arn, cluster, key: c.key, executorName: args.executorName });
        outcome.adopted.push(c.ti);
      }),
    ),
  );
  return outcome;
}

async function startTracker(client: Client, args: { taskQueue: string }, input: AdoptedTaskInput): Promise<void> {
  try {
    await client.workflow.start(ecsTaskWorkflow, {
      taskQueue: args.taskQueue,
      workflowId: adoptedTaskWorkflowId(input.taskArn),
      args: [input],
      // Attach to the tracker that already runs for this ARN: never a second one.
      workflowIdConflictPolicy: 'USE_EXISTING',
      typedSearchAttributes: [
        ...keySearchAttributes(input.key),
        { key: SearchAttributes.executorName, value: input.executorName },
        { key: SearchAttributes.state, value: 'QUEUED' },
      ],
      staticSummary: `${shortKey(input.key)}: adopted ECS task ${input.taskArn}`,
    });
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
  }
}
