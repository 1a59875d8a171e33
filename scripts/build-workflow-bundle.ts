import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { ourWorkflowBundle } from '../src/temporal/workflow-bundle';

/**
 * Pre-builds the workflow bundle for production workers (ECS_EXECUTOR_WORKFLOW_BUNDLE), so a
 * worker starts without running webpack and every worker of a deployment runs identical code.
 */
async function main(): Promise<void> {
  const out = path.resolve(process.argv[2] ?? path.join(__dirname, '..', 'lib', 'workflow-bundle.js'));
  const { code } = await bundleWorkflowCode(ourWorkflowBundle());
  mkdirSync(path.dirname(out), { recursive: true });
  writeFileSync(out, code);
  process.stdout.write(`workflow bundle written to ${out}; set ECS_EXECUTOR_WORKFLOW_BUNDLE=${out}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
