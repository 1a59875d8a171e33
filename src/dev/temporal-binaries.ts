import { accessSync, constants } from 'node:fs';
import path from 'node:path';

/**
 * Where the Temporal binaries are: an explicit env var wins, then what `scripts/setup.sh` built
 * into .cache/. Neither is downloaded here: our machines reach only package registries.
 */

const projectRoot = path.resolve(__dirname, '..', '..');
const TEMPORAL_CLI_VERSION = process.env.TEMPORAL_CLI_VERSION ?? 'v1.5.1';
const TEMPORAL_TEST_SERVER_VERSION = process.env.TEMPORAL_TEST_SERVER_VERSION ?? '1.34.0';

function executable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function resolveBinary(envVar: string, built: string, what: string): string {
  const explicit = process.env[envVar];
  if (explicit) {
    if (!executable(explicit)) {
      throw new Error(`${envVar}=${explicit} is not an executable file: point it at ${what}, or unset it to use the one setup builds`);
    }
    return explicit;
  }
  if (executable(built)) return built;
  throw new Error(`${what} is not installed: run \`npm run setup\` (builds it into ${path.dirname(built)}) or set ${envVar}`);
}

/** The Temporal CLI (`temporal server start-dev`: dev server with SQLite and the Web UI). */
export function temporalCliPath(): string {
  return resolveBinary(
    'TEMPORAL_CLI_PATH',
    path.join(projectRoot, '.cache', 'temporal-cli', TEMPORAL_CLI_VERSION, 'temporal'),
    'the Temporal CLI',
  );
}

/** The time-skipping test server (Java, from Maven Central, behind an exec wrapper). */
export function temporalTestServerPath(): string {
  return resolveBinary(
    'TEMPORAL_TEST_SERVER_PATH',
    path.join(projectRoot, '.cache', 'temporal-test-server', TEMPORAL_TEST_SERVER_VERSION, 'temporal-test-server'),
    'the Temporal time-skipping test server',
  );
}
