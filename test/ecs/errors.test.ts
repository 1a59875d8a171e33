import { execFileSync } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { ECSClient, StopTaskCommand } from '@aws-sdk/client-ecs';
import { classifyEcsError, describeEcsError, ecsErrorName, type EcsErrorClass, isRetryableEcsError, isTaskNotFoundError } from '../../src/ecs/errors';
import {
  accessDenied,
  clientException,
  clusterNotFound,
  expiredToken,
  invalidParameter,
  networkError,
  serverException,
  serviceError,
  taskNotFound,
  throttling,
} from './fixtures';

function named(name: string, message = 'boom'): Error {
  const err = new Error(message);
  err.name = name;
  return err;
}

/**
 * The SDK's own classification (@smithy/service-error-classification: isThrottlingError,
 * isTransientError, isServerError) decides throttled vs transient; ours are only Airflow's
 * credential errors. Cases the SDK would not retry are permanent here too: a bare
 * `Error('socket hang up')` without a `code` is permanent (Node's real socket hang up carries
 * code ECONNRESET, which is transient, below), and so is an AbortError (the caller gave up).
 */
describe('classifyEcsError', () => {
  const table: [string, unknown, EcsErrorClass][] = [
    // Throttling: the SDK's THROTTLING_ERROR_CODES, HTTP 429, or a $retryable throttling trait.
    ['ThrottlingException (not modelled, plain ECSServiceException)', throttling(), 'throttled'],
    ['TooManyRequestsException', serviceError('TooManyRequestsException', 'slow down'), 'throttled'],
    ['RequestLimitExceeded', serviceError('RequestLimitExceeded', 'slow down'), 'throttled'],
    ['LimitExceededException (a throttling code to the SDK)', serviceError('LimitExceededException', 'limit'), 'throttled'],
    ['HTTP 429 under any name', serviceError('SomethingElse', 'slow down', 429), 'throttled'],
    ['$retryable with throttling: true', Object.assign(named('Unknown'), { $retryable: { throttling: true } }), 'throttled'],
    // Transient: 5xx, timeouts, network errors, $retryable, and those wrapped as a cause.
    ['ServerException', serverException(), 'transient'],
    ['ServiceUnavailable (503)', serviceError('ServiceUnavailable', 'try later', 503), 'transient'],
    ['502 under any name', serviceError('WeirdGatewayError', 'bad gateway', 502), 'transient'],
    ['another 5xx (507, a server error to the SDK)', serviceError('InsufficientStorage', 'full', 507), 'transient'],
    ['$fault server without a status', Object.assign(named('Unknown'), { $fault: 'server' }), 'transient'],
    ['$retryable without throttling', Object.assign(named('Unknown'), { $retryable: {} }), 'transient'],
    ['TimeoutError (the request timeout)', Object.assign(named('TimeoutError', 'a request has exceeded the configured 20000 ms requestTimeout'), { code: 'ETIMEDOUT' }), 'transient'],
    ['RequestTimeout', named('RequestTimeout'), 'transient'],
    ['RequestTimeoutException', named('RequestTimeoutException'), 'transient'],
    ['ECONNREFUSED', networkError('ECONNREFUSED'), 'transient'],
    ['ECONNRESET', networkError('ECONNRESET'), 'transient'],
    ["Node's socket hang up (code ECONNRESET)", networkError('ECONNRESET', 'socket hang up'), 'transient'],
    ['ETIMEDOUT', networkError('ETIMEDOUT'), 'transient'],
    ['EPIPE', networkError('EPIPE'), 'transient'],
    ['EAI_AGAIN', networkError('EAI_AGAIN', 'getaddrinfo EAI_AGAIN ecs.us-east-1.amazonaws.com'), 'transient'],
    ['ENOTFOUND', networkError('ENOTFOUND', 'getaddrinfo ENOTFOUND ecs.us-east-1.amazonaws.com'), 'transient'],
    ['EHOSTUNREACH', networkError('EHOSTUNREACH'), 'transient'],
    ['a network error wrapped as the cause', new Error('request failed', { cause: networkError('ECONNRESET') }), 'transient'],
    ['InvalidSignatureException "Signature expired" (clock skew the SDK corrects)', serviceError('InvalidSignatureException', 'Signature expired: 20261201T000000Z is now earlier than ...'), 'transient'],
    // Credentials: Airflow's INVALID_CREDENTIALS_EXCEPTIONS and the SDK's "no credentials found", checked first.
    ['ExpiredTokenException', expiredToken(), 'credentials'],
    ['InvalidClientTokenId', serviceError('InvalidClientTokenId', 'invalid token'), 'credentials'],
    ['UnrecognizedClientException', serviceError('UnrecognizedClientException', 'The security token included in the request is invalid.'), 'credentials'],
    ['CredentialsProviderError (no credentials found)', named('CredentialsProviderError', 'Could not load credentials from any providers'), 'credentials'],
    ['ExpiredTokenException even with a 5xx-looking status', serviceError('ExpiredTokenException', 'expired', 500), 'credentials'],
    // Permanent: everything retrying cannot fix.
    ['InvalidParameterException', invalidParameter('Tasks cannot be empty.'), 'permanent'],
    ['ClientException', clientException('TaskDefinition not found.'), 'permanent'],
    ['AccessDeniedException', accessDenied(), 'permanent'],
    ['ClusterNotFoundException', clusterNotFound(), 'permanent'],
    ['ConflictException (clientToken reused with other parameters)', serviceError('ConflictException', 'conflict'), 'permanent'],
    ['AbortError (the caller gave up)', named('AbortError', 'Request aborted'), 'permanent'],
    ['an AbortError whose cause is a network error (still the caller giving up)', Object.assign(new Error('aborted', { cause: networkError('ECONNRESET') }), { name: 'AbortError' }), 'permanent'],
    ['a bare Error("socket hang up") without a code (the SDK does not retry it either)', new Error('socket hang up'), 'permanent'],
    ['a TypeError from bad input', new TypeError('Cannot read properties of undefined'), 'permanent'],
    ['a string', 'boom', 'permanent'],
    ['undefined', undefined, 'permanent'],
    ['null', null, 'permanent'],
  ];

  it.each(table)('classifies %s', (_label, err, expected) => {
    expect(classifyEcsError(err)).toBe(expected);
  });

  it('isRetryableEcsError: throttled, transient and credential errors are retried; permanent ones are not', () => {
    for (const [, err, expected] of table) expect(isRetryableEcsError(err)).toBe(expected !== 'permanent');
  });
});

