import { InvalidTaskCommandError } from '../../src/errors';
import { workloadCommand } from '../../src/rules/workload-command';

const PREFIX = ['python', '-m', 'airflow.sdk.execution_time.execute_workload', '--json-string'];

describe('workloadCommand', () => {
  it('runs execute_workload with the workload object serialised as JSON', () => {
    const workload = { type: 'ExecuteTask', ti: { dag_id: 'd', try_number: 1 } };
    expect(workloadCommand(workload)).toEqual([...PREFIX, JSON.stringify(workload)]);
  });

  it('passes a JSON string workload on exactly as given (large integers are not rounded)', () => {
    const text = '{"type": "ExecuteTask", "id": 12345678901234567890}';
    expect(workloadCommand(text)).toEqual([...PREFIX, text]);
  });

  it('runs ExecuteCallback workloads too (Airflow 3.3)', () => {
    expect(workloadCommand({ type: 'ExecuteCallback' })).toEqual([...PREFIX, '{"type":"ExecuteCallback"}']);
  });

  it.each([
    ['RunTrigger', '{"type": "RunTrigger"}', 'RunTrigger'],
    ['TestConnection', '{"type": "TestConnection"}', 'TestConnection'],
    ['no type', '{"ti": {}}', 'none (the workload has no "type")'],
    ['a type that is not a string', '{"type": 5}', '5'],
  ])("rejects a %s workload with Airflow's message (issue 9, item 16)", (_label, text, shown) => {
    const run = () => workloadCommand(text);
    expect(run).toThrow(InvalidTaskCommandError);
    expect(run).toThrow(`EcsExecutor doesn't know how to handle workload of type: ${shown}. Only ExecuteTask and ExecuteCallback workloads run on ECS.`);
  });

  it('rejects a workload object of another type the same way', () => {
    expect(() => workloadCommand({ type: 'RunTrigger' })).toThrow("EcsExecutor doesn't know how to handle workload of type: RunTrigger.");
  });

  it('rejects a string that is not JSON, saying so and quoting it', () => {
    const run = () => workloadCommand('not json');
    expect(run).toThrow(InvalidTaskCommandError);
    expect(run).toThrow(/not valid JSON.*expected a JSON object, got 8 characters starting "not json"/);
  });

  it.each(['[1, 2]', 'null', '42', '"text"'])('rejects JSON %s that is not an object', (text) => {
    expect(() => workloadCommand(text)).toThrow(/The workload must be a JSON object/);
  });

  it('rejects a workload object nested 20,000 levels deep with a message, not a stack overflow', () => {
    let deep: Record<string, unknown> = {};
    for (let i = 0; i < 20_000; i++) deep = { ti: deep };
    expect(() => workloadCommand({ type: 'ExecuteTask', ...deep } as never)).toThrow(/^The workload is nested too deeply, at ti\.ti/);
  });

  it('names its error InvalidTaskCommand', () => {
    expect(() => workloadCommand('[]')).toThrow(expect.objectContaining({ name: 'InvalidTaskCommand' }));
  });
});
