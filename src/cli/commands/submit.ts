import type { Command } from 'commander';
import type { TaskCommand } from '../../client';
import { UsageError } from '../../errors';
import { loadRuntimeConfig } from '../../settings';
import type { CliContext } from '../context';
import { ExitCode } from '../exit-codes';
import { printJson } from '../io';
import { parseJson, parseKey, withKeyOptions, withTemporalOptions, type KeyOptions, type TemporalOptions } from '../options';
import { resultSayingWhenNoWorker } from '../workers';

interface SubmitOptions extends KeyOptions, TemporalOptions {
  workload?: string;
  queue?: string;
  executorConfig?: string;
  wait?: boolean;
  json?: boolean;
}

export function registerSubmit(program: Command, { io, withClient }: CliContext): void {
  withTemporalOptions(
    withKeyOptions(
      program
        .command('submit')
        .summary("submit a task instance (Airflow's execute_async)")
        .description(
          "Submit a task instance (Airflow's execute_async); the same key again attaches to the first submission. " +
            'Needs no AWS settings: the worker builds the RunTask input',
        )
        .argument('[command...]', 'the command to run in the container, exec form (after --, e.g. -- airflow tasks run ...)')
        .option('--workload <json>', 'an Airflow 3 workload (ExecuteTask or ExecuteCallback) as JSON, run by execute_workload')
        .option('--queue <name>', "Airflow queue: kept in the workflow input; as with Airflow's ECS executor, it does not choose where the task runs")
        .option('--executor-config <json>', "per-task executor_config: RunTask arguments merged over the worker's template, checked against RunTask's shape here")
        .option('--wait', 'wait for the task to finish; exit 1 when it failed')
        .option('--json', 'print JSON (one document, with the result when --wait)'),
    ),
  ).action(async (command: string[], options: SubmitOptions) => {
    if (options.workload !== undefined && command.length > 0) throw new UsageError('give either --workload or a command after --, not both');
    const what: TaskCommand | undefined = options.workload !== undefined ? { workload: options.workload } : command.length > 0 ? command : undefined;
    if (what === undefined) throw new UsageError('no command: give the command after -- or --workload <json>');
    const key = parseKey(options);
    const executorConfig = parseJson('--executor-config', options.executorConfig, '{"overrides": {"memory": "4096"}}');
    // The whole task is checked as the client checks it (command, executor_config shape, workflow ID length) before connecting.
    const { buildTaskInput } = await import('../../client/submit');
    buildTaskInput({ key, command: what, queue: options.queue, executorConfig }, loadRuntimeConfig().executorName);
    await withClient(options, async (client) => {
      const submitted = await client.executeAsync(key, what, options.queue, executorConfig);
      if (submitted.warning !== undefined) io.err(`warning: ${submitted.warning}\n`);
      if (!options.json) io.out(`${submitted.attached ? 'attached to' : 'submitted'} ${submitted.workflowId}\n`);
      if (!options.wait) {
        if (options.json) printJson(io, submitted);
        return;
      }
      // The client warned already when no worker polled at submit; otherwise say so if the wait stalls.
      const result = submitted.warning !== undefined ? await client.result(key) : await resultSayingWhenNoWorker(io, client, key);
      if (options.json) printJson(io, { ...submitted, result });
      else io.out(`${result.state}: ${result.reason}\n`);
      if (result.state !== 'SUCCESS') io.exitCode = ExitCode.FAILED;
    });
  });
}
