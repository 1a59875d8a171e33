import { DescribeTaskDefinitionCommand } from '@aws-sdk/client-ecs';
import type { Logger } from '@temporalio/common';
import type { EcsClientProvider } from '../ecs/ecs-client';
import { describeLogLocation, type ContainerLogConfiguration } from '../rules/log-location';

/**
 * Reads each task definition's log configuration once per worker (DescribeTaskDefinition) and tells
 * where a task's output is. Best effort: an error here must never fail a launch.
 */
/** The lookup must not hold up a launch: past this (or the ECS call timeout, if shorter) it gives up and the task has no log location. */
const LOOKUP_TIMEOUT_MS = 5_000;

export function logLocator(
  ecs: EcsClientProvider,
  logger: Logger,
  ecsCallTimeoutMs: number,
): (taskDefinition: string | undefined, taskArn: string, containerName: string) => Promise<string | undefined> {
  const timeoutMs = Math.min(LOOKUP_TIMEOUT_MS, ecsCallTimeoutMs);
  const cache = new Map<string, Promise<Map<string, ContainerLogConfiguration>>>();
  return async (taskDefinition, taskArn, containerName) => {
    if (taskDefinition === undefined) return undefined;
    let configs = cache.get(taskDefinition);
    if (configs === undefined) {
      configs = ecs
        .get()
        .send(new DescribeTaskDefinitionCommand({ taskDefinition }), { abortSignal: AbortSignal.timeout(timeoutMs) })
        .then(
          (output) =>
            new Map(
              (output.taskDefinition?.containerDefinitions ?? []).flatMap((c) =>
                c.name !== undefined && c.logConfiguration !== undefined
                  ? [[c.name, { logDriver: c.logConfiguration.logDriver, options: c.logConfiguration.options } as ContainerLogConfiguration]]
                  : [],
              ),
            ),
        );
      cache.set(taskDefinition, configs);
      // A failed lookup is retried at the next launch, not cached.
      configs.catch(() => cache.delete(taskDefinition));
    }
    try {
      // The abort signal ends a real request; the race ends the wait whatever the client does.
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      });
      const found = await Promise.race([configs, late]).finally(() => clearTimeout(timer));
      return describeLogLocation(found.get(containerName), taskArn, containerName);
    } catch (err) {
      logger.debug('could not read the task definition log configuration', { taskDefinition, error: String(err) });
      return undefined;
    }
  };
}
