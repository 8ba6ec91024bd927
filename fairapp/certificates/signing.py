"""Ed25519 signatures over a certificate's facts, carried in its QR code and checkable offline.

The QR holds a URL: `<BASE_URL>/verify/<serial>?q=<payload>.<signature>`, both parts base64url without
padding. The payload is canonical JSON (sorted keys, no spaces, UTF-8):

    {"d": "2025-11-13", "f": 3, "h": "เทศบาลตำบลแม่ยาว", "k": "awardee", "kid": "…", "s": "MC68…", "v": 1}

- s serial, h holder, k kind, f fair id, d the date given (ISO, Gregorian), kid the signing key's id
  (the first 16 hex digits of SHA-256 over the raw public key), v the format version.
- The signature covers b"fairapp-certificate-v1\\n" + payload, so it can be used for nothing else.

Anyone can check a payload without the server: the public key is published at /verify/public-key
(JSON) and /verify/public-key.pem, and `flask certificates verify-qr` checks a scanned text offline.
This module is pure apart from `signing_key()`, which reads the app's configuration.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

DOMAIN = b"fairapp-certificate-v1\n"
VERSION = 1
KINDS = ("awardee", "exhibitor", "judge", "participant")
MAX_SCAN_CHARS = 4000


def b64e(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64d(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def key_id(public_key: Ed25519PublicKey) -> str:
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def public_raw(public_key: Ed25519PublicKey) -> bytes:
    return public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def public_pem(public_key: Ed25519PublicKey) -> str:
    return public_key.public_bytes(serialization.Encoding.PEM,
                                   serialization.PublicFormat.SubjectPublicKeyInfo).decode("ascii")


def load_private_key(text: str) -> Ed25519PrivateKey:
    """A private key from PEM (PKCS#8) or from base64url of its 32-byte seed."""
    text = text.strip()
    if text.startswith("-----BEGIN"):
        key = serialization.load_pem_private_key(text.encode("ascii"), password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise ValueError("CERTIFICATE_SIGNING_KEY is not an Ed25519 key")
        return key
    seed = b64d(text)
    if len(seed) != 32:
        raise ValueError("CERTIFICATE_SIGNING_KEY must be a PEM key or base64url of 32 bytes")
    return Ed25519PrivateKey.from_private_bytes(seed)


def load_public_key(text: str) -> Ed25519PublicKey:
    """A public key from PEM or from base64url of its 32 raw bytes."""
    text = text.strip()
    if text.startswith("-----BEGIN"):
        key = serialization.load_pem_public_key(text.encode("ascii"))
        if not isinstance(key, Ed25519PublicKey):
            raise ValueError("not an Ed25519 public key")
        return key
    return Ed25519PublicKey.from_public_bytes(b64d(text))


def _key_file(instance_path: str) -> Path:
    return Path(instance_path) / "certificate-signing-key.pem"


def generate_key_file(path: Path) -> None:
    """Write a new private key to path, only if none is there. The key is written whole to a file of its own
    and then linked in place (os.link: atomic, and it fails if the path exists): a reader never meets a
    key file half written, and of two processes or threads making one, one wins and both read its key."""
    pem = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, written = tempfile.mkstemp(dir=path.parent, prefix=".signing-key-")  # mode 0600
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(pem)
            out.flush()
            os.fsync(out.fileno())
        try:
            os.link(written, path)
        except FileExistsError:
            pass
    finally:
        os.unlink(written)


_cache: dict[str, Ed25519PrivateKey] = {}


def signing_key(app=None) -> Ed25519PrivateKey:
    """The app's signing key: CERTIFICATE_SIGNING_KEY, else instance/certificate-signing-key.pem
    (generated on first use)."""
    from flask import current_app

    app = app or current_app._get_current_object()
    configured = app.config.get("CERTIFICATE_SIGNING_KEY")
    cache_key = configured or app.instance_path
    key = _cache.get(cache_key)
    if key is None:
        if configured:
            key = load_private_key(configured)
        else:
            path = _key_file(app.instance_path)
            if not path.exists():
                generate_key_file(path)
            key = load_private_key(path.read_text())
        _cache[cache_key] = key
    return key


@dataclass(frozen=True)
class Facts:
    serial: str
    holder: str
    kind: str
    fair_id: int
    date: str  # ISO date, Gregorian

    def payload(self, kid: str) -> bytes:
        data = {"v": VERSION, "s": self.serial, "h": self.holder, "k": self.kind, "f": self.fair_id,
                "d": self.date, "kid": kid}
        return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def sign(facts: Facts, key: Ed25519PrivateKey) -> str:
    """The QR's `q` value: base64url(payload) "." base64url(signature)."""
    payload = facts.payload(key_id(key.public_key()))
    signature = key.sign(DOMAIN + payload)
    return f"{b64e(payload)}.{b64e(signature)}"


def qr_url(base_url: str, serial_grouped: str, token: str) -> str:
    return f"{base_url.rstrip('/')}/verify/{serial_grouped}?q={token}"


class Tampered(ValueError):
    """A scanned payload that is not a valid signed certificate payload; str() says why (English)."""


def extract_token(scanned: str) -> str:
    """The `q` token from what a scanner read: the whole URL, or the token alone."""
    scanned = (scanned or "").strip()
    if len(scanned) > MAX_SCAN_CHARS:
        raise Tampered("payload too long")
    if "://" in scanned or scanned.startswith("/"):
        values = parse_qs(urlsplit(scanned).query).get("q")
        if not values:
            raise Tampered("the URL carries no signed payload (q=)")
        return values[0]
    return scanned


def verify_token(token: str, public_keys: dict[str, Ed25519PublicKey]) -> Facts:
    """The facts a token carries, when its signature is good under one of the keys (by key id).

    Raises Tampered when the token is malformed, names an unknown key or its signature does not verify.
    """
    try:
        payload_part, signature_part = token.split(".")
        payload, signature = b64d(payload_part), b64d(signature_part)
        data = json.loads(payload.decode("utf-8"))
    except (ValueError, binascii.Error, UnicodeDecodeError, RecursionError):
        raise Tampered("malformed payload") from None
    if b64e(payload) != payload_part or b64e(signature) != signature_part:
        raise Tampered("not in canonical base64url")  # one token per payload: no malleable spellings
    if not isinstance(data, dict) or data.get("v") != VERSION:
        raise Tampered("unknown payload version")
    if not isinstance(data.get("kid"), str):
        raise Tampered("the payload names no key")
    key = public_keys.get(data["kid"])
    if key is None:
        raise Tampered("signed with an unknown key")
    try:
        key.verify(signature, DOMAIN + payload)
    except InvalidSignature:
        raise Tampered("the signature does not match the payload") from None
    if not (all(isinstance(data.get(k), str) for k in ("s", "h", "k", "d"))
            and isinstance(data.get("f"), int) and not isinstance(data.get("f"), bool)):
        raise Tampered("the payload lacks a fact")
    facts = Facts(serial=data["s"], holder=data["h"], kind=data["k"], fair_id=data["f"], date=data["d"])
    if facts.payload(data["kid"]) != payload:
        raise Tampered("the payload is not in canonical form")
    return facts
