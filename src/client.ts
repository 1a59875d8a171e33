import { Client, Connection, WorkflowExecutionAlreadyStartedError, type WorkflowExecutionInfo } from '@temporalio/client';
import { loadExecutorConfig, loadRuntimeConfig, type ExecutorConfig, type RuntimeConfig } from './config';
import { clusterHasDefaultCapacityProviderStrategy } from './ecs/cluster-capacity';
import { chunk, describeEcsTasks } from './ecs/describe';
import { EcsClientProvider } from './ecs/ecs-client';
import { assertEcsHealthy, checkEcsHealth, type EcsHealth } from './ecs/health';
import { clusterOfTaskArn } from './ecs/task-arn';
import { createLogger, type AppLogger } from './logger';
import {
  DEFAULT_TERMINATE_REASON,
  SearchAttributes,
  keySearchAttributes,
  statusQuery,
  terminateSignal,
  trackerStatusQuery,
  type AirflowTaskResult,
  type AirflowTaskStatus,
  type EcsTaskTrackerStatus,
  type TaskEvent,
} from './messages';
import { buildRunTaskTemplate } from './rules/run-task-template';
import { buildTaskRunInput } from './rules/task-run-input';
import { temporalConnectConfig, type TemporalTarget } from './temporal-connection';
import { AIRFLOW_STATES, taskInstanceKeySchema, type AirflowState, type JsonObject, type TaskInstanceKey, type TaskInstanceKeyInput } from './types';
import { airflowTaskWorkflowId, ecsTaskWorkflowId } from './workflow-ids';
import type { AirflowTaskWorkflowInput } from './workflows/airflow-task';
import type { EcsTaskWorkflowInput } from './workflows/ecs-task';

export { EcsUnhealthyError } from './ecs/health';

/** A task instance as Airflow hands it over for adoption: its key and its ECS task ARN. */
export interface TaskInstanceRef {
  key: TaskInstanceKeyInput;
  externalExecutorId?: string | null;
}

/** A state change since the last sync(), as the scheduler needs it. */
export interface TaskStateEvent {
  key: TaskInstanceKey;
  workflowId: string;
  state: AirflowState;
  /** The ECS task ARN: Airflow's external_executor_id. */
  externalExecutorId?: string;
  info?: string;
}

export interface SubmitResult {
  workflowId: string;
  /** True when a workflow for this task instance already existed: nothing new was launched. */
  attached: boolean;
}

/** One row of `list()`: what the search attributes say about a task workflow. */
export interface TaskSummary {
  workflowId: string;
  workflowType: string;
  status: string;
  key?: TaskInstanceKey;
  state?: AirflowState;
  taskArn?: string;
  cluster?: string;
  startTime: Date;
  closeTime?: Date;
}

export class InvalidTaskError extends Error {
  override readonly name = 'InvalidTask';
}

export interface EcsExecutorClientOptions {
  temporal?: TemporalTarget;
  /** An existing Temporal client (tests, or an app that already has one). */
  client?: Client;
  executor?: ExecutorConfig;
  runtime?: RuntimeConfig;
  ecs?: EcsClientProvider;
  logger?: AppLogger;
  /** How far back the first sync() looks for tasks that already finished. Default 10 minutes. */
  syncLookbackMs?: number;
}

// Visibility is eventually consistent: look a little further back than the last sync and
// de-duplicate by what was already reported.
const SYNC_OVERLAP_MS = 60_000;
/** Calls to Temporal made at once when one operation covers many tasks (adopt, terminate). */
const CALL_CONCURRENCY = 20;

/** `fn` over every item, CALL_CONCURRENCY at a time; results in item order. */
async function inBatches<T, R>(items: readonly T[], fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = [];
  for (const batch of chunk(items, CALL_CONCURRENCY)) results.push(...(await Promise.all(batch.map(fn))));
  return results;
}

/**
 * What a scheduler calls, mirroring Airflow's AwsEcsExecutor: start, check_health, execute_async,
 * sync, try_adopt_task_instances, end and terminate. The scheduler holds no task state: every
 * task lives in its workflow, so a scheduler restart loses nothing.
 */
export class EcsExecutorClient {
  readonly executor: ExecutorConfig;
  readonly runtime: RuntimeConfig;
  readonly temporal: Client;
  private readonly ecs: EcsClientProvider;
  private readonly log: AppLogger;
  private readonly ownedConnection?: Connection;
  private template?: Promise<JsonObject>;
  private ending = false;
  private lastSyncAt: number;
  private readonly reported = new Map<string, string>();

