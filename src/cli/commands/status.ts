import type { Command } from 'commander';
import { UsageError } from '../../errors';
import type { CliContext } from '../context';
import { ExitCode } from '../exit-codes';
import { formatStatus } from '../format';
import { printJson } from '../io';
import { hasKey, parseKey, taskArn, withKeyOptions, withTemporalOptions, type KeyOptions, type TemporalOptions } from '../options';
import { resultSayingWhenNoWorker } from '../workers';

export function registerStatus(program: Command, { io, withClient }: CliContext): void {
  withTemporalOptions(
    withKeyOptions(
      program
        .command('status')
        .summary("one task's state, attempts and event log")
        .description(
          "One task's state, every attempt (ECS task ARN, ECS status, stop code, exit codes, where its output is) and its event log. " +
            'A finished task needs no worker; a running one needs a worker of its queue to answer; exit 3 when not found',
        )
        .option('--arn <taskArn>', 'an adopted ECS task by its ARN, instead of a key')
        .option('--json', 'print JSON'),
    ),
  ).action(async (options: KeyOptions & TemporalOptions & { arn?: string; json?: boolean }) => {
    if (options.arn !== undefined && hasKey(options)) throw new UsageError('give either a key or --arn, not both');
    const arn = options.arn !== undefined ? taskArn('--arn', options.arn) : undefined;
    const key = arn === undefined ? parseKey(options) : undefined;
    await withClient(options, async (client) => {
      const status = key === undefined ? await client.trackerStatus(arn!) : await client.status(key);
      if (options.json) printJson(io, status);
      else io.out(`${formatStatus(status)}\n`);
    });
  });

  withTemporalOptions(
    withKeyOptions(
      program
        .command('wait')
        .summary('wait for a task to finish; exit 1 when it failed')
        .description('Wait for a task (submitted or adopted) to finish and print its outcome; exit 0 on SUCCESS, 1 on FAILED, 3 when not found')
        .option('--json', 'print JSON'),
    ),
  ).action(async (options: KeyOptions & TemporalOptions & { json?: boolean }) => {
    const key = parseKey(options);
    await withClient(options, async (client) => {
      const result = await resultSayingWhenNoWorker(io, client, key);
      if (options.json) printJson(io, result);
      else io.out(`${result.state}: ${result.reason}\n`);
      if (result.state !== 'SUCCESS') io.exitCode = ExitCode.FAILED;
    });
  });
}
