"""AES-256-GCM payload codec, byte-compatible with the TypeScript worker's ``src/temporal/codec.ts``.

Each payload is serialised whole (metadata included, so the encoding of the value is hidden too)
and replaced by a payload whose data is ``nonce (12 bytes) || ciphertext || tag (16 bytes)`` and
whose metadata is ``encoding: binary/encrypted``, ``encryption-key-id: <id>`` -- the format of
Temporal's encryption samples.

Keys come from a key ring (id -> 32-byte key): the current id encrypts, every id in the ring
decrypts, so a key is rotated by adding a new one, making it current, and keeping the old ones
for as long as histories written with them are read. ``contract/codec-vectors.json`` holds the
vectors both implementations are tested against.
"""

from __future__ import annotations

import base64
import dataclasses
import json
import os
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

import temporalio.converter
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from google.protobuf.message import DecodeError
from temporalio.api.common.v1 import Payload

__all__ = [
    "DEFAULT_KEY_ID",
    "ENCRYPTED_ENCODING",
    "ENCRYPTION_KEY_ID_METADATA",
    "ENV_KEY",
    "ENV_KEY_FILE",
    "ENV_KEY_ID",
    "AesGcmPayloadCodec",
    "CodecConfigError",
    "KeyRing",
    "PayloadDecryptionError",
    "data_converter",
    "key_ring_from_env",
    "load_key_ring",
    "parse_key_file",
]

ENCRYPTED_ENCODING = "binary/encrypted"
ENCRYPTION_KEY_ID_METADATA = "encryption-key-id"
DEFAULT_KEY_ID = "default"

# The same settings as the TypeScript worker reads.
ENV_KEY_FILE = "ECS_EXECUTOR_CODEC_KEY_FILE"
ENV_KEY = "ECS_EXECUTOR_CODEC_KEY"
ENV_KEY_ID = "ECS_EXECUTOR_CODEC_KEY_ID"

_KEY_BYTES = 32
_NONCE_BYTES = 12
_TAG_BYTES = 16
_KEY_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
_STRICT_BASE64 = re.compile(r"(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?")
_GENERATE_HINT = "generate one with `openssl rand -base64 32`"
_FILE_SHAPE = '{"current": "<id>", "keys": {"<id>": "<base64 of 32 bytes>"}}'


class CodecConfigError(ValueError):
    """The codec's key settings are missing or invalid; ``problems`` lists each one."""

    def __init__(self, title: str, problems: Sequence[str]) -> None:
        self.problems: tuple[str, ...] = tuple(problems)
        count = "1 problem" if len(self.problems) == 1 else f"{len(self.problems)} problems"
        super().__init__(f"{title} ({count}):\n" + "\n".join(f"  - {p}" for p in self.problems))


class PayloadDecryptionError(ValueError):
    """An encrypted payload cannot be decrypted: unknown key id, altered data, wrong key."""

    def __init__(self, message: str, key_id: str | None) -> None:
        super().__init__(message)
        self.key_id = key_id


def _key_id_problem(key_id: str, where: str) -> str | None:
    if _KEY_ID.fullmatch(key_id):
        return None
    return (
        f"{where} {json.dumps(key_id)} is not a valid key id: use 1 to 64 characters from "
        "A-Z, a-z, 0-9, '.', '_' and '-' (e.g. \"2024-06\")"
    )


def _parse_key(value: str, where: str, problems: list[str]) -> bytes | None:
    """Decodes a base64 key, or explains why it is not one. The key never appears in a message."""
    text = value.strip()
    if text == "":
        problems.append(f"{where} is empty: set it to the base64 of 32 random bytes ({_GENERATE_HINT})")
        return None
    if not _STRICT_BASE64.fullmatch(text):
        problems.append(
            f"{where} is not valid base64 ({len(text)} characters; the value is not shown because it is "
            "a secret): set it to the standard base64 (A-Z a-z 0-9 + /, padded with =) of 32 random "
            f"bytes; {_GENERATE_HINT}"
        )
        return None
    key = base64.b64decode(text, validate=True)
    if len(key) != _KEY_BYTES:
        problems.append(
            f"{where} decodes to {len(key)} bytes, but AES-256 needs exactly {_KEY_BYTES}: {_GENERATE_HINT}"
        )
        return None
    return key


@dataclass(frozen=True, repr=False)
class KeyRing:
    """Keys by id; ``current_key_id`` encrypts, every key decrypts."""

    current_key_id: str
    keys: Mapping[str, bytes]

    def __repr__(self) -> str:
        # Never the keys themselves: a key ring may end up in a log line or a traceback.
        return f"KeyRing(current_key_id={self.current_key_id!r}, key_ids={list(self.keys)!r})"

    def __post_init__(self) -> None:
        problems: list[str] = []
        for key_id, key in self.keys.items():
            id_problem = _key_id_problem(key_id, "key id")
            if id_problem:
                problems.append(id_problem)
            if len(key) != _KEY_BYTES:
                problems.append(
                    f"key {json.dumps(key_id)} is {len(key)} bytes, but AES-256 needs exactly {_KEY_BYTES}"
                )
        if self.current_key_id not in self.keys:
            ids = ", ".join(self.keys) or "none"
            problems.append(
                f"the current key id {json.dumps(self.current_key_id)} is not in the key ring (ids: {ids})"
            )
        if problems:
            raise CodecConfigError("Invalid payload codec key ring", problems)
        object.__setattr__(self, "keys", MappingProxyType(dict(self.keys)))


