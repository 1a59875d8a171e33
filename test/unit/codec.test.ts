import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { ConfigError } from '../../src/errors';
import {
  AesGcmPayloadCodec,
  dataConverterFor,
  loadCodecKeyRing,
  parseCodecKeyFile,
  PayloadDecryptionError,
  type CodecKeyRing,
} from '../../src/temporal/codec';

const K1 = Buffer.alloc(32, 1);
const K2 = Buffer.alloc(32, 2);
const oldRing: CodecKeyRing = { currentKeyId: 'k1', keys: new Map([['k1', K1]]) };
const rotatedRing: CodecKeyRing = { currentKeyId: 'k2', keys: new Map([['k1', K1], ['k2', K2]]) };
const SECRET = 'exec-api-token.eyJzdWIiOiJ0aSJ9.secret-signature';

function text(bytes: Uint8Array | null | undefined): string {
  return Buffer.from(bytes ?? new Uint8Array()).toString('utf8');
}

function secretPayload(): Payload {
  return defaultPayloadConverter.toPayload({ token: SECRET, dagId: 'example' });
}

/** A copy of an encrypted payload with one byte of its data flipped. */
function flipByte(payload: Payload, index: number): Payload {
  const data = Buffer.from(payload.data ?? new Uint8Array());
  const at = index < 0 ? data.length + index : index;
  data[at] = (data[at] ?? 0) ^ 0x01;
  return { metadata: payload.metadata, data };
}

async function decodeError(codec: AesGcmPayloadCodec, payload: Payload): Promise<PayloadDecryptionError> {
  const err: unknown = await codec.decode([payload]).then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof PayloadDecryptionError)) throw new Error(`expected a PayloadDecryptionError, got ${String(err)}`);
  return err;
}

