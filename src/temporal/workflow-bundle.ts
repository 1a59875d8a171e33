const WORKFLOWS_PATH = require.resolve('../workflows');

/**
 * What every bundle of our workflows is built from: the worker's own, the pre-built one
 * (`npm run build:bundle`, ECS_EXECUTOR_WORKFLOW_BUNDLE), the benchmark's and the tests'. One
 * definition, so that all of them run the same code the same way.
 *
 * `preloadModules`: the workflows' modules are loaded once per worker and shared by every workflow
 * it runs. The SDK runs all workflows in one V8 context, and any module a workflow imports is
 * otherwise evaluated afresh for each workflow, and kept with it while it is cached: our modules,
 * the workflow API's index and what it imports. Sharing is safe because none of these modules
 * keeps state of its own: a workflow's state lives in the objects its run creates (`TaskRun`), and
 * the workflow API reaches the running workflow through the SDK's per-workflow globals at call
 * time, never at load. (The SDK freezes what it shares, so a module that wrote to its own exports
 * would fail at once, in every test.)
 */
export function ourWorkflowBundle(): { workflowsPath: string; preloadModules: string[] } {
  return { workflowsPath: WORKFLOWS_PATH, preloadModules: [WORKFLOWS_PATH] };
}
