import type { LookupInput, LookupResult, ProbeInput, ProbeResult } from '../contract/inputs';
import { lookupActivities, probeActivities } from './activity-profiles';

/**
 * The clients' start-up probe: proves that a worker polls the task queue, tells the client the
 * workers' clock (workflow time is the server's), and runs Airflow's ECS health check on a worker
 * when asked. Clients never call ECS themselves: every AWS call is an activity.
 */
export async function executorProbeWorkflow(input: ProbeInput): Promise<ProbeResult> {
  const now = new Date().toISOString();
  if (!input.checkHealth) return { now };
  const { health } = await probeActivities.probeExecutor({ checkHealth: true });
  return { now, ...(health !== undefined ? { health } : {}) };
}

/** Adoption's lookup: which of these ARNs ECS still knows, and in which cluster. */
export async function ecsLookupWorkflow(input: LookupInput): Promise<LookupResult> {
  return await lookupActivities.lookupEcsTasks(input);
}
