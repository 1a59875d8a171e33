import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * What setup and the demo promise a new user (issue 9, items 23, 24 and 26): the runtime the
 * suite runs on, what the demo installs, and setup's progress lines.
 */
const repoRoot = path.resolve(__dirname, '../..');
const progressSh = path.join(repoRoot, 'scripts/lib/progress.sh');

describe('the runtime (issue 9, item 26)', () => {
  it('is Node 24 or newer, as package.json and .nvmrc ask, and setup installs it when the machine has an older one', () => {
    const pkg = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { engines: { node: string } };
    expect(pkg.engines.node).toBe('>=24');
    expect(readFileSync(path.join(repoRoot, '.nvmrc'), 'utf8').trim()).toBe('24');
    // npm test runs through scripts/lib/node.sh: this very process is the Node it chose.
    expect(Number(process.versions.node.split('.')[0])).toBeGreaterThanOrEqual(24);
    expect(readFileSync(path.join(repoRoot, 'scripts/versions.env'), 'utf8')).toMatch(/^SETUP_NODE_VERSION=24\.\d+\.\d+$/m);
  });
});

describe('the demo (issue 9, item 23)', () => {
  it('sets up only what it runs: Node, npm packages and the Temporal CLI, never Java, Maven or the test server', () => {
    const demo = readFileSync(path.join(repoRoot, 'scripts/demo.sh'), 'utf8');
    const setupCalls = demo.split('\n').filter((line) => line.includes('scripts/setup.sh'));
    expect(setupCalls).toEqual([expect.stringMatching(/scripts\/setup\.sh" node npm temporal-cli$/)]);
    expect(demo).not.toMatch(/mvn|java|temporal-test-server/i);
  });
});

describe("setup's progress (issue 9, item 24)", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'progress-test-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  /** Runs `with_progress`/`run_progress` with a 1 s tick; stderr goes to a file the command can read (its gate). */
  function runStep(fn: 'with_progress' | 'run_progress', label: string, script: string) {
    const err = path.join(dir, 'stderr');
    const result = spawnSync(
      'bash',
      ['-c', `source "$PROGRESS_SH"; progress_every=1; ${fn} "$LABEL" bash -c "$STEP_SCRIPT" 2>>"$ERR"; echo "rc=$?"`],
      { env: { ...process.env, PROGRESS_SH: progressSh, LABEL: label, STEP_SCRIPT: script, ERR: err }, encoding: 'utf8', timeout: 60_000 },
    );
    const logFile = path.join(repoRoot, '.cache/logs', `${label.replace(/[^A-Za-z0-9._-]+/g, '-')}.log`);
    rmSync(logFile, { force: true });
    return { stdout: result.stdout, stderr: readFileSync(err, 'utf8') };
  }

  it('says what it is doing at once, then the elapsed time and the latest output line, without escape codes', () => {
    const label = `progress-test-${process.pid}`;
    // The gate: the step ends once a progress line with its own output has been printed.
    const { stdout, stderr } = runStep(
      'with_progress',
      label,
      `printf '\\033[1;32mcompiling module 7\\033[0m\\n'; for i in $(seq 600); do grep -q 'compiling module 7)' "$ERR" && exit 0; sleep 0.05; done; exit 9`,
    );
    expect(stdout.trim()).toBe('rc=0');
    const lines = stderr.trim().split('\n');
    expect(lines[0]).toBe(`[setup] ${label}…`);
    expect(lines.slice(1)).toContainEqual(expect.stringMatching(new RegExp(`^\\[setup\\] ${label}… \\d+ s  \\(compiling module 7\\)$`)));
    expect(stderr).not.toContain('\x1b');
  });

  it('on failure, says after how long and with which exit code, and shows the output tail without escape codes', () => {
    const label = `progress-test-fail-${process.pid}`;
    const { stdout, stderr } = runStep('run_progress', label, `printf '\\033[31merror: no such module\\033[0m\\n'; exit 3`);
    expect(stdout.trim()).toBe('rc=3');
    expect(stderr).toMatch(new RegExp(`\\[setup\\] FAILED after \\d+ s \\(exit code 3\\): ${label}`));
    expect(stderr).toContain('  | error: no such module');
    expect(stderr).not.toContain('\x1b');
  });
});
