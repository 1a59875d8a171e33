import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Payload } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { z } from 'zod';
import { ConfigError } from '../errors';
import type { AppLogger } from '../logger';
import { AesGcmPayloadCodec, PayloadDecryptionError, type CodecKeyRing } from './codec';

/**
 * A remote codec server (`ecs-executor codec-server`) so the Temporal Web UI and CLI can show
 * encrypted payloads. Temporal's remote codec protocol: `POST .../encode` and `POST .../decode`
 * (only the last path segment counts, so the server can sit under any prefix), body and answer
 * `{"payloads": [<Payload as protobuf JSON: bytes in base64>]}`. The UI also sends `X-Namespace`
 * and, from another origin, a CORS preflight.
 *
 * Whoever can call /decode reads every secret in every history, so a bearer token is required
 * unless the caller explicitly opts out (`insecureNoToken`), and browsers are limited to the
 * configured origins.
 */

/** The UI of `temporal server start-dev`. */
const DEFAULT_CODEC_CORS_ORIGINS: readonly string[] = ['http://localhost:8233', 'http://127.0.0.1:8233'];
const ALLOWED_HEADERS = 'Content-Type, Authorization, X-Namespace';
const MIN_TOKEN_LENGTH = 16;
const DEFAULT_MAX_BODY_BYTES = 16 * 1024 * 1024;

export interface CodecServerOptions {
  /** 0 picks a free port. */
  port: number;
  /** Default 127.0.0.1: the UI runs in the operator's browser, usually on the same machine. */
  host?: string;
  keyRing: CodecKeyRing;
  /** Required `Authorization: Bearer <token>`; undefined only together with `insecureNoToken`. */
  token: string | undefined;
  /** Serve without a token (`--insecure-no-token`): anyone who reaches the port can decrypt. */
  insecureNoToken?: boolean;
  /** Browser origins allowed to call (exact `scheme://host[:port]`); default DEFAULT_CODEC_CORS_ORIGINS. */
  corsOrigins?: readonly string[];
  logger: AppLogger;
  maxBodyBytes?: number;
}

export interface CodecServer {
  url: string;
  stop(): Promise<void>;
}

// Proto JSON parsers accept standard and URL-safe base64, padded or not.
const Base64 = z.string().regex(/^[A-Za-z0-9+/_-]*={0,2}$/, 'must be base64');
const JsonPayload = z.looseObject({
  metadata: z.record(z.string(), Base64).nullish(),
  data: Base64.nullish(),
});
const RequestBody = z.looseObject({ payloads: z.array(JsonPayload) });

const PayloadProto = temporal.api.common.v1.Payload;

function normaliseOrigins(origins: readonly string[]): Set<string> {
  const problems: string[] = [];
  const result = new Set<string>();
  for (const raw of origins) {
    const value = raw.trim().replace(/\/+$/, '');
    let origin: string | undefined;
    try {
      origin = new URL(value).origin;
    } catch {
      origin = undefined;
    }
    if (origin === undefined || origin === 'null' || origin !== value) {
      problems.push(`CORS origin ${JSON.stringify(raw)} is not an origin: write scheme://host[:port] with no path, e.g. http://localhost:8233`);
    } else {
      result.add(origin);
    }
  }
  if (problems.length > 0) throw new ConfigError(`Invalid codec server CORS origins:\n${problems.map((p) => `  - ${p}`).join('\n')}`, problems);
  return result;
}

