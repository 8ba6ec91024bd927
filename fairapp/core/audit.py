"""The audit log: who did what, when, with the state before and after; entries chained by hash.

Operations call `record(...)` inside their own transaction, so an audited change and its entry
commit or roll back together. Each entry's hash covers its content and the previous entry's hash,
so an edit or deletion made directly in the database breaks the chain (`verify_chain`).

Entries are chained at commit, not when recorded. `record()` builds the entry (who, what, when, before
and after) and keeps it pending in the session; just before the outermost commit (the `before_commit`
session event) the pending entries are appended in order: on PostgreSQL under one advisory lock, taken
there and held to the commit, so it is always the LAST lock a transaction takes. Taking it at record()
time, after some row locks and before others, let two transactions wait on each other (one holds a row
and wants the chain, the other holds the chain and wants the row): a deadlock, i.e. a 500.
- A savepoint rolled back drops the entries recorded inside it; a rollback drops them all.
- Reading the audit log in the same transaction (a test's assertion, `verify_chain`) first appends what
  is pending, as autoflush does for rows; operations that take row locks must not read it after
  recording (`pending()` shows what this transaction recorded without appending it).
- Ids are given at the insert, under the lock, so id order is chain order; `created_at` is when the
  operation recorded the entry (within a second or so of its neighbours, not necessarily ascending).
On SQLite the write lock of the unit of work (BEGIN IMMEDIATE, core.transaction) serializes appends.
"""
from __future__ import annotations

import hashlib
import itertools
import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, event, select, text
from sqlalchemy.orm import Mapped, Session, SessionTransaction, mapped_column
from sqlalchemy.sql.util import find_tables

from ..extensions import db
from .time import UTCDateTime, utcnow

GENESIS = "0" * 64
_LOCK_KEY = 72_2563  # PostgreSQL advisory lock id for appending to the chain
_PENDING = "fairapp_audit_pending"   # session.info: [_Pending] recorded, not yet appended
_APPENDED = "fairapp_audit_appended"  # session.info: [_Pending] appended early inside a savepoint
_order = itertools.count()


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


_CONTENT = ("created_at", "actor_id", "fair_id", "action", "object_type", "object_id", "before", "after")


@dataclass
class _Pending:
    order: int
    entry: AuditEntry
    recorded_in: SessionTransaction   # the innermost transaction (or savepoint) when recorded
    appended_in: SessionTransaction | None = None


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return value


def _innermost(session: Session) -> SessionTransaction:
    transaction = session.get_nested_transaction() or session.get_transaction()
    if transaction is None:
        session.connection()  # begins the transaction (on SQLite with the unit of work's BEGIN IMMEDIATE)
        transaction = session.get_transaction()
    return transaction


def record(action: str, obj: Any = None, *, actor=None, fair_id: int | None = None,
           before: dict | None = None, after: dict | None = None,
           object_type: str | None = None, object_id: int | None = None) -> AuditEntry:
    """Record an audit entry in the current transaction; it is appended to the chain when the
    transaction commits (never commits, takes no lock). The entry returned has no id or hash yet."""
    session = db.session()
    if obj is not None:
        session.flush()  # the object's id
    entry = AuditEntry(
        created_at=utcnow().replace(microsecond=0),
        actor_id=getattr(actor, "id", None),
        fair_id=fair_id,
        action=action,
        object_type=object_type or (obj.__tablename__ if obj is not None else "-"),
        object_id=object_id if object_id is not None else getattr(obj, "id", None),
        before=_plain(before),
        after=_plain(after),
    )
    session.info.setdefault(_PENDING, []).append(_Pending(next(_order), entry, _innermost(session)))
    return entry


def pending() -> list[AuditEntry]:
    """The entries this transaction recorded and has not appended yet, in order."""
    return [p.entry for p in db.session().info.get(_PENDING, [])]


def append_pending(session: Session | None = None) -> None:
    """Append the pending entries to the chain now: the advisory lock (PostgreSQL), the tail's hash, one
    insert each. Runs before the outermost commit, and before a read of the audit log."""
    session = session or db.session()
    items: list[_Pending] = session.info.pop(_PENDING, None) or []
    if not items:
        return
    session.flush()  # the rows' own changes (and their row locks) come first: the chain's lock comes last
    if session.get_bind().dialect.name == "postgresql":
        # Serialize appends so two transactions never chain onto the same previous entry.
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _LOCK_KEY})
    last = session.execute(select(AuditEntry.hash).order_by(AuditEntry.id.desc()).limit(1)).scalar()
    nested = session.get_nested_transaction()
    for item in items:
        entry = item.entry
        entry.prev_hash = last or GENESIS
        entry.hash = last = entry.compute_hash()
        session.add(entry)
        session.flush()  # one at a time: ids follow the chain
        if nested is not None:  # a rollback of this savepoint would take the rows back: keep them in mind
            item.appended_in = nested
            session.info.setdefault(_APPENDED, []).append(item)


def _within(transaction: SessionTransaction | None, outer: SessionTransaction) -> bool:
    while transaction is not None:
        if transaction is outer:
            return True
        transaction = transaction.parent
    return False


@event.listens_for(Session, "before_commit")
def _append_before_commit(session: Session) -> None:
    # SQLAlchemy also sends before_commit when a savepoint is released: only the outermost commit appends.
    if session.get_nested_transaction() is None:
        append_pending(session)


@event.listens_for(Session, "after_soft_rollback")
def _forget_rolled_back(session: Session, previous: SessionTransaction) -> None:
    """What was recorded inside the rolled-back transaction or savepoint goes with it; entries recorded
    before a savepoint but appended (by a read) inside it are recorded again, as new objects."""
    if not session.info.get(_PENDING) and not session.info.get(_APPENDED):
        return
    keep = [p for p in session.info.get(_PENDING, []) if not _within(p.recorded_in, previous)]
    appended = []
    for item in session.info.get(_APPENDED, []):
        if not _within(item.appended_in, previous):
            appended.append(item)
        elif not _within(item.recorded_in, previous):
            entry = AuditEntry(**{name: getattr(item.entry, name) for name in _CONTENT})
            keep.append(_Pending(item.order, entry, item.recorded_in))
    keep.sort(key=lambda p: p.order)
    session.info[_PENDING], session.info[_APPENDED] = keep, appended


@event.listens_for(Session, "after_transaction_end")
def _forget_at_end(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:  # the outermost transaction ended (committed, rolled back or closed)
        session.info.pop(_PENDING, None)
        session.info.pop(_APPENDED, None)


@event.listens_for(Session, "do_orm_execute")
def _append_before_reading(state) -> None:
    """Reading the audit log sees this transaction's entries (as autoflush makes it see its rows)."""
    if state.session.info.get(_PENDING) and state.is_select \
            and AuditEntry.__table__ in find_tables(state.statement, include_joins=True, include_selects=True):
        append_pending(state.session)


def verify_chain() -> list[int]:
    """Ids of entries whose hash or link is wrong; empty when the chain is intact."""
    bad: list[int] = []
    prev = GENESIS
    for entry in db.session.scalars(select(AuditEntry).order_by(AuditEntry.id)):
        if entry.prev_hash != prev or entry.compute_hash() != entry.hash:
            bad.append(entry.id)
        prev = entry.hash
    return bad
