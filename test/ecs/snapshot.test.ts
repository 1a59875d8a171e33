import { toTaskSnapshot } from '../../src/ecs/snapshot';

describe('toTaskSnapshot', () => {
  it('keeps only the fields the executor reads, with dates as ISO strings', () => {
    const snapshot = toTaskSnapshot({
      taskArn: 'arn:aws:ecs:us-east-1:123456789012:task/airflow/abc',
      clusterArn: 'arn:aws:ecs:us-east-1:123456789012:cluster/airflow',
      lastStatus: 'STOPPED',
      desiredStatus: 'STOPPED',
      createdAt: new Date('2026-01-01T00:00:00Z'),
      startedAt: new Date('2026-01-01T00:00:05Z'),
      stoppingAt: new Date('2026-01-01T00:01:00Z'),
      stoppedAt: new Date('2026-01-01T00:01:10Z'),
      stopCode: 'EssentialContainerExited',
      stoppedReason: 'Essential container in task exited',
      cpu: '256',
      version: 7,
      containers: [{ name: 'base', lastStatus: 'STOPPED', exitCode: 0, image: 'apache/airflow', reason: undefined }],
    });
    expect(snapshot).toEqual({
      taskArn: 'arn:aws:ecs:us-east-1:123456789012:task/airflow/abc',
      clusterArn: 'arn:aws:ecs:us-east-1:123456789012:cluster/airflow',
      lastStatus: 'STOPPED',
      desiredStatus: 'STOPPED',
      createdAt: '2026-01-01T00:00:00.000Z',
      startedAt: '2026-01-01T00:00:05.000Z',
      stoppingAt: '2026-01-01T00:01:00.000Z',
      stoppedAt: '2026-01-01T00:01:10.000Z',
      stopCode: 'EssentialContainerExited',
      stoppedReason: 'Essential container in task exited',
      containers: [{ name: 'base', lastStatus: 'STOPPED', exitCode: 0 }],
    });
  });

  it('leaves absent fields out instead of setting them to undefined (a task that never started)', () => {
    const snapshot = toTaskSnapshot({ taskArn: 'arn:t', lastStatus: 'PROVISIONING' });
    expect(Object.keys(snapshot).sort()).toEqual(['containers', 'lastStatus', 'taskArn']);
    expect(snapshot.containers).toEqual([]);
  });
});
