import { Option, type Command } from 'commander';
import { AIRFLOW_STATES } from '../../types';
import { withClient } from '../context';
import { formatList } from '../format';
import { printJson, type CliIo } from '../io';
import { wholeNumber, withTemporalOptions, type TemporalOptions } from '../options';

interface ListOptions extends TemporalOptions {
  state?: string;
  dagId?: string;
  runId?: string;
  arn?: string;
  running?: boolean;
  limit: string;
  json?: boolean;
}

export function registerList(program: Command, io: CliIo): void {
  withTemporalOptions(
    program
      .command('list')
      .description("This executor's task workflows and adopted trackers, newest first")
      .addOption(new Option('--state <state>', 'only tasks in this Airflow state').choices(AIRFLOW_STATES))
      .option('--dag-id <id>', 'only this DAG')
      .option('--run-id <id>', 'only this DAG run')
      .option('--arn <taskArn>', 'only the task that ran (any attempt) as this ECS task')
      .option('--running', 'only running workflows')
      .option('--limit <n>', 'at most this many rows (1 or more)', '50')
      .option('--json', 'print JSON'),
  ).action(async (options: ListOptions) => {
    const limit = wholeNumber('--limit', options.limit, { min: 1 });
    await withClient(options, async (client) => {
      const rows = await client.list(
        {
          ...(options.state !== undefined ? { state: options.state } : {}),
          ...(options.dagId !== undefined ? { dagId: options.dagId } : {}),
          ...(options.runId !== undefined ? { runId: options.runId } : {}),
          ...(options.arn !== undefined ? { taskArn: options.arn } : {}),
          ...(options.running ? { running: true } : {}),
        },
        limit,
      );
      if (options.json) printJson(io, rows);
      else io.out(`${formatList(rows)}\n`);
    });
  });
}
