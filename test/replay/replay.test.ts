import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Worker } from '@temporalio/worker';
import { runWideBundle } from '../support/workflow-bundle';

/**
 * Histories recorded from real runs (scripts/record-replay-histories.ts) replayed against today's
 * workflow code: a change that would break a running workflow (a nondeterminism error) fails here.
 * A deliberate change of workflow behaviour goes behind `patched()` (see docs/design.md, "Changing
 * workflows"); these files are re-recorded only then, never to make this test pass.
 */
const DIR = __dirname;
const histories = readdirSync(DIR)
  .filter((f) => f.endsWith('.json'))
  .sort();

describe('replaying recorded histories', () => {
  const bundle = runWideBundle();

  it('has the scenarios the design promises to keep', () => {
    expect(histories).toEqual([
      'adoption.json',
      'launch-refused-then-backoff.json',
      'missing-then-relaunch.json',
      'relaunch-after-exit-1.json',
      'success.json',
      'terminate-while-running.json',
    ]);
  });

  it.each(histories)('replays %s without a nondeterminism error', async (file) => {
    const history: unknown = JSON.parse(readFileSync(path.join(DIR, file), 'utf8'));
    await Worker.runReplayHistory({ workflowBundle: bundle }, history, path.basename(file, '.json'));
  });
});
