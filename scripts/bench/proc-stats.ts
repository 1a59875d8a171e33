/**
 * CPU time and memory of processes, read from Linux's /proc, for the benchmark's "CPU seconds per
 * task" and "peak RSS" figures. Linux only (the benchmark machine); elsewhere the reads throw
 * ProcUnavailableError.
 *
 * CPU: utime + stime of /proc/<pid>/stat (all threads of the process), in clock ticks, converted
 * with `getconf CLK_TCK`. `children*` are the CPU seconds of children the process has waited for
 * (cutime + cstime); a child still running is not in them.
 * Memory: VmRSS (resident now) and VmHWM (the kernel's high-water mark of VmRSS over the
 * process's life) from /proc/<pid>/status. To get the peak over one phase of a longer-lived
 * process (a dev server shared by several sizes), sample VmRSS with startRssSampler.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** What Linux uses on every architecture the benchmark runs on, when getconf is unavailable. */
const FALLBACK_CLOCK_TICKS = 100;

class ProcUnavailableError extends Error {
  constructor(
    message: string,
    readonly pid: number,
  ) {
    super(message);
    this.name = 'ProcUnavailableError';
  }
}

/** The process exited (or never existed): its /proc entry is gone. */
export class ProcessGoneError extends ProcUnavailableError {
  constructor(pid: number, file: string) {
    super(`process ${pid} is gone: ${file} does not exist (it exited before it was measured, or the pid is wrong)`, pid);
    this.name = 'ProcessGoneError';
  }
}

export interface ProcCpu {
  pid: number;
  userSeconds: number;
  systemSeconds: number;
  /** user + system */
  cpuSeconds: number;
  childrenUserSeconds: number;
  childrenSystemSeconds: number;
  childrenCpuSeconds: number;
  threads: number;
}

export interface ProcMemory {
  pid: number;
  /** VmRSS */
  rssBytes: number;
  /** VmHWM: peak VmRSS over the process's life */
  peakRssBytes: number;
}

export type ProcStats = ProcCpu & ProcMemory;

let clockTicks: number | undefined;

/** Clock ticks per second (`getconf CLK_TCK`), read once; 100 when getconf fails. */
export function clockTicksPerSecond(): number {
  if (clockTicks === undefined) {
    try {
      const value = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8', timeout: 5_000, stdio: ['ignore', 'pipe', 'ignore'] }).trim());
      clockTicks = Number.isInteger(value) && value > 0 ? value : FALLBACK_CLOCK_TICKS;
    } catch {
      clockTicks = FALLBACK_CLOCK_TICKS;
    }
  }
  return clockTicks;
}

/**
 * Parses the text of /proc/<pid>/stat. The command name (field 2) is in parentheses and may hold
 * spaces and parentheses itself, so fields are counted from the last ')'.
 */
export function parseProcStat(text: string, ticksPerSecond: number, pid = 0): ProcCpu {
  const close = text.lastIndexOf(')');
  if (close < 0) throw new ProcUnavailableError(`not a /proc/<pid>/stat line (no ")" after the command name): ${JSON.stringify(text.slice(0, 120))}`, pid);
  // After ")": field 3 (state) is index 0, so field k is index k - 3.
  const fields = text.slice(close + 1).trim().split(/\s+/);
  const field = (k: number): number => {
    const raw = fields[k - 3];
    const value = Number(raw);
    if (raw === undefined || !Number.isFinite(value)) {
      throw new ProcUnavailableError(`/proc/<pid>/stat field ${k} is ${JSON.stringify(raw)}, expected a number, in ${JSON.stringify(text.slice(0, 200))}`, pid);
    }
    return value;
  };
  const [utime, stime, cutime, cstime, threads] = [field(14), field(15), field(16), field(17), field(20)];
  const statPid = Number(text.slice(0, text.indexOf('(')).trim());
  return {
    pid: Number.isInteger(statPid) && statPid > 0 ? statPid : pid,
    userSeconds: utime / ticksPerSecond,
    systemSeconds: stime / ticksPerSecond,
    cpuSeconds: (utime + stime) / ticksPerSecond,
    childrenUserSeconds: cutime / ticksPerSecond,
    childrenSystemSeconds: cstime / ticksPerSecond,
    childrenCpuSeconds: (cutime + cstime) / ticksPerSecond,
    threads,
  };
}

/** Parses VmRSS and VmHWM (kB) from the text of /proc/<pid>/status. A zombie has neither: 0. */
export function parseProcStatus(text: string, pid = 0): ProcMemory {
  const kib = (name: string): number | undefined => {
    const match = new RegExp(`^${name}:\\s*(\\d+)\\s*kB\\s*$`, 'm').exec(text);
    return match ? Number(match[1]) * 1024 : undefined;
  };
  const rssBytes = kib('VmRSS');
  const peakRssBytes = kib('VmHWM');
  if ((rssBytes === undefined) !== (peakRssBytes === undefined)) {
    throw new ProcUnavailableError(`/proc/${pid}/status has only one of VmRSS and VmHWM: ${JSON.stringify(text.slice(0, 200))}`, pid);
  }
  return { pid, rssBytes: rssBytes ?? 0, peakRssBytes: peakRssBytes ?? 0 };
}

