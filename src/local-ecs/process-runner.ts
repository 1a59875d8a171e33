import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { constants } from 'node:os';

export interface ContainerProcessSpec {
  argv: string[];
  env: Record<string, string>;
  cwd?: string | undefined;
  /** Receives the process's stdout and stderr (appended). */
  logFile: string;
}

export interface ContainerProcess {
  pid: number;
  /** Resolves with the Docker-style exit code: the process's own, or 128 + signal number. */
  exited: Promise<number>;
  /** `docker stop`: SIGTERM to the main process, SIGKILL to the whole container after the timeout. */
  terminate(timeoutMs: number): void;
  /** SIGKILL to the process group (container teardown). */
  kill(): void;
}

/** Why a container could not start; its message follows ECS's `CannotStartContainerError: ...` text. */
export class ContainerStartError extends Error {
  override name = 'ContainerStartError';
}

/**
 * Starts container commands as local processes and keeps track of every one still alive, so the
 * endpoint can kill them all when it stops.
 */
export class ProcessRunner {
  private readonly live = new Set<ContainerProcess>();
  private readonly inFlight = new Set<Promise<unknown>>();
  private spawnedCount = 0;

  get spawned(): number {
    return this.spawnedCount;
  }

  get running(): number {
    return this.live.size;
  }

  /** Resolves once the OS started the process; rejects with ContainerStartError if it cannot. */
  start(spec: ContainerProcessSpec): Promise<ContainerProcess> {
    const started = this.spawnProcess(spec);
    this.inFlight.add(started);
    void started.finally(() => this.inFlight.delete(started)).catch(() => undefined);
    return started;
  }

  /** Kills every process (including ones still being spawned) and waits until all have exited. */
  async killAll(): Promise<void> {
    await Promise.allSettled([...this.inFlight]);
    const processes = [...this.live];
    this.killAllNow();
    await Promise.all(processes.map((p) => p.exited));
  }

  /** Synchronous SIGKILL to every live process group, for a process `exit` hook. */
  killAllNow(): void {
    for (const p of this.live) p.kill();
  }

  private spawnProcess(spec: ContainerProcessSpec): Promise<ContainerProcess> {
    const [command, ...args] = spec.argv;
    if (command === undefined) return Promise.reject(new ContainerStartError('empty command'));
    let logFd: number;
    try {
      logFd = openSync(spec.logFile, 'a');
    } catch (err) {
      return Promise.reject(new ContainerStartError(`cannot open log file ${spec.logFile}: ${(err as Error).message}`));
    }
    return new Promise<ContainerProcess>((resolve, reject) => {
      // Exec form, no shell (like a JSON-array CMD). Its own process group stands in for the
      // container: when the main process exits, whatever it left behind is killed too.
      const child = spawn(command, args, { env: spec.env, cwd: spec.cwd, stdio: ['ignore', logFd, logFd], detached: true });
      const signalGroup = (signal: NodeJS.Signals): void => {
        if (child.pid === undefined) return;
        try {
          process.kill(-child.pid, signal);
        } catch {
          // ESRCH: the group is already gone.
        }
      };
      child.once('error', (err: NodeJS.ErrnoException) => {
        closeSync(logFd);
        reject(new ContainerStartError(startErrorText(command, spec.cwd, err)));
      });
      child.once('spawn', () => {
        closeSync(logFd);
        this.spawnedCount += 1;
        let killTimer: NodeJS.Timeout | undefined;
        const exited = new Promise<number>((resolveExit) => {
          child.once('exit', (code, signal) => {
            if (killTimer) clearTimeout(killTimer);
            signalGroup('SIGKILL');
            this.live.delete(handle);
            resolveExit(code ?? 128 + (signal ? constants.signals[signal] : 0));
          });
        });
        const handle: ContainerProcess = {
          pid: child.pid as number,
          exited,
          terminate: (timeoutMs) => {
            if (killTimer) return;
            child.kill('SIGTERM');
            killTimer = setTimeout(() => signalGroup('SIGKILL'), timeoutMs);
          },
          kill: () => signalGroup('SIGKILL'),
        };
        this.live.add(handle);
        resolve(handle);
      });
    });
  }
}

/** The detail ECS shows for a container whose entry point cannot be executed (runc's wording). */
function startErrorText(command: string, cwd: string | undefined, err: NodeJS.ErrnoException): string {
  if (err.code === 'ENOENT' && cwd !== undefined && !command.includes('/')) {
    return `failed to create task for container: chdir to cwd ("${cwd}") or exec "${command}" failed: no such file or directory: unknown`;
  }
  if (err.code === 'ENOENT') {
    return `failed to create task for container: exec: "${command}": executable file not found in $PATH: unknown`;
  }
  if (err.code === 'EACCES') return `failed to create task for container: exec: "${command}": permission denied: unknown`;
  return `failed to create task for container: exec: "${command}": ${err.message}: unknown`;
}
