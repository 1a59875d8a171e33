import { launchRetryDelaySeconds, MAX_LAUNCH_RETRY_DELAY_SECONDS } from '../../src/rules/launch-backoff';

describe('launchRetryDelaySeconds', () => {
  it.each([
    [1, 4],
    [2, 16],
    [3, 64],
  ])('waits 4 ** n seconds after failed attempt %i (%i s)', (attempt, seconds) => {
    expect(launchRetryDelaySeconds(attempt)).toBe(seconds);
  });

  it('caps the delay at 120 seconds from the fourth failed attempt (4 ** 4 = 256)', () => {
    expect(launchRetryDelaySeconds(4)).toBe(120);
  });

  it('stays at the 120 second cap for later attempts', () => {
    expect(launchRetryDelaySeconds(5)).toBe(MAX_LAUNCH_RETRY_DELAY_SECONDS);
    expect(launchRetryDelaySeconds(50)).toBe(120);
  });

  it.each([0, -1, 1.5, Number.NaN])('rejects failedAttempt %p: attempts count from 1', (attempt) => {
    expect(() => launchRetryDelaySeconds(attempt)).toThrow(/failedAttempt must be a whole number of at least 1/);
  });
});
