import type { Circus } from '@jest/types';
import LoggingEnvironment, { bufferLog, logBuffer } from '../support/logging-environment';

/**
 * A quiet `npm test` (issue 9, item 25): what workers and workflows log during a test is held
 * back, and printed only after a test that failed.
 */
describe('the test environment that keeps logs out of a passing run', () => {
  const holder: { __testLogBuffer?: { lines: string[] } } = {};
  const env = { global: holder } as unknown as LoggingEnvironment;
  const event = (name: 'test_start' | 'test_done', testName: string, errors: unknown[] = []) =>
    ({ name, test: { name: testName, errors } }) as unknown as Circus.Event;
  let written: string[];

  beforeEach(() => {
    written = [];
    jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
  });
  afterEach(() => {
    jest.restoreAllMocks();
  });

  function run(testName: string, lines: string[], errors: unknown[]) {
    LoggingEnvironment.prototype.handleTestEvent.call(env, event('test_start', testName));
    logBuffer(holder).lines.push(...lines);
    LoggingEnvironment.prototype.handleTestEvent.call(env, event('test_done', testName, errors));
  }

  it('prints nothing for a passing test, whatever it logged', () => {
    run('passes', ['WARN Airflow task failed due to stop code: EssentialContainerExited'], []);
    expect(written).toEqual([]);
  });

  it("prints a failing test's own logs after it, and only its own", () => {
    run('passes first', ['INFO from the passing test'], []);
    run('fails', ['INFO Launched ECS task arn:1', 'ERROR has failed a maximum of 3 times'], [new Error('expected SUCCESS')]);
    expect(written).toEqual([
      '\n--- logs of the failed test "fails" (2 lines) ---\nINFO Launched ECS task arn:1\nERROR has failed a maximum of 3 times\n--- end of logs ---\n',
    ]);
  });

  it('keeps at most the newest 2,000 lines of a test', () => {
    const holderOf = globalThis as { __testLogBuffer?: { lines: string[] } };
    const previous = holderOf.__testLogBuffer;
    const own = { lines: [] as string[] };
    holderOf.__testLogBuffer = own;
    try {
      for (let i = 0; i < 2_500; i++) bufferLog(`line ${i}`);
      expect(own.lines).toHaveLength(2_000);
      expect(own.lines[0]).toBe('line 500');
    } finally {
      holderOf.__testLogBuffer = previous;
    }
  });
});