describe('AesGcmPayloadCodec', () => {
  it('encrypts a payload into binary/encrypted data named by the current key id and decrypts it back', async () => {
    const codec = new AesGcmPayloadCodec(rotatedRing);
    const original = secretPayload();
    const [encrypted] = await codec.encode([original]);
    expect(Object.keys(encrypted?.metadata ?? {}).sort()).toEqual(['encoding', 'encryption-key-id']);
    expect(text(encrypted?.metadata?.encoding)).toBe('binary/encrypted');
    expect(text(encrypted?.metadata?.['encryption-key-id'])).toBe('k2');
    expect(text(encrypted?.data)).not.toContain(SECRET);
    expect(text(encrypted?.data)).not.toContain('json/plain');

    const [decoded] = await codec.decode([encrypted as Payload]);
    expect(text(decoded?.metadata?.encoding)).toBe('json/plain');
    expect(defaultPayloadConverter.fromPayload(decoded as Payload)).toEqual({ token: SECRET, dagId: 'example' });
  });

  it('lays the data out as a 12-byte nonce, the ciphertext and a 16-byte tag, with a fresh nonce each time', async () => {
    const codec = new AesGcmPayloadCodec(rotatedRing);
    const original = secretPayload();
    const [a, b] = await codec.encode([original, original]);
    const serialisedLength = temporal.api.common.v1.Payload.encode(original).finish().length;
    expect(a?.data?.length).toBe(12 + serialisedLength + 16);
    expect(Buffer.from(a?.data ?? []).subarray(0, 12).equals(Buffer.from(b?.data ?? []).subarray(0, 12))).toBe(false);
  });

  it('decodes payloads written with an old key after rotation, and encodes with the new one', async () => {
    const before = new AesGcmPayloadCodec(oldRing);
    const after = new AesGcmPayloadCodec(rotatedRing);
    const [old] = await before.encode([secretPayload()]);

    const [decodedOld] = await after.decode([old as Payload]);
    expect(defaultPayloadConverter.fromPayload(decodedOld as Payload)).toEqual({ token: SECRET, dagId: 'example' });

    const [fresh] = await after.encode([secretPayload()]);
    expect(text(fresh?.metadata?.['encryption-key-id'])).toBe('k2');
    // A process still on the old ring cannot read it, and says which key it lacks.
    const err = await decodeError(before, fresh as Payload);
    expect(err.keyId).toBe('k2');
    expect(err.message).toContain('key id "k2", which is not in the codec key ring (ids: k1)');
  });

  it.each([
    ['the nonce', 0],
    ['the ciphertext', 20],
    ['the tag', -1],
  ])('refuses a payload with %s altered, naming its key id', async (_part, index) => {
    const codec = new AesGcmPayloadCodec(rotatedRing);
    const [encrypted] = await codec.encode([secretPayload()]);
    const err = await decodeError(codec, flipByte(encrypted as Payload, index));
    expect(err.keyId).toBe('k2');
    expect(err.message).toContain('key id "k2" failed authentication');
  });

  it('refuses a payload relabelled with another key id of the ring instead of returning garbage', async () => {
    const codec = new AesGcmPayloadCodec(rotatedRing);
    const [encrypted] = await codec.encode([secretPayload()]);
    const relabelled = { ...encrypted, metadata: { ...encrypted?.metadata, 'encryption-key-id': Buffer.from('k1') } };
    const err = await decodeError(codec, relabelled);
    expect(err.keyId).toBe('k1');
    expect(err.message).toContain('failed authentication');
  });

  it('refuses a truncated payload', async () => {
    const codec = new AesGcmPayloadCodec(rotatedRing);
    const [encrypted] = await codec.encode([secretPayload()]);
    const err = await decodeError(codec, { metadata: encrypted?.metadata, data: encrypted?.data?.subarray(0, 20) });
    expect(err.message).toContain('is 20 bytes, shorter than a nonce and a tag (28 bytes)');
  });

  it('refuses an encrypted payload with an unknown key id, naming it and the ids it knows', async () => {
    const codec = new AesGcmPayloadCodec(rotatedRing);
    const [encrypted] = await codec.encode([secretPayload()]);
    const err = await decodeError(codec, { ...encrypted, metadata: { ...encrypted?.metadata, 'encryption-key-id': Buffer.from('k9') } });
    expect(err.keyId).toBe('k9');
    expect(err.message).toContain('key id "k9", which is not in the codec key ring (ids: k1, k2): add key "k9" to the key file');
  });

  it('refuses an encrypted payload that names no key id', async () => {
    const codec = new AesGcmPayloadCodec(rotatedRing);
    const err = await decodeError(codec, { metadata: { encoding: Buffer.from('binary/encrypted') }, data: Buffer.alloc(40) });
    expect(err.keyId).toBeUndefined();
    expect(err.message).toContain('has no encryption-key-id metadata');
  });

  it('passes payloads that are not encrypted through unchanged, in a batch with encrypted ones', async () => {
    const codec = new AesGcmPayloadCodec(rotatedRing);
    const plain = defaultPayloadConverter.toPayload({ a: 1 });
    const nullPayload = defaultPayloadConverter.toPayload(null);
    const bare: Payload = { data: Buffer.from('raw') };
    const [encrypted] = await codec.encode([secretPayload()]);
    const decoded = await codec.decode([plain, encrypted as Payload, nullPayload, bare]);
    expect(decoded[0]).toBe(plain);
    expect(defaultPayloadConverter.fromPayload(decoded[1] as Payload)).toEqual({ token: SECRET, dagId: 'example' });
    expect(decoded[2]).toBe(nullPayload);
    expect(decoded[3]).toBe(bare);
  });

  it('round-trips a payload with no metadata and no data', async () => {
    const codec = new AesGcmPayloadCodec(rotatedRing);
    const [encrypted] = await codec.encode([{}]);
    const [decoded] = await codec.decode([encrypted as Payload]);
    expect(Object.keys(decoded?.metadata ?? {})).toEqual([]);
    expect(decoded?.data?.length ?? 0).toBe(0);
  });

  it('rejects a hand-made key ring whose current key is missing or the wrong size', () => {
    expect(() => new AesGcmPayloadCodec({ currentKeyId: 'k3', keys: new Map([['k1', K1]]) })).toThrow(
      /the current key id "k3" is not in the key ring \(ids: k1\)/,
    );
    expect(() => new AesGcmPayloadCodec({ currentKeyId: 'k1', keys: new Map([['k1', Buffer.alloc(16)]]) })).toThrow(ConfigError);
  });
});

describe('dataConverterFor', () => {
  it('turns the codec on whenever a key ring is configured, and leaves the default otherwise', () => {
    expect(dataConverterFor(undefined)).toBeUndefined();
    const converter = dataConverterFor(rotatedRing);
    expect(converter?.payloadCodecs).toHaveLength(1);
    expect(converter?.payloadCodecs?.[0]).toBeInstanceOf(AesGcmPayloadCodec);
  });
});

