import { DescribeTasksCommand, ListTasksCommand, StopTaskCommand } from '@aws-sdk/client-ecs';
import { Context } from '@temporalio/activity';
import { WorkflowNotFoundError, type Client, type WorkflowExecutionInfo } from '@temporalio/client';
import { ecsObservationSignal, type EcsObservation } from '../contract/messages';
import { SearchAttributes } from '../contract/search-attributes';
import { chunk } from '../concurrency';
import { DESCRIBE_TASKS_MAX_ARNS, matchDescribeResults } from '../ecs/describe';
import { classifyEcsError, describeEcsError } from '../ecs/errors';
import { decideObservation, dueCalls, firstTurns, pollTickMs, type DescribeAnswer, type TrackedTask } from '../rules/observation';
import { and, byTaskArnsQuery, RUNNING, trackedTasksQuery } from '../temporal/queries';
import { concurrencyLimit } from '../concurrency';
import type { EcsActivityDeps } from './deps';

/** What the observer shows in its heartbeat (the Temporal UI shows a pending activity's heartbeat details). */
export interface ObserverProgress {
  cluster: string;
  tracked: number;
  /** Poll intervals begun (each starts with a read of the tracked set from visibility). */
  rounds: number;
  describeCalls: number;
  describeErrors: number;
  arnsDescribed: number;
  signals: number;
  lastRoundAt?: string;
  lastError?: string;
  orphansStopped: { taskArn: string; at: string; why: string }[];
}

interface Entry extends TrackedTask {
  workflowId: string;
  /**
   * The run visibility listed. Signalled by run, the server finds the workflow without first
   * reading which run is current: one database read less for every task that stops.
   */
  runId: string;
  /** When it is next to be described (`dueCalls`); unset until its first tick. */
  dueAtMs?: number;
}

const MAX_REPORTED_ORPHANS = 20;
/** A task whose final word was sent is not re-added by a visibility read that lags behind its workflow. */
const RECENTLY_DONE_MS = 10 * 60_000;

/**
 * The observer of one cluster for one task queue: every task its workflows track is described
 * once per poll interval (DescribeTasks, 100 ARNs a call, a tick's share every second or so), and
 * a workflow is signalled only when Airflow's view of its task changed. The set of tracked tasks comes from Temporal visibility, so it
 * survives a crash of this worker, and one observer per cluster means no task is polled twice.
 * Heartbeats once per few seconds in all, however many tasks are tracked.
 */
export async function observeEcsCluster(deps: EcsActivityDeps, input: { cluster: string }): Promise<void> {
  await new ClusterObserver(deps, input.cluster, Context.current()).run();
}

class ClusterObserver {
  private readonly tracked = new Map<string, Entry>();
  private readonly inFlight = new Set<string>();
  private readonly recentlyDone = new Map<string, number>();
  private readonly orphanCandidates = new Map<string, number>();
  private readonly progress: ObserverProgress;
  private readonly describeSlot: <T>(fn: () => Promise<T>) => Promise<T>;
  private readonly signalSlot: <T>(fn: () => Promise<T>) => Promise<T>;
  private readonly rounds = new Set<Promise<void>>();
  private watermark?: number;
  private lastFullAt = Number.NEGATIVE_INFINITY;
  private lastReconcileAt: number;
  private reconciling?: Promise<void>;
  private refreshing?: Promise<void>;
  private readonly client: Client;

  constructor(
    private readonly deps: EcsActivityDeps,
    private readonly cluster: string,
    private readonly ctx: Context,
  ) {
    this.client = deps.temporal();
    this.progress = { cluster, tracked: 0, rounds: 0, describeCalls: 0, describeErrors: 0, arnsDescribed: 0, signals: 0, orphansStopped: [] };
    this.describeSlot = concurrencyLimit(deps.observer.describeConcurrency);
    this.signalSlot = concurrencyLimit(deps.observer.signalConcurrency);
    // The first reconciliation waits one period: tasks launched just before a restart get to be seen first.
    this.lastReconcileAt = Date.now();
  }

