import type { Command } from 'commander';
import { UsageError } from '../../errors';
import { withClient } from '../context';
import { ExitCode } from '../exit-codes';
import { formatStatus } from '../format';
import { printJson, type CliIo } from '../io';
import { hasKey, parseKey, withKeyOptions, withTemporalOptions, type KeyOptions, type TemporalOptions } from '../options';

export function registerStatus(program: Command, io: CliIo): void {
  withTemporalOptions(
    withKeyOptions(
      program
        .command('status')
        .description("One task's state, every attempt (ARN, ECS status, stop code, exit codes, where its output is) and its event log; works for finished tasks without a worker")
        .option('--arn <taskArn>', 'the tracker of an adopted ECS task, instead of a key')
        .option('--json', 'print JSON'),
    ),
  ).action(async (options: KeyOptions & TemporalOptions & { arn?: string; json?: boolean }) => {
    if (options.arn !== undefined && hasKey(options)) throw new UsageError('give either a key or --arn, not both');
    await withClient(options, async (client) => {
      const status = options.arn !== undefined ? await client.trackerStatus(options.arn) : await client.status(parseKey(options));
      if (options.json) printJson(io, status);
      else io.out(`${formatStatus(status)}\n`);
    });
  });

  withTemporalOptions(
    withKeyOptions(program.command('wait').description('Wait for a task to finish; exit 0 on SUCCESS, 1 on FAILED').option('--json', 'print JSON')),
  ).action(async (options: KeyOptions & TemporalOptions & { json?: boolean }) => {
    const key = parseKey(options);
    await withClient(options, async (client) => {
      const result = await client.result(key);
      if (options.json) printJson(io, result);
      else io.out(`${result.state}: ${result.reason}\n`);
      if (result.state !== 'SUCCESS') io.exitCode = ExitCode.FAILED;
    });
  });
}