  private constructor(
    temporal: Client,
    options: EcsExecutorClientOptions & { runtime: RuntimeConfig; executor: ExecutorConfig },
    ownedConnection?: Connection,
  ) {
    this.temporal = temporal;
    this.ownedConnection = ownedConnection;
    this.runtime = options.runtime;
    this.executor = options.executor;
    this.log = options.logger ?? createLogger(this.runtime.logLevel, 'ecs-executor-client');
    this.ecs = options.ecs ?? new EcsClientProvider({ region: this.executor.regionName, endpoint: this.runtime.endpointUrl });
    this.lastSyncAt = Date.now() - (options.syncLookbackMs ?? 10 * 60_000);
  }

  /** Loads configuration (bad config fails here) and connects to Temporal (TEMPORAL_* settings). */
  static async connect(options: EcsExecutorClientOptions = {}): Promise<EcsExecutorClient> {
    const configured = { ...options, runtime: options.runtime ?? loadRuntimeConfig(), executor: options.executor ?? loadExecutorConfig() };
    if (options.client) return new EcsExecutorClient(options.client, configured);
    const { connectionOptions, namespace } = temporalConnectConfig(options.temporal);
    const connection = await Connection.connect(connectionOptions);
    return new EcsExecutorClient(new Client({ connection, namespace }), configured, connection);
  }

  get executorName(): string {
    return this.runtime.executorName;
  }

  /**
   * Airflow's start(): builds the RunTask template (bad configuration fails here, loudly) and,
   * when check_health_on_startup is set, refuses to start while ECS is unreachable.
   */
  async start(): Promise<void> {
    await this.runTaskTemplate();
    if (this.executor.checkHealthOnStartup) {
      const health = await assertEcsHealthy(this.ecs.get(), this.executor.cluster);
      this.log.info({ cluster: this.executor.cluster }, health.message);
    }
  }

  checkHealth(): Promise<EcsHealth> {
    return checkEcsHealth(this.ecs.get(), this.executor.cluster);
  }

  /**
   * Airflow's execute_async: validates the task and starts its workflow. The workflow ID is the
   * task instance key, so submitting the same key again attaches to the existing workflow.
   */
  async executeAsync(
    key: TaskInstanceKeyInput,
    command: string[],
    queue?: string,
    executorConfig?: unknown,
  ): Promise<SubmitResult> {
    if (this.ending) {
      throw new InvalidTaskError('This executor is ending (end() or terminate() was called): it accepts no new task.');
    }
    const taskKey = parseKey(key);
    const runTaskInput = buildTaskRunInput(await this.runTaskTemplate(), {
      containerName: this.executor.containerName,
      command,
      executorConfig,
    });
    const workflowId = airflowTaskWorkflowId(taskKey);
    const input: AirflowTaskWorkflowInput = {
      key: taskKey,
      command,
      queue,
      cluster: this.executor.cluster,
      runTaskInput,
      maxRunTaskAttempts: this.executor.maxRunTaskAttempts,
      executorName: this.executorName,
      terminateTimeoutMs: this.runtime.terminateTimeoutMs,
    };
    try {
      await this.temporal.workflow.start('airflowTaskWorkflow', {
        taskQueue: this.runtime.taskQueue,
        workflowId,
        args: [input],
        // A workflow with this ID, running or finished, means the task instance was submitted
        // already: attach to it, never launch it twice.
        workflowIdConflictPolicy: 'FAIL',
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
        typedSearchAttributes: [
          ...keySearchAttributes(taskKey),
          { key: SearchAttributes.state, value: 'QUEUED' },
          { key: SearchAttributes.cluster, value: this.executor.cluster },
          { key: SearchAttributes.executorName, value: this.executorName },
        ],
        memo: { command, queue: queue ?? null },
      });
      return { workflowId, attached: false };
    } catch (err) {
      if (err instanceof WorkflowExecutionAlreadyStartedError) return { workflowId, attached: true };
      throw err;
    }
  }

  /**
   * State changes since the last call, read from workflow search attributes with one (paginated)
   * visibility query, however many tasks are tracked. Never throws: errors are logged and the
   * next sync catches up.
   */
  async sync(): Promise<TaskStateEvent[]> {
    const startedAt = Date.now();
    const since = new Date(this.lastSyncAt - SYNC_OVERLAP_MS).toISOString();
    const events: TaskStateEvent[] = [];
    try {
      const query = `${this.scope()} AND (ExecutionStatus = 'Running' OR CloseTime > '${since}')`;
      const listed = new Set<string>();
      for await (const info of this.temporal.workflow.list({ query })) {
        listed.add(info.workflowId);
        const summary = summarize(info);
        if (!summary.key || !summary.state) continue;
        const fingerprint = `${summary.state}|${summary.taskArn ?? ''}`;
        if (this.reported.get(info.workflowId) === fingerprint) continue;
        this.reported.set(info.workflowId, fingerprint);
        const outcome = info.memo?.outcome;
        events.push({
          key: summary.key,
          workflowId: info.workflowId,
          state: summary.state,
          externalExecutorId: summary.taskArn,
          info: typeof outcome === 'string' ? outcome : undefined,
        });
      }
      // A workflow the query no longer returns closed before `since` and will not be listed again.
      for (const workflowId of this.reported.keys()) if (!listed.has(workflowId)) this.reported.delete(workflowId);
      this.lastSyncAt = startedAt;
    } catch (err) {
      this.log.error({ err }, 'sync failed; the next sync will catch up');
    }
    return events;
  }