  async run(): Promise<void> {
    const { observer } = this.deps;
    const started = Date.now();
    const beat = setInterval(() => this.ctx.heartbeat(this.progress), Math.max(1_000, Math.min(10_000, this.deps.observerHeartbeatTimeoutMs / 3)));
    try {
      const tickMs = pollTickMs(observer.pollIntervalMs);
      let refreshedAt = Number.NEGATIVE_INFINITY;
      while (Date.now() - started < observer.runForMs) {
        const tickAt = Math.round(Date.now() / tickMs) * tickMs;
        // Once an interval, re-read what changed, beside the ticks: on a loaded server the read can
        // take seconds, and the tasks already tracked must not wait for it to be described.
        if (this.refreshing === undefined && tickAt - refreshedAt >= observer.pollIntervalMs - tickMs / 2) {
          const first = refreshedAt === Number.NEGATIVE_INFINITY;
          refreshedAt = tickAt;
          this.progress.rounds += 1;
          this.refreshing = this.beside('reading the tracked tasks from visibility', () => this.refresh()).finally(() => (this.refreshing = undefined));
          // The first read is waited for: until it ends there is nothing to describe.
          if (first) await this.refreshing;
        }
        this.pollDue(tickAt, tickMs);
        // Reconciliation runs beside the rounds, one at a time: a slow ListTasks must not hold up tracking.
        if (this.reconciling === undefined && Date.now() - this.lastReconcileAt >= observer.reconcileMs) {
          this.lastReconcileAt = Date.now();
          this.reconciling = this.beside('looking for ECS tasks no workflow tracks', () => this.reconcile()).finally(() => (this.reconciling = undefined));
        }
        this.ctx.heartbeat(this.progress);
        // Ticks fall on multiples of their length, so the cost is one round per interval whenever the observer (re)started.
        await this.ctx.sleep(tickMs - (Date.now() % tickMs));
      }
    } finally {
      clearInterval(beat);
      await Promise.allSettled([...this.rounds, this.reconciling, this.refreshing]);
    }
  }

  /** Adds what changed since the watermark (or, every so often, re-reads everything and drops what no longer runs). */
  private async refresh(): Promise<void> {
    const { observer, taskQueue } = this.deps;
    const now = Date.now();
    const full = this.watermark === undefined || now - this.lastFullAt >= observer.fullRefreshMs;
    const changedSince = full ? undefined : new Date(this.watermark! - observer.visibilityLagMs);
    const listed = new Set<string>();
    let newest = this.watermark ?? 0;
    for await (const info of this.client.workflow.list({ query: trackedTasksQuery({ taskQueue, cluster: this.cluster, changedSince }), pageSize: 1000 })) {
      const arn = info.typedSearchAttributes.get(SearchAttributes.taskArn);
      const changedAt = info.typedSearchAttributes.get(SearchAttributes.stateChangedAt)?.getTime() ?? now;
      if (arn === undefined) continue;
      listed.add(arn);
      newest = Math.max(newest, changedAt);
      this.track(arn, info, changedAt);
    }
    if (full) {
      this.lastFullAt = now;
      // An entry added moments ago may not be in a lagging listing yet; only drop what has been tracked a while.
      for (const [arn, entry] of this.tracked) {
        if (!listed.has(arn) && entry.trackedSinceMs < now - observer.visibilityLagMs) this.tracked.delete(arn);
      }
    }
    this.watermark = newest;
    for (const [arn, at] of this.recentlyDone) if (now - at > RECENTLY_DONE_MS) this.recentlyDone.delete(arn);
    this.progress.tracked = this.tracked.size;
  }

  private track(arn: string, info: WorkflowExecutionInfo, changedAtMs: number): void {
    if (this.recentlyDone.has(arn)) return;
    const entry = this.tracked.get(arn);
    if (entry !== undefined && entry.workflowId === info.workflowId) {
      // A run that continued as new tracks the same task: what was learned of it stays.
      entry.runId = info.runId;
      return;
    }
    this.tracked.set(arn, { workflowId: info.workflowId, runId: info.runId, trackedSinceMs: changedAtMs, seen: false, runningSent: false });
  }

