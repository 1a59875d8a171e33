/** Workflows for the test of how the worker runs workflow code (test/unit/workflow-runtime.test.ts). */
import { condition } from '@temporalio/workflow';

/** Pure arithmetic that never yields, for as many rounds as asked (the deadlock guard's test). */
export async function spin(rounds: number): Promise<number> {
  let x = 0;
  for (let i = 0; i < rounds; i++) x = (x * 31 + i) % 1_000_003;
  return x;
}

/** Waits until cancelled: a workflow with a pending promise, for the stack-trace query's test. */
export async function waitInCondition(): Promise<void> {
  await condition(() => false);
}
