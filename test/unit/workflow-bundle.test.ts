import { readFileSync } from 'node:fs';
import { runWideBundlePath } from '../support/workflow-bundle';

/**
 * What the bundle pulls in is loaded by every worker and kept in its memory. Before workflow
 * modules were shared (src/temporal/workflow-bundle.ts) they were initialised for every workflow the
 * worker ran, and zod alone cost each task about 30 ms of worker CPU. Workflow code imports only
 * zod-free modules (contract/key-format.ts, contract/observation.ts...).
 */
describe('the workflow bundle', () => {
  let code: string;
  let modules: string[];

  beforeAll(() => {
    // The bundle every other test runs (built once by global setup), read rather than built again.
    code = readFileSync(runWideBundlePath(), 'utf8');
    modules = [...code.matchAll(/\/\*\*\*\/ "\.\/([^"]+)"/g)].map((m) => m[1]!);
  });

  it('loads our workflows once per worker, before any workflow runs, so that every workflow shares their modules', () => {
    // The SDK calls this hook once, when it sets up the worker's one V8 context.
    const preload = /exports\.preloadModules = function preloadModules\(\) \{([^}]*)\}/.exec(code)?.[1];
    expect(preload).toContain('__webpack_require__(');
    expect(preload).toContain('"./src/workflows/index.ts"');
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