  /** This tick's DescribeTasks calls, without the tasks still being described; answers are acted on as they arrive. */
  private pollDue(tickAt: number, tickMs: number): void {
    const { pollIntervalMs } = this.deps.observer;
    const fresh: string[] = [];
    const scheduled: number[] = [];
    for (const [arn, entry] of this.tracked) {
      if (entry.dueAtMs === undefined) fresh.push(arn);
      else scheduled.push(entry.dueAtMs);
    }
    for (const turn of firstTurns(fresh, scheduled, tickAt, pollIntervalMs, DESCRIBE_TASKS_MAX_ARNS)) {
      const entry = this.tracked.get(turn.taskArn);
      if (entry !== undefined) entry.dueAtMs = turn.dueAtMs;
    }
    const turns = [...this.tracked]
      .filter(([arn]) => !this.inFlight.has(arn))
      .map(([taskArn, entry]) => ({ taskArn, dueAtMs: entry.dueAtMs ?? tickAt }));
    const calls = dueCalls(turns, tickAt, tickMs, DESCRIBE_TASKS_MAX_ARNS);
    if (calls.length > 0) this.progress.lastRoundAt = new Date().toISOString();
    for (const batch of calls) {
      for (const arn of batch) {
        this.inFlight.add(arn);
        const entry = this.tracked.get(arn);
        if (entry !== undefined) entry.dueAtMs = tickAt + pollIntervalMs;
      }
      const round = this.describeSlot(() => this.describe(batch)).finally(() => {
        for (const arn of batch) this.inFlight.delete(arn);
        this.rounds.delete(round);
      });
      this.rounds.add(round);
    }
  }

  private async describe(arns: string[]): Promise<void> {
    this.progress.describeCalls += 1;
    this.progress.arnsDescribed += arns.length;
    let answers: Map<string, DescribeAnswer>;
    try {
      const output = await this.deps.ecs
        .get()
        .send(new DescribeTasksCommand({ cluster: this.cluster, tasks: arns }), this.timeout());
      answers = matchDescribeResults(arns, output);
    } catch (err) {
      this.progress.describeErrors += 1;
      const errorClass = classifyEcsError(err);
      if (errorClass === 'credentials') this.deps.ecs.reset();
      this.note(`DescribeTasks of ${arns.length} tasks on cluster "${this.cluster}" failed (${describeEcsError(err)}); they are polled again next round`, errorClass);
      return;
    }
    const now = Date.now();
    await Promise.all(
      [...answers].map(async ([arn, answer]) => {
        const entry = this.tracked.get(arn);
        if (entry === undefined) return;
        if ('task' in answer) entry.seen = true;
        const decision = decideObservation(entry, answer, now, { reportEcsRunning: this.deps.observer.reportEcsRunning });
        if (decision.send === undefined) return;
        const observation: EcsObservation =
          decision.send === 'MISSING' ? { taskArn: arn, kind: 'MISSING', reason: decision.reason } : { taskArn: arn, kind: decision.send, task: decision.task };
        await this.signal(arn, entry, observation);
      }),
    );
  }

