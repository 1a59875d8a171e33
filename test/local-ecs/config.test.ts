import { DescribeTaskDefinitionCommand, RunTaskCommand } from '@aws-sdk/client-ecs';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadLocalEcsConfig, LocalEcsConfigError } from '../../src/dev/local-ecs';
import { ecsClientFor, isStopped, node, startTestEcs, waitForTask } from './helpers';

describe('local ECS config file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'local-ecs-config-'));
  const write = (name: string, content: unknown): string => {
    const path = join(dir, name);
    writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
    return path;
  };

  it('loads clusters, task definitions, faults and timings, resolving logDir against the file', async () => {
    const path = write('good.json', {
      region: 'eu-west-1',
      accountId: '123456789012',
      logDir: 'logs',
      lifecycle: { provisioningMs: 10, pendingMs: 10, deactivatingMs: 5, deprovisioningMs: 5 },
      clusters: ['airflow-cluster', { name: 'tagged', tags: [{ key: 'team', value: 'data' }] }],
      taskDefinitions: [{ family: 'worker', containerDefinitions: [{ name: 'main', image: 'x', entryPoint: [process.execPath], command: ['-e', 'process.exit(4)'] }] }],
      faults: { families: { worker: { slowProvisioning: { extraMs: 5 } } } },
    });
    const config = await loadLocalEcsConfig(path);
    expect(config.logDir).toBe(join(dir, 'logs'));

    const ecs = await startTestEcs({ config: path, logDir: undefined });
    const client = ecsClientFor(ecs);
    try {
      expect(ecs.logDir).toBe(join(dir, 'logs'));
      const out = await client.send(new RunTaskCommand({ cluster: 'airflow-cluster', taskDefinition: 'worker:1' }));
      const taskArn = out.tasks?.[0]?.taskArn as string;
      expect(taskArn).toMatch(/^arn:aws:ecs:eu-west-1:123456789012:task\/airflow-cluster\//);
      const { task } = await waitForTask(client, taskArn, isStopped, { cluster: 'airflow-cluster' });
      expect(task.containers?.[0]?.exitCode).toBe(4);
      expect(ecs.stats().faultsInjected.slowProvisioning).toBe(1);
      // The built-in family is still there next to the declared ones.
      const builtIn = await client.send(new DescribeTaskDefinitionCommand({ taskDefinition: 'airflow' }));
      expect(builtIn.taskDefinition?.containerDefinitions?.[0]?.name).toBe('airflow');
    } finally {
      client.destroy();
      await ecs.stop();
    }
  });

  it('lets a declared `airflow` family replace the built-in one', async () => {
    const ecs = await startTestEcs({ config: { taskDefinitions: [{ family: 'airflow', containerDefinitions: [{ name: 'base', image: 'x', command: node('') }] }] } });
    const client = ecsClientFor(ecs);
    try {
      const td = await client.send(new DescribeTaskDefinitionCommand({ taskDefinition: 'airflow' }));
      expect(td.taskDefinition).toMatchObject({ revision: 1, containerDefinitions: [expect.objectContaining({ name: 'base' })] });
    } finally {
      client.destroy();
      await ecs.stop();
    }
  });

  it('names the file and every invalid field', async () => {
    const path = write('bad.json', { clusters: [''], lifecycle: { pendingMs: -1 }, taskDefinitions: [{ family: 'f', containerDefinitions: [] }], typo: 1 });
    const error = await loadLocalEcsConfig(path).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LocalEcsConfigError);
    const message = (error as Error).message;
    expect(message).toContain(path);
    expect(message).toContain('lifecycle.pendingMs');
    expect(message).toContain('taskDefinitions.0.containerDefinitions: Container definitions should not be null or empty.');
    expect(message).toContain('typo');
  });

  it('holds explicit options to the same rules as the file, timers included', async () => {
    const error = await startTestEcs({ lifecycle: { pendingMs: -1 }, stopTimeoutMs: 2 ** 31, accountId: '42' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LocalEcsConfigError);
    const message = (error as Error).message;
    expect(message).toContain('Invalid startLocalEcs options:');
    expect(message).toContain('lifecycle.pendingMs');
    expect(message).toContain('stopTimeoutMs: at most 2147483647 ms (about 24.8 days), the longest a timer can wait');
    expect(message).toContain('accountId: accountId must be 12 digits');
  });

  it('lets explicit options win over the file, one lifecycle delay at a time', async () => {
    const ecs = await startTestEcs({
      config: { execution: 'scripted', lifecycle: { provisioningMs: 5_000, pendingMs: 10, deactivatingMs: 10, deprovisioningMs: 10 }, region: 'eu-west-1' },
      lifecycle: { provisioningMs: 10 },
    });
    const client = ecsClientFor(ecs);
    try {
      expect(ecs.region).toBe('eu-west-1');
      const out = await client.send(new RunTaskCommand({ taskDefinition: 'airflow', overrides: { containerOverrides: [{ name: 'airflow', command: ['true'] }] } }));
      const { task } = await waitForTask(client, out.tasks?.[0]?.taskArn as string, isStopped);
      // PENDING began after the option's 10 ms, not the file's 5 s.
      expect((task.pullStartedAt as Date).getTime() - (task.createdAt as Date).getTime()).toBeLessThan(5_000);
      expect(task.containers?.[0]?.exitCode).toBe(0);
    } finally {
      client.destroy();
      await ecs.stop();
    }
  });

  it('reports unreadable and non-JSON files clearly', async () => {
    await expect(loadLocalEcsConfig(join(dir, 'missing.json'))).rejects.toThrow(/Cannot read local ECS config file .*missing\.json/);
    await expect(loadLocalEcsConfig(write('broken.json', '{ nope'))).rejects.toThrow(/broken\.json is not valid JSON/);
  });
});
