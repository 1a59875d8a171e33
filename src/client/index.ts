import { randomUUID } from 'node:crypto';
import { Client, Connection, WorkflowNotFoundError } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import { adoptedTaskWorkflowId, taskWorkflowId, WORKFLOW_ID_PREFIX } from '../contract/ids';
import type { ProbeResult } from '../contract/inputs';
import { workloadKeySchema, type WorkloadKey, type WorkloadKeyInput } from '../contract/keys';
import { DEFAULT_TERMINATE_REASON, terminateSignal, type AirflowTaskResult, type AirflowTaskStatus, type TaskEvent } from '../contract/messages';
import { concurrencyLimit } from '../concurrency';
import { EcsUnhealthyError, ExecutorEndingError, InvalidTaskKeyError, NoWorkerError, NotFoundError } from '../errors';
import { createLogger, type AppLogger } from '../logger';
import { executorScope, RUNNING, and, type ListFilters } from '../temporal/queries';
import { temporalConnectConfig, type TemporalTarget } from '../temporal-connection';
import { executorProbeWorkflow } from '../workflows/probe';
import { adoptTaskInstances, type TaskInstanceRef } from './adopt';
import { assertWorkerPolls, closedResult, listTasks, readStatus } from './inspect';
import { buildTaskInput, startTask, startTasks, type SubmitRequest, type SubmitResult, type TaskCommand } from './submit';
import { StateChangeFeed, type FeedStats, type TaskStateEvent } from './sync';
import type { TaskSummary } from './summaries';

export type { TaskInstanceRef } from './adopt';
export type { SubmitRequest, SubmitResult, TaskCommand } from './submit';
export type { TaskStateEvent } from './sync';
export type { TaskSummary } from './summaries';

/** The client's settings: which workers serve it and which tasks are its own. */
export interface ClientSettings {
  taskQueue: string;
  executorName: string;
  /** How far back each sync() re-reads, to cover visibility lag. */
  syncLagMs: number;
  logLevel?: string;
}

export interface EcsExecutorClientOptions {
  settings: ClientSettings;
  temporal?: TemporalTarget;
  /** An existing Temporal client (tests, or an app that already has one). */
  client?: Client;
  /** The payload codec (encryption) when a key is configured. */
  dataConverter?: DataConverter;
  logger?: AppLogger;
}

/** How long start() waits for a worker to run the probe. */
const PROBE_TIMEOUT_MS = 30_000;
/** How often submits check that a worker polls the task queue. */
const NO_WORKER_CHECK_MS = 30_000;
/** Calls to Temporal made at once when one operation covers many tasks (terminate). */
const CALL_CONCURRENCY = 20;

/**
 * What a scheduler calls, mirroring Airflow's AwsEcsExecutor: start, execute_async, sync,
 * try_adopt_task_instances, end and terminate. The scheduler holds no task state: every task lives
 * in its workflow, so a scheduler restart loses nothing. It never calls ECS: workers do.
 */
export class EcsExecutorClient {
  readonly temporal: Client;
  readonly settings: ClientSettings;
  private readonly log: AppLogger;
  private readonly ownedConnection?: Connection;
  private readonly feed: StateChangeFeed;
  private ending = false;
  private lastWorkerCheck = Number.NEGATIVE_INFINITY;

  private constructor(temporal: Client, options: EcsExecutorClientOptions, ownedConnection?: Connection) {
    this.temporal = temporal;
    this.settings = options.settings;
    this.ownedConnection = ownedConnection;
    this.log = options.logger ?? createLogger(options.settings.logLevel ?? 'info', 'ecs-executor-client');
    this.feed = new StateChangeFeed(temporal, this.settings.executorName, { lagMs: this.settings.syncLagMs });
  }

