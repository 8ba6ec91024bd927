"""The audit log: who did what, when, with the state before and after; entries chained by hash.

Operations call `record(...)` inside their own transaction, so an audited change and its entry commit or
roll back together. Each entry's hash covers its content and the previous entry's hash, so an edit or
deletion made directly in the database breaks the chain. One chain per fair (`chain` = `fair_id`; entries
with no fair: the global chain 0), each with its own previous hashes and its own lock: the audited writes
of different fairs never wait on each other.

Entries are chained at commit, not when recorded. `record()` builds the entry and keeps it pending in the
session; just before the outermost commit (`before_commit`) the pending entries are appended in order: on
PostgreSQL under the advisory lock (_LOCK_KEY, chain) of each chain they go to, taken in chain order and
held to the commit, so they are always the LAST locks a transaction takes (taken at record() time, after
some row locks and before others, they let two transactions wait on each other: a deadlock, i.e. a 500).
- A savepoint rolled back drops the entries recorded inside it; a rollback drops them all.
- Reading the audit log in the same transaction first appends what is pending, as autoflush does for rows;
  operations that take row locks must not read it after recording (`pending()` does not append).
- Ids are given at the insert, under the chain's lock: within a chain, id order is chain order.
  `created_at` is when the operation recorded the entry (not necessarily ascending).
On SQLite the write lock of the unit of work (BEGIN IMMEDIATE, core.transaction) serializes appends.

The hash (format 3, core.audit_hash) covers each non-personal field by its digest and the personal part
(names, emails, free text) by a salted digest stored beside it, so an erasure (`erase_personal`) removes
the part and its salt and the chain still verifies. Checkpoints (`audit_checkpoints`) are written after a
successful verification: pages check only what follows them (`verify_recent`); `flask audit verify`
(`full_check`) checks every chain from its start, and every checkpoint against it.
"""
from __future__ import annotations

import itertools
import logging
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Iterable

from sqlalchemy import (JSON, ForeignKey, Index, Integer, SmallInteger, String, and_, event, func, or_, select,
                        text, update)
from sqlalchemy.orm import Mapped, Session, SessionTransaction, mapped_column
from sqlalchemy.sql.util import find_tables

from ..extensions import db
from .audit_hash import (_CONTENT, ERASURE_ACTION, GLOBAL_CHAIN, HASH_VERSION, PERSONAL_KEYS, _canonical, _digest,  # noqa: F401
                         _split, chain_of, entry_hash, field_digests, ids_digest, personal_digest, personal_part,
                         seal)
from .time import UTCDateTime, utcnow

GENESIS = "0" * 64
_LOCK_KEY = 72_2563  # PostgreSQL advisory lock (key, chain) for appending to a chain
_PENDING = "fairapp_audit_pending"   # session.info: [_Pending] recorded, not yet appended
_APPENDED = "fairapp_audit_appended"  # session.info: [_Pending] appended early inside a savepoint
_order = itertools.count()
log = logging.getLogger(__name__)


class AuditEntry(db.Model):
    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_chain_id", "chain", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    fair_id: Mapped[int | None] = mapped_column(Integer, index=True)
    action: Mapped[str] = mapped_column(String(64))
    object_type: Mapped[str] = mapped_column(String(64))
    object_id: Mapped[int | None] = mapped_column(Integer)
    before: Mapped[dict | None] = mapped_column(JSON)
    after: Mapped[dict | None] = mapped_column(JSON)
    chain: Mapped[int] = mapped_column(Integer, server_default="0")
    hash_version: Mapped[int] = mapped_column(SmallInteger, server_default=str(HASH_VERSION))
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)
    personal_digest: Mapped[str | None] = mapped_column(String(64))  # salted digest of the personal part
    personal_salt: Mapped[str | None] = mapped_column(String(32))    # gone when the part is erased
    erased_by: Mapped[str | None] = mapped_column(String(32))        # the erasure's token

    def compute_hash(self) -> str:
        """SHA-256 over the version, the chain, the previous hash, the digests of this entry's fields and
        of its personal part (the chain, version and salt are set here when not set yet)."""
        self.chain = chain_of(self) if self.chain is None else self.chain
        self.hash_version = self.hash_version or HASH_VERSION
        if self.hash_version >= 3 and self.personal_salt is None and self.erased_by is None:
            seal(self)
        return entry_hash(self) or ""


