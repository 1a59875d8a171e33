import { CommanderError } from 'commander';
import { NotFoundError, UserInputError } from '../errors';

/** Exit codes scripts can rely on. */
export const ExitCode = {
  OK: 0,
  /** The task failed (wait, submit --wait), ECS is unhealthy (health), no worker polls the queue, Temporal cannot be reached, or a runtime error. */
  FAILED: 1,
  /** Bad arguments or bad configuration: nothing was done. */
  USAGE: 2,
  /** Not found / not adopted. */
  NOT_FOUND: 3,
} as const;

/** The exit code an error means, decided by its class: every "your input is wrong" error is a usage error. */
export function exitCodeOf(err: unknown): number {
  if (err instanceof CommanderError) return err.exitCode === 0 ? ExitCode.OK : ExitCode.USAGE;
  if (err instanceof UserInputError) return ExitCode.USAGE;
  if (err instanceof NotFoundError) return ExitCode.NOT_FOUND;
  return ExitCode.FAILED;
}
