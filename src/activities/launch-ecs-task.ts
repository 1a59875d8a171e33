import { createHash } from 'node:crypto';
import { DescribeTasksCommand, type Failure, RunTaskCommand, type RunTaskCommandInput, type RunTaskCommandOutput } from '@aws-sdk/client-ecs';
import { Context } from '@temporalio/activity';
import { matchDescribeResults } from '../ecs/describe';
import { describeEcsError, isRetryableEcsError } from '../ecs/errors';
import { toTaskSnapshot } from '../ecs/snapshot';
import { clusterOfTaskArn } from '../ecs/task-arn';
import { FailureType, InvalidExecutorConfigError, InvalidTaskCommandError } from '../errors';
import { buildTaskRunInput } from '../rules/task-run-input';
import { workloadCommand } from '../rules/workload-command';
import type { EcsTaskSnapshot, JsonObject } from '../types';
import type { LaunchEcsTaskInput, LaunchEcsTaskResult, LaunchFailureDetails } from './contracts';
import type { EcsActivityDeps } from './deps';
import { failure, throwIfRetryable } from './failures';

/**
 * RunTask's idempotency token for one launch attempt of one workflow execution. ECS returns the
 * original task for a repeated token instead of starting another, so a RunTask retried after a
 * timeout or a worker crash never launches twice; a new attempt gets a new token, so a relaunch
 * really launches, and so does a new execution under the same workflow ID (a try re-queued after
 * a revoke): its first run ID differs. The first run ID survives continue-as-new. ECS allows at
 * most 64 ASCII characters: a sha256 hex digest is exactly 64.
 */
export function launchClientToken(workflowId: string, firstRunId: string, attempt: number): string {
  // NUL separators keep ("wf-1", 23) and ("wf-12", 3) apart.
  return createHash('sha256').update(`${workflowId}\u0000${firstRunId}\u0000${attempt}`).digest('hex');
}

/** Like Airflow's executor logs them: the reason, with the ARN and detail when ECS gives them. */
function formatRunTaskFailure(f: Failure): string {
  const extras = [...(f.arn !== undefined ? [`arn: ${f.arn}`] : []), ...(f.detail !== undefined ? [`detail: ${f.detail}`] : [])];
  const reason = f.reason ?? 'unknown reason';
  return extras.length > 0 ? `${reason} (${extras.join(', ')})` : reason;
}

/**
 * The launch of one attempt, as a local activity: builds the RunTask input from the worker's
 * template (bad executor_config or command fail the task at once, named), calls RunTask, and
 * returns what ECS launched. A launch ECS refused (`failures[]`, a permanent API error, a task
 * without an ARN) fails the activity as EcsLaunchFailed, which the workflow counts as an attempt.
 */
