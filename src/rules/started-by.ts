/**
 * The `startedBy` we give every ECS task we launch (unless the user set their own), so that a
 * cluster's observer can list the tasks of its deployment (ListTasks filters by startedBy) and stop
 * any that no workflow tracks. ECS allows up to 128 of [A-Za-z0-9_/-]. Two deployments must never
 * share a marker (one would stop the other's tasks as untracked): when a name had to be rewritten
 * or cut to fit, a hash of the exact names keeps them apart.
 */
const MAX_STARTED_BY = 128;
const PREFIX = 'temporal-ecs-executor/';

export function startedByMarker(namespace: string, taskQueue: string): string {
  const clean = (part: string) => part.replace(/[^A-Za-z0-9_-]/g, '_');
  const readable = `${PREFIX}${clean(namespace)}/${clean(taskQueue)}`;
  const exact = clean(namespace) === namespace && clean(taskQueue) === taskQueue && readable.length <= MAX_STARTED_BY;
  if (exact) return readable;
  const hash = fnv1a(`${namespace}\u0000${taskQueue}`);
  return `${readable.slice(0, MAX_STARTED_BY - hash.length - 1)}-${hash}`;
}

/** 32-bit FNV-1a as 8 hex digits: a stable, dependency-free fingerprint (not a security hash). */
function fnv1a(text: string): string {
  let hash = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(text)) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(16).padStart(8, '0');
}
