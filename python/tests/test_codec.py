"""Tests of the AES-256-GCM payload codec, and of its compatibility with the TypeScript one.

``UPDATE_CODEC_VECTORS=1 python -m pytest python/tests/test_codec.py`` rewrites the Python
vectors in contract/codec-vectors.json (``UPDATE_CODEC_VECTORS=1 npx jest
test/unit/codec-vectors.test.ts`` rewrites the TypeScript ones).
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from temporalio.api.common.v1 import Payload
from temporalio.converter import DataConverter

try:
    import temporal_ecs_executor.codec  # noqa: F401
except ImportError:  # the package is not installed: test the source tree
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from temporal_ecs_executor.codec import (  # noqa: E402
    AesGcmPayloadCodec,
    CodecConfigError,
    KeyRing,
    PayloadDecryptionError,
    data_converter,
    key_ring_from_env,
    load_key_ring,
    parse_key_file,
)

VECTORS_FILE = Path(__file__).resolve().parents[2] / "contract" / "codec-vectors.json"
PRODUCER = "python"
OTHER = "typescript"

K1 = bytes([1]) * 32
K2 = bytes([2]) * 32
OLD_RING = KeyRing(current_key_id="k1", keys={"k1": K1})
ROTATED_RING = KeyRing(current_key_id="k2", keys={"k1": K1, "k2": K2})
SECRET = "exec-api-token.eyJzdWIiOiJ0aSJ9.secret-signature"


def run(coro: Any) -> Any:
    return asyncio.run(coro)


def encode(codec: AesGcmPayloadCodec, payloads: Sequence[Payload]) -> list[Payload]:
    return run(codec.encode(payloads))


def decode(codec: AesGcmPayloadCodec, payloads: Sequence[Payload]) -> list[Payload]:
    return run(codec.decode(payloads))


def secret_payload() -> Payload:
    return Payload(
        metadata={"encoding": b"json/plain"},
        data=json.dumps({"token": SECRET, "dagId": "example"}).encode(),
    )


def flip_byte(payload: Payload, index: int) -> Payload:
    data = bytearray(payload.data)
    data[index] ^= 0x01
    return Payload(metadata=dict(payload.metadata), data=bytes(data))


def decode_error(codec: AesGcmPayloadCodec, payload: Payload) -> PayloadDecryptionError:
    with pytest.raises(PayloadDecryptionError) as info:
        decode(codec, [payload])
    return info.value


# --- the codec -------------------------------------------------------------------------------


def test_encrypts_into_binary_encrypted_named_by_the_current_key_and_decrypts_back() -> None:
    codec = AesGcmPayloadCodec(ROTATED_RING)
    original = secret_payload()
    [encrypted] = encode(codec, [original])
    assert dict(encrypted.metadata) == {"encoding": b"binary/encrypted", "encryption-key-id": b"k2"}
    assert SECRET.encode() not in encrypted.data
    assert b"json/plain" not in encrypted.data
    assert len(encrypted.data) == 12 + len(original.SerializeToString()) + 16
    [decoded] = decode(codec, [encrypted])
    assert decoded == original


def test_uses_a_fresh_nonce_for_each_payload() -> None:
    codec = AesGcmPayloadCodec(ROTATED_RING)
    a, b = encode(codec, [secret_payload(), secret_payload()])
    assert a.data[:12] != b.data[:12]


def test_decodes_old_key_payloads_after_rotation_and_encodes_with_the_new_key() -> None:
    before = AesGcmPayloadCodec(OLD_RING)
    after = AesGcmPayloadCodec(ROTATED_RING)
    [old] = encode(before, [secret_payload()])
    assert decode(after, [old]) == [secret_payload()]
    [fresh] = encode(after, [secret_payload()])
    assert fresh.metadata["encryption-key-id"] == b"k2"
    err = decode_error(before, fresh)
    assert err.key_id == "k2"
    assert 'key id "k2", which is not in the codec key ring (ids: k1)' in str(err)


@pytest.mark.parametrize(("part", "index"), [("nonce", 0), ("ciphertext", 20), ("tag", -1)])
def test_refuses_a_payload_with_altered_data_naming_its_key_id(part: str, index: int) -> None:
    codec = AesGcmPayloadCodec(ROTATED_RING)
    [encrypted] = encode(codec, [secret_payload()])
    err = decode_error(codec, flip_byte(encrypted, index))
    assert err.key_id == "k2", part
    assert 'key id "k2" failed authentication' in str(err)


def test_refuses_a_payload_relabelled_with_another_key_id_of_the_ring() -> None:
    codec = AesGcmPayloadCodec(ROTATED_RING)
    [encrypted] = encode(codec, [secret_payload()])
    relabelled = Payload(metadata={**encrypted.metadata, "encryption-key-id": b"k1"}, data=encrypted.data)
    err = decode_error(codec, relabelled)
    assert err.key_id == "k1"
    assert "failed authentication" in str(err)


def test_refuses_a_truncated_payload() -> None:
    codec = AesGcmPayloadCodec(ROTATED_RING)
    [encrypted] = encode(codec, [secret_payload()])
    err = decode_error(codec, Payload(metadata=dict(encrypted.metadata), data=encrypted.data[:20]))
    assert "is 20 bytes, shorter than a nonce and a tag (28 bytes)" in str(err)


def test_refuses_an_unknown_key_id_naming_it_and_the_known_ids() -> None:
    codec = AesGcmPayloadCodec(ROTATED_RING)
    [encrypted] = encode(codec, [secret_payload()])
    err = decode_error(codec, Payload(metadata={**encrypted.metadata, "encryption-key-id": b"k9"}, data=encrypted.data))
    assert err.key_id == "k9"
    assert 'key id "k9", which is not in the codec key ring (ids: k1, k2): add key "k9" to the key file' in str(err)


def test_refuses_an_encrypted_payload_without_a_key_id() -> None:
    codec = AesGcmPayloadCodec(ROTATED_RING)
    err = decode_error(codec, Payload(metadata={"encoding": b"binary/encrypted"}, data=bytes(40)))
    assert err.key_id is None
    assert "has no encryption-key-id metadata" in str(err)


def test_passes_unencrypted_payloads_through_unchanged_in_a_mixed_batch() -> None:
    codec = AesGcmPayloadCodec(ROTATED_RING)
    plain = Payload(metadata={"encoding": b"json/plain"}, data=b'{"a":1}')
    null = Payload(metadata={"encoding": b"binary/null"})
    bare = Payload(data=b"raw")
    [encrypted] = encode(codec, [secret_payload()])
    decoded = decode(codec, [plain, encrypted, null, bare])
    assert decoded[0] is plain
    assert decoded[1] == secret_payload()
    assert decoded[2] is null
    assert decoded[3] is bare


def test_round_trips_an_empty_payload() -> None:
    codec = AesGcmPayloadCodec(ROTATED_RING)
    [encrypted] = encode(codec, [Payload()])
    assert decode(codec, [encrypted]) == [Payload()]


def test_rejects_a_hand_made_key_ring_with_a_missing_current_key_or_a_short_key() -> None:
    with pytest.raises(CodecConfigError, match=r'the current key id "k3" is not in the key ring \(ids: k1\)'):
        KeyRing(current_key_id="k3", keys={"k1": K1})
    with pytest.raises(CodecConfigError, match='key "k1" is 16 bytes'):
        KeyRing(current_key_id="k1", keys={"k1": bytes(16)})


def test_key_ring_repr_shows_ids_but_never_keys() -> None:
    assert repr(ROTATED_RING) == "KeyRing(current_key_id='k2', key_ids=['k1', 'k2'])"


def test_data_converter_uses_the_codec_only_when_a_key_ring_is_configured() -> None:
    assert data_converter(None) is DataConverter.default
    converter = data_converter(ROTATED_RING)
    assert isinstance(converter.payload_codec, AesGcmPayloadCodec)
    payloads = run(converter.encode([{"token": SECRET}]))
    assert payloads[0].metadata["encoding"] == b"binary/encrypted"
    assert SECRET.encode() not in payloads[0].SerializeToString()
    assert run(converter.decode(payloads, [dict])) == [{"token": SECRET}]


# --- key loading -----------------------------------------------------------------------------


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def test_is_off_when_no_key_is_configured_and_empty_values_count_as_unset() -> None:
    assert load_key_ring() is None
    assert key_ring_from_env({}) is None
    assert key_ring_from_env({"ECS_EXECUTOR_CODEC_KEY": "", "ECS_EXECUTOR_CODEC_KEY_FILE": " "}) is None


def test_reads_one_key_with_the_default_id_or_the_id_given() -> None:
    ring = key_ring_from_env({"ECS_EXECUTOR_CODEC_KEY": b64(K1) + "\n"})
    assert ring is not None and ring.current_key_id == "default" and ring.keys["default"] == K1
    ring = load_key_ring(key=b64(K1), key_id="2024-06")
    assert ring is not None and ring.current_key_id == "2024-06"


def test_reads_a_key_file_with_several_keys(tmp_path: Path) -> None:
    file = tmp_path / "ring.json"
    file.write_text(json.dumps({"current": "k2", "keys": {"k1": b64(K1), "k2": b64(K2)}}))
    ring = key_ring_from_env({"ECS_EXECUTOR_CODEC_KEY_FILE": str(file)})
    assert ring is not None
    assert ring.current_key_id == "k2"
    assert dict(ring.keys) == {"k1": K1, "k2": K2}
    assert load_key_ring(file) == ring


def test_rejects_a_key_that_is_not_base64_without_echoing_it() -> None:
    with pytest.raises(CodecConfigError) as info:
        load_key_ring(key="not base64 at all!")
    message = str(info.value)
    assert "ECS_EXECUTOR_CODEC_KEY is not valid base64 (18 characters; the value is not shown" in message
    assert "openssl rand -base64 32" in message
    assert "not base64 at all!" not in message


def test_rejects_a_key_of_the_wrong_length() -> None:
    with pytest.raises(CodecConfigError, match="ECS_EXECUTOR_CODEC_KEY decodes to 16 bytes, but AES-256 needs exactly 32"):
        load_key_ring(key=b64(bytes(16)))


def test_rejects_an_invalid_key_id_and_a_key_id_without_a_key() -> None:
    with pytest.raises(CodecConfigError, match='ECS_EXECUTOR_CODEC_KEY_ID "my key" is not a valid key id'):
        load_key_ring(key=b64(K1), key_id="my key")
    with pytest.raises(CodecConfigError, match=r'ECS_EXECUTOR_CODEC_KEY_ID is set \("k1"\) but ECS_EXECUTOR_CODEC_KEY is not'):
        load_key_ring(key_id="k1")


def test_rejects_a_key_file_together_with_a_single_key_or_key_id(tmp_path: Path) -> None:
    file = tmp_path / "both.json"
    file.write_text(json.dumps({"current": "k1", "keys": {"k1": b64(K1)}}))
    with pytest.raises(CodecConfigError) as info:
        load_key_ring(file, key=b64(K1), key_id="k1")
    assert len(info.value.problems) == 2
    assert "both ECS_EXECUTOR_CODEC_KEY_FILE and ECS_EXECUTOR_CODEC_KEY are set" in str(info.value)
    assert 'ECS_EXECUTOR_CODEC_KEY_ID ("k1") does not apply to a key file' in str(info.value)


def test_says_which_key_file_cannot_be_read(tmp_path: Path) -> None:
    missing = tmp_path / "missing.json"
    with pytest.raises(CodecConfigError, match=f"{missing}: No such file or directory"):
        load_key_ring(missing)


@pytest.mark.parametrize(
    ("case", "content", "expected"),
    [
        ("not JSON", '{"current": ', "it is not valid JSON"),
        ("a current id missing from keys", {"current": "k3", "keys": {"k1": b64(K1), "k2": b64(K2)}}, '"current" is "k3", which is not in "keys" (k1, k2)'),
        ("no keys", {"current": "k1", "keys": {}}, '"keys" is empty'),
        ("a key of the wrong length", {"current": "k1", "keys": {"k1": b64(K1), "k2": b64(bytes(31))}}, 'key "k2" decodes to 31 bytes'),
        ("a key that is not a string", {"current": "k1", "keys": {"k1": 42}}, "keys.k1: each key must be a string"),
        ("an invalid key id", {"current": "k/1", "keys": {"k/1": b64(K1)}}, 'key id "k/1" is not a valid key id'),
        ("an unknown field", {"current": "k1", "keys": {"k1": b64(K1)}, "default": "k1"}, 'unknown field(s) default: the file has only "current" and "keys"'),
        ("no current", {"keys": {"k1": b64(K1)}}, 'current: "current" must be a string'),
    ],
)
def test_rejects_an_invalid_key_file(case: str, content: object, expected: str) -> None:
    text = content if isinstance(content, str) else json.dumps(content)
    with pytest.raises(CodecConfigError) as info:
        parse_key_file(text, "keys.json")
    assert "Invalid payload codec key file keys.json" in str(info.value), case
    assert expected in str(info.value), case


# --- vectors shared with the TypeScript codec ---------------------------------------------


def from_json(json_payload: dict[str, Any]) -> Payload:
    return Payload(
        metadata={k: base64.b64decode(v) for k, v in json_payload.get("metadata", {}).items()},
        data=base64.b64decode(json_payload.get("data", "")),
    )


def to_json(payload: Payload) -> dict[str, Any]:
    """Sorted metadata, empty fields left out: the same JSON whichever language wrote the payload."""
    result: dict[str, Any] = {}
    if payload.metadata:
        result["metadata"] = {k: b64(payload.metadata[k]) for k in sorted(payload.metadata)}
    if payload.data:
        result["data"] = b64(payload.data)
    return result


def nonce_for(producer: str, plaintext: str, key_id: str) -> bytes:
    return hashlib.sha256(f"{producer}/{plaintext}/{key_id}".encode()).digest()[:12]


def encrypt_with_nonce(ring: KeyRing, key_id: str, nonce: bytes, payload: Payload) -> Payload:
    codec = AesGcmPayloadCodec(KeyRing(current_key_id=key_id, keys=ring.keys), _nonce=lambda: nonce)
    [encrypted] = encode(codec, [payload])
    return encrypted


def regenerate(document: dict[str, Any], ring: KeyRing) -> dict[str, Any]:
    """Replaces this producer's vectors, keeping the other's, in the order both languages write."""
    plaintexts = {p["name"]: p["payload"] for p in document["plaintexts"]}
    ours = []
    for case in document["cases"]:
        nonce = nonce_for(PRODUCER, case["plaintext"], case["keyId"])
        encrypted = encrypt_with_nonce(ring, case["keyId"], nonce, from_json(plaintexts[case["plaintext"]]))
        ours.append(
            {
                "producer": PRODUCER,
                "plaintext": case["plaintext"],
                "keyId": case["keyId"],
                "nonce": b64(nonce),
                "encrypted": to_json(encrypted),
            }
        )
    theirs = [v for v in document["vectors"] if v["producer"] != PRODUCER]
    vectors = sorted([*theirs, *ours], key=lambda v: v["producer"])
    return {**document, "vectors": vectors}


@pytest.fixture(scope="module")
def vectors() -> dict[str, Any]:
    document = json.loads(VECTORS_FILE.read_text())
    if os.environ.get("UPDATE_CODEC_VECTORS") == "1":
        document = regenerate(document, parse_key_file(json.dumps(document["keyRing"]), "keyRing"))
        VECTORS_FILE.write_text(json.dumps(document, indent=2) + "\n")
    return document


@pytest.fixture(scope="module")
def vector_ring(vectors: dict[str, Any]) -> KeyRing:
    return parse_key_file(json.dumps(vectors["keyRing"]), "contract/codec-vectors.json keyRing")


def vectors_of(document: dict[str, Any], producer: str) -> list[dict[str, Any]]:
    return [v for v in document["vectors"] if v["producer"] == producer]


def plaintext_of(document: dict[str, Any], vector: dict[str, Any]) -> dict[str, Any]:
    [payload] = [p["payload"] for p in document["plaintexts"] if p["name"] == vector["plaintext"]]
    return payload


def test_vectors_hold_one_vector_per_case_from_each_language(vectors: dict[str, Any]) -> None:
    expected = sorted(f"{c['plaintext']}/{c['keyId']}" for c in vectors["cases"])
    for producer in (PRODUCER, OTHER):
        assert sorted(f"{v['plaintext']}/{v['keyId']}" for v in vectors_of(vectors, producer)) == expected, producer


def test_encrypts_every_case_made_by_either_language_with_its_recorded_nonce_to_the_recorded_bytes(
    vectors: dict[str, Any], vector_ring: KeyRing
) -> None:
    assert vectors["vectors"]
    for vector in vectors["vectors"]:
        encrypted = encrypt_with_nonce(
            vector_ring, vector["keyId"], base64.b64decode(vector["nonce"]), from_json(plaintext_of(vectors, vector))
        )
        assert to_json(encrypted) == vector["encrypted"], f"{vector['producer']} {vector['plaintext']}"


def test_decrypts_every_typescript_vector_to_its_plaintext(vectors: dict[str, Any], vector_ring: KeyRing) -> None:
    codec = AesGcmPayloadCodec(vector_ring)
    for vector in vectors_of(vectors, OTHER):
        encrypted = from_json(vector["encrypted"])
        assert encrypted.metadata["encryption-key-id"].decode() == vector["keyId"]
        assert b64(encrypted.data[:12]) == vector["nonce"]
        [decoded] = decode(codec, [encrypted])
        assert to_json(decoded) == plaintext_of(vectors, vector), vector["plaintext"]


def test_reencrypts_what_it_decrypted_from_typescript_and_decrypts_that_again(
    vectors: dict[str, Any], vector_ring: KeyRing
) -> None:
    codec = AesGcmPayloadCodec(vector_ring)
    for vector in vectors_of(vectors, OTHER):
        [decoded] = decode(codec, [from_json(vector["encrypted"])])
        [again] = encode(codec, [decoded])
        assert again.data != from_json(vector["encrypted"]).data
        [round_tripped] = decode(codec, [again])
        assert to_json(round_tripped) == plaintext_of(vectors, vector), vector["plaintext"]


def test_refuses_every_typescript_vector_with_one_byte_altered(vectors: dict[str, Any], vector_ring: KeyRing) -> None:
    codec = AesGcmPayloadCodec(vector_ring)
    for vector in vectors_of(vectors, OTHER):
        encrypted = from_json(vector["encrypted"])
        data = bytearray(encrypted.data)
        data[len(data) - 17] ^= 0x80
        err = decode_error(codec, Payload(metadata=dict(encrypted.metadata), data=bytes(data)))
        assert f'key id "{vector["keyId"]}" failed authentication' in str(err)
