"""The audit log's hash format (`hash_version` 3), apart from its table and its appends (core.audit).

The hash (format `hash_version` 3): SHA-256 over a canonical JSON of the version, the chain, the previous
hash, a digest of each field (`before`, `after`: of each key that is not personal) and the entry's
`personal_digest`: a salted SHA-256 of its personal part (the values of PERSONAL_KEYS in `before` and
`after`: names, emails, free text), salt (`personal_salt`, 128 random bits) per entry. The personal part is
stored in the entry, its digest and salt beside it. Erasure (issue 15, `erase_personal`) removes the
personal part and the salt and marks the entry with the erasure's token (`erased_by`): the hash is
unchanged (it covers the digest, not the values) and what is left cannot be checked against a guessed name
(no salt). Verification: with a salt, the personal part must match its digest; without one, the entry has
no personal part, and a digest left means an erasure whose token (`full_check`) must name a
`privacy.erased` entry of the chain listing exactly those entries (a removal by hand is caught).
Migration 0011 re-chained format 1 (one global chain) per fair in format 2; migration 0021 re-chained
format 2 in format 3.
"""
from __future__ import annotations

import hashlib
import json
import secrets
from json.encoder import encode_basestring as _encode_str
from typing import Any, Iterable

GLOBAL_CHAIN = 0     # the chain of entries with no fair
HASH_VERSION = 3     # the hash format of new entries (1: one global chain; 2: per fair, 0011; 3: 0021)
ERASURE_ACTION = "privacy.erased"  # the entry an erasure records: its token and the entries it erased
# Keys of `before`/`after` whose values are personal (a person's name, email, phone) or free text that
# may name one: the personal part of an entry, salted and erasable.
PERSONAL_KEYS = frozenset({
    "email", "user", "name", "first_name", "last_name", "title", "phone", "holder_name", "subject_name",
    "subject_contact", "reason", "comment", "review_note", "rejection_reason", "details", "flag_note",
    "chair_reason", "needs_note", "owner", "description", "measures",
})


def _canonical(value: Any) -> str:
    """JSON with sorted keys, no spaces, UTF-8 text (what json.dumps gives; the usual scalars faster)."""
    if value is None:
        return "null"
    kind = type(value)
    if kind is str:
        return _encode_str(value)
    if kind is int:
        return int.__repr__(value)
    if kind is bool:
        return "true" if value else "false"
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def _digest(value: Any) -> str:
    return hashlib.sha256(_canonical(value).encode()).hexdigest()


_CONTENT = ("created_at", "actor_id", "fair_id", "action", "object_type", "object_id", "before", "after")


def chain_of(entry: Any) -> int:
    """The chain an entry belongs to: its fair's, or the global chain."""
    return entry.fair_id if entry.fair_id is not None else GLOBAL_CHAIN


def _split(value: Any) -> tuple[Any, dict | None]:
    """A field's value without its personal keys, and its personal keys' values (None: none)."""
    if not isinstance(value, dict):
        return value, None
    personal = {k: v for k, v in value.items() if k in PERSONAL_KEYS}
    return ({k: v for k, v in value.items() if k not in PERSONAL_KEYS} if personal else value), personal or None


def personal_part(entry: Any) -> dict | None:
    """The personal part of an entry: {"before": {...}, "after": {...}} of its PERSONAL_KEYS; None: none."""
    before, after = _split(entry.before)[1], _split(entry.after)[1]
    return {"before": before, "after": after} if before or after else None


def personal_digest(salt: str, part: dict) -> str:
    return hashlib.sha256(bytes.fromhex(salt) + _canonical(part).encode()).hexdigest()


def seal(entry: Any) -> None:
    """Salt and digest the personal part of a new entry (before its hash is computed)."""
    part = personal_part(entry)
    entry.personal_salt = secrets.token_hex(16) if part else None
    entry.personal_digest = personal_digest(entry.personal_salt, part) if part else None


def field_digests(entry: Any, version: int = HASH_VERSION) -> dict[str, Any]:
    """A digest of each field of the entry (`before` and `after`: of each key), what the hash covers; in
    format 3 without the personal keys, which the hash covers by the entry's salted personal digest."""
    digests: dict[str, Any] = {name: _digest(getattr(entry, name)) for name in _CONTENT[1:6]}
    digests["created_at"] = _digest(entry.created_at.isoformat())
    for name in ("before", "after"):
        value = getattr(entry, name)
        if version >= 3:
            value = _split(value)[0]
        digests[name] = {str(k): _digest(v) for k, v in value.items()} if isinstance(value, dict) \
            else _digest(value)
    return digests


def _hash_v2(entry: Any) -> str:
    payload = {"v": 2, "chain": entry.chain, "prev": entry.prev_hash, "fields": field_digests(entry, 2)}
    return hashlib.sha256(_canonical(payload).encode()).hexdigest()


def _hash_v3(entry: Any) -> str:
    payload = {"v": 3, "chain": entry.chain, "prev": entry.prev_hash, "fields": field_digests(entry, 3),
               "personal": entry.personal_digest}
    return hashlib.sha256(_canonical(payload).encode()).hexdigest()


def entry_hash(entry: Any) -> str | None:
    """The hash an entry (an AuditEntry or a row of audit_log) should have; None for an unknown format, or
    (format 3) a personal part that does not match its digest, or is there without a salt, or a digest
    left without an erasure's token."""
    if entry.hash_version == 2:
        return _hash_v2(entry)
    if entry.hash_version != 3:
        return None
    part = personal_part(entry)
    if entry.personal_salt:
        if part is None or entry.personal_digest != personal_digest(entry.personal_salt, part):
            return None
    elif part is not None or (entry.personal_digest and not entry.erased_by):
        return None
    return _hash_v3(entry)


def ids_digest(ids: Iterable[int]) -> str:
    """What an erasure's entry records of the entries it erased."""
    return hashlib.sha256(",".join(str(i) for i in sorted(ids)).encode()).hexdigest()
