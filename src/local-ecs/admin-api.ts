import type { FaultsConfig } from './config-schema';
import type { HttpResponse } from './http-server';
import { LocalEcsConfigError, parseFaultsConfig } from './load-config';
import type { LocalEcsStats } from './stats';

export const ADMIN_PREFIX = '/_local/';

export interface AdminControls {
  stats(): LocalEcsStats;
  resetStats(): void;
  faults(): FaultsConfig;
  /** Replaces every fault with an already validated config. */
  setFaults(faults: FaultsConfig): void;
}

/**
 * The test/benchmark control surface, beside the ECS API on the same port:
 *   GET /_local/stats · POST /_local/stats/reset · GET /_local/faults · POST|PUT /_local/faults (replace) · DELETE /_local/faults
 */
export function handleAdminRequest(method: string, path: string, body: string, controls: AdminControls): HttpResponse {
  const route = `${method} ${path.replace(/\/+$/, '')}`;
  switch (route) {
    case 'GET /_local/stats':
      return json(200, controls.stats());
    case 'POST /_local/stats/reset':
      controls.resetStats();
      return json(200, controls.stats());
    case 'GET /_local/faults':
      return json(200, controls.faults());
    case 'POST /_local/faults':
    case 'PUT /_local/faults': {
      let value: unknown;
      try {
        value = body.trim() === '' ? {} : JSON.parse(body);
      } catch {
        return json(400, { error: 'The body must be a JSON fault config, e.g. {"endpoint":{"throttle":{"next":2}}}.' });
      }
      let faults: FaultsConfig;
      try {
        faults = parseFaultsConfig(value);
      } catch (err) {
        if (err instanceof LocalEcsConfigError) return json(400, { error: err.message });
        throw err;
      }
      controls.setFaults(faults);
      return json(200, controls.faults());
    }
    case 'DELETE /_local/faults':
      controls.setFaults({});
      return json(200, controls.faults());
    default:
      return json(404, {
        error: `No admin route ${route}. Routes: GET /_local/stats, POST /_local/stats/reset, GET|POST|DELETE /_local/faults.`,
      });
  }
}

const json = (status: number, payload: unknown): HttpResponse => ({
  status,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(payload),
});
