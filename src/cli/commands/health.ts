import type { Command } from 'commander';
import { loadExecutorConfig, loadRuntimeConfig } from '../../settings';
import type { CliContext } from '../context';
import { ExitCode } from '../exit-codes';

export function registerHealth(program: Command, { io }: CliContext): void {
  program
    .command('health')
    .summary("check ECS with the worker's settings (Airflow's check_health)")
    .description("Airflow's check_health, run from here against ECS with the worker's settings (cluster, region, credentials); exit 0 healthy, 1 unhealthy")
    .action(async () => {
      const runtime = loadRuntimeConfig();
      const executor = loadExecutorConfig();
      // The AWS SDK loads only for the commands that call AWS.
      const [{ EcsClientProvider }, { checkEcsHealth }] = await Promise.all([import('../../ecs/ecs-client'), import('../../ecs/health')]);
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
