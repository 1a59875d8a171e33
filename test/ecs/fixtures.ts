import {
  AccessDeniedException,
  ClientException,
  ClusterNotFoundException,
  type DescribeTasksCommandInput,
  type DescribeTasksCommandOutput,
  ECSServiceException,
  InvalidParameterException,
  ServerException,
  ECSClient,
  type Task,
} from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';

/** Errors shaped the way @aws-sdk/client-ecs throws them. */

const clientMetadata = { httpStatusCode: 400, requestId: 'req-1' };

/** ThrottlingException is not modelled for ECS: the SDK throws a plain ECSServiceException. */
export function throttling(): ECSServiceException {
  return new ECSServiceException({ name: 'ThrottlingException', $fault: 'client', $metadata: clientMetadata, message: 'Rate exceeded' });
}

export function serviceError(name: string, message: string, httpStatusCode = 400): ECSServiceException {
  return new ECSServiceException({ name, $fault: httpStatusCode >= 500 ? 'server' : 'client', $metadata: { httpStatusCode }, message });
}

export function serverException(): ServerException {
  return new ServerException({ $metadata: { httpStatusCode: 500 }, message: 'Service Unavailable. Please try again later.' });
}

export function invalidParameter(message: string): InvalidParameterException {
  return new InvalidParameterException({ $metadata: clientMetadata, message });
}

export function taskNotFound(): InvalidParameterException {
  return invalidParameter('The referenced task was not found.');
}

export function accessDenied(): AccessDeniedException {
  return new AccessDeniedException({
    $metadata: clientMetadata,
    message: 'User: arn:aws:iam::123456789012:user/ci is not authorized to perform: ecs:StopTask',
  });
}

export function clusterNotFound(): ClusterNotFoundException {
  return new ClusterNotFoundException({ $metadata: clientMetadata, message: 'Cluster not found.' });
}

export function clientException(message: string): ClientException {
  return new ClientException({ $metadata: clientMetadata, message });
}

export function expiredToken(): ECSServiceException {
  return serviceError('ExpiredTokenException', 'The security token included in the request is expired');
}

export function networkError(code: string, message = `connect ${code} 127.0.0.1:4566`): Error {
  return Object.assign(new Error(message), { code });
}

export function taskArn(id: string | number, cluster = 'airflow'): string {
  return `arn:aws:ecs:us-east-1:123456789012:task/${cluster}/${String(id).padStart(32, '0')}`;
}

export function ecsTask(arn: string, lastStatus: string, extra: Partial<Task> = {}): Task {
  return { taskArn: arn, lastStatus, desiredStatus: 'RUNNING', containers: [{ name: 'base', lastStatus }], ...extra };
}

/** A DescribeTasks answer that knows every requested task, as RUNNING. */
export function describeAll(input: DescribeTasksCommandInput): DescribeTasksCommandOutput {
  return { $metadata: {}, tasks: (input.tasks ?? []).map((arn) => ecsTask(arn, 'RUNNING')), failures: [] };
}

/**
 * ECSClient mocked for the whole test file (the mock is reset before each test), and a client to
 * call it through (destroyed after the file). Call it once, at the top level of a test file.
 */
export function mockedEcsClient() {
  const ecsMock = mockClient(ECSClient);
  const client = new ECSClient({ region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  beforeEach(() => {
    ecsMock.reset();
  });
  afterAll(() => {
    client.destroy();
  });
  return { ecsMock, client };
}
