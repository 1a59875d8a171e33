import { Option, type Command } from 'commander';
import { AIRFLOW_STATES } from '../../types';
import type { CliContext } from '../context';
import { formatList } from '../format';
import { printJson } from '../io';
import { taskArn, wholeNumber, withTemporalOptions, type TemporalOptions } from '../options';

interface ListOptions extends TemporalOptions {
  state?: string;
  dagId?: string;
  runId?: string;
  arn?: string;
  running?: boolean;
  limit: string;
  json?: boolean;
}

export function registerList(program: Command, { io, withClient }: CliContext): void {
  withTemporalOptions(
    program
      .command('list')
      .summary("this executor's tasks, newest first")
      .description("This executor's (ECS_EXECUTOR_NAME) task workflows and adopted ECS tasks, newest first")
      .addOption(new Option('--state <state>', 'only tasks in this Airflow state').choices(AIRFLOW_STATES))
      .option('--dag-id <id>', 'only this DAG')
      .option('--run-id <id>', 'only this DAG run')
      .option('--arn <taskArn>', 'only the task that ran (any attempt) as this ECS task')
      .option('--running', 'only running workflows')
      .option('--limit <n>', 'at most this many rows (1 or more)', '50')
      .option('--json', 'print JSON'),
  ).action(async (options: ListOptions) => {
    const limit = wholeNumber('--limit', options.limit, { min: 1 });
    const arn = options.arn !== undefined ? taskArn('--arn', options.arn) : undefined;
    await withClient(options, async (client) => {
      const rows = await client.list(
        {
          ...(options.state !== undefined ? { state: options.state } : {}),
          ...(options.dagId !== undefined ? { dagId: options.dagId } : {}),
          ...(options.runId !== undefined ? { runId: options.runId } : {}),
          ...(arn !== undefined ? { taskArn: arn } : {}),
          ...(options.running ? { running: true } : {}),
        },
        limit,
      );
      if (options.json) printJson(io, rows);
      else io.out(`${formatList(rows)}\n`);
    });
  });
}
