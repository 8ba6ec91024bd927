"""Uploads racing for the last places of one nomination: many requests attach files at once, and the
nomination never holds more files, or more bytes, than its limits.

`ops.add_evidence` takes the nomination's row lock and counts what the database holds. On PostgreSQL
that is SELECT ... FOR UPDATE; on SQLite each thread's unit of work starts with BEGIN IMMEDIATE (as a
POST does), so the rule holds there too and the test runs on both.

Each thread is a request of its own (tests/race.py): its own request context, its own session on an engine
with a connection for each thread, and `unit_of_work(write=True)` around what the view would do.
"""
from __future__ import annotations

import secrets
from collections import Counter

import pytest
from sqlalchemy import func, select

from fairapp.accounts.models import User
from fairapp.core.audit import AuditEntry, verify_chain
from fairapp.core.uploads import MB, Accepted
from fairapp.nominations import operations as ops
from fairapp.nominations.models import Category, Evidence, Nomination
from tests.factories import create_fair, create_org, create_user
from tests.race import race as run_race, times

THREADS = 20


@pytest.fixture
def thread_sessions(thread_sessions_for):
    return thread_sessions_for(THREADS)


def _nomination(db, *, max_files: int, existing: list[int]) -> tuple[int, int]:
    fair = create_fair()
    org = create_org("โรงเรียนบ้านป่าซาง")
    member = create_user(org=org)
    category = Category(fair_id=fair.id, name_th="องค์กรคุณธรรมต้นแบบ ภาคการศึกษา", opens_on=fair.nomination_opens,
                        closes_on=fair.nomination_closes, max_files=max_files)
    db.session.add(category)
    db.session.flush()
    nomination = Nomination(fair_id=fair.id, category_id=category.id, nominator_org_id=org.id,
                            nominee_org_id=org.id, narratives={})
    db.session.add(nomination)
    db.session.flush()
    for size in existing:
        db.session.add(Evidence(nomination_id=nomination.id, kind="photo", storage_key=_key(), original_name="a.jpg",
                                size_bytes=size, sha256="0" * 64))
    db.session.commit()
    return nomination.id, member.id


def _key() -> str:
    return f"{secrets.token_hex(16)}.jpg"


def _accepted(i: int, size: int) -> Accepted:
    """What core.uploads.accept_evidence hands the view (no bytes are needed by the operation)."""
    return Accepted(key=_key(), kind="photo", name=f"ภาพที่ {i}.jpg", size=size, sha256=secrets.token_hex(32))


def race(app, sessions, nomination_id: int, user_id: int, size: int) -> list:
    """THREADS uploads of one file of `size` bytes each, released together (tests/race.py); their outcomes."""
    from fairapp.extensions import db

    def upload(i):
        nomination = db.session.get(Nomination, nomination_id)
        actor = db.session.get(User, user_id)
        return ops.add_evidence(nomination, _accepted(i, size), "", actor)
    return run_race(times(THREADS, upload), app=app, sessions=sessions)


def _kinds(outcomes) -> Counter:
    return Counter("added" if isinstance(o, Evidence) else type(o).__name__ for o in outcomes)


def _held(db, nomination_id: int) -> tuple[int, int]:
    db.session.expire_all()
    return db.session.execute(select(func.count(Evidence.id), func.coalesce(func.sum(Evidence.size_bytes), 0))
                              .where(Evidence.nomination_id == nomination_id)).one()


def test_uploads_racing_for_the_last_files(app, db, thread_sessions):
    nomination_id, user_id = _nomination(db, max_files=5, existing=[1000] * 3)
    outcomes = race(app, thread_sessions, nomination_id, user_id, size=1000)
    assert _kinds(outcomes) == {"added": 2, "TooManyFiles": THREADS - 2}, outcomes
    assert _held(db, nomination_id)[0] == 5
    assert db.session.scalar(select(func.count(AuditEntry.id))
                             .where(AuditEntry.action == "nomination.evidence_added")) == 2
    assert verify_chain() == []


def test_uploads_racing_for_the_last_megabytes(app, db, thread_sessions, monkeypatch):
    monkeypatch.setitem(app.config, "NOMINATION_EVIDENCE_MAX_BYTES", 10 * MB)
    nomination_id, user_id = _nomination(db, max_files=60, existing=[7 * MB])
    outcomes = race(app, thread_sessions, nomination_id, user_id, size=MB)
    assert _kinds(outcomes) == {"added": 3, "EvidenceTooLarge": THREADS - 3}, outcomes
    files, held = _held(db, nomination_id)
    assert files == 4 and held == 10 * MB
    assert verify_chain() == []