export async function launchEcsTask(deps: EcsActivityDeps, input: LaunchEcsTaskInput): Promise<LaunchEcsTaskResult> {
  const settings = deps.trackingSettings;
  const runTaskInput = await buildRequest(deps, input);
  const request: RunTaskCommandInput = {
    ...(runTaskInput as unknown as RunTaskCommandInput),
    startedBy: (runTaskInput.startedBy as string | undefined) ?? deps.startedBy,
    clientToken: launchClientToken(input.workflowId, input.firstRunId, input.attempt),
  };
  const requestCluster = request.cluster ?? 'default';
  const launchFailed = (reasons: string[]): never => {
    const details: LaunchFailureDetails = { reasons, settings };
    // Capacity and placement failures are what a busy cluster answers: expected, so benign.
    throw failure(FailureType.EcsLaunchFailed, `RunTask failed: ${reasons.join(', ')}`, { details: [details], benign: true });
  };

  let output: RunTaskCommandOutput;
  try {
    // One bound on the whole call, the SDK's own retries included, so the local activity always
    // returns (and the launch deadline is checked) however the endpoint behaves.
    output = await deps.ecs.get().send(new RunTaskCommand(request), { abortSignal: AbortSignal.timeout(deps.ecsCallTimeoutMs) });
  } catch (err) {
    enforceLaunchDeadline(deps, err);
    throwIfRetryable(deps.ecs, 'RunTask', err);
    return launchFailed([describeEcsError(err)]);
  }

  const answered = output.tasks?.[0];
  if (answered !== undefined) {
    if (answered.taskArn === undefined || answered.taskArn === '') {
      return launchFailed([
        `RunTask on cluster "${requestCluster}" answered a task without a taskArn (request ID ${output.$metadata?.requestId ?? 'unknown'}): ` +
          'nothing can be tracked, so this counts as a failed launch attempt',
      ]);
    }
    const cluster = clusterOfTaskArn(answered.taskArn) ?? requestCluster;
    let task = toTaskSnapshot(answered);
    // ECS answers a replayed clientToken for a task that already stopped with only its ARN and
    // statuses: describe it before anything is decided, or a finished task looks never started.
    if (task.lastStatus === 'STOPPED' || task.containers.length === 0) task = await describeOne(deps, cluster, task);
    await deps.ensureObserver(cluster);
    const logLocation = await deps.logLocation(request.taskDefinition, task.taskArn, deps.executor.containerName);
    return { task, cluster, settings, ...(logLocation !== undefined ? { logLocation } : {}) };
  }
  const failures = output.failures ?? [];
  if (failures.length > 0) return launchFailed(failures.map(formatRunTaskFailure));

  throw failure(
    FailureType.EcsEmptyRunTaskResponse,
    `ECS internal error: RunTask on cluster "${requestCluster}" returned neither tasks nor failures ` +
      `(request ID ${output.$metadata?.requestId ?? 'unknown'}). Nothing was launched; check the ECS service health for the region`,
  );
}

async function buildRequest(deps: EcsActivityDeps, input: LaunchEcsTaskInput): Promise<JsonObject> {
  const template = await deps.runTaskTemplate();
  try {
    const command = input.command ?? workloadCommand(input.workload ?? '');
    return buildTaskRunInput(template, { containerName: deps.executor.containerName, command, executorConfig: input.executorConfig ?? undefined });
  } catch (err) {
    if (err instanceof InvalidExecutorConfigError) throw failure(FailureType.InvalidExecutorConfig, err.message);
    if (err instanceof InvalidTaskCommandError) throw failure(FailureType.InvalidTaskCommand, err.message);
    throw err;
  }
}

async function describeOne(deps: EcsActivityDeps, cluster: string, answered: EcsTaskSnapshot): Promise<EcsTaskSnapshot> {
  try {
    const output = await deps.ecs.get().send(new DescribeTasksCommand({ cluster, tasks: [answered.taskArn] }), { abortSignal: AbortSignal.timeout(deps.ecsCallTimeoutMs) });
    const outcome = matchDescribeResults([answered.taskArn], output).get(answered.taskArn);
    return outcome !== undefined && 'task' in outcome ? outcome.task : answered;
  } catch (err) {
    // Retrying the whole launch is safe: the same clientToken answers with the same task.
    throwIfRetryable(deps.ecs, 'DescribeTasks after RunTask', err);
    return answered;
  }
}

/**
 * Transient errors are retried until the launch deadline, counted from the first try of this
 * attempt; then the task fails with the last error instead of staying queued forever.
 */
function enforceLaunchDeadline(deps: EcsActivityDeps, err: unknown): void {
  const elapsed = Date.now() - Context.current().info.scheduledTimestampMs;
  if (elapsed < deps.launchDeadlineMs || !isRetryableEcsError(err)) return;
  throw failure(
    FailureType.EcsLaunchDeadlineExceeded,
    `RunTask kept failing for ${Math.round(elapsed / 1000)} s, past the launch deadline of ${Math.round(deps.launchDeadlineMs / 1000)} s ` +
      `(ECS_EXECUTOR_LAUNCH_DEADLINE_SECONDS); the last error: ${describeEcsError(err).replace(/\.$/, '')}. Check the ECS endpoint, the region and the credentials`,
    { cause: err },
  );
}
