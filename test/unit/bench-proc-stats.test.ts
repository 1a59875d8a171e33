import { spawn } from 'node:child_process';
import {
  clockTicksPerSecond,
  cpuDelta,
  parseProcStat,
  parseProcStatus,
  ProcessGoneError,
  readProcCpu,
  readProcStats,
  startRssSampler,
} from '../../scripts/bench/proc-stats';

const onLinux = process.platform === 'linux' ? it : it.skip;

describe('parseProcStat', () => {
  // A real line from /proc/<pid>/stat of `cat`, with utime..cstime (fields 14–17) set to 250 40 7 3.
  const line =
    '2220 (cat) R 2191 2191 18998 0 -1 4194304 97 0 0 0 250 40 7 3 20 0 1 0 309897 3133440 382 18446744073709551615 94303436398592 94303436418473 140731782052400 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0 94303436434480 94303436436096 94303923712000 140731782056626 140731782056646 140731782056646 140731782057963 0';

  it('reads utime, stime, cutime and cstime in clock ticks as seconds', () => {
    expect(parseProcStat(line, 100)).toEqual({
      pid: 2220,
      userSeconds: 2.5,
      systemSeconds: 0.4,
      cpuSeconds: 2.9,
      childrenUserSeconds: 0.07,
      childrenSystemSeconds: 0.03,
      childrenCpuSeconds: 0.1,
      threads: 1,
    });
  });

  it('counts fields from the last ")" so a command name with spaces and parentheses does not shift them', () => {
    const odd = line.replace('(cat)', '(node (worker) 1)');
    expect(parseProcStat(odd, 100).cpuSeconds).toBeCloseTo(2.9);
  });

  it('uses the given clock-tick rate', () => {
    expect(parseProcStat(line, 250).userSeconds).toBe(1);
  });

  it('says what is wrong with a line that is not a stat line', () => {
    expect(() => parseProcStat('hello', 100, 7)).toThrow(/not a \/proc\/<pid>\/stat line/);
    expect(() => parseProcStat('1 (x) R 1 2', 100)).toThrow(/field 14 is undefined, expected a number/);
  });
});

describe('parseProcStatus', () => {
  it('reads VmRSS and VmHWM in bytes', () => {
    const text = 'Name:\tnode\nVmPeak:\t 1234568 kB\nVmHWM:\t  204800 kB\nVmRSS:\t  102400 kB\nThreads:\t11\n';
    expect(parseProcStatus(text, 5)).toEqual({ pid: 5, rssBytes: 100 * 1024 * 1024, peakRssBytes: 200 * 1024 * 1024 });
  });

  it('gives 0 for a zombie, which has no memory lines', () => {
    expect(parseProcStatus('Name:\tsleep\nState:\tZ (zombie)\n')).toMatchObject({ rssBytes: 0, peakRssBytes: 0 });
  });
});

describe('reading /proc', () => {
  onLinux('reads this process: CPU grows with work, RSS at most its peak', () => {
    expect(clockTicksPerSecond()).toBeGreaterThan(0);
    const before = readProcCpu(process.pid);
    // Work until /proc shows it (5 ticks), however little CPU a loaded machine gives us; the cap only stops a broken reader.
    const cap = Date.now() + 60_000;
    let spin = 0;
    let after = readProcStats(process.pid);
    while (cpuDelta(before, after).cpuSeconds < 5 / clockTicksPerSecond() && Date.now() < cap) {
      for (let i = 0; i < 1e6; i++) spin += Math.sqrt(spin + i);
      after = readProcStats(process.pid);
    }
    expect(cpuDelta(before, after).cpuSeconds).toBeGreaterThanOrEqual(5 / clockTicksPerSecond());
    expect(after.rssBytes).toBeGreaterThan(0);
    expect(after.rssBytes).toBeLessThanOrEqual(after.peakRssBytes);
  });

  onLinux('names the pid of a process that is gone', () => {
    expect(() => readProcCpu(2 ** 30)).toThrow(ProcessGoneError);
    expect(() => readProcCpu(2 ** 30)).toThrow(`process ${2 ** 30} is gone`);
  });

  onLinux('samples peak RSS of live processes and marks one that exits as gone', async () => {
    const child = spawn('sleep', ['0.3'], { stdio: 'ignore' });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    const sampler = startRssSampler({ self: process.pid, child: child.pid! }, { intervalMs: 20 });
    await exited;
    await new Promise((resolve) => setTimeout(resolve, 100));
    const series = sampler.stop();
    expect(series.self!.samples).toBeGreaterThan(3);
    expect(series.self!.peakRssBytes).toBeGreaterThan(0);
    expect(series.self!.peakRssBytes).toBeLessThanOrEqual(series.self!.lifetimePeakRssBytes);
    expect(series.child!.goneAt).toBeDefined();
    expect(series.child!.error).toBeUndefined();
  });
});
