import { bundleWorkflowCode } from '@temporalio/worker';

/**
 * A workflow's modules are initialised for every workflow the worker runs, so what the bundle pulls
 * in is paid per task: zod alone cost each task about 30 ms of worker CPU. Workflow code imports
 * only zod-free modules (contract/key-format.ts, contract/observation.ts...).
 */
describe('the workflow bundle', () => {
  let modules: string[];

  beforeAll(async () => {
    const noop = () => undefined;
    const bundle = await bundleWorkflowCode({
      workflowsPath: require.resolve('../../src/workflows'),
      logger: { trace: noop, debug: noop, info: noop, warn: noop, error: noop, log: noop },
    });
    modules = [...bundle.code.matchAll(/\/\*\*\*\/ "\.\/([^"]+)"/g)].map((m) => m[1]!);
  }, 60_000);

  it('contains no schema library and none of our zod modules', () => {
    expect(modules.length).toBeGreaterThan(10);
    expect(modules.filter((m) => /node_modules\/zod\//.test(m))).toEqual([]);
    expect(modules).not.toContain('src/contract/keys.ts');
    expect(modules).not.toContain('src/contract/inputs.ts');
  });

  it('contains only workflow-safe modules of ours: workflows, contract, rules and errors', () => {
    const ours = modules.filter((m) => m.startsWith('src/'));
    expect(ours.filter((m) => !/^src\/(workflows|contract|rules)\/|^src\/errors\.ts$/.test(m))).toEqual([]);
  });
});