def parse_key_file(text: str, source: str) -> KeyRing:
    """Parses a key file: ``{"current": "k2", "keys": {"k1": "<base64>", "k2": "<base64>"}}``."""
    title = f"Invalid payload codec key file {source}"
    try:
        document = json.loads(text)
    except json.JSONDecodeError as err:
        raise CodecConfigError(title, [f"it is not valid JSON ({err}); expected {_FILE_SHAPE}"]) from None
    if not isinstance(document, dict):
        raise CodecConfigError(title, [f"it is a JSON {type(document).__name__}, not an object; expected {_FILE_SHAPE}"])
    problems: list[str] = []
    unknown = sorted(set(document) - {"current", "keys"})
    if unknown:
        problems.append(f"unknown field(s) {', '.join(unknown)}: the file has only \"current\" and \"keys\"")
    current = document.get("current")
    keys = document.get("keys")
    if not isinstance(current, str):
        problems.append(
            f'current: "current" must be a string: the id of the key that encrypts new payloads (expected {_FILE_SHAPE})'
        )
    if not isinstance(keys, dict):
        problems.append(f'keys: "keys" must be an object mapping key ids to base64 keys (expected {_FILE_SHAPE})')
    else:
        for key_id, value in keys.items():
            if not isinstance(value, str):
                problems.append(f"keys.{key_id}: each key must be a string: the base64 of 32 bytes (expected {_FILE_SHAPE})")
    if problems or not isinstance(current, str) or not isinstance(keys, dict):
        raise CodecConfigError(title, problems)
    ring: dict[str, bytes] = {}
    for key_id, value in keys.items():
        id_problem = _key_id_problem(key_id, "key id")
        if id_problem:
            problems.append(id_problem)
        key = _parse_key(value, f"key {json.dumps(key_id)}", problems)
        if key is not None and id_problem is None:
            ring[key_id] = key
    if not keys:
        problems.append('"keys" is empty: add at least the current key, e.g. {"current": "k1", "keys": {"k1": "<base64>"}}')
    elif current not in keys:
        problems.append(
            f'"current" is {json.dumps(current)}, which is not in "keys" ({", ".join(keys)}): '
            'add that key to "keys" or set "current" to one of them'
        )
    if problems:
        raise CodecConfigError(title, problems)
    return KeyRing(current_key_id=current, keys=ring)


