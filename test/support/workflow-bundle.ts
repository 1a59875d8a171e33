import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { bundleWorkflowCode, type WorkflowBundlePath, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { ourWorkflowBundle } from '../../src/temporal/workflow-bundle';

/**
 * Our workflows bundled once per test run (by global setup, beside starting the dev server) into
 * a file every test file and every spawned worker loads, instead of each running webpack again.
 */
const BUNDLE_PATH_ENV = 'TEST_WORKFLOW_BUNDLE';

/** Bundles the workflows at `workflowsPath` without webpack's report, which is noise in tests. */
export function bundleQuietly(workflowsPath: string, preloadModules: string[] = []): Promise<WorkflowBundleWithSourceMap> {
  const noop = () => undefined;
  return bundleWorkflowCode({ workflowsPath, preloadModules, logger: { trace: noop, debug: noop, info: noop, warn: noop, error: noop, log: noop } });
}

/** Bundles src/workflows into a fresh temporary directory and tells the test files where it is. */
export async function buildRunWideBundle(): Promise<{ dispose(): void }> {
  const { workflowsPath, preloadModules } = ourWorkflowBundle();
  const { code } = await bundleQuietly(workflowsPath, preloadModules);
  const dir = mkdtempSync(path.join(tmpdir(), 'ecs-executor-test-bundle-'));
  const codePath = path.join(dir, 'workflow-bundle.js');
  writeFileSync(codePath, code);
  process.env[BUNDLE_PATH_ENV] = codePath;
  return { dispose: () => rmSync(dir, { recursive: true, force: true }) };
}

/** The run-wide bundle's file (the value for a worker's workflowBundle, or ECS_EXECUTOR_WORKFLOW_BUNDLE). */
export function runWideBundlePath(): string {
  const codePath = process.env[BUNDLE_PATH_ENV];
  if (!codePath) throw new Error(`${BUNDLE_PATH_ENV} is not set: run the tests through jest, whose global setup bundles the workflows`);
  return codePath;
}

/** Our workflows as a worker option, from the run-wide bundle. */
export function runWideBundle(): WorkflowBundlePath {
  return { codePath: runWideBundlePath() };
}