  /** Connects to Temporal (TEMPORAL_* settings, or `options.temporal`). */
  static async connect(options: EcsExecutorClientOptions): Promise<EcsExecutorClient> {
    if (options.client) return new EcsExecutorClient(options.client, options);
    const { connectionOptions, namespace } = temporalConnectConfig(options.temporal);
    const connection = await Connection.connect(connectionOptions);
    return new EcsExecutorClient(new Client({ connection, namespace, dataConverter: options.dataConverter }), options, connection);
  }

  get executorName(): string {
    return this.settings.executorName;
  }

  /**
   * Airflow's start(): proves a worker polls the task queue and learns the server's clock (sync()
   * keeps its watermark by it); with `checkHealth` (check_health_on_startup) a worker runs Airflow's
   * ECS health check, and start-up fails with EcsUnhealthyError saying why.
   */
  async start(options: { checkHealth: boolean }): Promise<ProbeResult> {
    const result = await this.probe(options.checkHealth);
    if (result.health && !result.health.healthy) throw new EcsUnhealthyError(result.health.message);
    if (result.health) this.log.info(result.health.message);
    return result;
  }

  /** Airflow's check_health, run by a worker. */
  async checkHealth(): Promise<{ healthy: boolean; message: string }> {
    const result = await this.probe(true);
    return result.health ?? { healthy: false, message: 'the worker returned no health check result' };
  }

  /**
   * Airflow's execute_async: validates the task at the edge and starts its workflow. The workflow ID
   * is the task instance key, so submitting the same key again attaches to the existing workflow.
   */
  async executeAsync(key: WorkloadKeyInput, command: TaskCommand, queue?: string | null, executorConfig?: unknown): Promise<SubmitResult> {
    this.assertAccepting();
    const submitted = await startTask(this.temporal, this.settings.taskQueue, buildTaskInput({ key, command, queue, executorConfig }, this.executorName));
    const warning = await this.noWorkerWarning();
    return warning === undefined ? submitted : { ...submitted, warning };
  }

  /** Many execute_async calls at once (they overlap: one client process submits hundreds a second). Results in order. */
  async executeMany(requests: readonly SubmitRequest[]): Promise<PromiseSettledResult<SubmitResult>[]> {
    this.assertAccepting();
    const inputs = requests.map((r) => {
      try {
        return { input: buildTaskInput(r, this.executorName) };
      } catch (err) {
        return { error: err };
      }
    });
    const valid = inputs.flatMap((i) => ('input' in i && i.input !== undefined ? [i.input] : []));
    const started = await startTasks(this.temporal, this.settings.taskQueue, valid);
    let next = 0;
    return inputs.map((i) => ('error' in i ? { status: 'rejected' as const, reason: i.error } : started[next++]!));
  }

  /**
   * State changes since the last call, read with one visibility query whose cost grows with what
   * changed. Never throws: errors are logged and the next sync catches up.
   */
  async sync(): Promise<TaskStateEvent[]> {
    try {
      return await this.feed.read();
    } catch (err) {
      this.log.error({ err }, 'sync failed; the next sync will catch up');
      return [];
    }
  }

  /** What sync() has read so far: rows listed, full reads, changes reported and those visibility showed late, the slowest read. */
  syncStats(): Readonly<FeedStats> {
    return { ...this.feed.stats };
  }

  /** Airflow's try_adopt_task_instances: returns the task instances that could not be adopted. */
  async tryAdoptTaskInstances<T extends TaskInstanceRef>(tis: readonly T[]): Promise<T[]> {
    const outcome = await adoptTaskInstances(this.temporal, { taskQueue: this.settings.taskQueue, executorName: this.executorName }, tis);
    for (const { ti, reason } of outcome.notAdopted) this.log.info({ key: ti.key, reason }, 'not adopted');
    const notAdopted = new Set(outcome.notAdopted.map((n) => n.ti));
    return tis.filter((ti) => notAdopted.has(ti));
  }

