"""Checking a credential someone hands us (an upload on /verify, or `flask certificates verify-credential`):
its verdict, never an exception.

Verdicts: valid, revoked, superseded (with its successor's serial), tampered (the signature does not
match), unknown_key (signed by a key we never published), unsupported_context (a JSON-LD context we do
not bundle: never fetched), not_found (well signed by us, but no such certificate: none is known by that
serial), and for bad input: too_large, malformed (not JSON, a nesting bomb, too many objects, not a
credential), png_without_credential. Limits are checked before any JSON-LD work: a credential of ours is
~4 KB with a dozen objects, so MAX_BYTES and MAX_OBJECTS leave room and bound the canonicalization's work
(RDFC-1.0's cost grows with blank nodes: a "poison" graph cannot be built within these limits).
"""
from __future__ import annotations

import json
import struct
import zlib
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ..certificates import serials
from ..certificates.models import Certificate
from ..extensions import db
from . import keys, proof

MAX_UPLOAD = 4 * 1024 * 1024    # what is read of an upload (a baked PNG included)
MAX_BYTES = 64 * 1024           # the credential itself
MAX_DEPTH = 12
MAX_OBJECTS = 60
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
VERDICTS = ("valid", "revoked", "superseded", "tampered", "unknown_key", "unsupported_context", "not_found",
            "too_large", "malformed", "png_without_credential")


@dataclass
class Verdict:
    code: str
    reason: str = ""                # English detail for logs and the CLI
    serial: str | None = None
    certificate: Certificate | None = None
    facts: dict = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.code == "valid"


def png_credential(data: bytes) -> bytes | None:
    """The text of the PNG's iTXt chunk with keyword "openbadges" (Open Badges baking), or None."""
    position = len(PNG_SIGNATURE)
    while position + 8 <= len(data):
        length, kind = struct.unpack(">I4s", data[position:position + 8])
        body = data[position + 8:position + 8 + length]
        if len(body) < length:
            return None
        if kind == b"iTXt":
            keyword, _, rest = body.partition(b"\0")
            if keyword == b"openbadges" and len(rest) >= 2:
                compressed = rest[0]  # rest[1]: the compression method (0, zlib: the only one)
                _language, _, rest = rest[2:].partition(b"\0")
                _translated, _, text = rest.partition(b"\0")
                if compressed:
                    decompressor = zlib.decompressobj()
                    text = decompressor.decompress(text, MAX_BYTES + 1)
                return text
        if kind == b"IEND":
            return None
        position += 12 + length
    return None


def _shape_ok(value) -> bool:
    """Depth and object count within bounds (iterative: no recursion on hostile input)."""
    stack, objects = [(value, 0)], 0
    while stack:
        item, depth = stack.pop()
        if depth > MAX_DEPTH:
            return False
        if isinstance(item, dict):
            objects += 1
            stack.extend((v, depth + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, depth + 1) for v in item)
        if objects > MAX_OBJECTS:
            return False
    return True


def _parse(data: bytes) -> dict | Verdict:
    if data[:len(PNG_SIGNATURE)] == PNG_SIGNATURE:
        text = png_credential(data)
        if text is None:
            return Verdict("png_without_credential", "the PNG carries no openbadges iTXt chunk")
        data = text
    if len(data) > MAX_BYTES:
        return Verdict("too_large", f"a credential is at most {MAX_BYTES} bytes")
    if data.lstrip()[:1] == b"[" or data.lstrip()[:1] != b"{":
        return Verdict("malformed", "not a JSON object")
    if data.count(b"[") + data.count(b"{") > 20 * MAX_OBJECTS:
        return Verdict("malformed", "too deeply nested or too many objects")
    try:
        document = json.loads(data.decode("utf-8"))
    except (ValueError, UnicodeDecodeError, RecursionError):
        return Verdict("malformed", "not valid JSON (UTF-8)")
    if not isinstance(document, dict) or not _shape_ok(document):
        return Verdict("malformed", "too deeply nested or too many objects")
    types = document.get("type")
    if not isinstance(types, list) or "VerifiableCredential" not in types:
        return Verdict("malformed", "not a verifiable credential")
    return document


def _certificate(document: dict) -> Certificate | None:
    address = document.get("id")
    if not isinstance(address, str) or "/verify/" not in address:
        return None
    try:
        compact = serials.normalize(address.rsplit("/verify/", 1)[1][:40])
    except serials.SerialError:
        return None
    return db.session.scalar(select(Certificate).options(joinedload(Certificate.fair))
                             .where(Certificate.serial == compact))


def check(data: bytes, app=None) -> Verdict:
    """The verdict on an uploaded credential (JSON or a baked PNG), read from at most MAX_UPLOAD bytes."""
    if len(data) > MAX_UPLOAD:
        return Verdict("too_large", f"uploads are at most {MAX_UPLOAD} bytes")
    parsed = _parse(data)
    if isinstance(parsed, Verdict):
        return parsed
    document = parsed
    if "proof" not in document:
        return Verdict("malformed", "not signed (no proof)")
    try:
        proof.check_contexts(document)
        proof.verify(document, keys.resolver(app))
    except proof.UnsupportedContext as error:
        return Verdict("unsupported_context", f"context not bundled: {error}")
    except proof.ProofError as error:
        message = str(error)
        return Verdict("unknown_key" if message.startswith("unknown key") else "tampered", message)
    except (RecursionError, ValueError, TypeError, KeyError, AttributeError) as error:
        return Verdict("malformed", f"not a credential we can read ({type(error).__name__})")
    if "OpenBadgeCredential" not in document.get("type", []):
        return Verdict("malformed", "signed by us, but not a badge")
    cert = _certificate(document)
    if cert is None:
        return Verdict("not_found", "well signed, but no certificate has this serial")
    subject = document.get("credentialSubject") or {}
    facts = {"holder": subject.get("name") if isinstance(subject, dict) else None,
             "role": cert.role_th, "fair": cert.fair.name_th}
    verdict = Verdict(cert.status, "", cert.grouped_serial, cert, facts)
    if cert.status == "superseded" and cert.superseded_by is not None:
        verdict.facts["superseded_by"] = cert.superseded_by.grouped_serial
    return verdict
