import type { ExecutionMode } from './config-schema';

/** What the lifecycle hands a runner to start one container. */
export interface ContainerSpec {
  /** entryPoint + command, exec form; never empty (the lifecycle handles "no command" itself). */
  argv: string[];
  /** The container's environment (task definition, then overrides); process mode adds the endpoint's own. */
  environment: Record<string, string>;
  cwd?: string | undefined;
  /** Receives stdout and stderr (appended) in process mode. */
  logFile?: string | undefined;
}

/** One started container, whatever runs it. */
export interface RunningContainer {
  /** The OS process id, in process mode. */
  pid?: number;
  /** Resolves with the Docker-style exit code: the command's own, or 128 + signal number. */
  exited: Promise<number>;
  /** `docker stop`: SIGTERM, then SIGKILL after the timeout. */
  terminate(timeoutMs: number): void;
  /** SIGKILL (container teardown). */
  kill(): void;
}

/**
 * Starts containers and keeps track of every one still running, so the endpoint can end them all
 * when it stops. Process mode and scripted mode each have one.
 */
export interface ContainerRunner {
  readonly mode: ExecutionMode;
  /** Resolves once the container runs; rejects with ContainerStartError if it cannot start. */
  start(spec: ContainerSpec): Promise<RunningContainer>;
  /** Containers running right now. */
  readonly running: number;
  /** Ends every container (including ones still starting) and waits until all have exited. */
  killAll(): Promise<void>;
  /** Synchronous SIGKILL to everything, for a process `exit` hook. */
  killAllNow(): void;
}

/** Why a container could not start; its message follows ECS's `CannotStartContainerError: ...` detail. */
export class ContainerStartError extends Error {
  override name = 'ContainerStartError';
}
