/**
 * Temporal RPCs per task, from the dev server's Prometheus endpoint (`temporal server start-dev
 * --metrics-port <port>`, then http://127.0.0.1:<port>/metrics).
 *
 * The figures come from the server's own counters, so they count every client, worker and
 * benchmark call on the namespace alike:
 *   service_requests{namespace, operation, service_name="frontend"}: one per gRPC request the
 *     frontend received (history and matching count their internal hops under their own
 *     service_name; counting only the frontend counts each SDK call once). Long polls count when
 *     they arrive, so an idle worker's pollers add a steady trickle (see `totalExcludingPolls`).
 *   persistence_requests{operation, namespace, service_name}: every persistence call.
 *   persistence_errors: persistence failures the server treats as internal errors; it leaves out
 *     NotFound, condition failures and timeouts, which only persistence_error_with_type{error_type}
 *     counts (error_type e.g. serviceerror_NotFound, persistence_TimeoutError).
 *   service_error_with_type{error_type, operation, namespace, service_name}: errors returned by a
 *     service, e.g. serviceerror_ResourceExhausted on the frontend.
 * A counter appears only once it has been incremented: absent means 0.
 */

export interface PromSample {
  name: string;
  labels: Readonly<Record<string, string>>;
  value: number;
}

export class PrometheusParseError extends Error {
  constructor(message: string, readonly lineNumber: number) {
    super(message);
    this.name = 'PrometheusParseError';
  }
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*/;

function parseValue(raw: string, lineNumber: number, line: string): number {
  switch (raw) {
    case '+Inf':
    case 'Inf':
      return Number.POSITIVE_INFINITY;
    case '-Inf':
      return Number.NEGATIVE_INFINITY;
    case 'NaN':
      return Number.NaN;
  }
  const value = Number(raw);
  if (raw === '' || Number.isNaN(value)) throw new PrometheusParseError(`line ${lineNumber}: value ${JSON.stringify(raw)} is not a number: ${JSON.stringify(line)}`, lineNumber);
  return value;
}

/**
 * Parses the Prometheus text exposition format (version 0.0.4): `# HELP`/`# TYPE` and other
 * comments are skipped; each sample is `name{label="value",...} value [timestamp]`, label values
 * with \\, \" and \n escapes.
 */
export function parsePrometheusText(text: string): PromSample[] {
  const samples: PromSample[] = [];
  const lines = text.split('\n');
  for (let index = 0; index < lines.length; index++) {
    const lineNumber = index + 1;
    const line = lines[index]!.replace(/\r$/, '');
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    const fail = (why: string): never => {
      throw new PrometheusParseError(`line ${lineNumber}: ${why}: ${JSON.stringify(line)}`, lineNumber);
    };
    const nameMatch = NAME.exec(trimmed);
    if (!nameMatch) fail('no metric name');
    const name = nameMatch![0];
    let rest = trimmed.slice(name.length);
    const labels: Record<string, string> = {};
    if (rest.startsWith('{')) {
      rest = rest.slice(1);
      for (;;) {
        rest = rest.trimStart();
        if (rest.startsWith('}')) {
          rest = rest.slice(1);
          break;
        }
        const labelMatch = LABEL_NAME.exec(rest);
        if (!labelMatch) fail('bad label name');
        const label = labelMatch![0];
        rest = rest.slice(label.length).trimStart();
        if (!rest.startsWith('="')) fail(`label ${label} has no ="value"`);
        rest = rest.slice(2);
        let value = '';
        let closed = false;
        for (let i = 0; i < rest.length; i++) {
          const ch = rest[i]!;
          if (ch === '\\') {
            const next = rest[i + 1];
            value += next === 'n' ? '\n' : (next ?? '');
            i++;
          } else if (ch === '"') {
            rest = rest.slice(i + 1);
            closed = true;
            break;
          } else {
            value += ch;
          }
        }
        if (!closed) fail(`label ${label}'s value is not closed`);
        labels[label] = value;
        rest = rest.trimStart();
        if (rest.startsWith(',')) rest = rest.slice(1);
        else if (!rest.startsWith('}')) fail(`expected , or } after label ${label}`);
      }
    }
    const parts = rest.trim().split(/\s+/);
    if (parts.length < 1 || parts.length > 2 || parts[0] === '') fail('expected a value and an optional timestamp after the name and labels');
    samples.push({ name, labels, value: parseValue(parts[0]!, lineNumber, line) });
  }
  return samples;
}

/** `9099` → http://127.0.0.1:9099/metrics; a URL is used as it is. */
function metricsUrl(portOrUrl: number | string): string {
  if (typeof portOrUrl === 'number') {
    if (!Number.isInteger(portOrUrl) || portOrUrl <= 0 || portOrUrl > 65535) throw new RangeError(`metrics port must be 1–65535, got ${portOrUrl}`);
    return `http://127.0.0.1:${portOrUrl}/metrics`;
  }
  return portOrUrl;
}

/** GETs and parses a Prometheus endpoint. */
async function scrapePrometheus(portOrUrl: number | string, options: { timeoutMs?: number } = {}): Promise<PromSample[]> {
  const url = metricsUrl(portOrUrl);
  const timeoutMs = options.timeoutMs ?? 10_000;
  let response: Response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  } catch (err) {
    throw new Error(
      `cannot scrape Temporal metrics at ${url}: ${(err as Error).message}; start the dev server with --metrics-port <port> and pass that port`,
      { cause: err },
    );
  }
  if (!response.ok) throw new Error(`scraping Temporal metrics at ${url} returned HTTP ${response.status}; is that the dev server's --metrics-port?`);
  return parsePrometheusText(await response.text());
}

