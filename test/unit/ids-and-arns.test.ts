import { clusterOfTaskArn, taskIdOf } from '../../src/ecs/task-arn';
import { airflowTaskWorkflowId, ecsTaskWorkflowId, waitsTaskQueue } from '../../src/workflow-ids';

const key = { dagId: 'dag', taskId: 'task', runId: 'scheduled__2026-11-26T00:00:00+00:00', tryNumber: 1, mapIndex: -1 };

describe('workflow IDs', () => {
  it('derives the task workflow ID from every part of the task instance key', () => {
    const id = airflowTaskWorkflowId(key);
    expect(id).toBe('airflow-task:dag:task:scheduled__2026-11-26T00%3A00%3A00%2B00%3A00:-1:1');
    for (const change of [{ dagId: 'dag2' }, { taskId: 'task2' }, { runId: 'manual' }, { tryNumber: 2 }, { mapIndex: 0 }]) {
      expect(airflowTaskWorkflowId({ ...key, ...change })).not.toBe(id);
    }
  });

  it('keeps keys apart whose parts contain the separator', () => {
    const a = airflowTaskWorkflowId({ ...key, dagId: 'a:b', taskId: 'c' });
    const b = airflowTaskWorkflowId({ ...key, dagId: 'a', taskId: 'b:c' });
    expect(a).not.toBe(b);
  });

  it('derives the tracker ID from the ECS task ARN alone', () => {
    const arn = 'arn:aws:ecs:us-east-1:123456789012:task/airflow/0123456789abcdef0123456789abcdef';
    expect(ecsTaskWorkflowId(arn)).toBe(`ecs-task:${arn}`);
  });

  it('puts waits on their own task queue', () => {
    expect(waitsTaskQueue('ecs-executor')).toBe('ecs-executor-waits');
  });
});

describe('clusterOfTaskArn', () => {
  it('reads the cluster from a new-format task ARN', () => {
    expect(clusterOfTaskArn('arn:aws:ecs:us-east-1:123456789012:task/airflow/0123456789abcdef0123456789abcdef')).toBe('airflow');
  });

  it('finds no cluster in an old-format task ARN (the configured cluster is used then)', () => {
    expect(clusterOfTaskArn('arn:aws:ecs:us-east-1:123456789012:task/0123456789abcdef0123456789abcdef')).toBeUndefined();
  });
});

describe('taskIdOf', () => {
  it('takes the ID from a new-format ARN, a legacy ARN, or an ID', () => {
    const id = '0123456789abcdef0123456789abcdef';
    expect(taskIdOf(`arn:aws:ecs:us-east-1:123456789012:task/airflow/${id}`)).toBe(id);
    expect(taskIdOf(`arn:aws:ecs:us-east-1:123456789012:task/${id}`)).toBe(id);
    expect(taskIdOf(id)).toBe(id);
  });
});
