import { randomUUID } from 'node:crypto';
import { EcsError } from './errors';
import type { FaultInjector } from './faults';
import type { HttpRequest, HttpResponse } from './http-server';
import type { HungCalls } from './hung-calls';
import { isEcsOperation, type EcsOperation } from './operations/names';
import type { RunTaskRequestLog, RunTaskRequestRecord } from './records';
import type { StatsRecorder } from './stats';

/** awsJson1_1 as ECS speaks it. */
const TARGET_PREFIX = 'AmazonEC2ContainerServiceV20141113.';
const CONTENT_TYPE = 'application/x-amz-json-1.1';

interface EcsPipeline {
  stats: StatsRecorder;
  faults: FaultInjector;
  hungCalls: HungCalls;
  runTaskRequests: RunTaskRequestLog;
  /** The task definition family a RunTask input names, if it names a known one (for family hangs). */
  familyOf(input: Record<string, unknown>): string | undefined;
  call(operation: EcsOperation, input: Record<string, unknown>): unknown;
  onUnexpected(error: unknown): void;
}

/**
 * One ECS JSON-RPC call: X-Amz-Target picks the operation (SigV4 headers are ignored on purpose);
 * it is counted, recorded (RunTask), maybe held or failed by a fault, then run. Synchronous unless
 * a `hang` fault holds it.
 */
export function handleEcsRequest(request: HttpRequest, pipeline: EcsPipeline): HttpResponse | Promise<HttpResponse | undefined> {
  let operation: EcsOperation;
  try {
    operation = parseTarget(request.headers['x-amz-target']);
  } catch (err) {
    return errorResponse(err, pipeline);
  }
  pipeline.stats.call(operation);
  let input: Record<string, unknown>;
  try {
    input = parseBody(request.body);
  } catch (err) {
    const entry = operation === 'RunTask' ? pipeline.runTaskRequests.record({ rawBody: request.body }) : undefined;
    return noteOutcome(entry, errorResponse(err, pipeline));
  }
  const entry = operation === 'RunTask' ? pipeline.runTaskRequests.record({ body: input }) : undefined;
  const run = (): HttpResponse => noteOutcome(entry, runOperation(operation, input, pipeline));

  const hang = pipeline.faults.hangFor(operation, operation === 'RunTask' ? pipeline.familyOf(input) : undefined);
  if (!hang) return run();
  return pipeline.hungCalls.hold(operation, hang.forMs, request.clientGone).then((end) => (end === 'released' ? run() : undefined));
}

function runOperation(operation: EcsOperation, input: Record<string, unknown>, pipeline: EcsPipeline): EcsResponse {
  try {
    const fault = pipeline.faults.requestFault(operation);
    if (fault) throw fault;
    return respond(200, pipeline.call(operation, input));
  } catch (err) {
    return errorResponse(err, pipeline);
  }
}

function errorResponse(err: unknown, pipeline: EcsPipeline): EcsResponse {
  let error: EcsError;
  if (err instanceof EcsError) {
    error = err;
  } else {
    pipeline.onUnexpected(err);
    error = new EcsError('ServerException', 'Service was unable to process this request.');
  }
  pipeline.stats.error(error.code);
  return respond(error.httpStatus, error.toBody());
}

/** What the RunTask record says about the answer: the ARNs given out, or the error. */
function noteOutcome(entry: RunTaskRequestRecord | undefined, response: EcsResponse): EcsResponse {
  if (!entry) return response;
  if (response.status !== 200) {
    entry.outcome = { status: response.status, error: errorCodeOf(response.payload) };
    return response;
  }
  const payload = response.payload as { tasks?: Array<{ taskArn?: string }>; failures?: unknown[] };
  entry.outcome = {
    status: 200,
    taskArns: (payload.tasks ?? []).flatMap((t) => (t.taskArn === undefined ? [] : [t.taskArn])),
    failures: payload.failures?.length ?? 0,
  };
  return response;
}

const errorCodeOf = (payload: unknown): string => String((payload as { __type?: unknown }).__type ?? 'unknown');

function parseTarget(target: string | string[] | undefined): EcsOperation {
  const value = Array.isArray(target) ? target[0] : target;
  if (value === undefined) {
    throw new EcsError('UnknownOperationException', 'Missing X-Amz-Target header: send AmazonEC2ContainerServiceV20141113.<Operation>.');
  }
  const operation = value.startsWith(TARGET_PREFIX) ? value.slice(TARGET_PREFIX.length) : undefined;
  if (operation === undefined || !isEcsOperation(operation)) {
    throw new EcsError('UnknownOperationException', `The local ECS endpoint does not implement ${value}.`);
  }
  return operation;
}

function parseBody(body: string): Record<string, unknown> {
  if (body.trim() === '') return {};
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    throw new EcsError('SerializationException', 'The request body is not valid JSON.');
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new EcsError('SerializationException', 'The request body must be a JSON object.');
  }
  return value as Record<string, unknown>;
}

/** A response that still carries its payload, so the RunTask record can read what was answered. */
type EcsResponse = HttpResponse & { payload: unknown };

function respond(status: number, payload: unknown): EcsResponse {
  return {
    status,
    headers: { 'content-type': CONTENT_TYPE, 'x-amzn-requestid': randomUUID() },
    body: JSON.stringify(payload),
    payload,
  };
}
