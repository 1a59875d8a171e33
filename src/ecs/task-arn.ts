/** Task ARNs: `arn:aws:ecs:<region>:<account>:task/<cluster>/<id>` (or the legacy `task/<id>`). */

/** A task ID is the last segment of its ARN; an ID is its own ID. */
export function taskIdOf(arnOrId: string): string {
  return arnOrId.slice(arnOrId.lastIndexOf('/') + 1);
}

/** The cluster a new-format task ARN names; undefined for legacy ARNs and bare IDs. */
export function clusterOfTaskArn(taskArn: string): string | undefined {
  return /:task\/([^/]+)\/[^/]+$/.exec(taskArn)?.[1];
}
