"""A chunk's certificates stored as one file (a bundle), each certificate a byte range of it.

A batch chunk issues 25 certificates at once. Stored one file each, they cost 25 writes: on S3, 25 PUT
requests, which were a fifth of a worker's time and most of the store's. A bundle is the chunk's stored
certificates (their packs, batch_render.pack) one after another in one file, written once; each row's
`pdf_key` names its part: `<key>@<start>+<length>`. A certificate issued on its own (or with
CERTIFICATE_PACKED off) keeps a file of its own (a plain key), and `read` takes either.

Erasure (privacy.erasure) must leave nothing of a person in the store, and the other certificates of
their bundle must stay: `drop` stores those others again in a new bundle, points their rows at it in the
same unit of work, and deletes the old bundle after the commit (durably: core.storage.delete_after_commit).
A rollback deletes the new bundle and leaves the old one as it was. Erasures that rewrite bundles take
their turn (a transaction lock on PostgreSQL; SQLite's one write lock already serializes them), so two
at once never both rewrite one bundle from what it held before the other.
"""
from __future__ import annotations

import logging
from collections.abc import Iterable

from sqlalchemy import select, text

from ..core.storage import delete_after_commit, is_key, storage
from ..extensions import db
from .models import Certificate

log = logging.getLogger(__name__)
_LOCK = 72_2565  # PostgreSQL advisory lock (key, 0) held while an erasure rewrites bundles (core.audit: 72_2563)


def part_of(ref: str) -> tuple[str, int, int] | None:
    """(bundle key, start, length) of a certificate stored in a bundle; None for a file of its own."""
    key, at, span = (ref or "").partition("@")
    start, plus, length = span.partition("+")
    if at and plus and is_key(key) and start.isdigit() and length.isdigit():  # is_key: storage's own rule
        return key, int(start), int(length)
    return None


def save(store, parts: list[bytes]) -> list[str]:
    """Store the parts as one bundle (one write, recorded for the unit of work as any `save`): each one's
    `pdf_key`. One part alone is stored as a file of its own."""
    if len(parts) < 2:
        return [store.save(part, "pdf") for part in parts]
    key = store.save(b"".join(parts), "pdf")
    refs, start = [], 0
    for part in parts:
        refs.append(f"{key}@{start}+{len(part)}")
        start += len(part)
    return refs


def read(store, ref: str) -> bytes:
    """What a certificate's `pdf_key` names: its part of a bundle (one ranged read), or its own file."""
    part = part_of(ref)
    return store.read(ref) if part is None else store.read_range(*part)


def drop(certificates: Iterable[Certificate]) -> None:
    """Delete the stored files of these certificates after the commit. A bundle that holds one of them is
    stored again without them (the rest in a new bundle, their rows pointed at it) and deleted."""
    certificates = list(certificates)
    bundled = [c for c in certificates if part_of(c.pdf_key)]
    delete_after_commit(*[c.pdf_key for c in certificates if not part_of(c.pdf_key)])
    if not bundled:
        return
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SELECT pg_advisory_xact_lock(:k, 0)"), {"k": _LOCK})
    # read again under the lock: an erasure that committed while this one waited may have moved them
    db.session.scalars(select(Certificate).where(Certificate.id.in_([c.id for c in bundled]))
                       .execution_options(populate_existing=True)).all()
    leaving = {c.id for c in certificates}
    store = storage()
    for key in sorted({part_of(c.pdf_key)[0] for c in bundled if part_of(c.pdf_key)}):
        rows = db.session.scalars(select(Certificate).where(Certificate.pdf_key.startswith(f"{key}@"))
                                  .order_by(Certificate.id).execution_options(populate_existing=True)).all()
        staying = [row for row in rows if row.id not in leaving]
        if staying:
            try:
                data = store.read(key)
            except FileNotFoundError:  # lost already: the erasure goes on, the others have no file to keep
                log.warning("certificates: bundle %s is not stored; %d certificates of it have no file",
                            key, len(staying))
                continue
            spans = [part_of(row.pdf_key)[1:] for row in staying]
            for row, ref in zip(staying, save(store, [data[at:at + size] for at, size in spans])):
                row.pdf_key = ref
        delete_after_commit(key)
