import type { Command } from 'commander';
import type { TaskCommand } from '../../client';
import { UsageError } from '../../errors';
import { withClient } from '../context';
import { printJson, type CliIo } from '../io';
import { ExitCode } from '../exit-codes';
import { parseJson, parseKey, withKeyOptions, withTemporalOptions, type KeyOptions, type TemporalOptions } from '../options';

interface SubmitOptions extends KeyOptions, TemporalOptions {
  workload?: string;
  queue?: string;
  executorConfig?: string;
  wait?: boolean;
  json?: boolean;
}

export function registerSubmit(program: Command, io: CliIo): void {
  withTemporalOptions(
    withKeyOptions(
      program
        .command('submit')
        .description("Submit a task instance (Airflow's execute_async); the same key again attaches to the first submission")
        .argument('[command...]', 'the command to run in the container (after --)')
        .option('--workload <json>', 'an Airflow 3 workload (ExecuteTask or ExecuteCallback) as JSON, run by execute_workload')
        .option('--queue <name>', 'Airflow queue')
        .option('--executor-config <json>', 'per-task executor_config: RunTask arguments merged over the template')
        .option('--wait', 'wait for the task to finish; exit 1 when it failed')
        .option('--json', 'print JSON (one document, with the result when --wait)'),
    ),
  ).action(async (command: string[], options: SubmitOptions) => {
    if (options.workload !== undefined && command.length > 0) throw new UsageError('give either --workload or a command after --, not both');
    const what: TaskCommand | undefined = options.workload !== undefined ? { workload: options.workload } : command.length > 0 ? command : undefined;
    if (what === undefined) throw new UsageError('no command: give the command after -- or --workload <json>');
    const key = parseKey(options);
    const executorConfig = parseJson('--executor-config', options.executorConfig, '{"overrides": {"memory": "4096"}}');
    await withClient(options, async (client) => {
      const submitted = await client.executeAsync(key, what, options.queue, executorConfig);
      const result = options.wait ? await client.result(key) : undefined;
      if (options.json) printJson(io, result === undefined ? submitted : { ...submitted, result });
      else {
        io.out(`${submitted.attached ? 'attached to' : 'submitted'} ${submitted.workflowId}\n`);
        if (result) io.out(`${result.state}: ${result.reason}\n`);
      }
      if (result && result.state !== 'SUCCESS') io.exitCode = ExitCode.FAILED;
    });
  });
}
