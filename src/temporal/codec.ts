import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { METADATA_ENCODING_KEY, type DataConverter, type Payload, type PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { z } from 'zod';
import { ConfigError } from '../errors';

/**
 * AES-256-GCM payload codec, byte-compatible with the Python executor's
 * `temporal_ecs_executor.codec` and with Temporal's encryption samples: each payload is
 * serialised whole (metadata included, so the encoding of the value is hidden too) and replaced
 * by a payload whose data is `nonce (12 bytes) || ciphertext || tag (16 bytes)` and whose
 * metadata is `encoding: binary/encrypted`, `encryption-key-id: <id>`.
 *
 * Keys come from a key ring (id -> 32-byte key): the current id encrypts, every id in the ring
 * decrypts, so a key is rotated by adding a new one, making it current, and keeping the old
 * ones for as long as histories written with them are read.
 * contract/codec-vectors.json holds the vectors both implementations are tested against.
 */

const ENCRYPTED_ENCODING = 'binary/encrypted';
const ENCRYPTION_KEY_ID_METADATA = 'encryption-key-id';
export const DEFAULT_CODEC_KEY_ID = 'default';

/** The settings the key ring is read from (same names in the Python package). */
export const CODEC_ENV = {
  keyFile: 'ECS_EXECUTOR_CODEC_KEY_FILE',
  key: 'ECS_EXECUTOR_CODEC_KEY',
  keyId: 'ECS_EXECUTOR_CODEC_KEY_ID',
} as const;

const KEY_BYTES = 32;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
const KEY_ID = /^[A-Za-z0-9._-]{1,64}$/;
const STRICT_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const GENERATE_HINT = 'generate one with `openssl rand -base64 32`';

export interface CodecKeyRing {
  /** The id every new payload is encrypted with. */
  readonly currentKeyId: string;
  /** Every key that can decrypt, by id (the current one included). */
  readonly keys: ReadonlyMap<string, Uint8Array>;
}

/** Thrown when an encrypted payload cannot be decrypted: unknown key id, altered data, wrong key. */
export class PayloadDecryptionError extends Error {
  override readonly name = 'PayloadDecryptionFailed';
  constructor(
    message: string,
    /** The key id the payload names, when it names one. */
    readonly keyId: string | undefined,
  ) {
    super(message);
  }
}

function configError(title: string, problems: string[]): ConfigError {
  const count = problems.length === 1 ? '1 problem' : `${problems.length} problems`;
  return new ConfigError(`${title} (${count}):\n${problems.map((p) => `  - ${p}`).join('\n')}`, problems);
}

function keyIdProblem(id: string, where: string): string | undefined {
  if (KEY_ID.test(id)) return undefined;
  return `${where} ${JSON.stringify(id)} is not a valid key id: use 1 to 64 characters from A-Z, a-z, 0-9, '.', '_' and '-' (e.g. "2024-06")`;
}

/** Decodes a base64 key, or explains why it is not one. The key itself never appears in a message. */
function parseKey(value: string, where: string, problems: string[]): Buffer | undefined {
  const text = value.trim();
  if (text === '') {
    problems.push(`${where} is empty: set it to the base64 of 32 random bytes (${GENERATE_HINT})`);
    return undefined;
  }
  if (!STRICT_BASE64.test(text)) {
    problems.push(
      `${where} is not valid base64 (${text.length} characters; the value is not shown because it is a secret): ` +
        `set it to the standard base64 (A-Z a-z 0-9 + /, padded with =) of 32 random bytes; ${GENERATE_HINT}`,
    );
    return undefined;
  }
  const bytes = Buffer.from(text, 'base64');
  if (bytes.length !== KEY_BYTES) {
    problems.push(`${where} decodes to ${bytes.length} bytes, but AES-256 needs exactly ${KEY_BYTES}: ${GENERATE_HINT}`);
    return undefined;
  }
  return bytes;
}

/** Checks a key ring built by hand (the loaders below return valid ones). */
function assertValidKeyRing(ring: CodecKeyRing): void {
  const problems: string[] = [];
  for (const [id, key] of ring.keys) {
    const idProblem = keyIdProblem(id, 'key id');
    if (idProblem) problems.push(idProblem);
    if (key.length !== KEY_BYTES) problems.push(`key ${JSON.stringify(id)} is ${key.length} bytes, but AES-256 needs exactly ${KEY_BYTES}`);
  }
  if (!ring.keys.has(ring.currentKeyId)) {
    problems.push(`the current key id ${JSON.stringify(ring.currentKeyId)} is not in the key ring (ids: ${[...ring.keys.keys()].join(', ') || 'none'})`);
  }
  if (problems.length > 0) throw configError('Invalid payload codec key ring', problems);
}

const KEY_FILE_FIELDS = ['current', 'keys'];
const KeyFileSchema = z.object(
  {
    current: z.string({ error: '"current" must be a string: the id of the key that encrypts new payloads' }),
    keys: z.record(z.string(), z.string({ error: 'each key must be a string: the base64 of 32 bytes' }), {
      error: '"keys" must be an object mapping key ids to base64 keys',
    }),
  },
  { error: 'the file must hold a JSON object' },
);

/**
 * Parses a key file: `{"current": "k2", "keys": {"k1": "<base64 of 32 bytes>", "k2": "..."}}`.
 * `source` names the file in messages.
 */
export function parseCodecKeyFile(text: string, source: string): CodecKeyRing {
  const title = `Invalid payload codec key file ${source}`;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw configError(title, [
      `it is not valid JSON (${(err as Error).message}); expected {"current": "<id>", "keys": {"<id>": "<base64 of 32 bytes>"}}`,
    ]);
  }
  const parsed = KeyFileSchema.safeParse(json);
  if (!parsed.success) {
    throw configError(
      title,
      parsed.error.issues.map((issue) => {
        const at = issue.path.length > 0 ? `${issue.path.map(String).join('.')}: ` : '';
        return `${at}${issue.message} (expected {"current": "<id>", "keys": {"<id>": "<base64 of 32 bytes>"}})`;
      }),
    );
  }
  const problems: string[] = [];
  const unknown = Object.keys(json as object).filter((field) => !KEY_FILE_FIELDS.includes(field)).sort();
  if (unknown.length > 0) problems.push(`unknown field(s) ${unknown.join(', ')}: the file has only "current" and "keys"`);
  const keys = new Map<string, Uint8Array>();
  for (const [id, value] of Object.entries(parsed.data.keys)) {
    const idProblem = keyIdProblem(id, 'key id');
    if (idProblem) problems.push(idProblem);
    const key = parseKey(value, `key ${JSON.stringify(id)}`, problems);
    if (key && !idProblem) keys.set(id, key);
  }
  const ids = Object.keys(parsed.data.keys);
  if (ids.length === 0) {
    problems.push(`"keys" is empty: add at least the current key, e.g. {"current": "k1", "keys": {"k1": "<base64>"}}`);
  } else if (!ids.includes(parsed.data.current)) {
    problems.push(
      `"current" is ${JSON.stringify(parsed.data.current)}, which is not in "keys" (${ids.join(', ')}): ` +
        `add that key to "keys" or set "current" to one of them`,
    );
  }
  if (problems.length > 0) throw configError(title, problems);
  return { currentKeyId: parsed.data.current, keys };
}

