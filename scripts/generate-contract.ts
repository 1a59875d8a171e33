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

const dir = path.resolve(__dirname, '..', 'contract');
for (const [name, content] of Object.entries(contractFiles())) {
  writeFileSync(path.join(dir, name), content);
  process.stdout.write(`wrote contract/${name}\n`);
}
