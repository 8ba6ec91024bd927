"""Evidence of a nomination: attach an accepted file within the nomination's limits, remove one.

Both caps (files per nomination, the category's `max_files`; bytes of all the files together,
NOMINATION_EVIDENCE_MAX_BYTES) are checked under the nomination's row lock against what the database
holds: uploads that arrive together are counted one after the other and never pass a cap together.
"""
from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from sqlalchemy import func, select

from ...accounts.models import User
from ...core import audit
from ...core.errors import DomainError
from ...core.jobs import enqueue
from ...core.storage import delete_after_commit
from ...core.uploads import MB, Accepted
from ...extensions import db
from ..jobs import make_thumbnail
from ..models import Evidence, Nomination
from .common import edit_problem, ensure_editable, lock
from .errors import EvidenceTooLarge, TooManyFiles

MAX_NOMINATION_BYTES = 100 * MB       # all the files of one nomination together (config can lower it)


def max_nomination_bytes() -> int:
    return int(current_app.config.get("NOMINATION_EVIDENCE_MAX_BYTES") or MAX_NOMINATION_BYTES)


@dataclass(frozen=True)
class Usage:
    """What a nomination's files use of its limits."""

    files: int
    bytes: int
    max_files: int
    max_bytes: int

    @property
    def files_left(self) -> int:
        return max(0, self.max_files - self.files)

    @property
    def bytes_left(self) -> int:
        return max(0, self.max_bytes - self.bytes)


def usage(nomination: Nomination) -> Usage:
    """Counted in the database (never from a collection loaded before the lock)."""
    files, used = db.session.execute(select(func.count(Evidence.id), func.coalesce(func.sum(Evidence.size_bytes), 0))
                                     .where(Evidence.nomination_id == nomination.id)).one()
    return Usage(files=files, bytes=int(used), max_files=nomination.category.max_files,
                 max_bytes=max_nomination_bytes())


def _too_large(used: Usage) -> EvidenceTooLarge:
    return EvidenceTooLarge(mb=used.max_bytes // MB, used=f"{used.bytes / MB:.1f}")


def evidence_problem(nomination: Nomination) -> DomainError | None:
    """Why no file can be attached now (not editable, window closed, no file or byte left), or None.
    A view asks this before it reads the files; `add_evidence` decides under the lock."""
    problem = edit_problem(nomination)
    if problem is not None:
        return problem
    used = usage(nomination)
    if used.files_left <= 0:
        return TooManyFiles(n=used.max_files)
    if used.bytes_left <= 0:
        return _too_large(used)
    return None


def add_evidence(nomination: Nomination, accepted: Accepted, caption: str, actor: User) -> Evidence:
    """Attach an accepted, stored file (core.uploads.accept_evidence) to an editable nomination, within
    its file count and its total bytes. A refused file's bytes go when its savepoint or the request
    rolls back (core.storage records every key the request stored). A photo's thumbnail is made by the
    `make_thumbnail` job once this commits (never if it rolls back)."""
    lock(nomination)
    ensure_editable(nomination)
    used = usage(nomination)
    if used.files >= used.max_files:
        raise TooManyFiles(n=used.max_files)
    if used.bytes + accepted.size > used.max_bytes:
        raise _too_large(used)
    evidence = Evidence(nomination=nomination, kind=accepted.kind, storage_key=accepted.key,
                        original_name=accepted.name[:255],
                        caption=(caption or "").strip()[:300], size_bytes=accepted.size, sha256=accepted.sha256,
                        width=accepted.width, height=accepted.height, pages=accepted.pages,
                        flagged=accepted.flagged, flag_note=accepted.note)
    db.session.add(evidence)
    db.session.flush()
    audit.record("nomination.evidence_added", evidence, actor=actor, fair_id=nomination.fair_id,
                 after={"nomination_id": nomination.id, "kind": evidence.kind, "sha256": evidence.sha256,
                        "name": evidence.original_name, "size": evidence.size_bytes})
    if evidence.kind == "photo":  # the thumbnail is slow work: a job once this commits (nominations.jobs)
        enqueue(make_thumbnail, evidence.id)
    return evidence


def remove_evidence(evidence: Evidence, actor: User) -> None:
    """Detach a file; its bytes are deleted once the transaction commits."""
    nomination = lock(evidence.nomination)
    ensure_editable(nomination)
    db.session.refresh(evidence)  # under the lock: a thumbnail its job stored since it was loaded goes too
    audit.record("nomination.evidence_removed", evidence, actor=actor, fair_id=nomination.fair_id,
                 before={"nomination_id": nomination.id, "sha256": evidence.sha256, "name": evidence.original_name})
    delete_after_commit(evidence.storage_key, evidence.thumb_key)
    db.session.delete(evidence)
    db.session.flush()