/** Frontend operations grouped into the figures the benchmark prints per task. */
const RPC_GROUPS = {
  starts: ['StartWorkflowExecution', 'SignalWithStartWorkflowExecution', 'ExecuteMultiOperation'],
  /** SignalWithStart counts both as a start and as a signal; `total` counts it once. */
  signals: ['SignalWorkflowExecution', 'SignalWithStartWorkflowExecution'],
  heartbeats: ['RecordActivityTaskHeartbeat', 'RecordActivityTaskHeartbeatById'],
  workflowTaskPolls: ['PollWorkflowTaskQueue'],
  activityTaskPolls: ['PollActivityTaskQueue'],
  nexusTaskPolls: ['PollNexusTaskQueue'],
  workflowTaskCompletions: ['RespondWorkflowTaskCompleted'],
  workflowTaskFailures: ['RespondWorkflowTaskFailed'],
  activityTaskResults: [
    'RespondActivityTaskCompleted',
    'RespondActivityTaskCompletedById',
    'RespondActivityTaskFailed',
    'RespondActivityTaskFailedById',
    'RespondActivityTaskCanceled',
    'RespondActivityTaskCanceledById',
  ],
  visibility: [
    'ListWorkflowExecutions',
    'CountWorkflowExecutions',
    'ScanWorkflowExecutions',
    'ListOpenWorkflowExecutions',
    'ListClosedWorkflowExecutions',
    'ListArchivedWorkflowExecutions',
  ],
  /** Includes the long polls of handle.result() (PollWorkflowExecutionHistory). */
  historyReads: ['GetWorkflowExecutionHistory', 'GetWorkflowExecutionHistoryReverse', 'PollWorkflowExecutionHistory'],
  queries: ['QueryWorkflow', 'RespondQueryTaskCompleted'],
  updates: ['UpdateWorkflowExecution', 'PollWorkflowExecutionUpdate'],
  describes: ['DescribeWorkflowExecution', 'DescribeTaskQueue', 'DescribeNamespace', 'GetSystemInfo'],
  terminationsAndCancels: ['TerminateWorkflowExecution', 'RequestCancelWorkflowExecution'],
} as const satisfies Record<string, readonly string[]>;

type RpcGroup = keyof typeof RPC_GROUPS;

export interface TemporalRpcCounts extends Record<RpcGroup, number> {
  /** workflowTaskPolls + activityTaskPolls + nexusTaskPolls */
  polls: number;
  /** Every frontend request on the namespace, each counted once. */
  total: number;
  totalExcludingPolls: number;
  byOperation: Record<string, number>;
}

interface PersistenceCounts {
  /** All namespaces (incl. the server's own): the load the persistence store carried. */
  requests: number;
  requestsByOperation: Record<string, number>;
  /** persistence_errors: internal errors (no NotFound, condition failures or timeouts). */
  errors: number;
  /** persistence_error_with_type by error_type, every error incl. the expected NotFound ones. */
  errorsByType: Record<string, number>;
  /** persistence_error_with_type whose error_type names a timeout or a deadline. */
  timeouts: number;
  resourceExhausted: number;
  visibilityRequests: number;
  visibilityErrors: number;
}

