import { measureEndpointCeiling } from '../../src/dev/local-ecs';
import { startTestEcs } from './helpers';

describe('measureEndpointCeiling (the endpoint\'s own ceiling, for the benchmark)', () => {
  it('measures a fresh in-process scripted endpoint: RunTask and DescribeTasks(100) rates and CPU per call', async () => {
    const ceiling = await measureEndpointCeiling({ phaseMs: 300, concurrency: 2 });
    expect(ceiling).toMatchObject({ endpoint: 'in-process', concurrency: 2, phaseMs: 300 });
    expect(ceiling.tasksLaunched).toBeGreaterThan(0);
    // Every RunTask launched one task, and the rate is what was counted over the phase.
    expect(ceiling.runTaskPerSecond).toBeCloseTo((ceiling.tasksLaunched / 300) * 1000, 6);
    expect(ceiling.describeTasksPerSecond).toBeGreaterThan(0);
    expect(ceiling.runTaskCpuMs).toBeGreaterThan(0);
    expect(ceiling.describeTasksCpuMs).toBeGreaterThan(0);
  });

  it('measures a running scripted endpoint by URL and stops the tasks it launched there', async () => {
    const ecs = await startTestEcs({ execution: 'scripted' });
    try {
      const ceiling = await measureEndpointCeiling({ url: ecs.url, phaseMs: 200, concurrency: 2 });
      expect(ceiling.endpoint).toBe(ecs.url);
      expect(ecs.stats().tasksLaunched).toBe(ceiling.tasksLaunched);
      expect(ecs.tasks().every((t) => t.desiredStatus === 'STOPPED')).toBe(true);
    } finally {
      await ecs.stop();
    }
  });

  it('refuses a process-mode endpoint, where every RunTask would start a process', async () => {
    const ecs = await startTestEcs();
    try {
      await expect(measureEndpointCeiling({ url: ecs.url, phaseMs: 100 })).rejects.toThrow(`${ecs.url} runs in process mode; measure a scripted-mode endpoint`);
      expect(ecs.stats().calls.RunTask).toBe(0);
    } finally {
      await ecs.stop();
    }
  });
});
