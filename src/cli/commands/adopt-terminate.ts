import type { Command } from 'commander';
import { adoptedTaskInputSchema } from '../../contract/inputs';
import { DEFAULT_TERMINATE_REASON } from '../../contract/messages';
import { NotFoundError, UsageError } from '../../errors';
import { withClient } from '../context';
import type { CliIo } from '../io';
import { hasKey, parseKey, withKeyOptions, withTemporalOptions, type KeyOptions, type TemporalOptions } from '../options';

export function registerAdoptAndTerminate(program: Command, io: CliIo): void {
  withTemporalOptions(
    withKeyOptions(
      program
        .command('adopt')
        .description("Adopt a running ECS task after a scheduler restart (Airflow's try_adopt_task_instances); exit 3 when not adopted")
        .requiredOption('--arn <taskArn>', "the ECS task ARN (Airflow's external_executor_id)"),
    ),
  ).action(async (options: KeyOptions & TemporalOptions & { arn: string }) => {
    const arn = adoptedTaskInputSchema.shape.taskArn.safeParse(options.arn);
    if (!arn.success) throw new UsageError(`--arn "${options.arn}": ${arn.error.issues[0]?.message}`);
    const key = parseKey(options);
    await withClient(options, async (client) => {
      const notAdopted = await client.tryAdoptTaskInstances([{ key, externalExecutorId: options.arn }]);
      if (notAdopted.length > 0) throw new NotFoundError(`not adopted: ECS does not know ${options.arn} (or it stopped over an hour ago)`);
      io.out(`adopted ${options.arn}\n`);
    });
  });

  withTemporalOptions(
    withKeyOptions(program.command('terminate').description('Stop one task (key flags) or, with --all, every running task of this executor, then wait for them to end'))
      .option('--all', "every running task of this executor (Airflow's terminate())")
      .option('--reason <text>', 'StopTask reason', DEFAULT_TERMINATE_REASON),
  ).action(async (options: KeyOptions & TemporalOptions & { all?: boolean; reason: string }) => {
    if (options.all && hasKey(options)) throw new UsageError('give either a key or --all, not both');
    if (!options.all && !hasKey(options)) throw new UsageError('give --dag-id, --task-id and --run-id for one task, or --all');
    const key = options.all ? undefined : parseKey(options);
    await withClient(options, async (client) => {
      if (key === undefined) {
        await client.terminate(options.reason, { pollIntervalMs: 1000 });
        io.out('every running task is terminated\n');
        return;
      }
      await client.terminateTask(key, options.reason);
      const result = await client.result(key);
      io.out(`${result.state}: ${result.reason}\n`);
    });
  });
}
