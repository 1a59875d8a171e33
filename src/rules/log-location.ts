/**
 * Where an ECS task's own output (the Airflow task's log, a Python traceback) can be read, from its
 * task definition's log configuration. Pure and workflow-safe.
 */

export interface ContainerLogConfiguration {
  logDriver?: string;
  options?: Record<string, string>;
}

/** Option by which the local ECS endpoint names the directory its task log files go to (`<dir>/<task id>.log`). */
export const LOCAL_LOG_DIR_OPTION = 'local-ecs-log-dir';

export function describeLogLocation(logConfiguration: ContainerLogConfiguration | undefined, taskArn: string, containerName: string): string | undefined {
  if (logConfiguration?.logDriver === undefined) return undefined;
  const options = logConfiguration.options ?? {};
  const taskId = taskArn.slice(taskArn.lastIndexOf('/') + 1);
  if (logConfiguration.logDriver === 'awslogs') {
    const group = options['awslogs-group'];
    if (group === undefined) return undefined;
    const region = options['awslogs-region'] !== undefined ? ` (region ${options['awslogs-region']})` : '';
    const prefix = options['awslogs-stream-prefix'];
    // With a prefix ECS names the stream <prefix>/<container>/<task id>; without one, after the Docker container ID.
    return prefix !== undefined
      ? `CloudWatch Logs group ${group}, stream ${prefix}/${containerName}/${taskId}${region}`
      : `CloudWatch Logs group ${group}${region} (no awslogs-stream-prefix: the stream is named after the container ID)`;
  }
  const localDir = options[LOCAL_LOG_DIR_OPTION];
  if (localDir !== undefined) return `${localDir.replace(/\/+$/, '')}/${taskId}.log`;
  return `log driver ${logConfiguration.logDriver} of container ${containerName}`;
}