describe('describeEcsError', () => {
  it('formats SDK errors as "<Name>: <message>"', () => {
    expect(describeEcsError(throttling())).toBe('ThrottlingException: Rate exceeded');
    expect(describeEcsError(clusterNotFound())).toBe('ClusterNotFoundException: Cluster not found.');
  });

  it('copes with errors without a message and with non-errors', () => {
    expect(describeEcsError(named('TimeoutError', ''))).toBe('TimeoutError');
    expect(describeEcsError('plain text')).toBe('plain text');
    expect(describeEcsError(undefined)).toBe('undefined');
  });

  it('ecsErrorName reads the name SDK errors carry (the ECS __type)', () => {
    expect(ecsErrorName(clusterNotFound())).toBe('ClusterNotFoundException');
    expect(ecsErrorName(throttling())).toBe('ThrottlingException');
    expect(ecsErrorName('boom')).toBeUndefined();
  });
});

describe('isTaskNotFoundError', () => {
  it('matches InvalidParameterException "task was not found" with or without the period, any case', () => {
    expect(isTaskNotFoundError(taskNotFound())).toBe(true);
    expect(isTaskNotFoundError(invalidParameter('The referenced TASK WAS NOT FOUND'))).toBe(true);
  });

  it('does not match other InvalidParameterExceptions or other errors saying the same', () => {
    expect(isTaskNotFoundError(invalidParameter('taskId length should be one of [32,36]'))).toBe(false);
    expect(isTaskNotFoundError(clientException('The referenced task was not found.'))).toBe(false);
  });
});

/**
 * The same classification on the errors the real ECSClient throws, deserialized from ECS's JSON
 * protocol answers (and from network failures), not on hand-built objects.
 */
