import { accessSync, constants, readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * Where the Temporal binaries are: an explicit env var wins, then what `scripts/setup.sh` built
 * into .cache/. Neither is downloaded here: our machines reach only package registries.
 */

const projectRoot = path.resolve(__dirname, '..', '..');
/** The versions setup installs, written once for setup.sh and for this file. */
const versionsFile = path.join(projectRoot, 'scripts', 'versions.env');

type PinnedVersionKey = 'TEMPORAL_CLI_VERSION' | 'TEMPORAL_TEST_SERVER_VERSION';

let pinnedVersions: ReadonlyMap<string, string> | undefined;

/**
 * Parses scripts/versions.env the way scripts/lib/versions.sh does (KEY=VALUE lines, # comments,
 * no quotes or spaces), so that both always agree on what a line means.
 */
function readPinnedVersions(): ReadonlyMap<string, string> {
  if (pinnedVersions) return pinnedVersions;
  let text: string;
  try {
    text = readFileSync(versionsFile, 'utf8');
  } catch (err) {
    throw new Error(`cannot read the pinned versions from ${versionsFile} (${(err as Error).message}): restore the file from git, or set TEMPORAL_CLI_VERSION and TEMPORAL_TEST_SERVER_VERSION`, { cause: err });
  }
  const versions = new Map<string, string>();
  text.split(/\r?\n/).forEach((line, index) => {
    if (line.trim() === '' || /^\s*#/.test(line)) return;
    const match = /^([A-Z][A-Z0-9_]*)=([^\s"'$`]+)$/.exec(line);
    if (!match?.[1] || !match[2]) {
      throw new Error(`${versionsFile}:${index + 1}: expected KEY=VALUE (no quotes or spaces), got ${JSON.stringify(line)}`);
    }
    versions.set(match[1], match[2]);
  });
  pinnedVersions = versions;
  return versions;
}

/** The version setup installs: the environment variable of that name (when not empty), else the file's line. */
function pinnedVersion(key: PinnedVersionKey): string {
  const fromEnv = process.env[key];
  if (fromEnv) return fromEnv;
  const fromFile = readPinnedVersions().get(key);
  if (!fromFile) throw new Error(`${versionsFile} has no ${key}=<version> line: add it (setup.sh reads the same file), or set ${key}`);
  return fromFile;
}

function executable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function resolveBinary(envVar: string, built: string, what: string, setupTarget: string): string {
  const explicit = process.env[envVar];
  if (explicit) {
    if (!executable(explicit)) {
      throw new Error(`${envVar}=${explicit} is not an executable file: point it at ${what}, or unset it to use the one setup builds`);
    }
    return explicit;
  }
  if (executable(built)) return built;
  throw new Error(`${what} is not installed: run \`bash scripts/setup.sh ${setupTarget}\` (installs it into ${path.dirname(built)}) or set ${envVar}`);
}

/** The Temporal CLI (`temporal server start-dev`: dev server with SQLite and the Web UI). */
export function temporalCliPath(): string {
  return resolveBinary(
    'TEMPORAL_CLI_PATH',
    path.join(projectRoot, '.cache', 'temporal-cli', pinnedVersion('TEMPORAL_CLI_VERSION'), 'temporal'),
    'the Temporal CLI',
    'temporal-cli',
  );
}

/** The time-skipping test server (Java, from Maven Central, behind an exec wrapper). */
export function temporalTestServerPath(): string {
  return resolveBinary(
    'TEMPORAL_TEST_SERVER_PATH',
    path.join(projectRoot, '.cache', 'temporal-test-server', pinnedVersion('TEMPORAL_TEST_SERVER_VERSION'), 'temporal-test-server'),
    'the Temporal time-skipping test server',
    'test-server',
  );
}
