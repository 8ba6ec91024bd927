"""The audit log: who did what, when, with the state before and after; entries chained by hash.

Operations call `record(...)` inside their own transaction, so an audited change and its entry
commit or roll back together. Each entry's hash covers its content and the previous entry's hash,
so an edit or deletion made directly in the database breaks the chain (`verify_chain`).
"""
from __future__ import annotations

import hashlib
import json
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, select, text
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .time import UTCDateTime, utcnow

GENESIS = "0" * 64
_LOCK_KEY = 72_2563  # PostgreSQL advisory lock id for appending to the chain


class AuditEntry(db.Model):
    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    fair_id: Mapped[int | None] = mapped_column(Integer, index=True)
    action: Mapped[str] = mapped_column(String(64))
    object_type: Mapped[str] = mapped_column(String(64))
    object_id: Mapped[int | None] = mapped_column(Integer)
    before: Mapped[dict | None] = mapped_column(JSON)
    after: Mapped[dict | None] = mapped_column(JSON)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)

    def compute_hash(self) -> str:
        """SHA-256 over the previous hash and this entry's content, canonically encoded."""
        body = {
            "created_at": self.created_at.isoformat(),
            "actor_id": self.actor_id,
            "fair_id": self.fair_id,
            "action": self.action,
            "object_type": self.object_type,
            "object_id": self.object_id,
            "before": self.before,
            "after": self.after,
        }
        payload = self.prev_hash + json.dumps(body, sort_keys=True, ensure_ascii=False,
                                              separators=(",", ":"))
        return hashlib.sha256(payload.encode()).hexdigest()


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return value


def record(action: str, obj: Any = None, *, actor=None, fair_id: int | None = None,
           before: dict | None = None, after: dict | None = None,
           object_type: str | None = None, object_id: int | None = None) -> AuditEntry:
    """Append an audit entry in the current transaction (flushes, never commits)."""
    session = db.session
    if session.get_bind().dialect.name == "postgresql":
        # Serialize appends so two transactions never chain onto the same previous entry.
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _LOCK_KEY})
    if obj is not None:
        session.flush()
    last = session.execute(
        select(AuditEntry.hash).order_by(AuditEntry.id.desc()).limit(1)
    ).scalar()
    entry = AuditEntry(
        created_at=utcnow().replace(microsecond=0),
        actor_id=getattr(actor, "id", None),
        fair_id=fair_id,
        action=action,
        object_type=object_type or (obj.__tablename__ if obj is not None else "-"),
        object_id=object_id if object_id is not None else getattr(obj, "id", None),
        before=_plain(before),
        after=_plain(after),
        prev_hash=last or GENESIS,
    )
    entry.hash = entry.compute_hash()
    session.add(entry)
    session.flush()
    return entry


def verify_chain() -> list[int]:
    """Ids of entries whose hash or link is wrong; empty when the chain is intact."""
    bad: list[int] = []
    prev = GENESIS
    for entry in db.session.scalars(select(AuditEntry).order_by(AuditEntry.id)):
        if entry.prev_hash != prev or entry.compute_hash() != entry.hash:
            bad.append(entry.id)
        prev = entry.hash
    return bad
