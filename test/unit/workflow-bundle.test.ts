import { readFileSync } from 'node:fs';
import { runWideBundlePath } from '../support/workflow-bundle';

/**
 * A workflow's modules are initialised for every workflow the worker runs, so what the bundle pulls
 * in is paid per task: zod alone cost each task about 30 ms of worker CPU. Workflow code imports
 * only zod-free modules (contract/key-format.ts, contract/observation.ts...).
 */
describe('the workflow bundle', () => {
  let modules: string[];

  beforeAll(() => {
    // The bundle every other test runs (built once by global setup), read rather than built again.
    const code = readFileSync(runWideBundlePath(), 'utf8');
    modules = [...code.matchAll(/\/\*\*\*\/ "\.\/([^"]+)"/g)].map((m) => m[1]!);
  });

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
