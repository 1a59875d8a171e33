import { CancellationScope, continueAsNew, setHandler } from '@temporalio/workflow';
import type { AdoptedTaskInput } from '../contract/inputs';
import { formatKey } from '../contract/key-format';
import { DEFAULT_TERMINATE_REASON, ecsObservationSignal, statusQuery, terminateSignal, type AirflowTaskResult } from '../contract/messages';
import { nextStep } from '../rules/next-step';
import { observerActivities } from './activity-profiles';
import { attemptOutcome, finish } from './airflow-task';
import { initialState, TaskRun, type TaskRunState } from './task-run';
import { ContinueAsNewSuggested, trackUntilFinished } from './tracking';

/**
 * Tracks an ECS task this workflow did not launch: one adopted after a scheduler restart (launched
 * by an earlier scheduler's task workflow that is gone, or by Airflow's own executor). Its ID comes
 * from the ARN, so adopting the same task twice attaches to this workflow. It is tracked by the
 * cluster's observer like any task, reports the outcome, and never relaunches: Airflow reschedules
 * an adopted task that failed.
 */
export async function ecsTaskWorkflow(input: AdoptedTaskInput, resume?: TaskRunState): Promise<AirflowTaskResult> {
  const run = new TaskRun(resume ?? initialState(input.key, true));
  setHandler(terminateSignal, (arg) => run.requestTerminate(arg?.reason ?? DEFAULT_TERMINATE_REASON));
  setHandler(ecsObservationSignal, (observation) => run.observe(observation));
  setHandler(statusQuery, () => run.status());
  CancellationScope.current().cancelRequested.catch(() => run.requestTerminate(DEFAULT_TERMINATE_REASON));

  return await CancellationScope.nonCancellable(async () => {
    let record = run.current;
    if (record === undefined) {
      record = run.beginAttempt();
      run.s.settings = await observerActivities.ensureObserver({ cluster: input.cluster });
      run.tracking(record, { taskArn: input.taskArn, containers: [] }, input.cluster);
      run.event('info', `Adopted ECS task ${input.taskArn} on cluster ${input.cluster}; tracking it until it stops.`);
    }
    try {
      const end = await trackUntilFinished(run, record);
      const step = nextStep(attemptOutcome(run, end), { attempt: 1, maxAttempts: 1, taskKey: formatKey(input.key), adopted: true });
      if (step.action !== 'finish') throw new Error('an adopted task never relaunches');
      return finish(run, step.state, step.message, step.terminated);
    } catch (err) {
      if (err instanceof ContinueAsNewSuggested) await continueAsNew<typeof ecsTaskWorkflow>(input, run.s);
      throw err;
    }
  });
}