/** Reads and parses a key file (see parseCodecKeyFile). */
function readCodecKeyFile(path: string): CodecKeyRing {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw configError('Cannot read the payload codec key file', [
      `${path}: ${(err as Error).message}; check the path (${CODEC_ENV.keyFile}) and that this process may read the file`,
    ]);
  }
  return parseCodecKeyFile(text, path);
}

function setting(env: Readonly<Record<string, string | undefined>>, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
}

/**
 * The key ring from the environment: a key file (ECS_EXECUTOR_CODEC_KEY_FILE) or one key
 * (ECS_EXECUTOR_CODEC_KEY, id ECS_EXECUTOR_CODEC_KEY_ID, default "default"). Undefined when
 * neither is set: payloads are then stored in plain text.
 */
export function loadCodecKeyRing(env: Readonly<Record<string, string | undefined>>): CodecKeyRing | undefined {
  const file = setting(env, CODEC_ENV.keyFile);
  const key = setting(env, CODEC_ENV.key);
  const keyId = setting(env, CODEC_ENV.keyId);
  const title = 'Invalid payload codec settings';
  if (file !== undefined) {
    const problems: string[] = [];
    if (key !== undefined) {
      problems.push(`both ${CODEC_ENV.keyFile} and ${CODEC_ENV.key} are set: keep the key file (it can hold several keys) or the single key, not both`);
    }
    if (keyId !== undefined) {
      problems.push(`${CODEC_ENV.keyId} (${JSON.stringify(keyId)}) does not apply to a key file: its "current" field names the key that encrypts; unset ${CODEC_ENV.keyId}`);
    }
    if (problems.length > 0) throw configError(title, problems);
    return readCodecKeyFile(file);
  }
  if (key === undefined) {
    if (keyId !== undefined) {
      throw configError(title, [`${CODEC_ENV.keyId} is set (${JSON.stringify(keyId)}) but ${CODEC_ENV.key} is not: set the key too, or unset the id`]);
    }
    return undefined;
  }
  const id = keyId ?? DEFAULT_CODEC_KEY_ID;
  const problems: string[] = [];
  const idProblem = keyIdProblem(id, CODEC_ENV.keyId);
  if (idProblem) problems.push(idProblem);
  const bytes = parseKey(key, CODEC_ENV.key, problems);
  if (problems.length > 0 || !bytes) throw configError(title, problems);
  return { currentKeyId: id, keys: new Map([[id, bytes]]) };
}

export interface AesGcmPayloadCodecOptions {
  /**
   * Test hook for the fixed vectors in contract/codec-vectors.json: supplies each nonce. Never
   * set it elsewhere: AES-GCM loses both secrecy and integrity when a nonce repeats under a key.
   */
  nonce?: () => Uint8Array;
}

