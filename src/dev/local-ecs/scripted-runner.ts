import { ContainerStartError, type ContainerRunner, type ContainerSpec, type RunningContainer } from './container-runner';
import { parseScriptedCommand, type ScriptedCommand } from './scripted-commands';

/** setTimeout's limit (about 24.8 days); longer sleeps re-arm. */
const MAX_TIMER_MS = 2 ** 31 - 1;
const SIGTERM_EXIT = 143;
const SIGKILL_EXIT = 137;

/**
 * Scripted mode: a container is one timer, no OS process. What the command does comes from
 * parseScriptedCommand; a stop ends it the way the signal would end the real command.
 */
export class ScriptedRunner implements ContainerRunner {
  readonly mode = 'scripted';
  private readonly live = new Set<ScriptedContainer>();

  constructor(private readonly deps: { onStarted: () => void }) {}

  get running(): number {
    return this.live.size;
  }

  start(spec: ContainerSpec): Promise<RunningContainer> {
    const parsed = parseScriptedCommand(spec.argv);
    if (!parsed.ok) return Promise.reject(new ContainerStartError(parsed.reason));
    const container = new ScriptedContainer(parsed.command, (c) => this.live.delete(c));
    this.live.add(container);
    this.deps.onStarted();
    return Promise.resolve(container);
  }

  /** Ends every container without reporting an exit: the endpoint is going away. */
  killAll(): Promise<void> {
    this.killAllNow();
    return Promise.resolve();
  }

  killAllNow(): void {
    for (const container of this.live) container.discard();
    this.live.clear();
  }
}

class ScriptedContainer implements RunningContainer {
  readonly exited: Promise<number>;
  private resolveExit!: (code: number) => void;
  private timer: NodeJS.Timeout | undefined;
  /** When the current timer ends the container (epoch ms). */
  private exitsAt: number | undefined;
  private terminating = false;
  private done = false;

  constructor(
    private readonly command: ScriptedCommand,
    private readonly onDone: (container: ScriptedContainer) => void,
  ) {
    this.exited = new Promise<number>((resolve) => {
      this.resolveExit = resolve;
    });
    if (command.runsForMs !== undefined) this.arm(command.runsForMs, command.exitCode);
  }

  terminate(timeoutMs: number): void {
    if (this.done || this.terminating) return;
    this.terminating = true;
    if (!this.command.ignoresSigterm) {
      this.finish(SIGTERM_EXIT);
      return;
    }
    // It ignores SIGTERM and runs on; SIGKILL follows after the timeout unless it exits first.
    const exitsInMs = this.remainingMs();
    // Both ends carry arm()'s extra millisecond: a container due to exit when the timeout ends keeps its own exit code.
    if (exitsInMs === undefined || exitsInMs > timeoutMs + 1) this.arm(timeoutMs, SIGKILL_EXIT);
  }

  kill(): void {
    this.finish(SIGKILL_EXIT);
  }

  discard(): void {
    this.clear();
    this.done = true;
  }

  private remainingMs(): number | undefined {
    return this.exitsAt === undefined ? undefined : Math.max(0, this.exitsAt - Date.now());
  }

  private arm(ms: number, exitCode: number): void {
    this.clear();
    // By the wall clock the task's timestamps are read from, whole milliseconds: the next one past
    // `ms`, so a `sleep 0.2` spans 200 ms between its startedAt and stoppingAt whatever fraction of
    // a millisecond it started in. A timer alone may fire a little early by that clock.
    this.exitsAt = Date.now() + ms + 1;
    this.waitUntilExit(exitCode);
  }

  /** Always through a timer, so that even `true` ends after its constructor has returned and its runner has recorded it. */
  private waitUntilExit(exitCode: number): void {
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        if ((this.remainingMs() ?? 0) > 0) this.waitUntilExit(exitCode);
        else this.finish(exitCode);
      },
      Math.min(this.remainingMs() ?? 0, MAX_TIMER_MS),
    );
  }

  private finish(code: number): void {
    if (this.done) return;
    this.clear();
    this.done = true;
    this.onDone(this);
    this.resolveExit(code);
  }

  private clear(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
