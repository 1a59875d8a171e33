import { classifyEcsError, describeEcsError, type EcsErrorClass, isTaskNotFoundError } from '../../src/ecs/errors';
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

describe('classifyEcsError', () => {
  const table: [string, unknown, EcsErrorClass][] = [
    ['ThrottlingException (not modelled, plain ECSServiceException)', throttling(), 'transient'],
    ['TooManyRequestsException', serviceError('TooManyRequestsException', 'slow down'), 'transient'],
    ['HTTP 429 under any name', serviceError('SomethingElse', 'slow down', 429), 'transient'],
    ['ServerException', serverException(), 'transient'],
    ['ServiceUnavailable', serviceError('ServiceUnavailable', 'try later', 503), 'transient'],
    ['any 5xx status', serviceError('WeirdGatewayError', 'bad gateway', 502), 'transient'],
    ['$fault server without a status', Object.assign(named('Unknown'), { $fault: 'server' }), 'transient'],
    ['$retryable', Object.assign(named('Unknown'), { $retryable: {} }), 'transient'],
    ['TimeoutError', named('TimeoutError', 'Connection timed out after 1000 ms'), 'transient'],
    ['RequestTimeout', named('RequestTimeout'), 'transient'],
    ['ECONNREFUSED', networkError('ECONNREFUSED'), 'transient'],
    ['ECONNRESET', networkError('ECONNRESET'), 'transient'],
    ['ETIMEDOUT', networkError('ETIMEDOUT'), 'transient'],
    ['EPIPE', networkError('EPIPE'), 'transient'],
    ['EAI_AGAIN', networkError('EAI_AGAIN', 'getaddrinfo EAI_AGAIN ecs.us-east-1.amazonaws.com'), 'transient'],
    ['socket hang up', new Error('socket hang up'), 'transient'],
    ['a network error wrapped as the cause', new Error('request failed', { cause: networkError('ECONNRESET') }), 'transient'],
    ['ExpiredTokenException', expiredToken(), 'credentials'],
    ['InvalidClientTokenId', serviceError('InvalidClientTokenId', 'invalid token'), 'credentials'],
    ['UnrecognizedClientException', serviceError('UnrecognizedClientException', 'The security token included in the request is invalid.'), 'credentials'],
    ['CredentialsProviderError (no credentials found)', named('CredentialsProviderError', 'Could not load credentials from any providers'), 'credentials'],
    ['InvalidParameterException', invalidParameter('Tasks cannot be empty.'), 'permanent'],
    ['ClientException', clientException('TaskDefinition not found.'), 'permanent'],
    ['AccessDeniedException', accessDenied(), 'permanent'],
    ['ClusterNotFoundException', clusterNotFound(), 'permanent'],
    ['ConflictException (clientToken reused with other parameters)', serviceError('ConflictException', 'conflict'), 'permanent'],
    ['AbortError (the caller gave up)', named('AbortError', 'Request aborted'), 'permanent'],
    ['a TypeError from bad input', new TypeError('Cannot read properties of undefined'), 'permanent'],
    ['a string', 'boom', 'permanent'],
    ['undefined', undefined, 'permanent'],
  ];

  it.each(table)('classifies %s', (_label, err, expected) => {
    expect(classifyEcsError(err)).toBe(expected);
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
