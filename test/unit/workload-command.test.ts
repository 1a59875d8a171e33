import { InvalidTaskCommandError, workloadCommand } from '../../src/rules/workload-command';

const PREFIX = ['python', '-m', 'airflow.sdk.execution_time.execute_workload', '--json-string'];

describe('workloadCommand', () => {
  it('runs execute_workload with the workload object serialised as JSON', () => {
    const workload = { kind: 'ExecuteTask', ti: { dag_id: 'd', try_number: 1 } };
    expect(workloadCommand(workload)).toEqual([...PREFIX, JSON.stringify(workload)]);
  });

  it('passes a JSON string workload on exactly as given (large integers are not rounded)', () => {
    const text = '{"kind": "ExecuteTask", "id": 12345678901234567890}';
    expect(workloadCommand(text)).toEqual([...PREFIX, text]);
  });

  it('rejects a string that is not JSON, saying so and quoting it', () => {
    const run = () => workloadCommand('not json');
    expect(run).toThrow(InvalidTaskCommandError);
    expect(run).toThrow(/not valid JSON.*expected a JSON object, got "not json"/);
  });

  it.each(['[1, 2]', 'null', '42', '"text"'])('rejects JSON %s that is not an object', (text) => {
    expect(() => workloadCommand(text)).toThrow(/The workload must be a JSON object/);
  });

  it('names its error InvalidTaskCommand', () => {
    expect(() => workloadCommand('[]')).toThrow(expect.objectContaining({ name: 'InvalidTaskCommand' }));
  });
});