describe('classifyEcsError on what the real ECSClient throws', () => {
  type Answer = { status: number; body: string; contentType?: string };
  let answer: Answer;
  let server: Server;
  let url: string;

  beforeAll(async () => {
    server = createServer((req, res) => {
      req.resume();
      res.writeHead(answer.status, { 'content-type': answer.contentType ?? 'application/x-amz-json-1.1' });
      res.end(answer.body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  /** What one StopTask call throws (one attempt: the SDK's own retries would hide the first error). */
  async function thrown(): Promise<unknown> {
    const client = new ECSClient({ region: 'us-east-1', endpoint: url, credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1 });
    try {
      await client.send(new StopTaskCommand({ cluster: 'c', task: 'a'.repeat(32) }));
      return undefined;
    } catch (err) {
      return err;
    } finally {
      client.destroy();
    }
  }
  const ecsError = (status: number, type: string, message: string): Answer => ({ status, body: JSON.stringify({ __type: type, message }) });

  it.each<[string, Answer, EcsErrorClass, string]>([
    ['ThrottlingException', ecsError(400, 'ThrottlingException', 'Rate exceeded'), 'throttled', 'ThrottlingException'],
    ['HTTP 429 with an unknown error type', ecsError(429, 'SlowDownPlease', 'too fast'), 'throttled', 'SlowDownPlease'],
    ['ServerException (500)', ecsError(500, 'ServerException', 'Service Unavailable. Please try again later.'), 'transient', 'ServerException'],
    ['a 503 with an HTML body (a load balancer in front)', { status: 503, body: '<html>Service Unavailable</html>', contentType: 'text/html' }, 'transient', ''],
    ['ExpiredTokenException', ecsError(400, 'ExpiredTokenException', 'The security token included in the request is expired'), 'credentials', 'ExpiredTokenException'],
    ['UnrecognizedClientException', ecsError(400, 'UnrecognizedClientException', 'The security token included in the request is invalid.'), 'credentials', 'UnrecognizedClientException'],
    ['ClusterNotFoundException (namespaced __type)', ecsError(400, 'com.amazonaws.ecs#ClusterNotFoundException', 'Cluster not found.'), 'permanent', 'ClusterNotFoundException'],
    ['AccessDeniedException', ecsError(400, 'AccessDeniedException', 'User is not authorized to perform: ecs:StopTask'), 'permanent', 'AccessDeniedException'],
  ])('%s', async (_label, response, expected, name) => {
    answer = response;
    const err = await thrown();
    expect(err).toBeInstanceOf(Error);
    if (name !== '') expect((err as Error).name).toBe(name);
    expect(classifyEcsError(err)).toBe(expected);
  });

  it('"task was not found" as ECS answers it is the health check\'s proof (and StopTask\'s notFound)', async () => {
    answer = ecsError(400, 'InvalidParameterException', 'The referenced task was not found.');
    const err = await thrown();
    expect(isTaskNotFoundError(err)).toBe(true);
    expect(classifyEcsError(err)).toBe('permanent');
    expect(describeEcsError(err)).toBe('InvalidParameterException: The referenced task was not found.');
  });

  /**
   * Network failures are thrown by Node's http module. Inside jest they come from another realm
   * (not `instanceof Error` there), and the SDK's retry middleware re-wraps them without their
   * `code`, so they are classified in a plain Node process here: the shapes the worker really sees.
   */
  it('network failures as the SDK throws them in a worker: socket hang up and a refused connection are transient', () => {
    const script = `
      const { createServer } = require('node:http');
      const { ECSClient, StopTaskCommand } = require('@aws-sdk/client-ecs');
      const { classifyEcsError } = require(${JSON.stringify(path.resolve(__dirname, '../../src/ecs/errors.ts'))});
      (async () => {
        const server = createServer((req) => { req.resume(); req.socket.destroy(); });
        await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
        const out = [];
        for (const endpoint of ['http://127.0.0.1:' + server.address().port, 'http://127.0.0.1:1']) {
          const client = new ECSClient({ region: 'us-east-1', endpoint, credentials: { accessKeyId: 'a', secretAccessKey: 'b' }, maxAttempts: 1 });
          try { await client.send(new StopTaskCommand({ cluster: 'c', task: 'x' })); out.push('answered'); }
          catch (err) { out.push({ name: err.name, code: err.code, message: err.message, class: classifyEcsError(err) }); }
          client.destroy();
        }
        server.close();
        process.stdout.write(JSON.stringify(out));
      })();`;
    const stdout = execFileSync(process.execPath, ['-r', 'ts-node/register/transpile-only', '-e', script], {
      cwd: path.resolve(__dirname, '../..'),
      // Only what node needs: no AWS_* of the test run (an endpoint or profile would change the answers).
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', TS_NODE_PROJECT: path.resolve(__dirname, '../../tsconfig.json') },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(JSON.parse(stdout)).toEqual([
      { name: 'TimeoutError', code: 'ECONNRESET', message: 'socket hang up', class: 'transient' },
      { name: 'Error', code: 'ECONNREFUSED', message: 'connect ECONNREFUSED 127.0.0.1:1', class: 'transient' },
    ]);
    // The hand-built fixtures in the table above have these shapes.
    expect(classifyEcsError(Object.assign(networkError('ECONNRESET', 'socket hang up'), { name: 'TimeoutError' }))).toBe('transient');
  });
});