class AuditCheckpoint(db.Model):
    """A chain verified up to an entry (its id and hash), written after a successful verification."""
    __tablename__ = "audit_checkpoints"
    __table_args__ = (Index("ix_audit_checkpoints_chain_id", "chain", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    chain: Mapped[int] = mapped_column(Integer)
    entry_id: Mapped[int] = mapped_column(Integer)
    hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


_COLUMNS = tuple(AuditEntry.__table__.c)


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
    """Record an audit entry in the current transaction; it is appended to its chain when the
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
    """Append the pending entries to their chains now: the chains' advisory locks (PostgreSQL, in chain
    order), each chain's tail hash, one insert each. Runs before the outermost commit, and before a read
    of the audit log."""
    session = session or db.session()
    items: list[_Pending] = session.info.pop(_PENDING, None) or []
    if not items:
        return
    session.flush()  # the rows' own changes (and their row locks) come first: the chains' locks come last
    chains = sorted({chain_of(item.entry) for item in items})
    if session.get_bind().dialect.name == "postgresql":
        # Serialize the appends to a chain so two transactions never chain onto the same previous entry;
        # in chain order, so two transactions appending to the same chains never wait on each other.
        for chain in chains:
            session.execute(text("SELECT pg_advisory_xact_lock(:k, :c)"), {"k": _LOCK_KEY, "c": chain})
    tails = {chain: session.execute(select(AuditEntry.hash).where(AuditEntry.chain == chain)
                                    .order_by(AuditEntry.id.desc()).limit(1)).scalar() or GENESIS
             for chain in chains}
    nested = session.get_nested_transaction()
    for item in items:
        entry = item.entry
        entry.chain, entry.hash_version = chain_of(entry), HASH_VERSION
        entry.prev_hash = tails[entry.chain]
        entry.hash = tails[entry.chain] = entry.compute_hash()
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


# -- verification -------------------------------------------------------------------------------------

@dataclass
class ChainCheck:
    """What a verification found: the ids of entries whose hash or link is wrong (or of checkpointed
    entries that are missing or changed), how many entries it hashed, and each intact chain's tail."""
    bad: list[int] = field(default_factory=list)
    hashed: int = 0
    tails: dict[int, tuple[int, str]] = field(default_factory=dict)


def _walk(rows: Iterable[Any], starts: dict[int, tuple[int, str]], result: ChainCheck) -> None:
    """Check rows ordered by (chain, id), each chain from its start: (entry id, hash) of a checkpoint, whose
    entry must come first and be unchanged, or (0, GENESIS) from the beginning."""
    state: dict[int, list] = {}  # chain: [previous hash, last id, broken]
    for row in rows:
        computed = entry_hash(row)
        result.hashed += 1
        chain = row.chain
        current = state.get(chain)
        if current is None:
            start_id, start_hash = starts.get(chain, (0, GENESIS))
            current = state[chain] = [start_hash, start_id, False]
            if start_id:
                if row.id == start_id:  # the checkpointed entry itself: unchanged?
                    if row.hash != start_hash or computed != row.hash:
                        result.bad.append(row.id)
                        current[2] = True
                    current[0] = row.hash
                    continue
                result.bad.append(start_id)  # deleted (or moved away)
                current[2] = True
        if row.prev_hash != current[0] or computed != row.hash or chain != chain_of(row):
            result.bad.append(row.id)
            current[2] = True
        current[0], current[1] = row.hash, row.id
    for chain, (start_id, _) in starts.items():  # a chain checkpointed at an entry gone, with nothing after
        if chain not in state and start_id:
            state[chain] = [GENESIS, 0, True]
            result.bad.append(start_id)
    result.tails = {chain: (last, prev) for chain, (prev, last, broken) in state.items() if not broken}


def _chains(table: str) -> set[int]:
    """The chains in audit_log or audit_checkpoints, one index probe each (a loose scan of (chain, id))."""
    return set(db.session.scalars(text(
        f"WITH RECURSIVE c(chain) AS (SELECT min(chain) FROM {table} UNION ALL SELECT (SELECT min(chain) "
        f"FROM {table} WHERE chain > c.chain) FROM c WHERE c.chain IS NOT NULL) SELECT chain FROM c "
        "WHERE chain IS NOT NULL")))


def verify_recent(chains: Iterable[int] | None = None, *, checkpoint: bool = True) -> ChainCheck:
    """Check only what is new in the given chains (None: every chain): that the entry of each chain's
    last checkpoint is unchanged, then the entries after it. When all is intact and there is something
    new, a checkpoint at each chain's tail is written after the commit (in a unit of work of its own)."""
    append_pending()  # what this transaction recorded is in its chains (a new chain too)
    wanted = sorted(set(chains) if chains is not None else _chains("audit_log") | _chains("audit_checkpoints"))
    result = ChainCheck()
    if not wanted:
        return result
    newest = select(func.max(AuditCheckpoint.id)).where(AuditCheckpoint.chain.in_(wanted)) \
        .group_by(AuditCheckpoint.chain)
    starts = {chain: (0, GENESIS) for chain in wanted}
    starts.update({cp.chain: (cp.entry_id, cp.hash)
                   for cp in db.session.scalars(select(AuditCheckpoint).where(AuditCheckpoint.id.in_(newest)))})
    where = or_(*[and_(AuditEntry.chain == chain, AuditEntry.id >= start_id)
                  for chain, (start_id, _) in starts.items()])
    rows = db.session.execute(select(*_COLUMNS).where(where).order_by(AuditEntry.chain, AuditEntry.id))
    _walk(rows, starts, result)
    result.bad.sort()
    if checkpoint and not result.bad:
        moved = {chain: tail for chain, tail in result.tails.items() if tail[0] != starts[chain][0]}
        if moved:
            from .transaction import after_commit
            after_commit(lambda: _save_after_commit(moved))
    return result


def full_check() -> ChainCheck:
    """Every entry of every chain from its start, and every checkpoint against the chain (an entry
    checkpointed and since deleted or changed is reported by its id)."""
    result = ChainCheck()
    marks = {row.entry_id: (row.chain, row.hash) for row in db.session.execute(
        select(AuditCheckpoint.entry_id, AuditCheckpoint.chain, AuditCheckpoint.hash)
        .where(AuditCheckpoint.entry_id != 0))}
    seen: set[int] = set()
    erased: dict[str, list[int]] = {}   # erasure token: the entries it erased
    erasures: dict[str, str] = {}       # erasure token: the digest of their ids its entry recorded

    def rows():
        for row in db.session.execute(select(*_COLUMNS).order_by(AuditEntry.chain, AuditEntry.id)
                                      .execution_options(yield_per=2000)):
            if row.id in marks:
                seen.add(row.id)
                result.bad += [row.id] if marks[row.id] != (row.chain, row.hash) else []
            if row.erased_by:
                erased.setdefault(row.erased_by, []).append(row.id)
            if row.action == ERASURE_ACTION and isinstance(row.after, dict) and row.after.get("token"):
                erasures[row.after["token"]] = row.after.get("entries_digest")
            yield row

    _walk(rows(), {}, result)
    result.bad.extend(set(marks) - seen)
    for token, ids in erased.items():  # a personal part removed by hand, not by a recorded erasure
        if erasures.get(token) != ids_digest(ids):
            result.bad.extend(ids)
    result.bad = sorted(set(result.bad))
    result.tails = {} if result.bad else result.tails
    return result


def erase_personal(ids: Iterable[int], token: str) -> list[int]:
    """Remove the personal part (and its salt) of these entries, marking them with the erasure's token;
    their hashes stay valid. Entries with no personal part, or erased already, are left. Returns the ids
    erased (the erasure records `ids_digest` of them in its own entry, ERASURE_ACTION, `token`)."""
    done = []
    rows = db.session.execute(select(AuditEntry.id, AuditEntry.before, AuditEntry.after)
                              .where(AuditEntry.id.in_(list(ids)), AuditEntry.personal_salt.is_not(None),
                                     AuditEntry.hash_version >= 3).order_by(AuditEntry.id)).all()
    for row in rows:
        db.session.execute(update(AuditEntry).where(AuditEntry.id == row.id).values(
            before=_split(row.before)[0], after=_split(row.after)[0], personal_salt=None, erased_by=token))
        done.append(row.id)
    return done


def verify_chain() -> list[int]:
    """Ids of entries whose hash or link is wrong, in any chain, from its start; empty when intact."""
    return full_check().bad


def save_checkpoints(tails: dict[int, tuple[int, str]]) -> None:
    """Checkpoints at these (chain: (entry id, hash)) verified tails, in the current unit of work."""
    db.session.add_all([AuditCheckpoint(chain=chain, entry_id=entry_id, hash=hash_)
                        for chain, (entry_id, hash_) in sorted(tails.items())])


def _save_after_commit(tails: dict[int, tuple[int, str]]) -> None:
    from .transaction import unit_of_work

    try:
        with unit_of_work():
            save_checkpoints(tails)
    except Exception:  # noqa: BLE001 - a checkpoint only saves the next check some work
        log.warning("audit checkpoint not saved", exc_info=True)
