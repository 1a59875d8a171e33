import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Payload } from '@temporalio/common';
import { z } from 'zod';
import { AesGcmPayloadCodec, parseCodecKeyFile, PayloadDecryptionError, type CodecKeyRing } from '../../src/temporal/codec';

/**
 * contract/codec-vectors.json proves the TypeScript and Python codecs are one format: each
 * language records the cases encrypted with fixed nonces, and each decrypts the other's.
 * `UPDATE_CODEC_VECTORS=1 npx jest test/unit/codec-vectors.test.ts` rewrites the TypeScript
 * vectors (the same command on python/tests/test_codec.py rewrites the Python ones).
 */

const VECTORS_FILE = path.resolve(__dirname, '..', '..', 'contract', 'codec-vectors.json');
const PRODUCER = 'typescript';
const OTHER = 'python';

const JsonPayload = z.strictObject({ metadata: z.record(z.string(), z.string()).optional(), data: z.string().optional() });
type JsonPayload = z.infer<typeof JsonPayload>;
const Vector = z.strictObject({
  producer: z.enum(['python', 'typescript']),
  plaintext: z.string(),
  keyId: z.string(),
  nonce: z.string(),
  encrypted: JsonPayload,
});
type Vector = z.infer<typeof Vector>;
const VectorsFile = z.strictObject({
  description: z.string(),
  keyRing: z.unknown(),
  plaintexts: z.array(z.strictObject({ name: z.string(), payload: JsonPayload })),
  cases: z.array(z.strictObject({ plaintext: z.string(), keyId: z.string() })),
  vectors: z.array(Vector),
});
type VectorsFile = z.infer<typeof VectorsFile>;

