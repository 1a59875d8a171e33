/**
 * The `startedBy` we give every ECS task we launch (unless the user set their own), so that a
 * cluster's observer can list the tasks of its deployment (ListTasks filters by startedBy) and stop
 * any that no workflow tracks. ECS allows up to 128 of [A-Za-z0-9_/-].
 */
const MAX_STARTED_BY = 128;

export function startedByMarker(namespace: string, taskQueue: string): string {
  const clean = (part: string) => part.replace(/[^A-Za-z0-9_-]/g, '_');
  return `temporal-ecs-executor/${clean(namespace)}/${clean(taskQueue)}`.slice(0, MAX_STARTED_BY);
}