export interface TemporalMetrics {
  /** Date.now() at the scrape (a delta keeps the later one). */
  scrapedAt: number;
  namespace: string;
  rpc: TemporalRpcCounts;
  persistence: PersistenceCounts;
  /** service_error_with_type on the namespace's frontend, by error_type. */
  frontendErrorsByType: Record<string, number>;
}

const isTimeout = (errorType: string) => /timeout|deadline/i.test(errorType);

const add = (record: Record<string, number>, key: string, value: number) => {
  record[key] = (record[key] ?? 0) + value;
};

const sum = (samples: readonly PromSample[], name: string, where: (labels: Readonly<Record<string, string>>) => boolean = () => true): number =>
  samples.reduce((total, s) => (s.name === name && where(s.labels) && Number.isFinite(s.value) ? total + s.value : total), 0);

/** The service label is service_name on the dev server; some deployments call it service_type. */
const serviceOf = (labels: Readonly<Record<string, string>>) => labels.service_name ?? labels.service_type;

function groupCounts(byOperation: Record<string, number>): TemporalRpcCounts {
  const groups = Object.fromEntries(
    (Object.entries(RPC_GROUPS) as [RpcGroup, readonly string[]][]).map(([group, operations]) => [group, operations.reduce((n, op) => n + (byOperation[op] ?? 0), 0)]),
  ) as Record<RpcGroup, number>;
  const total = Object.values(byOperation).reduce((n, v) => n + v, 0);
  const polls = groups.workflowTaskPolls + groups.activityTaskPolls + groups.nexusTaskPolls;
  return { ...groups, polls, total, totalExcludingPolls: total - polls, byOperation };
}

/** The benchmark's Temporal figures from one scrape, for one namespace. */
export function summarizeTemporalMetrics(samples: readonly PromSample[], options: { namespace?: string; scrapedAt?: number } = {}): TemporalMetrics {
  const namespace = options.namespace ?? 'default';
  const byOperation: Record<string, number> = {};
  const requestsByOperation: Record<string, number> = {};
  const errorsByType: Record<string, number> = {};
  const frontendErrorsByType: Record<string, number> = {};
  for (const { name, labels, value } of samples) {
    if (!Number.isFinite(value)) continue;
    if (name === 'service_requests' && labels.namespace === namespace && serviceOf(labels) === 'frontend' && labels.operation) {
      add(byOperation, labels.operation, value);
    } else if (name === 'persistence_requests' && labels.operation) {
      add(requestsByOperation, labels.operation, value);
    } else if (name === 'persistence_error_with_type' && labels.error_type) {
      add(errorsByType, labels.error_type, value);
    } else if (name === 'service_error_with_type' && labels.namespace === namespace && serviceOf(labels) === 'frontend' && labels.error_type) {
      add(frontendErrorsByType, labels.error_type, value);
    }
  }
  return {
    scrapedAt: options.scrapedAt ?? Date.now(),
    namespace,
    rpc: groupCounts(byOperation),
    persistence: {
      requests: Object.values(requestsByOperation).reduce((n, v) => n + v, 0),
      requestsByOperation,
      errors: sum(samples, 'persistence_errors'),
      errorsByType,
      timeouts: Object.entries(errorsByType).reduce((n, [type, v]) => (isTimeout(type) ? n + v : n), 0),
      resourceExhausted: sum(samples, 'persistence_errors_resource_exhausted'),
      visibilityRequests: sum(samples, 'visibility_persistence_requests'),
      visibilityErrors: sum(samples, 'visibility_persistence_errors'),
    },
    frontendErrorsByType,
  };
}

/** Scrapes the dev server and summarizes for `namespace` (default "default"). */
async function scrapeTemporalMetrics(portOrUrl: number | string, options: { namespace?: string; timeoutMs?: number } = {}): Promise<TemporalMetrics> {
  const samples = await scrapePrometheus(portOrUrl, options);
  return summarizeTemporalMetrics(samples, { namespace: options.namespace, scrapedAt: Date.now() });
}

