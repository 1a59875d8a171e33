import NodeEnvironment from 'jest-environment-node';
import type { Circus } from '@jest/types';

/**
 * Keeps what workers, workflows and activities log during a test out of the output unless the
 * test fails: expected failures (a task that fails on purpose, a refused StopTask) log warnings
 * and errors by design, and a passing run should read as a passing run. The logs of a failing
 * test are printed after its failure.
 */
export interface LogBuffer {
  lines: string[];
}

const MAX_LINES = 2_000;

type Holder = { __testLogBuffer?: LogBuffer };

/** The buffer lives on the test file's global, which both the test code and this environment can reach. */
export function logBuffer(holder: Holder = globalThis as Holder): LogBuffer {
  holder.__testLogBuffer ??= { lines: [] };
  return holder.__testLogBuffer;
}

export function bufferLog(line: string): void {
  const buffer = logBuffer();
  buffer.lines.push(line);
  if (buffer.lines.length > MAX_LINES) buffer.lines.splice(0, buffer.lines.length - MAX_LINES);
}

export default class LoggingEnvironment extends NodeEnvironment {
  handleTestEvent(event: Circus.Event): void {
    const buffer = logBuffer(this.global as Holder);
    if (event.name === 'test_start') buffer.lines = [];
    if (event.name === 'test_done' && event.test.errors.length > 0) {
      const { lines } = buffer;
      if (lines.length > 0) process.stderr.write(`\n--- logs of the failed test "${event.test.name}" (${lines.length} lines) ---\n${lines.join('\n')}\n--- end of logs ---\n`);
    }
  }
}