function fromJson(json: JsonPayload): Payload {
  return {
    metadata: Object.fromEntries(Object.entries(json.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')])),
    data: Buffer.from(json.data ?? '', 'base64'),
  };
}

/** Sorted metadata, empty fields left out: the same JSON whichever language wrote the payload. */
function toJson(payload: Payload): JsonPayload {
  const json: JsonPayload = {};
  const entries = Object.entries(payload.metadata ?? {}).sort(([a], [b]) => (a < b ? -1 : 1));
  if (entries.length > 0) json.metadata = Object.fromEntries(entries.map(([k, v]) => [k, Buffer.from(v).toString('base64')]));
  if (payload.data && payload.data.length > 0) json.data = Buffer.from(payload.data).toString('base64');
  return json;
}

function nonceFor(producer: string, plaintext: string, keyId: string): Buffer {
  return createHash('sha256').update(`${producer}/${plaintext}/${keyId}`).digest().subarray(0, 12);
}

function ringWithCurrent(ring: CodecKeyRing, keyId: string): CodecKeyRing {
  return { currentKeyId: keyId, keys: ring.keys };
}

async function encryptWithNonce(ring: CodecKeyRing, keyId: string, nonce: Buffer, payload: Payload): Promise<Payload> {
  const codec = new AesGcmPayloadCodec(ringWithCurrent(ring, keyId), { nonce: () => nonce });
  const [encrypted] = await codec.encode([payload]);
  if (!encrypted) throw new Error('the codec returned no payload');
  return encrypted;
}

function readVectors(): VectorsFile {
  return VectorsFile.parse(JSON.parse(readFileSync(VECTORS_FILE, 'utf8')));
}

/** Replaces this producer's vectors, keeping the other's, in the order both languages write. */
async function regenerate(file: VectorsFile, ring: CodecKeyRing): Promise<VectorsFile> {
  const plaintexts = new Map(file.plaintexts.map((p) => [p.name, p.payload]));
  const ours: Vector[] = [];
  for (const c of file.cases) {
    const plaintext = plaintexts.get(c.plaintext);
    if (!plaintext) throw new Error(`case names plaintext ${c.plaintext}, which contract/codec-vectors.json does not define`);
    const nonce = nonceFor(PRODUCER, c.plaintext, c.keyId);
    const encrypted = await encryptWithNonce(ring, c.keyId, nonce, fromJson(plaintext));
    ours.push({ producer: PRODUCER, plaintext: c.plaintext, keyId: c.keyId, nonce: nonce.toString('base64'), encrypted: toJson(encrypted) });
  }
  const theirs = file.vectors.filter((v) => v.producer !== PRODUCER);
  const vectors = [...theirs, ...ours].sort((a, b) => (a.producer === b.producer ? 0 : a.producer < b.producer ? -1 : 1));
  return { ...file, vectors };
}

describe('codec vectors shared with the Python codec (contract/codec-vectors.json)', () => {
  let file: VectorsFile;
  let ring: CodecKeyRing;
  let plaintexts: Map<string, JsonPayload>;

  beforeAll(async () => {
    file = readVectors();
    ring = parseCodecKeyFile(JSON.stringify(file.keyRing), 'contract/codec-vectors.json keyRing');
    if (process.env.UPDATE_CODEC_VECTORS === '1') {
      file = await regenerate(file, ring);
      writeFileSync(VECTORS_FILE, `${JSON.stringify(file, null, 2)}\n`);
    }
    plaintexts = new Map(file.plaintexts.map((p) => [p.name, p.payload]));
  });

  const vectorsOf = (producer: string) => file.vectors.filter((v) => v.producer === producer);
  const plaintextOf = (vector: Vector): JsonPayload => {
    const plaintext = plaintexts.get(vector.plaintext);
    if (!plaintext) throw new Error(`vector names plaintext ${vector.plaintext}, which the file does not define`);
    return plaintext;
  };

  it('holds exactly one vector per case from each language', () => {
    const expected = file.cases.map((c) => `${c.plaintext}/${c.keyId}`).sort();
    for (const producer of [PRODUCER, OTHER]) {
      expect(vectorsOf(producer).map((v) => `${v.plaintext}/${v.keyId}`).sort()).toEqual(expected);
    }
  });

  it('encrypts every case, made by either language, with its recorded nonce to the recorded bytes', async () => {
    expect(file.vectors.length).toBeGreaterThan(0);
    for (const vector of file.vectors) {
      const encrypted = await encryptWithNonce(ring, vector.keyId, Buffer.from(vector.nonce, 'base64'), fromJson(plaintextOf(vector)));
      expect(toJson(encrypted)).toEqual(vector.encrypted);
    }
  });

  it('decrypts every Python-made vector to its plaintext', async () => {
    const codec = new AesGcmPayloadCodec(ring);
    for (const vector of vectorsOf(OTHER)) {
      const encrypted = fromJson(vector.encrypted);
      expect(Buffer.from(encrypted.metadata?.['encryption-key-id'] ?? []).toString()).toBe(vector.keyId);
      expect(Buffer.from(encrypted.data ?? []).subarray(0, 12).toString('base64')).toBe(vector.nonce);
      const [decoded] = await codec.decode([encrypted]);
      expect(toJson(decoded as Payload)).toEqual(plaintextOf(vector));
    }
  });

  it('re-encrypts what it decrypted from Python and decrypts that again', async () => {
    const codec = new AesGcmPayloadCodec(ring);
    for (const vector of vectorsOf(OTHER)) {
      const [decoded] = await codec.decode([fromJson(vector.encrypted)]);
      const [again] = await codec.encode([decoded as Payload]);
      expect(Buffer.from(again?.data ?? []).equals(fromJson(vector.encrypted).data as Buffer)).toBe(false);
      const [roundTripped] = await codec.decode([again as Payload]);
      expect(toJson(roundTripped as Payload)).toEqual(plaintextOf(vector));
    }
  });

  it('refuses every Python-made vector with one byte altered, naming its key id', async () => {
    const codec = new AesGcmPayloadCodec(ring);
    for (const vector of vectorsOf(OTHER)) {
      const encrypted = fromJson(vector.encrypted);
      const data = Buffer.from(encrypted.data ?? []);
      data[data.length - 17] = (data[data.length - 17] ?? 0) ^ 0x80;
      const err: unknown = await codec.decode([{ metadata: encrypted.metadata, data }]).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(PayloadDecryptionError);
      expect((err as PayloadDecryptionError).message).toContain(`key id "${vector.keyId}" failed authentication`);
    }
  });
});
