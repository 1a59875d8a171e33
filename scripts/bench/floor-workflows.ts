import { proxyActivities } from '@temporalio/workflow';

/** The Temporal floor: the least a workflow can do that still does I/O (start, one activity, complete). */
const { noop } = proxyActivities<{ noop(): Promise<void> }>({ startToCloseTimeout: '1 minute' });

export async function minimalWorkflow(): Promise<void> {
  await noop();
}
