import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { EcsError } from './errors';
import type { HttpResponse } from './http-server';
import { isEcsOperation, type EcsOperation } from './operations-list';

/** awsJson1_1 as ECS speaks it (spec/ecs-api.md §1). */
const TARGET_PREFIX = 'AmazonEC2ContainerServiceV20141113.';
const CONTENT_TYPE = 'application/x-amz-json-1.1';

export interface EcsCallHooks {
  /** Runs first for every recognised operation: counting and endpoint-wide fault injection. */
  before(operation: EcsOperation): void;
  call(operation: EcsOperation, input: Record<string, unknown>): unknown;
  onError(error: EcsError): void;
  onUnexpected(error: unknown): void;
}

/** One ECS JSON-RPC call: X-Amz-Target picks the operation; SigV4 headers are ignored on purpose. */
export function handleEcsRequest(headers: IncomingHttpHeaders, body: string, hooks: EcsCallHooks): HttpResponse {
  try {
    const operation = parseTarget(headers['x-amz-target']);
    hooks.before(operation);
    return respond(200, hooks.call(operation, parseBody(body)));
  } catch (err) {
    if (err instanceof EcsError) {
      hooks.onError(err);
      return respond(err.httpStatus, err.toBody());
    }
    hooks.onUnexpected(err);
    const error = new EcsError('ServerException', 'Service was unable to process this request.');
    hooks.onError(error);
    return respond(500, error.toBody());
  }
}

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

function respond(status: number, payload: unknown): HttpResponse {
  return {
    status,
    headers: { 'content-type': CONTENT_TYPE, 'x-amzn-requestid': randomUUID() },
    body: JSON.stringify(payload),
  };
}
