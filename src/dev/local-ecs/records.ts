import type { LocalTask } from './task-model';

/**
 * What a benchmark or an end-to-end test reads back about the endpoint's work: every retained task
 * (GET /_local/tasks, LocalEcs.tasks()) and every RunTask request received (GET
 * /_local/run-task-requests, LocalEcs.runTaskRequests()). Times are epoch milliseconds.
 */
export interface LocalTaskRecord {
  taskArn: string;
  taskId: string;
  cluster: string;
  clusterArn: string;
  taskDefinitionArn: string;
  family: string;
  startedBy?: string;
  group: string;
  /** The task's tags now (StopTask deletes them, as in ECS); the RunTask request has what was sent. */
  tags: Array<{ key: string; value?: string | undefined }>;
  launchType: string;
  clientToken?: string;
  lastStatus: string;
  desiredStatus: string;
  /** Every lastStatus in order. */
  statusHistory: string[];
  stopCode?: string;
  stoppedReason?: string;
  createdAt: number;
  startedAt?: number;
  stoppingAt?: number;
  executionStoppedAt?: number;
  stoppedAt?: number;
  containers: Array<{ name: string; argv: string[]; lastStatus: string; exitCode?: number; reason?: string }>;
  logFile?: string;
  /** False once a `vanish` fault hides the task from the ECS API. */
  visible: boolean;
}

export function taskRecord(task: LocalTask, now = Date.now()): LocalTaskRecord {
  const record: LocalTaskRecord = {
    taskArn: task.arn,
    taskId: task.id,
    cluster: task.clusterName,
    clusterArn: task.clusterArn,
    taskDefinitionArn: task.taskDefinition.arn,
    family: task.taskDefinition.family,
    group: task.group,
    tags: task.tags,
    launchType: task.launchType,
    lastStatus: task.lastStatus,
    desiredStatus: task.desiredStatus,
    statusHistory: [...task.statusHistory],
    createdAt: task.createdAt.getTime(),
    containers: task.containers.map((c) => {
      const view: LocalTaskRecord['containers'][number] = { name: c.name, argv: c.argv, lastStatus: c.lastStatus };
      if (c.exitCode !== undefined) view.exitCode = c.exitCode;
      if (c.reason !== undefined) view.reason = c.reason;
      return view;
    }),
    visible: task.vanishesAt === undefined || now < task.vanishesAt,
  };
  if (task.startedBy !== undefined) record.startedBy = task.startedBy;
  if (task.clientToken !== undefined) record.clientToken = task.clientToken;
  if (task.stopCode !== undefined) record.stopCode = task.stopCode;
  if (task.stoppedReason !== undefined) record.stoppedReason = task.stoppedReason;
  if (task.startedAt) record.startedAt = task.startedAt.getTime();
  if (task.stoppingAt) record.stoppingAt = task.stoppingAt.getTime();
  if (task.executionStoppedAt) record.executionStoppedAt = task.executionStoppedAt.getTime();
  if (task.stoppedAt) record.stoppedAt = task.stoppedAt.getTime();
  if (task.logFile !== undefined) record.logFile = task.logFile;
  return record;
}

/** Filters of GET /_local/tasks (query parameters) and LocalEcs.tasks(). */
export interface TaskRecordFilter {
  cluster?: string | undefined;
  startedBy?: string | undefined;
  family?: string | undefined;
}

export const matchesFilter = (task: LocalTask, filter: TaskRecordFilter): boolean =>
  (filter.cluster === undefined || task.clusterName === filter.cluster || task.clusterArn === filter.cluster) &&
  (filter.startedBy === undefined || task.startedBy === filter.startedBy) &&
  (filter.family === undefined || task.taskDefinition.family === filter.family);

export interface RunTaskRequestRecord {
  /** 1, 2, 3… in arrival order, never reused (so gaps show what fell out of the record). */
  seq: number;
  receivedAt: number;
  /** The request body as received (parsed JSON); `rawBody` instead when it was not a JSON object. */
  body?: Record<string, unknown>;
  rawBody?: string;
  /** How the call was answered; absent while it is still held by a `hang` fault, or when its client went away first. */
  outcome?: { status: number; taskArns?: string[]; failures?: number; error?: string };
}

/**
 * The RunTask requests received, in order, at most `limit` of them (the oldest go first), so a
 * long benchmark cannot grow the endpoint without bound. Reset with the stats.
 */
export class RunTaskRequestLog {
  private entries: RunTaskRequestRecord[] = [];
  private head = 0;
  private seq = 0;
  private droppedCount = 0;

  constructor(private readonly limit: number) {}

  record(entry: Omit<RunTaskRequestRecord, 'seq' | 'receivedAt'>): RunTaskRequestRecord {
    this.seq += 1;
    const record: RunTaskRequestRecord = { seq: this.seq, receivedAt: Date.now(), ...entry };
    if (this.limit === 0) {
      this.droppedCount += 1;
      return record;
    }
    this.entries.push(record);
    if (this.entries.length - this.head > this.limit) {
      this.head += 1;
      this.droppedCount += 1;
      if (this.head >= 1024 && this.head * 2 >= this.entries.length) {
        this.entries = this.entries.slice(this.head);
        this.head = 0;
      }
    }
    return record;
  }

  list(): RunTaskRequestRecord[] {
    return this.entries.slice(this.head);
  }

  get recorded(): number {
    return this.entries.length - this.head;
  }

  get dropped(): number {
    return this.droppedCount;
  }

  reset(): void {
    this.entries = [];
    this.head = 0;
    this.droppedCount = 0;
  }
}
