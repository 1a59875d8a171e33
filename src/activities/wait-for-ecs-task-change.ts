import { CancelledFailure, Context } from '@temporalio/activity';
import { z } from 'zod';
import type { DescribeOutcome } from '../ecs/describe-batcher';
import { classifyEcsError, describeEcsError } from '../ecs/errors';
import type { EcsTaskSnapshot } from '../types';
import type { WaitForEcsTaskChangeInput, WaitForEcsTaskChangeResult } from './contracts';
import type { EcsActivityDeps } from './index';
import { apiFailure, credentialsFailure, transientFailure } from './errors';

/** What each heartbeat records, so a retried attempt (new worker, say) resumes the same wait. */
const waitHeartbeatSchema = z.object({
  lastSeenStatus: z.string().optional(),
  polls: z.number().int().min(0),
  /** When the first attempt started: maxWaitMs counts from here across attempts. */
  waitingSince: z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'waitingSince must be an ISO date'),
});
export type WaitHeartbeat = z.infer<typeof waitHeartbeatSchema>;

function failureReason(failure: { reason: string; detail?: string }): string {
  return failure.detail !== undefined ? `${failure.reason}: ${failure.detail}` : failure.reason;
}

/**
 * Polls DescribeTasks (through the worker's shared batcher) until the task's lastStatus differs
 * from `knownStatus`, ECS reports the task under `failures`, or `maxWaitMs` has passed. Every poll
 * heartbeats, which both shows operators the wait is alive and delivers cancellation.
 */
export async function waitForEcsTaskChange(deps: EcsActivityDeps, input: WaitForEcsTaskChangeInput): Promise<WaitForEcsTaskChangeResult> {
  const ctx = Context.current();
  const log = deps.logger ?? ctx.log;
  const parsed = waitHeartbeatSchema.safeParse(ctx.info.heartbeatDetails);
  const resumed = parsed.success ? parsed.data : undefined;
  const waitingSince = resumed?.waitingSince ?? new Date().toISOString();
  const deadline = Date.parse(waitingSince) + deps.maxWaitMs;
  let polls = resumed?.polls ?? 0;
  let lastSeenStatus = resumed?.lastSeenStatus;
  let latestTask: EcsTaskSnapshot | undefined;
  let lastError: unknown;
  // The caller usually just saw knownStatus, so the first poll waits one interval. Poll at once
  // when there is nothing to compare with (adoption), or when resuming an earlier attempt, which
  // may already have seen the change (lastSeenStatus) before it died.
  let pollNow = input.knownStatus === undefined || resumed !== undefined;
  const details = (): WaitHeartbeat => ({ polls, waitingSince, ...(lastSeenStatus !== undefined ? { lastSeenStatus } : {}) });

  for (;;) {
    // Between polls the wait joins the worker's shared poll tick for the cluster, so all waits
    // cost one DescribeTasks round per interval together.
    const poll = pollNow
      ? deps.batcher.describe(input.cluster, input.taskArn)
      : deps.batcher.describeAtNextPoll(input.cluster, input.taskArn, deps.pollIntervalMs);
    pollNow = false;
    polls += 1;

    let outcome: DescribeOutcome | undefined;
    const beat = keepHeartbeating(ctx, details());
    try {
      // Racing `cancelled` lets a cancellation through while the shared batcher call is in flight.
      outcome = await Promise.race([poll, ctx.cancelled]);
    } catch (err) {
      if (err instanceof CancelledFailure) throw err;
      const errorClass = classifyEcsError(err);
      if (errorClass === 'permanent') {
        throw apiFailure(`DescribeTasks for ${input.taskArn} on cluster "${input.cluster}"`, err, { nonRetryable: false });
      }
      // Throttling, outages and expired credentials pass; the wait goes on rather than failing.
      if (errorClass === 'credentials') deps.ecs.reset();
      lastError = err;
      log.warn(`DescribeTasks for ${input.taskArn} failed (${describeEcsError(err)}); still waiting`, {
        cluster: input.cluster,
        taskArn: input.taskArn,
        errorClass,
        polls,
      });
    } finally {
      clearInterval(beat);
    }

    if (outcome !== undefined && 'task' in outcome) {
      latestTask = outcome.task;
      lastSeenStatus = outcome.task.lastStatus;
    }
    ctx.heartbeat(details());

    if (outcome !== undefined && 'failure' in outcome) return { kind: 'missing', reason: failureReason(outcome.failure) };
    if (outcome !== undefined && outcome.task.lastStatus !== input.knownStatus) return { kind: 'changed', task: outcome.task };

    if (Date.now() >= deadline) {
      if (latestTask !== undefined) return { kind: 'unchanged', task: latestTask };
      // No poll of this attempt succeeded: fail retryably instead of waiting unbounded. The retry
      // resumes from the heartbeat, so it polls once at once.
      const operation = `DescribeTasks for ${input.taskArn} (no answer within ${deps.maxWaitMs} ms)`;
      throw classifyEcsError(lastError) === 'credentials'
        ? credentialsFailure(operation, lastError)
        : transientFailure(operation, lastError);
    }
  }
}

/**
 * Long poll intervals still heartbeat often enough for the workflow's heartbeat timeout (30 s),
 * so a slow poll is never mistaken for a dead worker.
 */
const HEARTBEAT_EVERY_MS = 10_000;

function keepHeartbeating(ctx: Context, details: WaitHeartbeat): NodeJS.Timeout {
  return setInterval(() => ctx.heartbeat(details), HEARTBEAT_EVERY_MS);
}