/**
 * The server publishes its counters on a reporting interval, not per request: measured on the
 * dev server, a request shows up 0.2–1.05 s after it returned (1,776 of 2,000 starts were visible
 * right after the last one). So a scrape taken at the end of a phase misses its last second.
 * This scrapes until the non-poll total has not moved for `quietMs` (default 1,500 ms, more than
 * one reporting interval), or until `timeoutMs` (default 15 s) passes, and says which happened.
 * Use it when the phase is over (no client or worker still calling, other than pollers).
 */
export async function scrapeTemporalMetricsSettled(
  portOrUrl: number | string,
  options: { namespace?: string; timeoutMs?: number; quietMs?: number; intervalMs?: number } = {},
): Promise<TemporalMetrics & { settled: boolean }> {
  const quietMs = options.quietMs ?? 1_500;
  const intervalMs = options.intervalMs ?? 250;
  const deadline = Date.now() + (options.timeoutMs ?? 15_000);
  let last = await scrapeTemporalMetrics(portOrUrl, options);
  let unchangedSince = Date.now();
  for (;;) {
    if (Date.now() - unchangedSince >= quietMs) return { ...last, settled: true };
    if (Date.now() >= deadline) return { ...last, settled: false };
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
    const next = await scrapeTemporalMetrics(portOrUrl, options);
    // Persistence is not watched: the server's own background work moves it even when idle.
    if (next.rpc.totalExcludingPolls !== last.rpc.totalExcludingPolls) unchangedSince = Date.now();
    last = next;
  }
}

function recordDelta(before: Record<string, number>, after: Record<string, number>, what: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) {
    const value = (after[key] ?? 0) - (before[key] ?? 0);
    if (value < 0) {
      throw new RangeError(`${what} ${key} went down from ${before[key]} to ${after[key] ?? 0}: the Temporal server restarted between the scrapes, so their difference means nothing`);
    }
    if (value !== 0) out[key] = value;
  }
  return out;
}

/** What happened between two scrapes of the same server (after - before). */
export function deltaTemporalMetrics(before: TemporalMetrics, after: TemporalMetrics): TemporalMetrics {
  if (before.namespace !== after.namespace) throw new RangeError(`deltaTemporalMetrics of two namespaces: ${before.namespace} and ${after.namespace}`);
  const persistence = (field: 'errors' | 'resourceExhausted' | 'visibilityRequests' | 'visibilityErrors') =>
    recordDelta({ [field]: before.persistence[field] }, { [field]: after.persistence[field] }, 'persistence figure')[field] ?? 0;
  const errorsByType = recordDelta(before.persistence.errorsByType, after.persistence.errorsByType, 'persistence_error_with_type');
  const requestsByOperation = recordDelta(before.persistence.requestsByOperation, after.persistence.requestsByOperation, 'persistence_requests');
  return {
    scrapedAt: after.scrapedAt,
    namespace: after.namespace,
    rpc: groupCounts(recordDelta(before.rpc.byOperation, after.rpc.byOperation, 'service_requests')),
    persistence: {
      requests: Object.values(requestsByOperation).reduce((n, v) => n + v, 0),
      requestsByOperation,
      errors: persistence('errors'),
      errorsByType,
      timeouts: Object.entries(errorsByType).reduce((n, [type, v]) => (isTimeout(type) ? n + v : n), 0),
      resourceExhausted: persistence('resourceExhausted'),
      visibilityRequests: persistence('visibilityRequests'),
      visibilityErrors: persistence('visibilityErrors'),
    },
    frontendErrorsByType: recordDelta(before.frontendErrorsByType, after.frontendErrorsByType, 'service_error_with_type'),
  };
}

export type RpcPerTask = Record<RpcGroup | 'polls' | 'total' | 'totalExcludingPolls', number>;

/** Each RPC figure divided by the number of tasks (for "Temporal RPCs per task"). */
export function rpcPerTask(rpc: TemporalRpcCounts, tasks: number): RpcPerTask {
  if (!(tasks > 0)) throw new RangeError(`rpcPerTask needs a positive number of tasks, got ${tasks}`);
  const { byOperation: _byOperation, ...figures } = rpc;
  return Object.fromEntries(Object.entries(figures).map(([key, value]) => [key, value / tasks])) as RpcPerTask;
}
