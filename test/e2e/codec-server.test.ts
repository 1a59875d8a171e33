import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { request } from 'node:http';
import { promisify } from 'node:util';
import { Client } from '@temporalio/client';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { temporalCliPath } from '../../src/dev/temporal-binaries';
import { ConfigError } from '../../src/errors';
import { createLogger } from '../../src/logger';
import { AesGcmPayloadCodec, dataConverterFor, type CodecKeyRing } from '../../src/temporal/codec';
import { startCodecServer, type CodecServer } from '../../src/temporal/codec-server';
import { connectToDevServer } from '../support/environments';
import { bundleQuietly } from '../support/workflow-bundle';
import type { CodecTestActivities, SecretInput } from './fixtures/codec-workflow';

const TOKEN = 'codec-server-test-token-0123456789';
const UI_ORIGIN = 'http://localhost:8233';
const SECRET = `exec-api-token.${randomUUID()}`;
const keyRing: CodecKeyRing = { currentKeyId: 'k2', keys: new Map([['k1', Buffer.alloc(32, 1)], ['k2', Buffer.alloc(32, 2)]]) };
const logger = createLogger('silent', 'codec-server-test');

interface HttpAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A raw HTTP call, so the test can send the Origin and preflight headers a browser sends. */
function call(url: string, method: string, headers: Record<string, string> = {}, body?: string): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

function post(server: CodecServer, path: string, payloads: unknown[], headers: Record<string, string> = { Authorization: `Bearer ${TOKEN}` }) {
  return call(`${server.url}${path}`, 'POST', { 'Content-Type': 'application/json', 'X-Namespace': 'default', ...headers }, JSON.stringify({ payloads }));
}