  private async signal(arn: string, entry: Entry, observation: EcsObservation): Promise<void> {
    try {
      await this.signalSlot(() => this.signalRun(entry, observation));
      this.progress.signals += 1;
      if (observation.kind === 'RUNNING') {
        entry.runningSent = true;
        return;
      }
      this.tracked.delete(arn);
      this.recentlyDone.set(arn, Date.now());
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) {
        // Its workflow closed: nothing to tell. Reconciliation stops the task if it still runs.
        this.tracked.delete(arn);
        return;
      }
      this.note(`could not signal ${entry.workflowId} about ${arn} (${String(err)}); trying again next round`);
    }
  }

  /** The listed run, or, when that run has closed (it may have continued as new), the workflow's current run. */
  private async signalRun(entry: Entry, observation: EcsObservation): Promise<void> {
    try {
      await this.client.workflow.getHandle(entry.workflowId, entry.runId).signal(ecsObservationSignal, observation);
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError)) throw err;
      await this.client.workflow.getHandle(entry.workflowId).signal(ecsObservationSignal, observation);
    }
  }

  /**
   * ECS tasks we launched (our startedBy) that no running workflow tracks: their workflow was closed
   * from outside (a Temporal-side terminate while launching, say). After the grace period they are
   * stopped, so that nothing we launched runs on unwatched.
   */
  private async reconcile(): Promise<void> {
    const running = new Set<string>();
    let nextToken: string | undefined;
    do {
      const page = await this.deps.ecs
        .get()
        .send(new ListTasksCommand({ cluster: this.cluster, startedBy: this.deps.startedBy, desiredStatus: 'RUNNING', nextToken }), this.timeout());
      for (const arn of page.taskArns ?? []) running.add(arn);
      nextToken = page.nextToken;
    } while (nextToken !== undefined);
    const untracked = [...running].filter((arn) => !this.tracked.has(arn) && !this.recentlyDone.has(arn));
    const now = Date.now();
    for (const arn of this.orphanCandidates.keys()) if (!untracked.includes(arn)) this.orphanCandidates.delete(arn);
    for (const batch of chunk(untracked, DESCRIBE_TASKS_MAX_ARNS)) {
      const owners = new Map<string, WorkflowExecutionInfo>();
      for await (const info of this.client.workflow.list({ query: and(byTaskArnsQuery(batch), RUNNING) })) {
        const current = info.typedSearchAttributes.get(SearchAttributes.taskArn);
        if (current !== undefined) owners.set(current, info);
      }
      for (const arn of batch) {
        const owner = owners.get(arn);
        if (owner !== undefined) {
          this.track(arn, owner, owner.typedSearchAttributes.get(SearchAttributes.stateChangedAt)?.getTime() ?? now);
          continue;
        }
        const since = this.orphanCandidates.get(arn);
        if (since === undefined) this.orphanCandidates.set(arn, now);
        else if (now - since >= this.deps.observer.orphanGraceMs) await this.stopOrphan(arn);
      }
    }
  }

  private async stopOrphan(arn: string): Promise<void> {
    const why = `no running workflow has tracked it for ${Math.round(this.deps.observer.orphanGraceMs / 1000)} s (its workflow was closed from outside)`;
    try {
      await this.deps.ecs.get().send(new StopTaskCommand({ cluster: this.cluster, task: arn, reason: `temporal-ecs-executor: ${why}`.slice(0, 255) }), this.timeout());
      this.orphanCandidates.delete(arn);
      this.recentlyDone.set(arn, Date.now());
      this.progress.orphansStopped = [...this.progress.orphansStopped, { taskArn: arn, at: new Date().toISOString(), why }].slice(-MAX_REPORTED_ORPHANS);
      this.deps.logger.warn(`stopped ECS task ${arn} on cluster ${this.cluster}: ${why}`, { taskArn: arn, cluster: this.cluster });
    } catch (err) {
      this.note(`could not stop untracked ECS task ${arn} (${describeEcsError(err)}); trying again at the next reconciliation`, classifyEcsError(err));
    }
  }

  /** Every ECS call of the observer gives up after the ECS call timeout: one hung call must never stall tracking. */
  private timeout(): { abortSignal: AbortSignal } {
    return { abortSignal: AbortSignal.timeout(this.deps.ecsCallTimeoutMs) };
  }

  private async guard(what: string, fn: () => Promise<void>): Promise<void> {
    try {
      await fn();
    } catch (err) {
      if (this.ctx.cancellationSignal.aborted) throw err;
      this.note(`${what} failed (${err instanceof Error ? err.message : String(err)}); trying again next round`, classifyEcsError(err));
    }
  }

  /**
   * `guard` for work that runs beside the loop: once the activity is cancelled its error is the
   * loop's to raise (its sleep throws), and a rejection nobody awaits yet would crash the worker.
   */
  private beside(what: string, fn: () => Promise<void>): Promise<void> {
    return this.guard(what, fn).catch(() => undefined);
  }

  /** Throttling is expected under load: it is counted, not logged as a problem. */
  private note(message: string, errorClass?: string): void {
    this.progress.lastError = message;
    if (errorClass === 'throttled') this.deps.logger.debug(message, { cluster: this.cluster });
    else this.deps.logger.warn(message, { cluster: this.cluster });
  }
}