function readProcFile(pid: number, name: 'stat' | 'status'): string {
  const file = `/proc/${pid}/${name}`;
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ESRCH') throw new ProcessGoneError(pid, file);
    throw new ProcUnavailableError(`cannot read ${file} (${code ?? String(err)}); /proc is Linux-only`, pid);
  }
}

export function readProcCpu(pid: number): ProcCpu {
  return parseProcStat(readProcFile(pid, 'stat'), clockTicksPerSecond(), pid);
}

export function readProcMemory(pid: number): ProcMemory {
  return parseProcStatus(readProcFile(pid, 'status'), pid);
}

export function readProcStats(pid: number): ProcStats {
  return { ...readProcCpu(pid), ...readProcMemory(pid) };
}

/** CPU used between two readings of one process (after - before), in seconds. */
export function cpuDelta(before: ProcCpu, after: ProcCpu): ProcCpu {
  if (before.pid !== after.pid) throw new RangeError(`cpuDelta of two different processes: ${before.pid} and ${after.pid}`);
  if (after.cpuSeconds < before.cpuSeconds) {
    throw new RangeError(`cpuDelta: pid ${after.pid} used less CPU after (${after.cpuSeconds} s) than before (${before.cpuSeconds} s); was the pid reused?`);
  }
  return {
    pid: after.pid,
    userSeconds: after.userSeconds - before.userSeconds,
    systemSeconds: after.systemSeconds - before.systemSeconds,
    cpuSeconds: after.cpuSeconds - before.cpuSeconds,
    childrenUserSeconds: after.childrenUserSeconds - before.childrenUserSeconds,
    childrenSystemSeconds: after.childrenSystemSeconds - before.childrenSystemSeconds,
    childrenCpuSeconds: after.childrenCpuSeconds - before.childrenCpuSeconds,
    threads: after.threads,
  };
}

interface RssSeries {
  pid: number;
  /** Highest VmRSS seen by the sampler (its resolution is the sampling interval). */
  peakRssBytes: number;
  lastRssBytes: number;
  /** VmHWM at the last successful sample: the peak over the process's whole life. */
  lifetimePeakRssBytes: number;
  samples: number;
  /** Set (epoch ms) once the process was found gone, or unreadable; sampling it stopped then. */
  goneAt?: number;
  /** Why sampling stopped, when it was not that the process exited. */
  error?: string;
}

export interface RssSampler {
  /** Starts sampling one more process under `label` (a label already in use is replaced). */
  add(label: string, pid: number): void;
  /** The series so far, by label; sampling goes on. */
  snapshot(): Record<string, RssSeries>;
  /** Takes a last sample, stops, and returns the series by label. */
  stop(): Record<string, RssSeries>;
}

/**
 * Samples VmRSS of the given processes every `intervalMs` (default 250 ms) and keeps the peak of
 * each, so a phase's peak can be told apart from the process's lifetime peak (VmHWM). A process
 * that exits keeps its series, marked `goneAt`. The timer is unref'd: it never keeps Node alive.
 */
export function startRssSampler(pids: Record<string, number> = {}, options: { intervalMs?: number } = {}): RssSampler {
  const intervalMs = options.intervalMs ?? 250;
  if (!(intervalMs > 0)) throw new RangeError(`startRssSampler: intervalMs must be positive, got ${intervalMs}`);
  const series = new Map<string, RssSeries>();
  const sampleOne = (label: string, entry: RssSeries) => {
    if (entry.goneAt !== undefined) return;
    try {
      const memory = readProcMemory(entry.pid);
      entry.samples += 1;
      entry.lastRssBytes = memory.rssBytes;
      entry.peakRssBytes = Math.max(entry.peakRssBytes, memory.rssBytes);
      entry.lifetimePeakRssBytes = Math.max(entry.lifetimePeakRssBytes, memory.peakRssBytes);
    } catch (err) {
      // A throw here would escape from a timer and crash the benchmark: keep the reason instead.
      entry.goneAt = Date.now();
      if (!(err instanceof ProcessGoneError)) entry.error = `${label} (pid ${entry.pid}): ${(err as Error).message}`;
    }
  };
  const sampleAll = () => {
    for (const [label, entry] of series) sampleOne(label, entry);
  };
  const copy = () => Object.fromEntries([...series].map(([label, entry]) => [label, { ...entry }]));
  const add = (label: string, pid: number) => {
    if (!Number.isInteger(pid) || pid <= 0) throw new RangeError(`startRssSampler: ${label} has pid ${pid}, expected a positive integer`);
    const entry: RssSeries = { pid, peakRssBytes: 0, lastRssBytes: 0, lifetimePeakRssBytes: 0, samples: 0 };
    series.set(label, entry);
    sampleOne(label, entry);
  };
  for (const [label, pid] of Object.entries(pids)) add(label, pid);
  let timer: NodeJS.Timeout | undefined = setInterval(sampleAll, intervalMs);
  timer.unref();
  return {
    add,
    snapshot: copy,
    stop() {
      if (timer !== undefined) {
        clearInterval(timer);
        timer = undefined;
        sampleAll();
      }
      return copy();
    },
  };
}
