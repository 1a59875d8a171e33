import type { SearchAttributePair } from '@temporalio/common';
import { log, patched, setCurrentDetails, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { TrackingSettings } from '../activities/contracts';
import { type WorkloadKey } from '../contract/keys';
import { shortKey } from '../contract/key-format';
import { parseObservation } from '../contract/observation';
import {
  type AirflowTaskResult,
  type AirflowTaskStatus,
  type AttemptRecord,
  type EcsObservation,
  type TaskEvent,
  type TaskPhase,
} from '../contract/messages';
import { SearchAttributes } from '../contract/search-attributes';
import type { AirflowState, EcsTaskSnapshot } from '../types';

/** The task log keeps the newest entries: a task that runs for weeks must not grow without bound. */
const MAX_EVENTS = 500;

/**
 * Observations that come while a launch is in flight are kept for its answer (behind this patch:
 * before it, they were dropped). At most this many ARNs: anyone can signal, so it stays bounded.
 */
const EARLY_OBSERVATIONS_PATCH = 'keep-observations-during-launch';
const MAX_EARLY_ARNS = 8;

/** Everything a task workflow knows, in one serialisable holder (it is what continue-as-new carries). */
export interface TaskRunState {
  key: WorkloadKey;
  adopted: boolean;
  phase: TaskPhase;
  state: AirflowState;
  attempts: AttemptRecord[];
  events: TaskEvent[];
  terminateReason?: string;
  nextAttemptAt?: string;
  settings?: TrackingSettings;
}

export function initialState(key: WorkloadKey, adopted: boolean): TaskRunState {
  return { key, adopted, phase: 'QUEUED', state: 'QUEUED', attempts: [], events: [] };
}

/**
 * The state holder of a task workflow (and of an adopted task's tracker): handlers write to it,
 * the main loop reads it, and it alone upserts search attributes, only when they change.
 */
export class TaskRun {
  /** The newest valid observation not yet handled by the main loop. */
  private pending?: EcsObservation;
  /** Observations of ARNs not yet known, kept while a launch is in flight (see EARLY_OBSERVATIONS_PATCH). */
  private readonly early = new Map<string, EcsObservation[]>();
  /** The ARN the search attributes name (continue-as-new carries search attributes over). */
  private upsertedArn?: string;

  constructor(readonly s: TaskRunState) {
    this.upsertedArn = this.current?.taskArn;
  }

  get current(): AttemptRecord | undefined {
    return this.s.attempts[this.s.attempts.length - 1];
  }

  get terminateRequested(): boolean {
    return this.s.terminateReason !== undefined;
  }

  get hasObservation(): boolean {
    return this.pending !== undefined;
  }

  event(level: TaskEvent['level'], message: string): void {
    this.s.events.push({ at: new Date().toISOString(), level, message });
    if (this.s.events.length > MAX_EVENTS) this.s.events.splice(0, this.s.events.length - MAX_EVENTS);
    log[level === 'warning' ? 'warn' : level](message, { workflowId: workflowInfo().workflowId });
  }

  requestTerminate(reason: string): void {
    if (this.terminateRequested || this.s.phase === 'DONE') return;
    this.s.terminateReason = reason;
    this.event('warning', `Terminate requested: ${reason}`);
  }

  /**
   * The ecsObservation handler. Only the observer sends it, but anyone can send a signal from the
   * UI: anything that is not a well-formed observation of the task tracked right now is ignored.
   */
  observe(raw: unknown): void {
    const parsed = parseObservation(raw);
    const current = this.current;
    if ('problems' in parsed) {
      this.event('warning', `Ignored a malformed ecsObservation signal: ${parsed.problems.join('; ')}`);
      return;
    }
    const { observation } = parsed;
    // The workflow task that records RunTask's answer can come after the observer's signals about
    // that task (the worker heartbeats a workflow task whose launch is slow): keep them for it.
    if (this.s.phase === 'LAUNCHING' && current?.taskArn === undefined && patched(EARLY_OBSERVATIONS_PATCH)) {
      const kept = this.early.get(observation.taskArn);
      if (kept !== undefined) kept.push(observation);
      else if (this.early.size < MAX_EARLY_ARNS) this.early.set(observation.taskArn, [observation]);
      return;
    }
    const tracking = this.s.phase === 'RUNNING' || this.s.phase === 'TERMINATING';
    if (!tracking || current?.taskArn !== observation.taskArn) {
      log.debug('ignored an observation of a task this workflow does not track now', { taskArn: observation.taskArn });
      return;
    }
    if (observation.task !== undefined && observation.task.taskArn !== observation.taskArn) {
      this.event('warning', `Ignored an ecsObservation signal whose task ${observation.task.taskArn} is not ${observation.taskArn}`);
      return;
    }
    // ECS RUNNING changes nothing the main loop waits for: record it here, without waking the
    // loop (which would cancel and restart its timer: two history events per task for nothing).
    if (observation.kind === 'RUNNING') {
      if (observation.task !== undefined && current.lastStatus !== 'STOPPED') applySnapshot(current, observation.task);
      return;
    }
    this.pending = observation;
  }

  takeObservation(): EcsObservation | undefined {
    const observation = this.pending;
    this.pending = undefined;
    return observation;
  }

  /** Records a new attempt and makes it current. */
  beginAttempt(): AttemptRecord {
    const record: AttemptRecord = { attempt: this.s.attempts.length + 1, at: new Date().toISOString(), containers: [], reasons: [], stops: [] };
    this.s.attempts.push(record);
    this.s.phase = 'LAUNCHING';
    return record;
  }

  /** The attempt's ECS task is known (launched or adopted): Airflow sees RUNNING with its ARN. */
  tracking(record: AttemptRecord, task: EcsTaskSnapshot, cluster: string, logLocation?: string): void {
    record.cluster = cluster;
    if (logLocation !== undefined) record.logLocation = logLocation;
    applySnapshot(record, task);
    this.s.phase = this.terminateRequested ? 'TERMINATING' : 'RUNNING';
    this.setState('RUNNING', { taskArn: task.taskArn, cluster });
    const early = this.early.get(task.taskArn) ?? [];
    this.early.clear();
    for (const observation of early) this.observe(observation);
  }

  setPhase(phase: TaskPhase): void {
    this.s.phase = phase;
  }

  setState(next: AirflowState, launched?: { taskArn: string; cluster: string }): void {
    const arnChanged = launched !== undefined && launched.taskArn !== this.upsertedArn;
    if (next === this.s.state && !arnChanged) return;
    this.s.state = next;
    const pairs: SearchAttributePair[] = [
      { key: SearchAttributes.state, value: next },
      { key: SearchAttributes.stateChangedAt, value: new Date() },
    ];
    if (arnChanged) {
      this.upsertedArn = launched.taskArn;
      const arns = [...new Set(this.s.attempts.flatMap((a) => (a.taskArn !== undefined ? [a.taskArn] : [])))];
      pairs.push(
        { key: SearchAttributes.taskArn, value: launched.taskArn },
        { key: SearchAttributes.taskArns, value: arns },
        { key: SearchAttributes.cluster, value: launched.cluster },
      );
    }
    upsertSearchAttributes(pairs);
    setCurrentDetails(this.details());
  }

  status(): AirflowTaskStatus {
    const current = this.current;
    return {
      key: this.s.key,
      adopted: this.s.adopted,
      phase: this.s.phase,
      state: this.s.state,
      cluster: current?.cluster,
      attempt: this.s.attempts.length,
      maxAttempts: this.s.settings?.maxAttempts,
      taskArn: current?.taskArn,
      lastStatus: current?.lastStatus,
      terminateRequested: this.terminateRequested,
      terminateReason: this.s.terminateReason,
      nextAttemptAt: this.s.nextAttemptAt,
      attempts: this.s.attempts,
      events: this.s.events,
    };
  }

  result(state: 'SUCCESS' | 'FAILED', reason: string, terminated: boolean): AirflowTaskResult {
    this.s.phase = 'DONE';
    this.setState(state);
    this.event(state === 'SUCCESS' ? 'info' : 'error', reason);
    setCurrentDetails(this.details());
    return { key: this.s.key, state, terminated, taskArn: this.current?.taskArn, attempts: this.s.attempts.length, reason, status: this.status() };
  }

  /** One line for the UI's "current details": `dag.task try 1 → FAILED after 3 attempts`. */
  private details(): string {
    const n = this.s.attempts.length;
    const attempts = `${n} attempt${n === 1 ? '' : 's'}`;
    const where = this.s.phase === 'DONE' ? `after ${attempts}` : `attempt ${n}${this.s.settings ? ` of ${this.s.settings.maxAttempts}` : ''}`;
    return `${shortKey(this.s.key)} → ${this.s.state} ${where}`;
  }
}

export function applySnapshot(record: AttemptRecord, task: EcsTaskSnapshot): void {
  record.taskArn = task.taskArn;
  record.lastStatus = task.lastStatus;
  record.desiredStatus = task.desiredStatus;
  record.observedAt = new Date().toISOString();
  if (task.startedAt !== undefined) record.startedAt = task.startedAt;
  if (task.stoppedAt !== undefined) record.stoppedAt = task.stoppedAt;
  record.stopCode = task.stopCode;
  record.stoppedReason = task.stoppedReason;
  record.containers = task.containers.map(({ name, exitCode, reason }) => ({
    ...(name !== undefined ? { name } : {}),
    ...(exitCode !== undefined && exitCode !== null ? { exitCode } : {}),
    ...(reason !== undefined ? { reason } : {}),
  }));
}
