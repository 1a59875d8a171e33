import { z } from 'zod';
import { taskIdFrom } from '../arns';
import { invalidParameter } from '../errors';
import { taskView, type WireObject } from '../wire-views';
import { checkTaskIdLength, parseInput, requireCluster, type EcsBackend } from './context';

const stopTaskSchema = z.looseObject({
  cluster: z.string().optional(),
  task: z.string().optional(),
  reason: z.string().max(255, 'reason can be at most 255 characters').optional(),
});

/**
 * Sets desiredStatus STOPPED and returns the task as it is now (lastStatus usually unchanged); the
 * containers get SIGTERM, then SIGKILL after their stop timeout.
 */
export function stopTask(backend: EcsBackend, rawInput: unknown): WireObject {
  const input = parseInput(stopTaskSchema, rawInput);
  const cluster = requireCluster(backend, input.cluster);
  if (input.task === undefined || input.task === '') throw invalidParameter('Task can not be blank.');
  const id = taskIdFrom(input.task);
  checkTaskIdLength(id);
  const task = backend.tasks.find(cluster.name, id);
  // Airflow's check_health probes with task "a" * 32 and expects exactly this code and text.
  if (!task) throw invalidParameter('The referenced task was not found.');
  backend.lifecycle.stop(task, input.reason);
  // StopTask deletes the task's tags (ECS API reference).
  task.tags = [];
  return { task: taskView(task, { includeTags: false }) };
}
