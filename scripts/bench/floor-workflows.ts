import { proxyActivities, proxyLocalActivities, upsertSearchAttributes } from '@temporalio/workflow';
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/** The Temporal floor: the least a workflow can do that still does I/O (start, one activity, complete). */
const { noop } = proxyActivities<{ noop(): Promise<void> }>({ startToCloseTimeout: '1 minute' });

export async function minimalWorkflow(): Promise<void> {
  await noop();
}

/**
 * The least a launch can cost in Temporal: one workflow task that runs a local activity and
 * upserts a search attribute, as our task workflow's first one does (it then sleeps; this completes).
 */
const local = proxyLocalActivities<{ noop(): Promise<void> }>({ startToCloseTimeout: '1 minute' });
const state = defineSearchAttributeKey('AirflowState', SearchAttributeType.KEYWORD);

export async function launchShapedWorkflow(): Promise<void> {
  await local.noop();
  upsertSearchAttributes([{ key: state, value: 'RUNNING' }]);
}
