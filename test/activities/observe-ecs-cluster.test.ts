import { DescribeTasksCommand, type DescribeTasksCommandInput, type DescribeTasksCommandOutput, ECSClient, ListTasksCommand, StopTaskCommand, type Task } from '@aws-sdk/client-ecs';
import type { Client } from '@temporalio/client';
import { TypedSearchAttributes, WorkflowNotFoundError } from '@temporalio/common';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import type { ObserverProgress } from '../../src/activities';
import type { ObserverTuning } from '../../src/activities/deps';
import type { EcsObservation } from '../../src/contract/messages';
import { SearchAttributes } from '../../src/contract/search-attributes';
import type { JsonObject } from '../../src/types';
import { eventually } from '../support/eventually';
import { taskArn } from '../ecs/fixtures';
import { activityFixture, mockEnv, NAMESPACE, TASK_QUEUE, workerTemplate } from './helpers';

/**
 * The observer activity against a mocked ECSClient and a fake Temporal client (visibility and
 * signals), so that what it asks ECS and whom it wakes is counted exactly. The end-to-end
 * version, against the dev server and the local ECS endpoint, is test/e2e/observer.test.ts.
 */

const ecsMock = mockClient(ECSClient);
const MARKER = `temporal-ecs-executor/${NAMESPACE}/${TASK_QUEUE}`;

function deferred<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((res) => {
    resolve = res;
  });
  return { promise, resolve };
}

/** The workflows visibility knows, the signals they got, and ECS's tasks. */
class World {
  /** A workflow as visibility lists it, with its current run: a signal to any other run finds that run closed. */
  readonly workflows = new Map<string, { workflowId: string; runId: string; taskArn: string; changedAt: Date; running: boolean }>();
  /** Each signal, with the run ID it named (none when it asked for the current run). */
  readonly signals: { workflowId: string; runId?: string; observation: EcsObservation }[] = [];
  readonly ecsTasks = new Map<string, Task>();
  readonly describeCalls: string[][] = [];
  /** Holds DescribeTasks calls that ask about any of these ARNs until the test releases them. */
  readonly hangFor = new Map<string, ReturnType<typeof deferred<void>>>();
  /** The next DescribeTasks calls that fail with a ServerException. */
  failNext = 0;
  /** The tracked-set read lists nothing (visibility lags behind); owner lookups by ARN still work. */
  listingLags = false;
  /** Holds tracked-set reads until the test releases them (a slow visibility answer); counts those held. */
  holdListing?: ReturnType<typeof deferred<void>>;
  heldListings = 0;
  /** Tracked-set reads the observer has read to the end. */
  listingsRead = 0;

  track(n: number, lastStatus = 'PENDING'): string {
    const arn = taskArn(n);
    const workflowId = `airflow-task/dag/t${n}/r/-1/1`;
    this.workflows.set(workflowId, { workflowId, runId: `run-${n}-1`, taskArn: arn, changedAt: new Date(), running: true });
    this.setStatus(arn, lastStatus);
    return arn;
  }

  setStatus(arn: string, lastStatus: string, extra: Partial<Task> = {}): void {
    const stopped = lastStatus === 'STOPPED';
    this.ecsTasks.set(arn, {
      taskArn: arn,
      lastStatus,
      desiredStatus: stopped ? 'STOPPED' : 'RUNNING',
      ...(lastStatus === 'RUNNING' || stopped ? { startedAt: new Date('2026-12-01T10:00:00Z') } : {}),
      containers: [{ name: 'base', lastStatus, ...(stopped ? { exitCode: 0 } : {}) }],
      ...extra,
    });
  }

  /** The workflow continues as new: a new run, still tracking the same task. */
  continueAsNew(workflowId: string): string {
    const workflow = this.workflows.get(workflowId)!;
    workflow.runId = `${workflow.runId}+`;
    return workflow.runId;
  }

  signalsFor(arn: string): string[] {
    return this.signals.filter((s) => s.observation.taskArn === arn).map((s) => s.observation.kind);
  }

  describedTimes(arn: string): number {
    return this.describeCalls.filter((call) => call.includes(arn)).length;
  }

