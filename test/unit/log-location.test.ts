import { describeLogLocation, LOCAL_LOG_DIR_OPTION } from '../../src/rules/log-location';

const TASK_ID = '0123456789abcdef0123456789abcdef';
const ARN = `arn:aws:ecs:us-east-1:123456789012:task/airflow/${TASK_ID}`;

describe('describeLogLocation', () => {
  it('names the CloudWatch group and the stream ECS writes with a prefix: <prefix>/<container>/<task id>', () => {
    expect(
      describeLogLocation(
        { logDriver: 'awslogs', options: { 'awslogs-group': '/ecs/airflow', 'awslogs-stream-prefix': 'worker', 'awslogs-region': 'eu-west-1' } },
        ARN,
        'base',
      ),
    ).toBe(`CloudWatch Logs group /ecs/airflow, stream worker/base/${TASK_ID} (region eu-west-1)`);
  });

  it('leaves the region out when the log configuration names none', () => {
    expect(describeLogLocation({ logDriver: 'awslogs', options: { 'awslogs-group': '/ecs/airflow', 'awslogs-stream-prefix': 'worker' } }, ARN, 'base')).toBe(
      `CloudWatch Logs group /ecs/airflow, stream worker/base/${TASK_ID}`,
    );
  });

  it('without a stream prefix, says the stream is named after the container ID (which the executor cannot know)', () => {
    expect(describeLogLocation({ logDriver: 'awslogs', options: { 'awslogs-group': '/ecs/airflow', 'awslogs-region': 'us-east-1' } }, ARN, 'base')).toBe(
      'CloudWatch Logs group /ecs/airflow (region us-east-1) (no awslogs-stream-prefix: the stream is named after the container ID)',
    );
    expect(describeLogLocation({ logDriver: 'awslogs', options: { 'awslogs-group': 'g' } }, ARN, 'base')).toBe(
      'CloudWatch Logs group g (no awslogs-stream-prefix: the stream is named after the container ID)',
    );
  });

  it('knows nothing for awslogs without a group', () => {
    expect(describeLogLocation({ logDriver: 'awslogs', options: { 'awslogs-stream-prefix': 'worker' } }, ARN, 'base')).toBeUndefined();
    expect(describeLogLocation({ logDriver: 'awslogs' }, ARN, 'base')).toBeUndefined();
  });

  it(`points at the local endpoint's log file by the ${LOCAL_LOG_DIR_OPTION} option, with or without a trailing slash`, () => {
    expect(LOCAL_LOG_DIR_OPTION).toBe('local-ecs-log-dir');
    expect(describeLogLocation({ logDriver: 'json-file', options: { 'local-ecs-log-dir': '/tmp/local-ecs/logs' } }, ARN, 'base')).toBe(`/tmp/local-ecs/logs/${TASK_ID}.log`);
    expect(describeLogLocation({ logDriver: 'json-file', options: { 'local-ecs-log-dir': '/tmp/logs//' } }, ARN, 'base')).toBe(`/tmp/logs/${TASK_ID}.log`);
  });

  it('takes the task ID from a legacy ARN (no cluster) too', () => {
    expect(describeLogLocation({ logDriver: 'json-file', options: { 'local-ecs-log-dir': '/l' } }, `arn:aws:ecs:us-east-1:123456789012:task/${TASK_ID}`, 'base')).toBe(
      `/l/${TASK_ID}.log`,
    );
  });

  it.each(['splunk', 'fluentd', 'awsfirelens', 'json-file'])('names an unknown driver (%s) and the container, without inventing a place', (driver) => {
    expect(describeLogLocation({ logDriver: driver, options: { 'some-option': 'x' } }, ARN, 'base')).toBe(`log driver ${driver} of container base`);
  });

  it('knows nothing without a log configuration or a driver', () => {
    expect(describeLogLocation(undefined, ARN, 'base')).toBeUndefined();
    expect(describeLogLocation({ options: { 'awslogs-group': 'g' } }, ARN, 'base')).toBeUndefined();
  });
});