  /**
   * Airflow's try_adopt_task_instances. A task whose workflow still runs is already tracked; an
   * ARN that ECS still knows gets a tracker keyed by the ARN (attaching to one that runs, never a
   * second one, never a RunTask). Returns the task instances that could not be adopted.
   */
  async tryAdoptTaskInstances(tis: TaskInstanceRef[]): Promise<TaskInstanceRef[]> {
    const candidates = tis.flatMap((ti) => {
      const parsed = taskInstanceKeySchema.safeParse(ti.key);
      return ti.externalExecutorId && parsed.success ? [{ ti, key: parsed.data, arn: ti.externalExecutorId }] : [];
    });
    const adopted = new Set<TaskInstanceRef>();
    const byCluster = new Map<string, typeof candidates>();
    const running = await inBatches(candidates, (c) => this.isRunning(airflowTaskWorkflowId(c.key)));
    candidates.forEach((candidate, i) => {
      if (running[i]) {
        adopted.add(candidate.ti);
        return;
      }
      const cluster = clusterOfTaskArn(candidate.arn) ?? this.executor.cluster;
      byCluster.set(cluster, [...(byCluster.get(cluster) ?? []), candidate]);
    });
    for (const [cluster, entries] of byCluster) {
      const { tasks } = await describeEcsTasks(this.ecs.get(), cluster, entries.map((e) => e.arn));
      const known = new Set(tasks.map((t) => t.taskArn));
      const found = entries.filter((e) => known.has(e.arn));
      await inBatches(found, (e) => this.startTracker(cluster, e.arn, e.key));
      for (const e of found) adopted.add(e.ti);
    }
    return tis.filter((ti) => !adopted.has(ti));
  }

  /** Airflow's end(): accept nothing new and wait until every task of this executor has finished. Never throws. */
  async end(options: { pollIntervalMs?: number; timeoutMs?: number } = {}): Promise<void> {
    this.ending = true;
    const pollIntervalMs = options.pollIntervalMs ?? 5_000;
    const deadline = options.timeoutMs === undefined ? Infinity : Date.now() + options.timeoutMs;
    while (Date.now() < deadline) {
      try {
        const { count } = await this.temporal.workflow.count(`${this.scope()} AND ExecutionStatus = 'Running'`);
        if (count === 0) return;
        this.log.info({ running: count }, 'waiting for running tasks to finish');
      } catch (err) {
        this.log.error({ err }, 'end: could not count running tasks; retrying');
      }
      await new Promise((resolve) => setTimeout(resolve, pollIntervalMs));
    }
    this.log.warn({ timeoutMs: options.timeoutMs }, 'end: gave up waiting for running tasks');
  }

  /**
   * Airflow's terminate(): signal `terminate` to every running task of this executor (each stops
   * its ECS task with the reason), then end(). Never throws.
   */
  async terminate(reason = DEFAULT_TERMINATE_REASON, options: { pollIntervalMs?: number; timeoutMs?: number } = {}): Promise<void> {
    this.ending = true;
    try {
      const ids: string[] = [];
      for await (const info of this.temporal.workflow.list({ query: `${this.scope()} AND ExecutionStatus = 'Running'` })) {
        ids.push(info.workflowId);
      }
      await inBatches(ids, (id) =>
        this.temporal.workflow
          .getHandle(id)
          .signal(terminateSignal, { reason })
          .catch((err: unknown) => this.log.error({ err, workflowId: id }, 'terminate: could not signal task')),
      );
      this.log.info({ tasks: ids.length, reason }, 'terminate signalled');
    } catch (err) {
      this.log.error({ err }, 'terminate: could not list running tasks');
    }
    await this.end(options);
  }

  /** Terminates one task instance (signal: StopTask with the reason, no relaunch). */
  async terminateTask(key: TaskInstanceKeyInput, reason = DEFAULT_TERMINATE_REASON): Promise<void> {
    await this.temporal.workflow.getHandle(airflowTaskWorkflowId(parseKey(key))).signal(terminateSignal, { reason });
  }

