import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import type { LocalEcs } from '../../src/dev/local-ecs';
import { startTestEcs } from './helpers';

const repoRoot = resolve(__dirname, '..', '..');
const python = join(repoRoot, '.cache', 'venv', 'bin', 'python');

interface Boto3Error {
  code: string;
  message: string;
  status: number;
  requestId: string | null;
}

/** What boto3 parsed from the local endpoint (see boto3_check.py). */
interface Boto3Result {
  run: { taskArn: string; lastStatus: string; createdAtType: string; failures: unknown[]; requestId: string | null };
  running: { lastStatus: string; startedAtType: string };
  stop: { desiredStatus: string; stopCode: string };
  stopped: { lastStatus: string; stopCode: string; stoppedReason: string; exitCode: number; stoppedAtType: string };
  missing: Array<{ arn: string; reason: string }>;
  listed: string[];
  clusters: { names: string[]; failures: Array<{ arn: string; reason: string }> };
  errors: { stopUnknown: Boto3Error; runUnknownCluster: Boto3Error; describeTooMany: Boto3Error };
}

describe('local ECS wire compatibility with boto3', () => {
  let ecs: LocalEcs;

  beforeAll(async () => {
    ecs = await startTestEcs();
  });
  afterAll(async () => {
    await ecs.stop();
  });

  it('serves RunTask, DescribeTasks, StopTask, ListTasks, DescribeClusters and errors as boto3 expects', async () => {
    if (!existsSync(python)) {
      throw new Error(`boto3's virtualenv is missing (${python}): run \`npm run setup\` to create it, then run the tests again.`);
    }
    const command = [process.execPath, '-e', 'setInterval(() => {}, 1000)'];
    const { stdout } = await promisify(execFile)(python, [join(__dirname, 'boto3_check.py'), ecs.url, JSON.stringify(command)], { timeout: 60_000 }).catch(
      (err: Error & { stderr?: string }) => {
        throw new Error(`boto3_check.py failed (if boto3 is not installed, run \`npm run setup\`):\n${err.stderr ?? err.message}`);
      },
    );
    const seen = JSON.parse(stdout) as Boto3Result;

    expect(seen.run).toMatchObject({ lastStatus: 'PROVISIONING', createdAtType: 'datetime', failures: [] });
    expect(seen.run.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(seen.running).toEqual({ lastStatus: 'RUNNING', startedAtType: 'datetime' });
    expect(seen.stop).toEqual({ desiredStatus: 'STOPPED', stopCode: 'UserInitiated' });
    expect(seen.stopped).toEqual({ lastStatus: 'STOPPED', stopCode: 'UserInitiated', stoppedReason: 'stopped by boto3', exitCode: 143, stoppedAtType: 'datetime' });
    expect(seen.missing).toEqual([{ arn: 'b'.repeat(32), reason: 'MISSING' }]);
    expect(seen.listed).toEqual([seen.run.taskArn]);
    expect(seen.clusters).toEqual({ names: ['default'], failures: [{ arn: 'arn:aws:ecs:us-east-1:000000000000:cluster/ghost', reason: 'MISSING' }] });
    expect(seen.errors.stopUnknown).toMatchObject({ code: 'InvalidParameterException', message: 'The referenced task was not found.', status: 400 });
    expect(seen.errors.runUnknownCluster).toMatchObject({ code: 'ClusterNotFoundException', message: 'Cluster not found.', status: 400 });
    expect(seen.errors.describeTooMany).toMatchObject({ code: 'InvalidParameterException', message: 'taskIds can have at most 100 items.' });
  });
});