  client(): Client {
    const info = (w: { workflowId: string; runId: string; taskArn: string; changedAt: Date }) => ({
      workflowId: w.workflowId,
      runId: w.runId,
      typedSearchAttributes: new TypedSearchAttributes([
        { key: SearchAttributes.taskArn, value: w.taskArn },
        { key: SearchAttributes.stateChangedAt, value: w.changedAt },
      ]),
    });
    const list = ({ query }: { query: string }) => {
      const running = [...this.workflows.values()].filter((w) => w.running);
      // Reconciliation asks for the owners of ARNs; the tracked-set read for the cluster's running tasks.
      const asked = query.includes('EcsTaskArns IN') ? new Set([...query.matchAll(/'(arn:[^']+)'/g)].map((m) => m[1])) : undefined;
      const rows = asked === undefined && this.listingLags ? [] : running.filter((w) => asked === undefined || asked.has(w.taskArn)).map(info);
      const hold = asked === undefined ? this.holdListing : undefined;
      const held = () => (this.heldListings += 1);
      const read = () => (this.listingsRead += asked === undefined ? 1 : 0);
      return (async function* () {
        if (hold !== undefined) {
          held();
          await hold.promise;
        }
        yield* rows;
        read();
      })();
    };
    const getHandle = (workflowId: string, runId?: string) => ({
      signal: async (_def: unknown, observation: EcsObservation) => {
        const workflow = this.workflows.get(workflowId);
        const closed = workflow === undefined || !workflow.running || (runId !== undefined && runId !== workflow.runId);
        if (closed) throw new WorkflowNotFoundError('workflow execution already completed', workflowId, runId);
        this.signals.push({ workflowId, runId, observation });
      },
    });
    return { workflow: { list, getHandle } } as unknown as Client;
  }

  mockEcs(): void {
    ecsMock.on(DescribeTasksCommand).callsFake(async (request: DescribeTasksCommandInput): Promise<Partial<DescribeTasksCommandOutput>> => {
      const arns = request.tasks ?? [];
      this.describeCalls.push(arns);
      if (this.failNext > 0) {
        this.failNext -= 1;
        throw Object.assign(new Error('Service Unavailable'), { name: 'ServerException', $fault: 'server', $metadata: { httpStatusCode: 500 } });
      }
      for (const arn of arns) {
        const gate = this.hangFor.get(arn);
        if (gate !== undefined) await gate.promise;
      }
      return {
        tasks: arns.flatMap((arn) => (this.ecsTasks.has(arn) ? [this.ecsTasks.get(arn)!] : [])),
        failures: arns.filter((arn) => !this.ecsTasks.has(arn)).map((arn) => ({ arn, reason: 'MISSING' })),
      };
    });
  }
}

let template: JsonObject;
beforeAll(async () => {
  template = await workerTemplate();
});

beforeEach(() => {
  ecsMock.reset();
});

/** Runs the observer of cluster "airflow" until `stop()`; its heartbeats are kept. */
function runObserver(world: World, tuning: Partial<ObserverTuning> = {}) {
  const fixture = activityFixture(template, {
    temporal: () => world.client(),
    observer: { pollIntervalMs: 25, fullRefreshMs: 60_000, reconcileMs: 60 * 60_000, visibilityLagMs: 0, reportEcsRunning: true, ...tuning },
  });
  const env = mockEnv();
  const heartbeats: ObserverProgress[] = [];
  env.on('heartbeat', (details: ObserverProgress) => heartbeats.push(details));
  const done = env.run(fixture.activities.observeEcsCluster, { cluster: 'airflow' }).then(
    () => 'returned',
    (err: unknown) => err,
  );
  return {
    heartbeats,
    latest: () => heartbeats[heartbeats.length - 1],
    async stop() {
      for (const gate of world.hangFor.values()) gate.resolve();
      env.cancel();
      await done;
      fixture.ecs.reset();
    },
  };
}

/**
 * Waits for `n` more passes of the observer's loop (a tick: read visibility when an interval
 * begins, describe what is due and not in flight, heartbeat). Its heartbeat at the end of each
 * pass is the count; `rounds` counts intervals begun.
 */
async function moreRounds(observer: ReturnType<typeof runObserver>, n: number): Promise<void> {
  const from = observer.heartbeats.length;
  await eventually(() => observer.heartbeats.length >= from + n + 1, `${n} more passes of the observer loop`, 10_000, 5);
}

describe('observeEcsCluster (mocked ECS, fake visibility)', () => {
  it('describes every tracked task each round in calls of at most 100 ARNs: 150 tasks, 2 calls a round', async () => {
    const world = new World();
    world.mockEcs();
    const arns = Array.from({ length: 150 }, (_, i) => world.track(i, 'RUNNING'));
    const observer = runObserver(world);
    try {
      await eventually(() => world.signals.length === 150, 'RUNNING sent to every task', 10_000, 5);
      await moreRounds(observer, 3);
      const progress = observer.latest()!;
      expect(progress.tracked).toBe(150);
      // Every call has at most 100 ARNs, and every round covers each task exactly once.
      expect(Math.max(...world.describeCalls.map((c) => c.length))).toBe(100);
      expect(progress.describeCalls).toBe(2 * progress.rounds);
      expect(progress.arnsDescribed).toBe(150 * progress.rounds);
      for (const arn of arns) expect(world.describedTimes(arn)).toBeGreaterThanOrEqual(3);
    } finally {
      await observer.stop();
    }
    // RUNNING once per task, however many rounds saw it RUNNING.
    expect(world.signals).toHaveLength(150);
    expect(new Set(world.signals.map((s) => s.observation.taskArn)).size).toBe(150);
    expect(world.signals.every((s) => s.observation.kind === 'RUNNING')).toBe(true);
  });

  it('wakes a workflow only when Airflow cares: nothing for PROVISIONING/PENDING, RUNNING once, FINISHED once, then stops asking', async () => {
    const world = new World();
    world.mockEcs();
    const arn = world.track(1, 'PROVISIONING');
    const observer = runObserver(world);
    try {
      await moreRounds(observer, 3);
      world.setStatus(arn, 'PENDING');
      await moreRounds(observer, 3);
      expect(world.signalsFor(arn)).toEqual([]);

      world.setStatus(arn, 'RUNNING');
      await eventually(() => world.signalsFor(arn).length === 1, 'the RUNNING signal', 10_000, 5);
      await moreRounds(observer, 3);
      expect(world.signalsFor(arn)).toEqual(['RUNNING']);

      world.setStatus(arn, 'DEACTIVATING', { desiredStatus: 'STOPPED', startedAt: new Date('2026-12-01T10:00:00Z'), containers: [{ name: 'base', lastStatus: 'RUNNING' }] });
      await moreRounds(observer, 3);
      expect(world.signalsFor(arn)).toEqual(['RUNNING']);

      world.setStatus(arn, 'STOPPED');
      await eventually(() => world.signalsFor(arn).length === 2, 'the FINISHED signal', 10_000, 5);
      const describedWhenFinished = world.describedTimes(arn);
      await moreRounds(observer, 3);
      expect(world.signalsFor(arn)).toEqual(['RUNNING', 'FINISHED']);
      // Finished: no longer tracked, no longer described.
      expect(world.describedTimes(arn)).toBe(describedWhenFinished);
      expect(observer.latest()?.tracked).toBe(0);
      const finished = world.signals[1]!.observation;
      expect(finished).toMatchObject({ kind: 'FINISHED', task: { taskArn: arn, lastStatus: 'STOPPED', containers: [{ name: 'base', exitCode: 0 }] } });
    } finally {
      await observer.stop();
    }
  });

  it('one hung DescribeTasks call does not hold up the other tasks: their answers arrive, the hung batch is skipped until it answers', async () => {
    const world = new World();
    world.mockEcs();
    // 100 tasks fill the first call; task 100 is alone in the second.
    const first = Array.from({ length: 100 }, (_, i) => world.track(i, 'RUNNING'));
    const other = world.track(100, 'RUNNING');
    const gate = deferred<void>();
    world.hangFor.set(first[0]!, gate);
    const observer = runObserver(world);
    try {
      await eventually(() => world.signalsFor(other).length === 1, 'the RUNNING signal of the task outside the hung call', 10_000, 5);
      world.setStatus(other, 'STOPPED');
      await eventually(() => world.signalsFor(other).length === 2, 'its FINISHED signal while the other call still hangs', 10_000, 5);
      await moreRounds(observer, 3);
      // The hung call's tasks were asked about once (the hung call), never again while it hangs.
      expect(world.describedTimes(first[0]!)).toBe(1);
      expect(world.signalsFor(first[0]!)).toEqual([]);

      gate.resolve();
      world.hangFor.delete(first[0]!);
      await eventually(() => first.every((arn) => world.signalsFor(arn).length === 1), 'the RUNNING signals of the hung call, once it answered', 10_000, 5);
    } finally {
      await observer.stop();
    }
    expect(world.signalsFor(other)).toEqual(['RUNNING', 'FINISHED']);
  });

  it('MISSING: waits out the grace for a task DescribeTasks never saw, sends it at once for one it saw', async () => {
    const world = new World();
    world.mockEcs();
    const never = world.track(1, 'PENDING');
    world.ecsTasks.delete(never);
    const seen = world.track(2, 'RUNNING');
    const observer = runObserver(world);
    try {
      await eventually(() => world.signalsFor(seen).length === 1, 'RUNNING of the task ECS knows', 10_000, 5);
      world.ecsTasks.delete(seen);
      await eventually(() => world.signalsFor(seen).length === 2, 'MISSING of the task ECS knew', 10_000, 5);
      await moreRounds(observer, 3);
      expect(world.signals.find((s) => s.observation.taskArn === seen && s.observation.kind === 'MISSING')?.observation).toEqual({ taskArn: seen, kind: 'MISSING', reason: 'MISSING' });
      // Tracked seconds ago and never seen: DescribeTasks may simply not know it yet.
      expect(world.signalsFor(never)).toEqual([]);
    } finally {
      await observer.stop();
    }
  });

  it('drops a task whose workflow closed (the signal finds no workflow) instead of signalling it every round', async () => {
    const world = new World();
    world.mockEcs();
    const arn = world.track(1, 'PENDING');
    const observer = runObserver(world);
    try {
      await moreRounds(observer, 2);
      world.workflows.get('airflow-task/dag/t1/r/-1/1')!.running = false;
      world.setStatus(arn, 'RUNNING');
      await eventually(() => observer.latest()?.tracked === 0, 'the task dropped', 10_000, 5);
      const described = world.describedTimes(arn);
      await moreRounds(observer, 3);
      expect(world.describedTimes(arn)).toBe(described);
      expect(world.signals).toEqual([]);
    } finally {
      await observer.stop();
    }
  });

  it('signals the run visibility listed, and the current run when that run has continued as new', async () => {
    const world = new World();
    world.mockEcs();
    const listedLate = world.track(1, 'PENDING');
    const listedAgain = world.track(2, 'PENDING');
    const observer = runObserver(world);
    try {
      await moreRounds(observer, 2);
      const newRun = world.continueAsNew('airflow-task/dag/t2/r/-1/1');
      // Two reads to the end: the second began after the first ended, so after the new run was listed.
      const read = world.listingsRead;
      await eventually(() => world.listingsRead >= read + 2, 'the new run listed', 10_000, 5);
      // The next run is not listed yet when this one continues as new: the signal to the listed run finds it closed.
      world.listingLags = true;
      world.continueAsNew('airflow-task/dag/t1/r/-1/1');
      world.setStatus(listedLate, 'STOPPED');
      world.setStatus(listedAgain, 'STOPPED');
      await eventually(() => world.signals.length === 2, 'both FINISHED signals', 10_000, 5);
      await moreRounds(observer, 3);
      expect(world.signals.map((s) => [s.observation.taskArn, s.observation.kind, s.runId])).toEqual(
        expect.arrayContaining([
          [listedAgain, 'FINISHED', newRun],
          [listedLate, 'FINISHED', undefined],
        ]),
      );
      expect(world.signals).toHaveLength(2);
      expect(observer.latest()?.tracked).toBe(0);
    } finally {
      await observer.stop();
    }
  });

  it('keeps polling after a DescribeTasks error, and says so in its heartbeat', async () => {
    const world = new World();
    world.mockEcs();
    const arn = world.track(1, 'RUNNING');
    world.failNext = 2;
    const observer = runObserver(world);
    try {
      await eventually(() => world.signalsFor(arn).length === 1, 'RUNNING after the error', 10_000, 5);
      expect(observer.latest()?.describeErrors).toBe(2);
      expect(observer.latest()?.lastError).toMatch(/^DescribeTasks of 1 tasks on cluster "airflow" failed \(ServerException: Service Unavailable\); they are polled again next round$/);
    } finally {
      await observer.stop();
    }
  });

  // The tracked-set read runs beside the ticks too: on a loaded server it can take seconds.
  it('a slow visibility read does not stop the DescribeTasks rounds', async () => {
    const world = new World();
    world.mockEcs();
    const arn = world.track(1, 'PENDING');
    const observer = runObserver(world);
    const gate = deferred<void>();
    try {
      await eventually(() => world.describedTimes(arn) >= 1, 'the task tracked and described', 10_000, 5);
      world.holdListing = gate;
      await eventually(() => world.heldListings === 1, 'a visibility read held', 10_000, 5);
      const described = world.describedTimes(arn);
      world.setStatus(arn, 'RUNNING');
      const outcome = await eventually(() => world.signalsFor(arn).length === 1, 'RUNNING signalled while the read hangs', 3_000, 5).catch((err: unknown) => err);
      expect(outcome).toBe(true);
      expect(world.describedTimes(arn)).toBeGreaterThan(described);
      // One read at a time: the held one is not joined by another.
      await moreRounds(observer, 3);
      expect(world.heldListings).toBe(1);
    } finally {
      gate.resolve();
      await observer.stop();
    }
  });

  describe('reconciliation', () => {
    it("stops a RUNNING ECS task with our startedBy that no running workflow tracks, after the grace, and reports it in the heartbeat", async () => {
      const world = new World();
      world.mockEcs();
      const tracked = world.track(1, 'RUNNING');
      const orphan = taskArn(2);
      ecsMock.on(ListTasksCommand).resolves({ taskArns: [tracked, orphan] });
      ecsMock.on(StopTaskCommand).resolves({ task: { taskArn: orphan } });
      const observer = runObserver(world, { reconcileMs: 30, orphanGraceMs: 60 });
      try {
        await eventually(() => ecsMock.commandCalls(StopTaskCommand).length === 1, 'the orphan stopped', 10_000, 5);
        await eventually(() => (observer.latest()?.orphansStopped.length ?? 0) === 1, 'the stop in the heartbeat', 10_000, 5);
        // Later reconciliations still list it (ECS reports a stopping task a while): it is not stopped twice.
        const listed = ecsMock.commandCalls(ListTasksCommand).length;
        await eventually(() => ecsMock.commandCalls(ListTasksCommand).length >= listed + 3, 'three more reconciliations', 10_000, 5);
      } finally {
        await observer.stop();
      }
      expect(ecsMock).toHaveReceivedCommandWith(ListTasksCommand, { cluster: 'airflow', startedBy: MARKER, desiredStatus: 'RUNNING' });
      const stop = ecsMock.commandCalls(StopTaskCommand)[0]!.args[0].input;
      expect(stop).toEqual({ cluster: 'airflow', task: orphan, reason: expect.stringMatching(/^temporal-ecs-executor: no running workflow has tracked it for 0 s/) });
      expect(stop.reason!.length).toBeLessThanOrEqual(255);
      expect(observer.latest()?.orphansStopped).toEqual([{ taskArn: orphan, at: expect.any(String), why: expect.stringMatching(/^no running workflow has tracked it/) }]);
      // Never the tracked one, and the orphan only once.
      expect(ecsMock.commandCalls(StopTaskCommand).map((c) => c.args[0].input.task)).toEqual([orphan]);
    });

    it('adopts into tracking an ECS task whose running workflow visibility had not listed yet, instead of stopping it', async () => {
      const world = new World();
      world.mockEcs();
      const arn = taskArn(5);
      ecsMock.on(ListTasksCommand).resolves({ taskArns: [arn] });
      ecsMock.on(StopTaskCommand).resolves({});
      // Visibility's tracked-set read misses the workflow (lag), the owner lookup by ARN finds it.
      world.listingLags = true;
      world.track(5, 'RUNNING');
      const observer = runObserver(world, { reconcileMs: 30, orphanGraceMs: 0 });
      try {
        await eventually(() => world.signalsFor(arn).length === 1, 'the RUNNING signal to the owner found by ARN', 10_000, 5);
      } finally {
        await observer.stop();
      }
      expect(ecsMock).not.toHaveReceivedCommand(StopTaskCommand);
    });

    // Reconciliation (ListTasks, StopTask) runs beside the DescribeTasks rounds with the ECS call
    // timeout: one hung ListTasks must not stop the rounds of the cluster.
    it('a hung ListTasks does not stop the DescribeTasks rounds', async () => {
      const world = new World();
      world.mockEcs();
      const arn = world.track(1, 'PENDING');
      const listGate = deferred<void>();
      ecsMock.on(ListTasksCommand).callsFake(async () => {
        await listGate.promise;
        return { taskArns: [] };
      });
      const observer = runObserver(world, { reconcileMs: 30 });
      try {
        await eventually(() => ecsMock.commandCalls(ListTasksCommand).length === 1, 'reconciliation to start', 10_000, 5);
        const described = world.describedTimes(arn);
        world.setStatus(arn, 'RUNNING');
        const outcome = await eventually(() => world.signalsFor(arn).length === 1, 'RUNNING signalled while ListTasks hangs', 3_000, 5).catch((err: unknown) => err);
        expect(outcome).toBe(true);
        expect(world.describedTimes(arn)).toBeGreaterThan(described);
      } finally {
        listGate.resolve();
        await observer.stop();
      }
    });
  });

  it('heartbeats its progress: the cluster, how many it tracks, rounds and calls', async () => {
    const world = new World();
    world.mockEcs();
    world.track(1, 'RUNNING');
    world.track(2, 'PENDING');
    const observer = runObserver(world);
    try {
      await moreRounds(observer, 2);
      expect(observer.latest()).toMatchObject({ cluster: 'airflow', tracked: 2, signals: 1, describeErrors: 0, orphansStopped: [] });
      expect(Date.parse(observer.latest()!.lastRoundAt!)).toBeGreaterThan(0);
    } finally {
      await observer.stop();
    }
  });
});
