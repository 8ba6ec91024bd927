"""Revocation: a W3C Bitstring Status List credential per fair (statusPurpose "revocation").

A certificate's bit is its id (`credentialStatus.statusListIndex`); the bit is 1 when the certificate is
revoked or superseded (a reissue revokes the old one), read from the certificates themselves, so revoking
flips the bit in the same transaction and there is nothing to keep in step. The list is at least 16 KB
(131,072 entries, the spec's minimum for herd privacy), grown in 16 KB steps when ids pass it;
`encodedList` is multibase base64url ("u") of the GZIP of the bits, the first index being the left-most
bit of the first byte. The list credential is signed like a badge (eddsa-rdfc-2022); its validFrom is the
fair's latest revocation (or the first issue), so the same state gives the same bytes.
"""
from __future__ import annotations

import base64
import gzip
import io

from sqlalchemy import func, select

from ..certificates.models import Certificate
from ..extensions import db
from ..fairs.models import Fair
from . import credential, keys, proof

MIN_BITS = 131072


def encode(revoked: list[int], size: int) -> str:
    bits = bytearray(size // 8)
    for index in revoked:
        bits[index // 8] |= 0x80 >> (index % 8)
    packed = gzip.compress(bytes(bits), compresslevel=9, mtime=0)
    return "u" + base64.urlsafe_b64encode(packed).rstrip(b"=").decode("ascii")


def decode(encoded: str, max_bytes: int = 16 * 1024 * 1024) -> bytes:
    if not isinstance(encoded, str) or not encoded.startswith("u"):
        raise ValueError("not multibase base64url")
    packed = base64.urlsafe_b64decode(encoded[1:] + "=" * (-len(encoded[1:]) % 4))
    with gzip.GzipFile(fileobj=io.BytesIO(packed)) as stream:
        bits = stream.read(max_bytes + 1)
    if len(bits) > max_bytes:
        raise ValueError("status list too large")
    return bits


def bit(bits: bytes, index: int) -> bool:
    if index < 0 or index // 8 >= len(bits):
        raise ValueError("index outside the list")
    return bool(bits[index // 8] & (0x80 >> (index % 8)))


def revoked_ids(fair_id: int) -> list[int]:
    return list(db.session.scalars(select(Certificate.id).where(
        Certificate.fair_id == fair_id, Certificate.revoked_at.is_not(None))))


def status_credential(fair: Fair, base: str, key) -> dict:
    """The fair's signed BitstringStatusListCredential."""
    revoked = revoked_ids(fair.id)
    last_id, first_issue, last_revoke = db.session.execute(
        select(func.max(Certificate.id), func.min(Certificate.issued_at), func.max(Certificate.revoked_at))
        .where(Certificate.fair_id == fair.id)).one()
    size = max(MIN_BITS, -(-((last_id or 0) + 1) // MIN_BITS) * MIN_BITS)
    since = last_revoke or first_issue or fair.created_at
    url = credential.status_list_url(base, fair.id)
    document = {
        "@context": [proof.VC_V2],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": keys.controller_url(base),
        "validFrom": credential.iso_utc(since),
        "credentialSubject": {"id": f"{url}#list", "type": "BitstringStatusList",
                              "statusPurpose": "revocation", "encodedList": encode(revoked, size)},
    }
    return proof.sign(document, key, keys.method_id(base, key.public_key()), credential.iso_utc(since))
