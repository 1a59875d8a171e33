import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { constants } from 'node:os';
import { ContainerStartError, type ContainerRunner, type ContainerSpec, type RunningContainer } from './container-runner';

/**
 * Starts container commands as local processes and keeps track of every one still alive, so the
 * endpoint can kill them all when it stops.
 */
export class ProcessRunner implements ContainerRunner {
  readonly mode = 'process';
  private readonly live = new Set<RunningContainer>();
  private readonly inFlight = new Set<Promise<unknown>>();

  constructor(
    private readonly deps: {
      /** The endpoint's own environment, under each container's. */
      baseEnv: () => Record<string, string>;
      onSpawned: () => void;
    },
  ) {}

  get running(): number {
    return this.live.size;
  }

  /** Resolves once the OS started the process; rejects with ContainerStartError if it cannot. */
  start(spec: ContainerSpec): Promise<RunningContainer> {
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

  private spawnProcess(spec: ContainerSpec): Promise<RunningContainer> {
    const [command, ...args] = spec.argv;
    if (command === undefined) return Promise.reject(new ContainerStartError('empty command'));
    if (spec.logFile === undefined) return Promise.reject(new ContainerStartError('no log file for the container output'));
    let logFd: number;
    try {
      logFd = openSync(spec.logFile, 'a');
    } catch (err) {
      return Promise.reject(new ContainerStartError(`cannot open log file ${spec.logFile}: ${(err as Error).message}`));
    }
    const env = { ...this.deps.baseEnv(), ...spec.environment };
    return new Promise<RunningContainer>((resolve, reject) => {
      // Exec form, no shell (like a JSON-array CMD). Its own process group stands in for the
      // container: when the main process exits, whatever it left behind is killed too.
      const child = spawn(command, args, { env, cwd: spec.cwd, stdio: ['ignore', logFd, logFd], detached: true });
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
        this.deps.onSpawned();
        let killTimer: NodeJS.Timeout | undefined;
        const exited = new Promise<number>((resolveExit) => {
          child.once('exit', (code, signal) => {
            if (killTimer) clearTimeout(killTimer);
            signalGroup('SIGKILL');
            this.live.delete(handle);
            resolveExit(code ?? 128 + (signal ? constants.signals[signal] : 0));
          });
        });
        const handle: RunningContainer = {
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
