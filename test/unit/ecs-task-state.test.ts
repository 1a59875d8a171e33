import { describeStoppedTask, ecsTaskToAirflowState } from '../../src/rules/ecs-task-state';
import type { EcsTaskSnapshot } from '../../src/types';

const ARN = 'arn:aws:ecs:us-east-1:123456789012:task/cluster/0123456789abcdef';
const STARTED = '2024-01-01T00:00:10.000Z';

function task(fields: Partial<EcsTaskSnapshot>): EcsTaskSnapshot {
  return { taskArn: ARN, containers: [], ...fields };
}

const stopped = (containers: EcsTaskSnapshot['containers']) =>
  task({ lastStatus: 'STOPPED', desiredStatus: 'STOPPED', startedAt: STARTED, containers });

describe('ecsTaskToAirflowState', () => {
  it('is RUNNING when lastStatus is RUNNING', () => {
    expect(ecsTaskToAirflowState(task({ lastStatus: 'RUNNING', desiredStatus: 'RUNNING', startedAt: STARTED }))).toBe('RUNNING');
  });

  it('is RUNNING when lastStatus is RUNNING even though ECS already wants it STOPPED', () => {
    expect(ecsTaskToAirflowState(task({ lastStatus: 'RUNNING', desiredStatus: 'STOPPED', startedAt: STARTED }))).toBe('RUNNING');
  });

  it.each(['PROVISIONING', 'PENDING', 'ACTIVATING'])('is QUEUED while ECS wants it RUNNING and lastStatus is %s', (lastStatus) => {
    expect(ecsTaskToAirflowState(task({ lastStatus, desiredStatus: 'RUNNING' }))).toBe('QUEUED');
  });

  it('is REMOVED when ECS wants it STOPPED and it never started (no startedAt)', () => {
    expect(ecsTaskToAirflowState(task({ lastStatus: 'STOPPED', desiredStatus: 'STOPPED' }))).toBe('REMOVED');
  });

  it('is REMOVED for a never-started task even when every container reports exit code 0', () => {
    const t = task({ lastStatus: 'STOPPED', desiredStatus: 'STOPPED', containers: [{ name: 'base', exitCode: 0 }] });
    expect(ecsTaskToAirflowState(t)).toBe('REMOVED');
  });

  it('treats an empty startedAt as never started (REMOVED)', () => {
    expect(ecsTaskToAirflowState(task({ lastStatus: 'STOPPED', desiredStatus: 'STOPPED', startedAt: '' }))).toBe('REMOVED');
  });

  it.each(['DEACTIVATING', 'STOPPING', 'DEPROVISIONING'])(
    'is decided by exit codes once ECS wants it STOPPED, even while it is still %s (Airflow: is_finished = desiredStatus == STOPPED)',
    (lastStatus) => {
      const t = task({ lastStatus, desiredStatus: 'STOPPED', startedAt: STARTED, containers: [{ name: 'base', exitCode: 0 }] });
      expect(ecsTaskToAirflowState(t)).toBe('SUCCESS');
    },
  );

  it('is RUNNING when desiredStatus is neither RUNNING nor STOPPED (not finished)', () => {
    const t = task({ lastStatus: 'PENDING', desiredStatus: 'PENDING', startedAt: STARTED, containers: [{ name: 'base', exitCode: 0 }] });
    expect(ecsTaskToAirflowState(t)).toBe('RUNNING');
  });

  it('is RUNNING when the task is STOPPED but a container has no exit code yet', () => {
    expect(ecsTaskToAirflowState(stopped([{ name: 'base', exitCode: 0 }, { name: 'sidecar' }]))).toBe('RUNNING');
  });

  it('treats a null exit code (as JSON may carry it) as no exit code', () => {
    const container = { name: 'base', exitCode: null } as unknown as EcsTaskSnapshot['containers'][number];
    expect(ecsTaskToAirflowState(stopped([container]))).toBe('RUNNING');
  });

  it('is SUCCESS when the task is STOPPED and every container exited 0', () => {
    expect(ecsTaskToAirflowState(stopped([{ name: 'base', exitCode: 0 }, { name: 'sidecar', exitCode: 0 }]))).toBe('SUCCESS');
  });

  it('is FAILED when the task is STOPPED and any container exited non-zero', () => {
    expect(ecsTaskToAirflowState(stopped([{ name: 'base', exitCode: 0 }, { name: 'sidecar', exitCode: 137 }]))).toBe('FAILED');
  });

  it('compares statuses case-sensitively: "running" is not RUNNING', () => {
    expect(ecsTaskToAirflowState(task({ lastStatus: 'running', desiredStatus: 'running', startedAt: STARTED }))).toBe('RUNNING');
    expect(ecsTaskToAirflowState(task({ lastStatus: 'running', desiredStatus: 'stopped' }))).toBe('RUNNING');
    expect(ecsTaskToAirflowState(task({ lastStatus: 'PENDING', desiredStatus: 'running' }))).not.toBe('QUEUED');
  });
});

describe('describeStoppedTask', () => {
  it('gives the stop code, the stopped reason and one line per container', () => {
    const t = task({
      lastStatus: 'STOPPED',
      desiredStatus: 'STOPPED',
      stopCode: 'EssentialContainerExited',
      stoppedReason: 'Essential container in task exited',
      containers: [
        { name: 'base', exitCode: 1, reason: 'OutOfMemoryError: Container killed due to memory usage' },
        { name: 'sidecar', exitCode: 0 },
      ],
    });
    expect(describeStoppedTask(t)).toEqual([
      'stop code: EssentialContainerExited',
      'stopped reason: Essential container in task exited',
      'base: exit code 1, OutOfMemoryError: Container killed due to memory usage',
      'sidecar: exit code 0',
    ]);
  });

  it('says "no exit code" for a container that never exited, with its reason', () => {
    const t = task({ containers: [{ name: 'base', reason: 'CannotPullContainerError: image not found' }] });
    expect(describeStoppedTask(t)).toEqual(['base: no exit code, CannotPullContainerError: image not found']);
  });

  it('says "no exit code" for a null exit code (as JSON may carry it)', () => {
    const container = { name: 'base', exitCode: null } as unknown as EcsTaskSnapshot['containers'][number];
    expect(describeStoppedTask(task({ containers: [container] }))).toEqual(['base: no exit code']);
  });

  it('labels a container without a name', () => {
    expect(describeStoppedTask(task({ containers: [{ exitCode: 2 }] }))).toEqual(['(unnamed container): exit code 2']);
  });

  it('gives no reasons for a task with none to give', () => {
    expect(describeStoppedTask(task({}))).toEqual([]);
  });
});
