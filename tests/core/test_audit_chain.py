"""The audit chain is appended at commit (core.audit): no deadlock between row locks and the chain's lock,
an intact chain under concurrent writes, and savepoints that take their entries with them.

Before, `record()` took the chain's advisory lock when called: a transaction holding a row and recording
waited for one that had recorded earlier and now wanted the row (a deadlock: a 500 on PostgreSQL).
"""
from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from fairapp.accounts.models import User
from fairapp.core import audit
from fairapp.core.audit import AuditEntry, verify_chain
from fairapp.core.transaction import savepoint, unit_of_work
from fairapp.fairs.models import Fair
from tests.factories import create_fair, create_user


def _count(db, action: str | None = None) -> int:
    query = select(func.count(AuditEntry.id))
    if action is not None:
        query = query.where(AuditEntry.action == action)
    return db.session.scalar(query)


def _threads(app, make_session, jobs, timeout=60):
    """Run each job(i) in a request of its own (own session, `unit_of_work`); the exceptions they raised."""
    from fairapp.extensions import db as _db

    errors: list = [None] * len(jobs)

    def run(i):
        with app.test_request_context(method="POST"):
            _db.session.registry.set(make_session())
            try:
                with unit_of_work():
                    jobs[i](i)
            except Exception as exc:  # noqa: BLE001 - reported by the assertions
                errors[i] = exc
            finally:
                _db.session.remove()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(jobs))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    assert not any(thread.is_alive() for thread in threads), "a thread is stuck"
    return errors


def test_a_row_lock_and_the_chain_taken_in_opposite_orders_do_not_deadlock(app, db, thread_sessions_for):
    """T1 locks the fair's row, then records; T2 records, then locks the same row. With the chain's lock
    taken by record() this deadlocked (PostgreSQL: DeadlockDetected); appended at commit, both finish."""
    from fairapp.extensions import db as _db

    if db.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL only (row locks and the advisory lock): set DATABASE_URL=postgresql+psycopg://...")
    fair_id = create_fair().id
    actor_id = create_user().id
    db.session.commit()
    make_session = thread_sessions_for(2)
    first_steps_done = threading.Barrier(2, timeout=30)

    def lock_fair():
        _db.session.scalars(select(Fair).where(Fair.id == fair_id).with_for_update()).one()

    def record(i):
        audit.record("test.deadlock", actor=_db.session.get(User, actor_id), object_type="thing", object_id=i)

    def row_then_chain(i):
        lock_fair()
        first_steps_done.wait()
        record(i)

    def chain_then_row(i):
        record(i)
        _db.session.flush()
        first_steps_done.wait()
        lock_fair()

    errors = _threads(app, make_session, [row_then_chain, chain_then_row])
    assert errors == [None, None]
    assert _count(db, "test.deadlock") == 2
    assert verify_chain() == []


THREADS = 12


def test_the_chain_stays_intact_under_concurrent_audited_writes(app, db, thread_sessions_for):
    """Twelve units of work at once, each changing a row and recording three entries around its lock:
    every entry is in the chain, each linked to the one before (both databases)."""
    from fairapp.extensions import db as _db

    fair_ids = [create_fair().id for _ in range(3)]
    actor_id = create_user().id
    audit.record("test.before", object_type="thing", object_id=0)
    db.session.commit()
    make_session = thread_sessions_for(THREADS)
    start = threading.Barrier(THREADS, timeout=60)

    def job(i):
        start.wait()  # before any statement: on SQLite the first one takes the write lock (BEGIN IMMEDIATE)
        actor = _db.session.get(User, actor_id)
        audit.record("test.concurrent", actor=actor, object_type="thing", object_id=i, after={"step": 1})
        fair = _db.session.scalars(select(Fair).where(Fair.id == fair_ids[i % 3]).with_for_update()).one()
        audit.record("test.concurrent", fair, actor=actor, after={"step": 2})
        fair.venue_th = f"หอประชุม {i}"
        audit.record("test.concurrent", actor=actor, object_type="thing", object_id=i, after={"step": 3})

    errors = _threads(app, make_session, [job] * THREADS)
    assert errors == [None] * THREADS
    assert _count(db, "test.concurrent") == 3 * THREADS
    assert verify_chain() == []
    # Each unit's entries are appended together, in the order it recorded them.
    steps = db.session.scalars(select(AuditEntry.after).where(AuditEntry.action == "test.concurrent")
                               .order_by(AuditEntry.id)).all()
    assert [s["step"] for s in steps] == [1, 2, 3] * THREADS


def test_a_savepoint_rolled_back_leaves_no_entry(app, db):
    actor = create_user()
    db.session.commit()
    with app.test_request_context(method="POST"):
        with unit_of_work():
            audit.record("test.kept", actor=actor, object_type="thing", object_id=1)
            with pytest.raises(RuntimeError):
                with savepoint():
                    audit.record("test.dropped", actor=actor, object_type="thing", object_id=2)
                    with savepoint():  # released into the savepoint that then fails: goes with it
                        audit.record("test.dropped", actor=actor, object_type="thing", object_id=3)
                    raise RuntimeError("refused")
            with savepoint():
                audit.record("test.kept", actor=actor, object_type="thing", object_id=4)
    assert db.session.scalars(select(AuditEntry.object_id).order_by(AuditEntry.id)).all() == [1, 4]
    assert verify_chain() == []


def test_an_entry_read_inside_a_savepoint_that_fails_is_appended_again(app, db):
    """Reading the audit log appends what is pending; if that happened inside a savepoint that then rolls
    back, the entries recorded before it are not lost with its rows."""
    actor = create_user()
    db.session.commit()
    with app.test_request_context(method="POST"):
        with unit_of_work():
            audit.record("test.outer", actor=actor, object_type="thing", object_id=1)
            with pytest.raises(RuntimeError):
                with savepoint():
                    audit.record("test.inner", actor=actor, object_type="thing", object_id=2)
                    assert _count(db) == 2  # the read appends both
                    raise RuntimeError("refused")
            assert [e.action for e in audit.pending()] == ["test.outer"]
    assert db.session.scalars(select(AuditEntry.action)).all() == ["test.outer"]
    assert verify_chain() == []


def test_entries_are_appended_at_the_outermost_commit_only(app, db):
    actor = create_user()
    db.session.commit()
    with app.test_request_context(method="POST"):
        with unit_of_work():
            entry = audit.record("test.pending", actor=actor, object_type="thing", object_id=1)
            with savepoint():
                audit.record("test.pending", actor=actor, object_type="thing", object_id=2)
            # The savepoint's release is a commit to SQLAlchemy (before_commit): nothing appended yet.
            assert len(audit.pending()) == 2 and entry.id is None and entry.hash is None
    assert entry.id is not None and entry.prev_hash == audit.GENESIS
    assert audit.pending() == []
    assert _count(db, "test.pending") == 2


def test_a_rollback_forgets_what_was_pending(app, db):
    actor = create_user()
    db.session.commit()
    audit.record("test.rolled_back", actor=actor, object_type="thing", object_id=1)
    db.session.rollback()
    assert audit.pending() == []
    db.session.commit()
    assert _count(db) == 0
