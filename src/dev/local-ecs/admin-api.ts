import type { FaultsConfig } from './config-schema';
import type { HttpResponse } from './http-server';
import type { HungCall } from './hung-calls';
import { LocalEcsConfigError, parseFaultsConfig } from './load-config';
import { isEcsOperation, type EcsOperation } from './operations/names';
import type { LocalTaskRecord, RunTaskRequestRecord, TaskRecordFilter } from './records';
import type { LocalEcsStats } from './stats';

export const ADMIN_PREFIX = '/_local/';

export interface AdminControls {
  stats(): LocalEcsStats;
  resetStats(): void;
  faults(): FaultsConfig;
  /** Replaces every fault with an already validated config. */
  setFaults(faults: FaultsConfig): void;
  tasks(filter: TaskRecordFilter): LocalTaskRecord[];
  runTaskRequests(): { requests: RunTaskRequestRecord[]; dropped: number };
  hungCalls(): HungCall[];
  releaseHungCalls(operation?: EcsOperation): number;
}

const ROUTES =
  'GET /_local/stats, POST /_local/stats/reset, GET|POST|DELETE /_local/faults, GET /_local/tasks[?cluster=&startedBy=&family=], ' +
  'GET /_local/run-task-requests, GET /_local/hung-calls, POST /_local/hung-calls/release';

/**
 * The test/benchmark control surface, beside the ECS API on the same port:
 *   GET /_local/stats · POST /_local/stats/reset (also empties the RunTask record)
 *   GET /_local/faults · POST|PUT /_local/faults (replace) · DELETE /_local/faults
 *   GET /_local/tasks (every retained task; filters cluster, startedBy, family)
 *   GET /_local/run-task-requests (every RunTask request, in order, with its time and answer)
 *   GET /_local/hung-calls · POST /_local/hung-calls/release (body {} or {"operation": "DescribeTasks"})
 */
export function handleAdminRequest(method: string, path: string, query: URLSearchParams, body: string, controls: AdminControls): HttpResponse {
  const route = `${method} ${path.replace(/\/+$/, '')}`;
  switch (route) {
    case 'GET /_local/stats':
      return json(200, controls.stats());
    case 'POST /_local/stats/reset':
      controls.resetStats();
      return json(200, controls.stats());
    case 'GET /_local/faults':
      return json(200, controls.faults());
    case 'POST /_local/faults':
    case 'PUT /_local/faults': {
      const value = parseJson(body);
      if (value === undefined) return json(400, { error: 'The body must be a JSON fault config, e.g. {"endpoint":{"throttle":{"next":2}}}.' });
      let faults: FaultsConfig;
      try {
        faults = parseFaultsConfig(value);
      } catch (err) {
        if (err instanceof LocalEcsConfigError) return json(400, { error: err.message });
        throw err;
      }
      controls.setFaults(faults);
      return json(200, controls.faults());
    }
    case 'DELETE /_local/faults':
      controls.setFaults({});
      return json(200, controls.faults());
    case 'GET /_local/tasks': {
      const filter = { cluster: query.get('cluster') ?? undefined, startedBy: query.get('startedBy') ?? undefined, family: query.get('family') ?? undefined };
      return json(200, { tasks: controls.tasks(filter) });
    }
    case 'GET /_local/run-task-requests':
      return json(200, controls.runTaskRequests());
    case 'GET /_local/hung-calls':
      return json(200, { calls: controls.hungCalls() });
    case 'POST /_local/hung-calls/release': {
      const value = parseJson(body);
      const operation = (value as { operation?: unknown } | undefined)?.operation;
      if (value === undefined || (operation !== undefined && (typeof operation !== 'string' || !isEcsOperation(operation)))) {
        return json(400, { error: `The body must be {} (release every held call) or {"operation": "<an ECS operation, e.g. DescribeTasks>"}; got ${body}.` });
      }
      return json(200, { released: controls.releaseHungCalls(operation) });
    }
    default:
      return json(404, { error: `No admin route ${route}. Routes: ${ROUTES}.` });
  }
}

/** The parsed body ({} when empty), or undefined when it is not a JSON object. */
function parseJson(body: string): Record<string, unknown> | undefined {
  if (body.trim() === '') return {};
  try {
    const value: unknown = JSON.parse(body);
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

const json = (status: number, payload: unknown): HttpResponse => ({
  status,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(payload),
});