function checkToken(token: string | undefined, insecureNoToken: boolean): void {
  if (token === undefined) {
    if (!insecureNoToken) {
      throw new ConfigError(
        'Refusing to start the codec server without a bearer token: anyone who reaches it could decrypt every payload. ' +
          'Give it a token (e.g. from `openssl rand -hex 32`) that callers send as `Authorization: Bearer <token>`, ' +
          'or pass --insecure-no-token for a server only you can reach.',
      );
    }
    return;
  }
  if (insecureNoToken) {
    throw new ConfigError('The codec server was given both a token and --insecure-no-token: drop one of them.');
  }
  if (token.trim() !== token || token.length < MIN_TOKEN_LENGTH || /\s/.test(token)) {
    throw new ConfigError(
      `The codec server token is ${token.length} characters${/\s/.test(token) ? ' and contains whitespace' : ''}: ` +
        `use at least ${MIN_TOKEN_LENGTH} characters without spaces (e.g. from \`openssl rand -hex 32\`).`,
    );
  }
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      // Answer at once and drop the rest: the connection is closed after the answer.
      if (size > limit) reject(new HttpError(413, `the request body is over ${limit} bytes: send fewer payloads per request`, { Connection: 'close' }));
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function parseRequest(body: Buffer): Payload[] {
  let json: unknown;
  try {
    json = JSON.parse(body.toString('utf8'));
  } catch (err) {
    throw new HttpError(400, `the request body is not JSON (${(err as Error).message}): send {"payloads": [{"metadata": {...}, "data": "<base64>"}]}`);
  }
  const parsed = RequestBody.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.map(String).join('.') || 'body'}: ${issue.message}`);
    throw new HttpError(400, `the request body is not {"payloads": [...]} in protobuf JSON (${problems.join('; ')})`);
  }
  return parsed.data.payloads.map((payload) => PayloadProto.fromObject(payload));
}

function toJson(payload: Payload): Record<string, unknown> {
  return PayloadProto.toObject(PayloadProto.create(payload), { bytes: String, longs: String });
}

export async function startCodecServer(options: CodecServerOptions): Promise<CodecServer> {
  const insecureNoToken = options.insecureNoToken ?? false;
  checkToken(options.token, insecureNoToken);
  const origins = normaliseOrigins(options.corsOrigins ?? DEFAULT_CODEC_CORS_ORIGINS);
  const codec = new AesGcmPayloadCodec(options.keyRing);
  const expectedToken = options.token === undefined ? undefined : sha256(`Bearer ${options.token}`);
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const host = options.host ?? '127.0.0.1';
  const { logger } = options;

  function authorised(req: IncomingMessage): boolean {
    if (expectedToken === undefined) return true;
    const header = req.headers.authorization;
    if (header === undefined) return false;
    // The scheme is case-insensitive (RFC 9110); hashing first makes the comparison constant-time.
    const normalised = header.replace(/^bearer\s+/i, 'Bearer ');
    return timingSafeEqual(sha256(normalised), expectedToken);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<{ status: number; operation?: string; count?: number }> {
    const origin = req.headers.origin;
    res.setHeader('Vary', 'Origin');
    if (origin !== undefined) {
      if (!origins.has(origin)) {
        throw new HttpError(403, `origin ${origin} may not call this codec server: add it to the allowed CORS origins (allowed: ${[...origins].join(', ') || 'none'})`);
      }
      res.setHeader('Access-Control-Allow-Origin', origin);
      res.setHeader('Access-Control-Allow-Credentials', 'true');
    }
    const path = new URL(req.url ?? '/', 'http://codec-server').pathname;
    const operation = path.replace(/\/+$/, '').split('/').pop();
    if (operation !== 'encode' && operation !== 'decode') {
      throw new HttpError(404, `no such endpoint ${path}: POST .../encode or .../decode`);
    }
    if (req.method === 'OPTIONS') {
      res.writeHead(204, {
        'Access-Control-Allow-Methods': 'POST, OPTIONS',
        'Access-Control-Allow-Headers': ALLOWED_HEADERS,
        'Access-Control-Max-Age': '600',
      });
      res.end();
      return { status: 204, operation };
    }
    if (req.method !== 'POST') throw new HttpError(405, `${req.method ?? '?'} is not allowed on ${path}: use POST`, { Allow: 'POST, OPTIONS' });
    if (!authorised(req)) {
      throw new HttpError(401, 'missing or wrong bearer token: send Authorization: Bearer <the codec server token>', { 'WWW-Authenticate': 'Bearer' });
    }
    const payloads = parseRequest(await readBody(req, maxBodyBytes));
    let converted: Payload[];
    try {
      converted = operation === 'encode' ? await codec.encode(payloads) : await codec.decode(payloads);
    } catch (err) {
      if (err instanceof PayloadDecryptionError) throw new HttpError(422, err.message);
      throw err;
    }
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ payloads: converted.map(toJson) }));
    return { status: 200, operation, count: payloads.length };
  }

  const server = createServer((req, res) => {
    handle(req, res).then(
      // Never log payloads, only what was asked of the server.
      (outcome) => logger.debug({ ...outcome, namespace: req.headers['x-namespace'] }, 'codec request'),
      (err: unknown) => {
        const status = err instanceof HttpError ? err.status : 500;
        const message = err instanceof HttpError ? err.message : 'internal error in the codec server; see its log';
        if (status === 500) logger.error({ err }, 'codec request failed');
        else logger.warn({ status, path: req.url, namespace: req.headers['x-namespace'], error: message }, 'codec request refused');
        if (!res.headersSent) {
          res.writeHead(status, { 'Content-Type': 'application/json', ...(err instanceof HttpError ? err.headers : {}) });
          res.end(JSON.stringify({ error: message }));
        } else {
          res.destroy();
        }
      },
    );
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const url = `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`;
  if (expectedToken === undefined) {
    logger.warn({ url }, 'codec server running WITHOUT a bearer token (--insecure-no-token): anyone who can reach it can decrypt payloads');
  }
  logger.info({ url, corsOrigins: [...origins], keyIds: [...options.keyRing.keys.keys()], currentKeyId: options.keyRing.currentKeyId }, 'codec server listening');

  return {
    url,
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}