function utf8(bytes: Uint8Array | null | undefined): string | undefined {
  return bytes ? Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8') : undefined;
}

/**
 * Map entries are serialised in key order, as Python's deterministic serialisation writes them,
 * so both languages turn one payload into the same bytes (and the vectors can check exact output).
 */
function withSortedMetadata(payload: Payload): Payload {
  const metadata = payload.metadata;
  if (!metadata) return payload;
  const keys = Object.keys(metadata);
  const sorted = [...keys].sort();
  if (keys.every((key, i) => key === sorted[i])) return payload;
  return { ...payload, metadata: Object.fromEntries(sorted.map((key) => [key, metadata[key] as Uint8Array])) };
}

export class AesGcmPayloadCodec implements PayloadCodec {
  private readonly currentKey: Uint8Array;
  private readonly nonce: () => Uint8Array;

  constructor(
    private readonly keyRing: CodecKeyRing,
    options: AesGcmPayloadCodecOptions = {},
  ) {
    assertValidKeyRing(keyRing);
    // Checked above: the current id is in the ring.
    this.currentKey = keyRing.keys.get(keyRing.currentKeyId) as Uint8Array;
    // 96-bit random nonces: safe for far more payloads per key than a deployment writes before rotating.
    this.nonce = options.nonce ?? (() => randomBytes(NONCE_BYTES));
  }

  async encode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => this.encrypt(payload));
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => this.decrypt(payload));
  }

  private encrypt(payload: Payload): Payload {
    const nonce = this.nonce();
    if (nonce.length !== NONCE_BYTES) throw new Error(`the nonce hook returned ${nonce.length} bytes; AES-GCM here uses ${NONCE_BYTES}`);
    const plain = temporal.api.common.v1.Payload.encode(withSortedMetadata(payload)).finish();
    const cipher = createCipheriv('aes-256-gcm', this.currentKey, nonce, { authTagLength: TAG_BYTES });
    const data = Buffer.concat([nonce, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
    return {
      metadata: {
        [METADATA_ENCODING_KEY]: Buffer.from(ENCRYPTED_ENCODING),
        [ENCRYPTION_KEY_ID_METADATA]: Buffer.from(this.keyRing.currentKeyId),
      },
      data,
    };
  }

  private decrypt(payload: Payload): Payload {
    if (utf8(payload.metadata?.[METADATA_ENCODING_KEY]) !== ENCRYPTED_ENCODING) return payload;
    const keyId = utf8(payload.metadata?.[ENCRYPTION_KEY_ID_METADATA]);
    if (keyId === undefined) {
      throw new PayloadDecryptionError(
        `an encrypted payload (encoding ${ENCRYPTED_ENCODING}) has no ${ENCRYPTION_KEY_ID_METADATA} metadata, so no key can be chosen for it: it was not written by this codec`,
        undefined,
      );
    }
    const key = this.keyRing.keys.get(keyId);
    if (!key) {
      throw new PayloadDecryptionError(
        `a payload is encrypted with key id ${JSON.stringify(keyId)}, which is not in the codec key ring (ids: ${[...this.keyRing.keys.keys()].join(', ')}): ` +
          `add key ${JSON.stringify(keyId)} to the key file (${CODEC_ENV.keyFile}) to read payloads written with it`,
        keyId,
      );
    }
    const data = payload.data ?? new Uint8Array();
    if (data.length < NONCE_BYTES + TAG_BYTES) {
      throw new PayloadDecryptionError(
        `a payload encrypted with key id ${JSON.stringify(keyId)} is ${data.length} bytes, shorter than a nonce and a tag (${NONCE_BYTES + TAG_BYTES} bytes): it is truncated or corrupted`,
        keyId,
      );
    }
    const decipher = createDecipheriv('aes-256-gcm', key, data.subarray(0, NONCE_BYTES), { authTagLength: TAG_BYTES });
    decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
    let plain: Buffer;
    try {
      plain = Buffer.concat([decipher.update(data.subarray(NONCE_BYTES, data.length - TAG_BYTES)), decipher.final()]);
    } catch {
      throw new PayloadDecryptionError(
        `a payload encrypted with key id ${JSON.stringify(keyId)} failed authentication: its data was altered, ` +
          `or the key named ${JSON.stringify(keyId)} here is not the key it was written with (check that every process has the same key file)`,
        keyId,
      );
    }
    try {
      return temporal.api.common.v1.Payload.decode(plain);
    } catch (err) {
      throw new PayloadDecryptionError(
        `a payload encrypted with key id ${JSON.stringify(keyId)} decrypted, but its content is not a Temporal Payload (${(err as Error).message})`,
        keyId,
      );
    }
  }
}

/**
 * The data converter for clients and workers: the codec whenever a key is configured, the SDK's
 * default (undefined) otherwise.
 */
export function dataConverterFor(keyRing: CodecKeyRing | undefined): DataConverter | undefined {
  return keyRing ? { payloadCodecs: [new AesGcmPayloadCodec(keyRing)] } : undefined;
}