def _setting(value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip()
    return value or None


def load_key_ring(
    path: str | os.PathLike[str] | None = None,
    *,
    key: str | None = None,
    key_id: str | None = None,
) -> KeyRing | None:
    """The key ring from a key file (``path``) or one base64 ``key`` with ``key_id`` (default "default").

    Returns None when neither is given: payloads are then stored in plain text. Empty strings
    count as not given, as an unset airflow.cfg option or env var reads.
    """
    file = _setting(os.fspath(path) if path is not None else None)
    key = _setting(key)
    key_id = _setting(key_id)
    title = "Invalid payload codec settings"
    if file is not None:
        problems: list[str] = []
        if key is not None:
            problems.append(
                f"both {ENV_KEY_FILE} and {ENV_KEY} are set: keep the key file (it can hold several keys) "
                "or the single key, not both"
            )
        if key_id is not None:
            problems.append(
                f'{ENV_KEY_ID} ({json.dumps(key_id)}) does not apply to a key file: its "current" field '
                f"names the key that encrypts; unset {ENV_KEY_ID}"
            )
        if problems:
            raise CodecConfigError(title, problems)
        try:
            with open(file, encoding="utf-8") as handle:
                text = handle.read()
        except OSError as err:
            raise CodecConfigError(
                "Cannot read the payload codec key file",
                [f"{file}: {err.strerror or err}; check the path ({ENV_KEY_FILE}) and that this process may read the file"],
            ) from None
        return parse_key_file(text, file)
    if key is None:
        if key_id is not None:
            raise CodecConfigError(
                title, [f"{ENV_KEY_ID} is set ({json.dumps(key_id)}) but {ENV_KEY} is not: set the key too, or unset the id"]
            )
        return None
    chosen_id = key_id or DEFAULT_KEY_ID
    problems = []
    id_problem = _key_id_problem(chosen_id, ENV_KEY_ID)
    if id_problem:
        problems.append(id_problem)
    key_bytes = _parse_key(key, ENV_KEY, problems)
    if problems or key_bytes is None:
        raise CodecConfigError(title, problems)
    return KeyRing(current_key_id=chosen_id, keys={chosen_id: key_bytes})


def key_ring_from_env(environ: Mapping[str, str] | None = None) -> KeyRing | None:
    """The key ring from ECS_EXECUTOR_CODEC_KEY_FILE, or ECS_EXECUTOR_CODEC_KEY (+ _KEY_ID), as the worker reads them."""
    env = os.environ if environ is None else environ
    return load_key_ring(env.get(ENV_KEY_FILE), key=env.get(ENV_KEY), key_id=env.get(ENV_KEY_ID))


class AesGcmPayloadCodec(temporalio.converter.PayloadCodec):
    """Encrypts every payload with the ring's current key; decrypts with the key the payload names."""

    def __init__(self, key_ring: KeyRing, *, _nonce: Callable[[], bytes] | None = None) -> None:
        # _nonce is a test hook for the fixed vectors in contract/codec-vectors.json. Never set it
        # elsewhere: AES-GCM loses both secrecy and integrity when a nonce repeats under a key.
        self._key_ring = key_ring
        self._ciphers = {key_id: AESGCM(key) for key_id, key in key_ring.keys.items()}
        # 96-bit random nonces: safe for far more payloads per key than a deployment writes before rotating.
        self._nonce = _nonce or (lambda: os.urandom(_NONCE_BYTES))

    @property
    def key_ring(self) -> KeyRing:
        return self._key_ring

    async def encode(self, payloads: Sequence[Payload]) -> list[Payload]:
        return [self.encrypt(p) for p in payloads]

    async def decode(self, payloads: Sequence[Payload]) -> list[Payload]:
        return [self.decrypt(p) for p in payloads]

    def encrypt(self, payload: Payload) -> Payload:
        nonce = self._nonce()
        if len(nonce) != _NONCE_BYTES:
            raise ValueError(f"the nonce hook returned {len(nonce)} bytes; AES-GCM here uses {_NONCE_BYTES}")
        key_id = self._key_ring.current_key_id
        # Deterministic: map entries in key order, as the TypeScript codec writes them, so both
        # languages turn one payload into the same bytes (and the vectors can check exact output).
        sealed = self._ciphers[key_id].encrypt(nonce, payload.SerializeToString(deterministic=True), None)
        return Payload(
            metadata={"encoding": ENCRYPTED_ENCODING.encode(), ENCRYPTION_KEY_ID_METADATA: key_id.encode()},
            data=nonce + sealed,
        )

    def decrypt(self, payload: Payload) -> Payload:
        if payload.metadata.get("encoding") != ENCRYPTED_ENCODING.encode():
            return payload
        if ENCRYPTION_KEY_ID_METADATA not in payload.metadata:
            raise PayloadDecryptionError(
                f"an encrypted payload (encoding {ENCRYPTED_ENCODING}) has no {ENCRYPTION_KEY_ID_METADATA} "
                "metadata, so no key can be chosen for it: it was not written by this codec",
                None,
            )
        key_id = payload.metadata[ENCRYPTION_KEY_ID_METADATA].decode("utf-8", errors="replace")
        cipher = self._ciphers.get(key_id)
        if cipher is None:
            raise PayloadDecryptionError(
                f"a payload is encrypted with key id {json.dumps(key_id)}, which is not in the codec key ring "
                f"(ids: {', '.join(self._key_ring.keys)}): add key {json.dumps(key_id)} to the key file "
                f"({ENV_KEY_FILE}) to read payloads written with it",
                key_id,
            )
        data = payload.data
        if len(data) < _NONCE_BYTES + _TAG_BYTES:
            raise PayloadDecryptionError(
                f"a payload encrypted with key id {json.dumps(key_id)} is {len(data)} bytes, shorter than a "
                f"nonce and a tag ({_NONCE_BYTES + _TAG_BYTES} bytes): it is truncated or corrupted",
                key_id,
            )
        try:
            plain = cipher.decrypt(data[:_NONCE_BYTES], data[_NONCE_BYTES:], None)
        except InvalidTag:
            raise PayloadDecryptionError(
                f"a payload encrypted with key id {json.dumps(key_id)} failed authentication: its data was "
                f"altered, or the key named {json.dumps(key_id)} here is not the key it was written with "
                "(check that every process has the same key file)",
                key_id,
            ) from None
        try:
            return Payload.FromString(plain)
        except DecodeError as err:
            raise PayloadDecryptionError(
                f"a payload encrypted with key id {json.dumps(key_id)} decrypted, but its content is not a "
                f"Temporal Payload ({err})",
                key_id,
            ) from None


def data_converter(key_ring: KeyRing | None) -> temporalio.converter.DataConverter:
    """The data converter for the executor's client: the codec whenever a key is configured, else the default."""
    default = temporalio.converter.DataConverter.default
    if key_ring is None:
        return default
    return dataclasses.replace(default, payload_codec=AesGcmPayloadCodec(key_ring))
