/**
 * The name a mistyped one most likely meant, for "did you mean ...?" hints. Workflow-safe: no
 * imports.
 */

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_unused, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution);
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

/**
 * The candidate with the same letters in another case or spelling (`startedby`, `started_by`,
 * `StartedBy` -> `startedBy`), else the nearest one a typo or two away (`memmory` -> `memory`),
 * else one that starts with most of it (`POLL_INTERVAL` -> `POLL_INTERVAL_SECONDS`), else
 * undefined.
 */
export function closestName(name: string, candidates: readonly string[]): string | undefined {
  const normal = (text: string) => text.toLowerCase().replace(/_/g, '');
  const sameLetters = candidates.find((candidate) => normal(candidate) === normal(name));
  if (sameLetters !== undefined) return sameLetters;
  const limit = Math.max(1, Math.floor(name.length / 4));
  let best: { candidate: string; distance: number } | undefined;
  for (const candidate of candidates) {
    const distance = editDistance(normal(name), normal(candidate));
    if (distance <= limit && (best === undefined || distance < best.distance)) best = { candidate, distance };
  }
  if (best !== undefined) return best.candidate;
  const truncated = candidates.filter((candidate) => {
    const [short, long] = [normal(name), normal(candidate)].sort((a, b) => a.length - b.length) as [string, string];
    return long.startsWith(short) && short.length >= 0.6 * long.length;
  });
  return truncated.sort((a, b) => a.length - b.length)[0];
}
