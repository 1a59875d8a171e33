import type { Command } from 'commander';
import { assertWorkerPolls } from '../../client/inspect';
import { DEFAULT_TERMINATE_REASON } from '../../contract/messages';
import { NotFoundError, UsageError } from '../../errors';
import type { CliContext } from '../context';
import { hasKey, parseKey, taskArn, withKeyOptions, withTemporalOptions, type KeyOptions, type TemporalOptions } from '../options';

export function registerAdoptAndTerminate(program: Command, { io, withClient }: CliContext): void {
  withTemporalOptions(
    withKeyOptions(
      program
        .command('adopt')
        .summary("adopt a running ECS task (Airflow's try_adopt_task_instances)")
        .description(
          "Adopt a running ECS task after a scheduler restart (Airflow's try_adopt_task_instances): a worker checks that ECS knows it, " +
            'then tracks it without a RunTask; exit 3 when not adopted',
        )
        .requiredOption('--arn <taskArn>', "the ECS task ARN (Airflow's external_executor_id)"),
    ),
  ).action(async (options: KeyOptions & TemporalOptions & { arn: string }) => {
    const arn = taskArn('--arn', options.arn);
    const key = parseKey(options);
    await withClient(options, async (client) => {
      // A worker describes the ARN and runs the tracker: without one, adoption would wait a minute for nothing.
      await assertWorkerPolls(client.temporal, client.settings.taskQueue);
      const notAdopted = await client.tryAdoptTaskInstances([{ key, externalExecutorId: arn }]);
      if (notAdopted.length > 0) throw new NotFoundError(`not adopted: ECS does not know ${arn} (or it stopped over an hour ago)`);
      io.out(`adopted ${arn}\n`);
    });
  });

  withTemporalOptions(
    withKeyOptions(
      program
        .command('terminate')
        .summary('stop one task, or every running task with --all')
        .description('Stop one task (key flags) or, with --all, every running task of this executor, then wait for them to end; exit 3 when the task is not running'),
    )
      .option('--all', "every running task of this executor (Airflow's terminate())")
      .option('--reason <text>', 'StopTask reason', DEFAULT_TERMINATE_REASON),
  ).action(async (options: KeyOptions & TemporalOptions & { all?: boolean; reason: string }) => {
    if (options.all && hasKey(options)) throw new UsageError('give either a key or --all, not both');
    if (!options.all && !hasKey(options)) throw new UsageError('give --dag-id, --task-id and --run-id for one task, or --all');
    const key = options.all ? undefined : parseKey(options);
    await withClient(options, async (client) => {
      if (key === undefined) {
        const [running] = await client.list({ running: true }, 1);
        if (running === undefined) {
          io.out('no running task to terminate\n');
          return;
        }
        // Signals reach the workflows without a worker, but only a worker stops the ECS tasks: waiting would never end.
        await assertWorkerPolls(client.temporal, client.settings.taskQueue);
        io.err('terminating every running task of this executor, then waiting for them to end...\n');
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
