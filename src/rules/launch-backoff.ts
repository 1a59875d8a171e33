/**
 * Airflow's delay before the next launch (or re-run) after a failed attempt: 4 ** n seconds,
 * capped at two minutes (docs/airflow-behaviour.md, "3. Launching and backoff"). Workflow-safe:
 * no imports.
 */
export const MAX_LAUNCH_RETRY_DELAY_SECONDS = 120;

/** `failedAttempt` counts from 1: 1 -> 4s, 2 -> 16s, 3 -> 64s, 4 and later -> 120s. */
export function launchRetryDelaySeconds(failedAttempt: number): number {
  if (!Number.isInteger(failedAttempt) || failedAttempt < 1) {
    throw new RangeError(`failedAttempt must be a whole number of at least 1, got ${failedAttempt}`);
  }
  return Math.min(4 ** failedAttempt, MAX_LAUNCH_RETRY_DELAY_SECONDS);
}