/** Protobuf JSON, as the Web UI sends payloads. */
function toJson(payload: Payload): { metadata: Record<string, string>; data?: string } {
  return {
    metadata: Object.fromEntries(Object.entries(payload.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
    ...(payload.data ? { data: Buffer.from(payload.data).toString('base64') } : {}),
  };
}

function fromJson(json: { metadata?: Record<string, string>; data?: string }): Payload {
  return {
    metadata: Object.fromEntries(Object.entries(json.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')])),
    data: Buffer.from(json.data ?? '', 'base64'),
  };
}

function answeredPayloads(answer: HttpAnswer): Payload[] {
  expect(answer.status).toBe(200);
  const body = JSON.parse(answer.body) as { payloads: { metadata?: Record<string, string>; data?: string }[] };
  return body.payloads.map(fromJson);
}

describe('codec server (startCodecServer)', () => {
  let server: CodecServer;
  const codec = new AesGcmPayloadCodec(keyRing);

  beforeAll(async () => {
    server = await startCodecServer({ port: 0, keyRing, token: TOKEN, logger });
  });

  afterAll(async () => {
    await server.stop();
  });

  it('refuses to start without a token unless told to run without one', async () => {
    await expect(startCodecServer({ port: 0, keyRing, token: undefined, logger })).rejects.toThrow(ConfigError);
    await expect(startCodecServer({ port: 0, keyRing, token: undefined, logger })).rejects.toThrow(/--insecure-no-token/);
    const open = await startCodecServer({ port: 0, keyRing, token: undefined, insecureNoToken: true, logger });
    try {
      const [encrypted] = await codec.encode([defaultPayloadConverter.toPayload('open')]);
      const [decoded] = answeredPayloads(await post(open, '/decode', [toJson(encrypted as Payload)], {}));
      expect(defaultPayloadConverter.fromPayload(decoded as Payload)).toBe('open');
    } finally {
      await open.stop();
    }
  });

  it('rejects a weak token, a token together with --insecure-no-token, and CORS entries that are not origins', async () => {
    await expect(startCodecServer({ port: 0, keyRing, token: 'short', logger })).rejects.toThrow(/5 characters: use at least 16/);
    await expect(startCodecServer({ port: 0, keyRing, token: TOKEN, insecureNoToken: true, logger })).rejects.toThrow(/drop one of them/);
    await expect(startCodecServer({ port: 0, keyRing, token: TOKEN, corsOrigins: ['http://localhost:8233/ui'], logger })).rejects.toThrow(
      'CORS origin "http://localhost:8233/ui" is not an origin',
    );
  });

  it('answers the Web UI preflight from an allowed origin with the headers the UI sends', async () => {
    const answer = await call(`${server.url}/decode`, 'OPTIONS', {
      Origin: UI_ORIGIN,
      'Access-Control-Request-Method': 'POST',
      'Access-Control-Request-Headers': 'content-type,authorization,x-namespace',
    });
    expect(answer.status).toBe(204);
    expect(answer.headers['access-control-allow-origin']).toBe(UI_ORIGIN);
    expect(answer.headers['access-control-allow-credentials']).toBe('true');
    expect(answer.headers['access-control-allow-methods']).toContain('POST');
    expect(answer.headers['access-control-allow-headers']).toBe('Content-Type, Authorization, X-Namespace');
    expect(answer.headers.vary).toBe('Origin');
  });

  it('refuses a preflight from an origin that is not allowed, without CORS headers', async () => {
    const answer = await call(`${server.url}/decode`, 'OPTIONS', { Origin: 'https://evil.example', 'Access-Control-Request-Method': 'POST' });
    expect(answer.status).toBe(403);
    expect(answer.headers['access-control-allow-origin']).toBeUndefined();
    expect(answer.body).toContain('origin https://evil.example may not call this codec server');
  });

  it('answers 401 without the bearer token or with a wrong one, in a way the UI can read', async () => {
    const [encrypted] = await codec.encode([defaultPayloadConverter.toPayload(SECRET)]);
    const refused: Record<string, string>[] = [{ Origin: UI_ORIGIN }, { Origin: UI_ORIGIN, Authorization: 'Bearer wrong-token-wrong-token' }, { Authorization: TOKEN }];
    for (const headers of refused) {
      const answer = await post(server, '/decode', [toJson(encrypted as Payload)], headers);
      expect(answer.status).toBe(401);
      expect(answer.headers['www-authenticate']).toBe('Bearer');
      expect(answer.body).not.toContain(Buffer.from(SECRET).toString('base64'));
    }
    const fromUi = await post(server, '/decode', [], { Origin: UI_ORIGIN });
    expect(fromUi.headers['access-control-allow-origin']).toBe(UI_ORIGIN);
  });

  it('decodes payloads the codec encoded, under any path prefix, passing plain ones through', async () => {
    const plain = defaultPayloadConverter.toPayload({ visible: true });
    const [encrypted] = await codec.encode([defaultPayloadConverter.toPayload({ token: SECRET })]);
    for (const path of ['/decode', '/default/decode', '/codec/default/decode/']) {
      const decoded = answeredPayloads(await post(server, path, [toJson(encrypted as Payload), toJson(plain)], { Authorization: `bearer ${TOKEN}`, Origin: UI_ORIGIN }));
      expect(defaultPayloadConverter.fromPayload(decoded[0] as Payload)).toEqual({ token: SECRET });
      expect(toJson(decoded[1] as Payload)).toEqual(toJson(plain));
    }
  });

  it('encodes payloads that it and the codec then decode', async () => {
    const original = defaultPayloadConverter.toPayload({ token: SECRET });
    const [encrypted] = answeredPayloads(await post(server, '/encode', [toJson(original)]));
    expect(Buffer.from(encrypted?.metadata?.encoding ?? []).toString()).toBe('binary/encrypted');
    expect(Buffer.from(encrypted?.metadata?.['encryption-key-id'] ?? []).toString()).toBe('k2');
    expect(Buffer.from(encrypted?.data ?? []).toString()).not.toContain(SECRET);
    const [viaServer] = answeredPayloads(await post(server, '/decode', [toJson(encrypted as Payload)]));
    const [viaCodec] = await codec.decode([encrypted as Payload]);
    expect(defaultPayloadConverter.fromPayload(viaServer as Payload)).toEqual({ token: SECRET });
    expect(defaultPayloadConverter.fromPayload(viaCodec as Payload)).toEqual({ token: SECRET });
  });

  it('answers 422 naming the key id when a payload cannot be decrypted', async () => {
    const other = new AesGcmPayloadCodec({ currentKeyId: 'k9', keys: new Map([['k9', Buffer.alloc(32, 9)]]) });
    const [foreign] = await other.encode([defaultPayloadConverter.toPayload(SECRET)]);
    const answer = await post(server, '/decode', [toJson(foreign as Payload)]);
    expect(answer.status).toBe(422);
    expect((JSON.parse(answer.body) as { error: string }).error).toContain('key id "k9", which is not in the codec key ring (ids: k1, k2)');
  });

  it('answers 400 to a body that is not protobuf JSON payloads, 404 to other paths and 405 to GET', async () => {
    const auth = { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' };
    const notJson = await call(`${server.url}/decode`, 'POST', auth, '{"payloads": [');
    expect(notJson.status).toBe(400);
    expect(notJson.body).toContain('the request body is not JSON');
    const badBytes = await call(`${server.url}/decode`, 'POST', auth, JSON.stringify({ payloads: [{ data: 'not base64!' }] }));
    expect(badBytes.status).toBe(400);
    expect(badBytes.body).toContain('payloads.0.data: must be base64');
    expect((await call(`${server.url}/health`, 'POST', auth, '{}')).status).toBe(404);
    const get = await call(`${server.url}/decode`, 'GET', auth);
    expect(get.status).toBe(405);
    expect(get.headers.allow).toBe('POST, OPTIONS');
  });
});

describe('payload codec with a real Temporal client and worker', () => {
  let env: TestWorkflowEnvironment;
  let bundle: WorkflowBundleWithSourceMap;
  let server: CodecServer;

  beforeAll(async () => {
    env = await connectToDevServer();
    bundle = await bundleQuietly(require.resolve('./fixtures/codec-workflow'));
    server = await startCodecServer({ port: 0, keyRing, token: TOKEN, logger });
  });

  afterAll(async () => {
    await server?.stop();
    await env?.teardown();
  });

  it('keeps a secret out of the raw history, which the codec and the codec server decode', async () => {
    const dataConverter = dataConverterFor(keyRing);
    const client = new Client({ connection: env.connection, namespace: env.namespace ?? 'default', dataConverter });
    const taskQueue = `codec-${randomUUID()}`;
    const workflowId = `codec-${randomUUID()}`;
    const activities: CodecTestActivities = { holdSecret: async (input: SecretInput) => `held ${input.token}` };
    const worker = await Worker.create({ connection: env.nativeConnection, taskQueue, workflowBundle: bundle, activities, dataConverter });
    const input: SecretInput = { token: SECRET, dagId: 'example' };

    const result = await worker.runUntil(async () => {
      const handle = await client.workflow.start('secretEchoWorkflow', { taskQueue, workflowId, args: [input], memo: { workload: input } });
      return handle.result();
    });
    expect(result).toEqual({ input, held: `held ${SECRET}` });

    // Read back as anyone without the key would: a client with no codec, the history's raw bytes.
    const history = await env.client.workflow.getHandle(workflowId).fetchHistory();
    const raw = Buffer.from(temporal.api.history.v1.History.encode(history).finish());
    expect(history.events?.length).toBeGreaterThan(5);
    for (const trace of [SECRET, SECRET.slice(-12), Buffer.from(SECRET).toString('base64').slice(0, 16)]) {
      expect(raw.includes(trace)).toBe(false);
    }
    const started = history.events?.[0]?.workflowExecutionStartedEventAttributes;
    const inputPayload = started?.input?.payloads?.[0] as Payload;
    expect(Buffer.from(inputPayload.metadata?.encoding ?? []).toString()).toBe('binary/encrypted');
    const memoPayload = started?.memo?.fields?.workload as Payload;
    expect(Buffer.from(memoPayload.metadata?.encoding ?? []).toString()).toBe('binary/encrypted');
    const completed = history.events?.find((e) => e.workflowExecutionCompletedEventAttributes)?.workflowExecutionCompletedEventAttributes;
    const resultPayload = completed?.result?.payloads?.[0] as Payload;

    // With the codec, the same bytes decode.
    const [decodedInput] = await new AesGcmPayloadCodec(keyRing).decode([inputPayload]);
    expect(defaultPayloadConverter.fromPayload(decodedInput as Payload)).toEqual(input);

    // And through the codec server, as the Web UI asks it.
    const answer = await post(server, '/decode', [toJson(inputPayload), toJson(memoPayload), toJson(resultPayload)], {
      Authorization: `Bearer ${TOKEN}`,
      Origin: UI_ORIGIN,
    });
    const [viaServerInput, viaServerMemo, viaServerResult] = answeredPayloads(answer).map((p) => defaultPayloadConverter.fromPayload(p));
    expect(viaServerInput).toEqual(input);
    expect(viaServerMemo).toEqual(input);
    expect(viaServerResult).toEqual({ input, held: `held ${SECRET}` });

    // The Temporal CLI speaks the same remote codec protocol as the Web UI.
    const show = (...codecArgs: string[]) =>
      promisify(execFile)(
        temporalCliPath(),
        ['workflow', 'show', '--workflow-id', workflowId, '--address', env.address, '--namespace', env.namespace ?? 'default', '--output', 'json', ...codecArgs],
        { timeout: 60_000 },
      );
    const shownInput = async (...codecArgs: string[]): Promise<Payload> => {
      const shown = JSON.parse((await show(...codecArgs)).stdout) as {
        events: { workflowExecutionStartedEventAttributes?: { input: { payloads: { metadata?: Record<string, string>; data?: string }[] } } }[];
      };
      const payload = shown.events[0]?.workflowExecutionStartedEventAttributes?.input.payloads[0];
      if (!payload) throw new Error('temporal workflow show printed no workflow input');
      return fromJson(payload);
    };
    const withoutCodec = await shownInput();
    expect(Buffer.from(withoutCodec.metadata?.encoding ?? []).toString()).toBe('binary/encrypted');
    const withCodec = await shownInput('--codec-endpoint', server.url, '--codec-auth', `Bearer ${TOKEN}`);
    expect(defaultPayloadConverter.fromPayload(withCodec)).toEqual(input);
  });
});