  /** The full per-attempt record of one task instance (the workflow's `status` query). */
  async status(key: TaskInstanceKeyInput): Promise<AirflowTaskStatus> {
    return this.temporal.workflow.getHandle(airflowTaskWorkflowId(parseKey(key))).query(statusQuery);
  }

  /** The executor-side task log (what Airflow writes with send_message_to_task_logs). */
  async events(key: TaskInstanceKeyInput): Promise<TaskEvent[]> {
    return (await this.status(key)).events;
  }

  /** Waits for one task instance to finish and returns its outcome. */
  async result(key: TaskInstanceKeyInput): Promise<AirflowTaskResult> {
    return this.temporal.workflow.getHandle(airflowTaskWorkflowId(parseKey(key))).result();
  }

  /** What an ARN's tracker knows (adopted tasks, or any task's current ECS task). */
  async trackerStatus(taskArn: string): Promise<EcsTaskTrackerStatus> {
    return this.temporal.workflow.getHandle(ecsTaskWorkflowId(taskArn)).query(trackerStatusQuery);
  }

  /** Task workflows of this executor, newest first; `extraQuery` narrows them (visibility syntax). */
  async list(options: { extraQuery?: string; limit?: number } = {}): Promise<TaskSummary[]> {
    const query = options.extraQuery ? `${this.scope()} AND (${options.extraQuery})` : this.scope();
    const rows: TaskSummary[] = [];
    for await (const info of this.temporal.workflow.list({ query })) {
      rows.push(summarize(info));
      if (options.limit !== undefined && rows.length >= options.limit) break;
    }
    return rows;
  }

  async close(): Promise<void> {
    this.ecs.reset();
    await this.ownedConnection?.close();
  }

  private scope(): string {
    return `EcsExecutorName = '${this.executorName}'`;
  }

  private runTaskTemplate(): Promise<JsonObject> {
    this.template ??= buildRunTaskTemplate(this.executor, {
      clusterHasDefaultCapacityProviderStrategy: (cluster) => clusterHasDefaultCapacityProviderStrategy(this.ecs.get(), cluster),
    }).catch((err: unknown) => {
      this.template = undefined;
      throw err;
    });
    return this.template;
  }

  private async isRunning(workflowId: string): Promise<boolean> {
    try {
      const description = await this.temporal.workflow.getHandle(workflowId).describe();
      return description.status.name === 'RUNNING';
    } catch (err) {
      if ((err as Error).name === 'WorkflowNotFoundError') return false;
      throw err;
    }
  }

  private async startTracker(cluster: string, taskArn: string, key: TaskInstanceKey): Promise<void> {
    const input: EcsTaskWorkflowInput = {
      cluster,
      taskArn,
      key,
      adoptedBy: { executorName: this.executorName },
      terminateTimeoutMs: this.runtime.terminateTimeoutMs,
    };
    await this.temporal.workflow.start('ecsTaskWorkflow', {
      taskQueue: this.runtime.taskQueue,
      workflowId: ecsTaskWorkflowId(taskArn),
      args: [input],
      // Attach to the tracker that already runs for this ARN: never a second one. The tracker
      // sets its own search attributes (key, ARN, cluster, executor, state) when it starts.
      workflowIdConflictPolicy: 'USE_EXISTING',
      memo: { adopted: true },
    });
  }
}

function parseKey(key: TaskInstanceKeyInput): TaskInstanceKey {
  const parsed = taskInstanceKeySchema.safeParse(key);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((i) => `${i.path.join('.') || 'key'}: ${i.message}`).join('; ');
  throw new InvalidTaskError(
    `Invalid task instance key ${JSON.stringify(key)}: ${problems}. Expected {dagId, taskId, runId, tryNumber, mapIndex (-1 when unmapped)}.`,
  );
}

function summarize(info: WorkflowExecutionInfo): TaskSummary {
  const sa = info.typedSearchAttributes;
  const dagId = sa.get(SearchAttributes.dagId);
  const taskId = sa.get(SearchAttributes.taskId);
  const runId = sa.get(SearchAttributes.runId);
  const tryNumber = sa.get(SearchAttributes.tryNumber);
  const mapIndex = sa.get(SearchAttributes.mapIndex);
  const state = sa.get(SearchAttributes.state);
  return {
    workflowId: info.workflowId,
    workflowType: info.type,
    status: info.status.name,
    key:
      dagId && taskId && runId && tryNumber !== undefined
        ? { dagId, taskId, runId, tryNumber, mapIndex: mapIndex ?? -1 }
        : undefined,
    state: (AIRFLOW_STATES as readonly string[]).includes(state ?? '') ? (state as AirflowState) : undefined,
    taskArn: sa.get(SearchAttributes.taskArn),
    cluster: sa.get(SearchAttributes.cluster),
    startTime: info.startTime,
    closeTime: info.closeTime,
  };
}

