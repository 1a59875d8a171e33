/**
 * Writes contract/*.json from the TypeScript sources of the workflow contract: the JSON schemas of
 * the workflow inputs, every name a client needs (workflow types, signals, queries, search
 * attributes, failure types, workflow ID prefixes) and test vectors of workflow IDs. The Python
 * executor package loads and is tested against these files; test/unit/contract-files.test.ts
 * fails when they are stale. Run: `npx ts-node --transpile-only scripts/generate-contract.ts`.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { contractFiles } from '../src/contract/generate';

// contract/ for readers and tests; the Python package ships its own copy (package data).
const dirs = ['contract', 'python/src/temporal_ecs_executor/contract'];
for (const dir of dirs) {
  for (const [name, content] of Object.entries(contractFiles())) {
    writeFileSync(path.resolve(__dirname, '..', dir, name), content);
    process.stdout.write(`wrote ${dir}/${name}\n`);
  }
}