  /** Airflow's end(): accept nothing new and wait until every task of this executor has finished. Never throws. */
  async end(options: { pollIntervalMs?: number; timeoutMs?: number } = {}): Promise<void> {
    this.ending = true;
    const pollIntervalMs = options.pollIntervalMs ?? 5_000;
    const deadline = options.timeoutMs === undefined ? Infinity : Date.now() + options.timeoutMs;
    while (Date.now() < deadline) {
      try {
        const { count } = await this.temporal.workflow.count(and(executorScope(this.executorName), RUNNING));
        if (count === 0) return;
        this.log.info({ running: count }, 'waiting for running tasks to finish');
      } catch (err) {
        this.log.error({ err }, 'end: could not count running tasks; retrying');
      }
      await new Promise((resolve) => setTimeout(resolve, pollIntervalMs));
    }
    this.log.warn({ timeoutMs: options.timeoutMs }, 'end: gave up waiting for running tasks');
  }

  /** Airflow's terminate(): signal `terminate` to every running task of this executor, then end(). Never throws. */
  async terminate(reason = DEFAULT_TERMINATE_REASON, options: { pollIntervalMs?: number; timeoutMs?: number } = {}): Promise<void> {
    this.ending = true;
    try {
      const ids: string[] = [];
      for await (const info of this.temporal.workflow.list({ query: and(executorScope(this.executorName), RUNNING) })) ids.push(info.workflowId);
      const slot = concurrencyLimit(CALL_CONCURRENCY);
      await Promise.all(
        ids.map((id) =>
          slot(() =>
            this.temporal.workflow
              .getHandle(id)
              .signal(terminateSignal, { reason })
              .catch((err: unknown) => this.log.error({ err, workflowId: id }, 'terminate: could not signal task')),
          ),
        ),
      );
      this.log.info({ tasks: ids.length, reason }, 'terminate signalled');
    } catch (err) {
      this.log.error({ err }, 'terminate: could not list running tasks');
    }
    await this.end(options);
  }