describe('loadCodecKeyRing', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'codec-keys-'));
  const b64 = (bytes: Buffer) => bytes.toString('base64');
  function keyFile(name: string, content: unknown): string {
    const file = path.join(dir, name);
    writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
    return file;
  }
  function configError(fn: () => unknown): ConfigError {
    try {
      fn();
    } catch (err) {
      if (err instanceof ConfigError) return err;
      throw err;
    }
    throw new Error('expected a ConfigError');
  }

  it('is off (undefined) when no key is configured, empty values counting as unset', () => {
    expect(loadCodecKeyRing({})).toBeUndefined();
    expect(loadCodecKeyRing({ ECS_EXECUTOR_CODEC_KEY: '', ECS_EXECUTOR_CODEC_KEY_FILE: ' ' })).toBeUndefined();
  });

  it('reads one key from the environment with the id "default", or the id given', () => {
    const ring = loadCodecKeyRing({ ECS_EXECUTOR_CODEC_KEY: `${b64(K1)}\n` });
    expect(ring?.currentKeyId).toBe('default');
    expect(Buffer.from(ring?.keys.get('default') ?? []).equals(K1)).toBe(true);
    expect(loadCodecKeyRing({ ECS_EXECUTOR_CODEC_KEY: b64(K1), ECS_EXECUTOR_CODEC_KEY_ID: '2024-06' })?.currentKeyId).toBe('2024-06');
  });

  it('reads a key file with several keys and the current one', () => {
    const file = keyFile('ring.json', { current: 'k2', keys: { k1: b64(K1), k2: b64(K2) } });
    const ring = loadCodecKeyRing({ ECS_EXECUTOR_CODEC_KEY_FILE: file });
    expect(ring?.currentKeyId).toBe('k2');
    expect([...(ring?.keys.keys() ?? [])]).toEqual(['k1', 'k2']);
    expect(Buffer.from(ring?.keys.get('k1') ?? []).equals(K1)).toBe(true);
  });

  it('rejects a key that is not base64 without echoing it', () => {
    const err = configError(() => loadCodecKeyRing({ ECS_EXECUTOR_CODEC_KEY: 'not base64 at all!' }));
    expect(err.message).toContain('ECS_EXECUTOR_CODEC_KEY is not valid base64 (18 characters; the value is not shown');
    expect(err.message).toContain('openssl rand -base64 32');
    expect(err.message).not.toContain('not base64 at all!');
  });

  it('rejects a key of the wrong length, saying how long it is', () => {
    const err = configError(() => loadCodecKeyRing({ ECS_EXECUTOR_CODEC_KEY: b64(Buffer.alloc(16, 7)) }));
    expect(err.message).toContain('ECS_EXECUTOR_CODEC_KEY decodes to 16 bytes, but AES-256 needs exactly 32');
  });

  it('rejects an invalid key id and a key id without a key', () => {
    expect(configError(() => loadCodecKeyRing({ ECS_EXECUTOR_CODEC_KEY: b64(K1), ECS_EXECUTOR_CODEC_KEY_ID: 'my key' })).message).toContain(
      'ECS_EXECUTOR_CODEC_KEY_ID "my key" is not a valid key id',
    );
    expect(configError(() => loadCodecKeyRing({ ECS_EXECUTOR_CODEC_KEY_ID: 'k1' })).message).toContain(
      'ECS_EXECUTOR_CODEC_KEY_ID is set ("k1") but ECS_EXECUTOR_CODEC_KEY is not',
    );
  });

  it('rejects a key file together with a single key or key id, listing both problems', () => {
    const file = keyFile('both.json', { current: 'k1', keys: { k1: b64(K1) } });
    const err = configError(() =>
      loadCodecKeyRing({ ECS_EXECUTOR_CODEC_KEY_FILE: file, ECS_EXECUTOR_CODEC_KEY: b64(K1), ECS_EXECUTOR_CODEC_KEY_ID: 'k1' }),
    );
    expect(err.problems).toHaveLength(2);
    expect(err.message).toContain('both ECS_EXECUTOR_CODEC_KEY_FILE and ECS_EXECUTOR_CODEC_KEY are set');
    expect(err.message).toContain('ECS_EXECUTOR_CODEC_KEY_ID ("k1") does not apply to a key file');
  });

  it('says which key file cannot be read', () => {
    const missing = path.join(dir, 'missing.json');
    expect(configError(() => loadCodecKeyRing({ ECS_EXECUTOR_CODEC_KEY_FILE: missing })).message).toContain(`${missing}: ENOENT`);
  });

  it.each<[string, unknown, string]>([
    ['not JSON', '{"current": ', 'it is not valid JSON'],
    ['a current id missing from keys', { current: 'k3', keys: { k1: b64(K1), k2: b64(K2) } }, '"current" is "k3", which is not in "keys" (k1, k2)'],
    ['no keys', { current: 'k1', keys: {} }, '"keys" is empty'],
    ['a key of the wrong length', { current: 'k1', keys: { k1: b64(K1), k2: b64(Buffer.alloc(31)) } }, 'key "k2" decodes to 31 bytes'],
    ['a key that is not a string', { current: 'k1', keys: { k1: 42 } }, 'keys.k1: each key must be a string'],
    ['an invalid key id', { current: 'k/1', keys: { 'k/1': b64(K1) } }, 'key id "k/1" is not a valid key id'],
    ['an unknown field', { current: 'k1', keys: { k1: b64(K1) }, default: 'k1' }, 'unknown field(s) default: the file has only "current" and "keys"'],
    ['no current', { keys: { k1: b64(K1) } }, 'current: "current" must be a string'],
  ])('rejects a key file with %s', (_case, content, expected) => {
    const err = configError(() => parseCodecKeyFile(typeof content === 'string' ? content : JSON.stringify(content), 'keys.json'));
    expect(err.message).toContain('Invalid payload codec key file keys.json');
    expect(err.message).toContain(expected);
  });
});
