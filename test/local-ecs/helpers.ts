import { DescribeTasksCommand, ECSClient, type RunTaskCommandInput, type Task } from '@aws-sdk/client-ecs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalEcs, type LocalEcs, type LocalEcsOptions } from '../../src/dev/local-ecs';

/** Short lifecycle delays so a task goes PROVISIONING → STOPPED in well under a second. */
const FAST_LIFECYCLE = { provisioningMs: 20, pendingMs: 20, deactivatingMs: 10, deprovisioningMs: 10 };

/** `node -e <script>`: a command that exists on every machine running these tests. */
export const node = (script: string): string[] => [process.execPath, '-e', script];

export async function startTestEcs(options: LocalEcsOptions = {}): Promise<LocalEcs> {
  return startLocalEcs({ lifecycle: FAST_LIFECYCLE, logDir: mkdtempSync(join(tmpdir(), 'local-ecs-test-')), ...options });
}

/** RunTask input for the default `airflow` family running `command`. */
export const withCommand = (command: string[], extra: Omit<RunTaskCommandInput, 'taskDefinition'> = {}): RunTaskCommandInput => ({
  taskDefinition: 'airflow',
  overrides: { containerOverrides: [{ name: 'airflow', command }] },
  ...extra,
});

/** The promise's outcome so far, without waiting: lets a test assert that a held call has not been answered. */
export function track<T>(promise: Promise<T>): { readonly settled: boolean; readonly promise: Promise<T> } {
  const state = { settled: false, promise };
  const settle = (): void => {
    state.settled = true;
  };
  void promise.then(settle, settle);
  return state;
}

export function ecsClientFor(ecs: LocalEcs, maxAttempts = 1): ECSClient {
  return new ECSClient({
    region: 'us-east-1',
    endpoint: ecs.url,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts,
  });
}

export async function describeTask(client: ECSClient, taskArn: string, cluster?: string): Promise<Task | undefined> {
  const out = await client.send(new DescribeTasksCommand({ cluster, tasks: [taskArn] }));
  return out.tasks?.[0];
}

/**
 * Polls DescribeTasks until `done` holds, and returns the last task plus every lastStatus seen on
 * the way (in order, without repeats). Fails after `timeoutMs` with the last state in the message.
 */
export async function waitForTask(
  client: ECSClient,
  taskArn: string,
  done: (task: Task) => boolean,
  { timeoutMs = 10_000, cluster }: { timeoutMs?: number; cluster?: string } = {},
): Promise<{ task: Task; seen: string[] }> {
  const deadline = Date.now() + timeoutMs;
  const seen: string[] = [];
  let last: Task | undefined;
  while (Date.now() < deadline) {
    last = await describeTask(client, taskArn, cluster);
    const status = last?.lastStatus;
    if (status !== undefined && seen[seen.length - 1] !== status) seen.push(status);
    if (last && done(last)) return { task: last, seen };
    await sleep(5);
  }
  throw new Error(`task ${taskArn} did not reach the expected state within ${timeoutMs} ms; last seen: ${JSON.stringify(last)}`);
}

export const isStopped = (task: Task): boolean => task.lastStatus === 'STOPPED';

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Whether a process with this pid exists (signal 0 probes without killing). */
export function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
