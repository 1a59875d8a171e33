import { randomUUID } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { collectHistoryStats } from '../../scripts/bench/history-stats';
import { connectToDevServer } from '../support/environments';

// Workflows on a task queue no worker polls: each history is WorkflowExecutionStarted and
// WorkflowTaskScheduled, plus WorkflowExecutionSignaled or WorkflowExecutionTerminated as sent.
describe('collectHistoryStats', () => {
  let env: TestWorkflowEnvironment;
  const taskQueue = `bench-history-${randomUUID()}`;
  const ids = [0, 1, 2].map((i) => `bench-history-${i}-${randomUUID()}`);

  beforeAll(async () => {
    env = await connectToDevServer();
    const handles = await Promise.all(ids.map((workflowId) => env.client.workflow.start('benchHistoryProbe', { taskQueue, workflowId })));
    await handles[0]!.signal('poke');
    await handles[0]!.signal('poke');
    await handles[1]!.terminate('done');
  });

  afterAll(async () => {
    await Promise.all(ids.map((id) => env.client.workflow.getHandle(id).terminate('test over').catch(() => undefined)));
    await env?.teardown();
  });

  it('counts events by type and per workflow type for a list of IDs', async () => {
    const stats = await collectHistoryStats(env.client, { executions: ids.map((workflowId) => ({ workflowId })) }, { concurrency: 2 });
    expect(stats.failures).toEqual([]);
    expect(stats.workflows).toBe(3);
    expect(stats.eventsByType).toEqual({
      WorkflowExecutionSignaled: 2,
      WorkflowExecutionStarted: 3,
      WorkflowExecutionTerminated: 1,
      WorkflowTaskScheduled: 3,
    });
    expect(stats.events).toBe(9);
    expect(stats).toMatchObject({ workflowTasks: 3, signals: 2, eventsPerWorkflow: { median: 3, min: 2, max: 4 } });
    expect(Object.keys(stats.byWorkflowType)).toEqual(['benchHistoryProbe']);
    expect(stats.byWorkflowType.benchHistoryProbe!.events).toBe(9);
  });

  it('finds the same executions through a visibility query', async () => {
    let stats = await collectHistoryStats(env.client, { query: `TaskQueue = '${taskQueue}'` });
    // Visibility is eventually consistent: give it a moment to list all three.
    for (let i = 0; i < 20 && stats.workflows < 3; i++) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      stats = await collectHistoryStats(env.client, { query: `TaskQueue = '${taskQueue}'` });
    }
    expect(stats.workflows).toBe(3);
    expect(stats.events).toBe(9);
  });

  it('lists an execution it cannot fetch instead of failing the whole count', async () => {
    const stats = await collectHistoryStats(env.client, { executions: [{ workflowId: ids[0]! }, { workflowId: `missing-${randomUUID()}` }] });
    expect(stats.workflows).toBe(1);
    expect(stats.failures).toHaveLength(1);
    expect(stats.failures[0]!.error).toMatch(/not found/i);
  });

  it('refuses an empty query, which would match the whole namespace', async () => {
    await expect(collectHistoryStats(env.client, { query: ' ' })).rejects.toThrow(/query is empty/);
  });
});