  /** Terminates one task instance or adopted task (StopTask with the reason, no relaunch). NotFoundError when nothing runs for it. */
  async terminateTask(key: WorkloadKeyInput, reason = DEFAULT_TERMINATE_REASON): Promise<void> {
    const workflowId = await this.workflowIdFor(parseKey(key));
    const handle = this.temporal.workflow.getHandle(workflowId);
    let description;
    try {
      description = await handle.describe();
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) throw new NotFoundError(`No workflow ${workflowId}: nothing was submitted or adopted for this key.`);
      throw err;
    }
    if (description.status.name !== 'RUNNING') throw new NotFoundError(`The workflow ${workflowId} is not running (${description.status.name}): there is nothing to terminate.`);
    await assertWorkerPolls(this.temporal, description.taskQueue ?? this.settings.taskQueue);
    await handle.signal(terminateSignal, { reason });
  }

  /** Every attempt and the event log of one task instance; works for closed workflows without a worker. */
  async status(key: WorkloadKeyInput): Promise<AirflowTaskStatus> {
    const parsed = parseKey(key);
    return readStatus(this.temporal, await this.workflowIdFor(parsed), parsed, this.settings.taskQueue);
  }

  /** The executor-side task log (what Airflow writes with send_message_to_task_logs). */
  async events(key: WorkloadKeyInput): Promise<TaskEvent[]> {
    return (await this.status(key)).events;
  }

  /** Waits for one task instance to finish and returns its outcome (FAILED ones too: never throws for a failed task). */
  async result(key: WorkloadKeyInput): Promise<AirflowTaskResult> {
    const parsed = parseKey(key);
    const workflowId = await this.workflowIdFor(parsed);
    try {
      return await closedResult(this.temporal, this.temporal.workflow.getHandle(workflowId), parsed);
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) throw new NotFoundError(`No workflow ${workflowId}: nothing was submitted or adopted for this key.`);
      throw err;
    }
  }

  /** What the tracker of an adopted ECS task knows. */
  async trackerStatus(taskArn: string): Promise<AirflowTaskStatus> {
    return readStatus(this.temporal, adoptedTaskWorkflowId(taskArn), undefined, this.settings.taskQueue);
  }

  /** Task workflows of this executor, newest first, narrowed by typed filters. */
  async list(filters: Omit<ListFilters, 'executorName'> = {}, limit?: number): Promise<TaskSummary[]> {
    return listTasks(this.temporal, { ...filters, executorName: this.executorName }, limit);
  }

  async close(): Promise<void> {
    await this.ownedConnection?.close();
  }

  /**
   * Says so when no worker polls the task queue, at most once every NO_WORKER_CHECK_MS: a task
   * submitted to a queue nobody serves must not wait silently.
   */
  private async noWorkerWarning(): Promise<string | undefined> {
    if (Date.now() - this.lastWorkerCheck < NO_WORKER_CHECK_MS) return undefined;
    this.lastWorkerCheck = Date.now();
    try {
      await assertWorkerPolls(this.temporal, this.settings.taskQueue);
      return undefined;
    } catch (err) {
      if (!(err instanceof NoWorkerError)) return undefined;
      this.log.warn(err.message);
      return err.message;
    }
  }

  private assertAccepting(): void {
    if (this.ending) throw new ExecutorEndingError('This executor is ending (end() or terminate() was called): it accepts no new task.');
  }

  /** The task workflow of a key, or the tracker of its adopted ECS task when only that exists. */
  private async workflowIdFor(key: WorkloadKey): Promise<string> {
    const own = taskWorkflowId(key);
    try {
      await this.temporal.workflow.getHandle(own).describe();
      return own;
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError)) throw err;
    }
    const [adopted] = await listTasks(this.temporal, { executorName: this.executorName, ...keyFilters(key) }, 1);
    if (adopted?.workflowId.startsWith(WORKFLOW_ID_PREFIX.adopted)) return adopted.workflowId;
    return own;
  }

  private async probe(checkHealth: boolean): Promise<ProbeResult> {
    // A worker starting alongside this scheduler may not poll yet: give it the probe's timeout.
    const polled = await assertWorkerPolls(this.temporal, this.settings.taskQueue).then(
      () => true,
      (err: unknown) => {
        if (!(err instanceof NoWorkerError)) throw err;
        this.log.warn(`${err.message} Waiting up to ${PROBE_TIMEOUT_MS / 1000} s for one.`);
        return false;
      },
    );
    try {
      const result = await this.temporal.workflow.execute(executorProbeWorkflow, {
        taskQueue: this.settings.taskQueue,
        workflowId: `${WORKFLOW_ID_PREFIX.probe}${this.executorName}/${randomUUID()}`,
        args: [{ checkHealth }],
        workflowExecutionTimeout: PROBE_TIMEOUT_MS,
        staticSummary: `start-up probe of executor ${this.executorName}${checkHealth ? ' (with the ECS health check)' : ''}`,
      });
      this.feed.setServerTime(new Date(result.now));
      return result;
    } catch (err) {
      const why = polled ? 'check that the workers are healthy' : `no worker polled task queue "${this.settings.taskQueue}" in that time: start one with ECS_EXECUTOR_TASK_QUEUE=${this.settings.taskQueue}`;
      throw new NoWorkerError(`The start-up probe on task queue "${this.settings.taskQueue}" did not complete within ${PROBE_TIMEOUT_MS / 1000} s (${String(err)}): ${why}.`);
    }
  }
}

function keyFilters(key: WorkloadKey): Omit<ListFilters, 'executorName'> {
  return 'callbackId' in key ? {} : { dagId: key.dagId, runId: key.runId, taskId: key.taskId, tryNumber: key.tryNumber, mapIndex: key.mapIndex };
}

function parseKey(key: WorkloadKeyInput): WorkloadKey {
  const parsed = workloadKeySchema.safeParse(key);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((i) => `${i.path.join('.') || 'key'}: ${i.message}`).join('; ');
  throw new InvalidTaskKeyError(`Invalid task instance key ${JSON.stringify(key)}: ${problems}. Expected {dagId, taskId, runId, tryNumber, mapIndex (-1 when unmapped)}.`);
}
