import type { Command } from 'commander';
import { EcsClientProvider } from '../../ecs/ecs-client';
import { checkEcsHealth } from '../../ecs/health';
import { loadExecutorConfig, loadRuntimeConfig } from '../../settings';
import { ExitCode } from '../exit-codes';
import type { CliIo } from '../io';

export function registerHealth(program: Command, io: CliIo): void {
  program
    .command('health')
    .description("Airflow's check_health with the worker's settings (cluster, region, credentials); exit 0 healthy, 1 unhealthy")
    .action(async () => {
      const runtime = loadRuntimeConfig();
      const executor = loadExecutorConfig();
      const ecs = new EcsClientProvider({ region: executor.regionName, endpoint: runtime.endpointUrl, requestTimeoutMs: runtime.ecsCallTimeoutMs });
      try {
        const health = await checkEcsHealth(ecs.get(), executor.cluster);
        io.out(`${health.healthy ? 'healthy' : 'unhealthy'}: ${health.message}\n`);
        if (!health.healthy) io.exitCode = ExitCode.FAILED;
      } finally {
        ecs.reset();
      }
    });
}
