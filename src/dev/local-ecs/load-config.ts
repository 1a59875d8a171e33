import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import type { z } from 'zod';
import { faultsConfigSchema, localEcsConfigSchema, type FaultsConfig, type LocalEcsConfig } from './config-schema';

export class LocalEcsConfigError extends Error {
  override name = 'LocalEcsConfigError';
}

/** One line per zod issue, with the dotted path to the offending value. */
function formatIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      const where = issue.path.length > 0 ? issue.path.map(String).join('.') : '(top level)';
      return `  - ${where}: ${issue.message}`;
    })
    .join('\n');
}

/** Validates a config object (from a file or from code); `source` names it in error messages. */
export function parseLocalEcsConfig(value: unknown, source = 'local ECS config'): LocalEcsConfig {
  const parsed = localEcsConfigSchema.safeParse(value);
  if (!parsed.success) {
    throw new LocalEcsConfigError(`Invalid ${source}:\n${formatIssues(parsed.error)}\nFix these fields (see LocalEcsConfig in src/dev/local-ecs/config-schema.ts).`);
  }
  return parsed.data;
}

/** Validates a fault config (from code or the admin API). */
export function parseFaultsConfig(value: unknown): FaultsConfig {
  const parsed = faultsConfigSchema.safeParse(value);
  if (!parsed.success) throw new LocalEcsConfigError(`Invalid fault config:\n${formatIssues(parsed.error)}`);
  return parsed.data;
}

/** Reads and validates a JSON config file. A relative `logDir` is taken relative to the file. */
export async function loadLocalEcsConfig(path: string): Promise<LocalEcsConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new LocalEcsConfigError(`Cannot read local ECS config file ${path}: ${(err as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new LocalEcsConfigError(`Local ECS config file ${path} is not valid JSON: ${(err as Error).message}`);
  }
  const config = parseLocalEcsConfig(json, `local ECS config file ${path}`);
  if (config.logDir !== undefined && !isAbsolute(config.logDir)) {
    return { ...config, logDir: resolve(dirname(path), config.logDir) };
  }
  return config;
}
