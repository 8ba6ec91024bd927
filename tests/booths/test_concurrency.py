"""Races on PostgreSQL: 50 requests approving for the last place of a booth type, and 50 requests claiming
one booth, all released at once. Only PostgreSQL has the row locks these rules rely on.

Run: DATABASE_URL=postgresql+psycopg://fairapp:fairapp@127.0.0.1:5432/fairapp_test \
     .venv/bin/pytest tests/booths/test_concurrency.py -q -p no:cacheprovider

Each thread is a request of its own: its own request and app context (the operations translate labels
and queue mail) and its own session, on a dedicated engine whose pool holds a connection per thread
(the app's default pool of 5 + 10 would make most threads queue for a connection instead of a lock).
"""
from __future__ import annotations

import threading
import time
from collections import Counter
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from fairapp.accounts.models import User
from fairapp.booths import operations as ops
from fairapp.booths.models import Application, Booth, Status
from fairapp.core.audit import AuditEntry, verify_chain
from fairapp.core.mail import discard_queued_mail
from tests.booths.factories import create_application, create_booth, create_booth_type
from tests.factories import create_fair, create_org, create_user, grant

pytestmark = pytest.mark.postgres_only

THREADS = 50
CAPACITY = 5


@pytest.fixture
def thread_sessions(thread_sessions_for):
    return thread_sessions_for(THREADS)


def race(app, make_session, prepare, act, n=THREADS):
    """Run act(prepared) in n threads released together; returns (outcomes, seconds from release to last).

    prepare(i) runs before the barrier (it loads what the view would have loaded); an outcome is what
    act returned or the exception it raised (after which the thread's transaction rolls back).
    """
    from fairapp.extensions import db

    barrier = threading.Barrier(n + 1)
    outcomes: list = [None] * n

    def run(i):
        with app.test_request_context():
            db.session.registry.set(make_session())  # this thread's own session
            try:
                prepared = prepare(i)
                barrier.wait(timeout=60)
                try:
                    outcomes[i] = act(prepared)
                    db.session.commit()
                except Exception as exc:  # noqa: BLE001 - the outcome under test
                    db.session.rollback()
                    exc.shown = str(exc)  # the message the view would flash, in this request's language
                    outcomes[i] = exc
            finally:
                discard_queued_mail()
                db.session.remove()

    threads = [threading.Thread(target=run, args=(i,), name=f"race-{i}") for i in range(n)]
    for thread in threads:
        thread.start()
    barrier.wait(timeout=60)
    released = time.perf_counter()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a thread is stuck"
    return outcomes, time.perf_counter() - released


def _kind(outcome) -> str:
    return type(outcome).__name__ if isinstance(outcome, Exception) else str(getattr(outcome, "value", outcome))


def test_fifty_approvals_for_the_last_place(app, db, thread_sessions, capsys):
    fair = create_fair()
    staff = create_user()
    grant(fair, staff, "staff")
    booth_type = create_booth_type(fair, capacity=CAPACITY)
    for _ in range(CAPACITY - 1):
        create_application(fair, create_org(), booth_type, Status.approved)
    racers = []
    for i in range(THREADS + 5):  # more submitted than threads: the queue is longer than the race
        org = create_org(f"ชุมชนคุณธรรมที่ {i + 1}")
        create_user(org=org)
        racers.append(create_application(fair, org, booth_type, Status.submitted).id)
    audit_before = db.session.scalar(select(func.count(AuditEntry.id)))
    staff_id = staff.id

    def prepare(i):
        return (db.session.get(Application, racers[i]), db.session.get(User, staff_id))

    outcomes, seconds = race(app, thread_sessions, prepare, lambda p: ops.approve_application(*p))

    counts = Counter(_kind(o) for o in outcomes)
    db.session.expire_all()
    statuses = Counter(db.session.scalars(select(Application.status).where(
        Application.booth_type_id == booth_type.id)))
    actions = Counter(db.session.scalars(select(AuditEntry.action).offset(audit_before)
                                         .order_by(AuditEntry.id)))
    with capsys.disabled():
        print(f"\n  approvals: {THREADS} threads for 1 last place (capacity {CAPACITY}): {dict(counts)}; "
              f"type now {dict((s.value, n) for s, n in statuses.items())}; audit {dict(actions)}; "
              f"{seconds * 1000:.0f} ms from release to the last commit")
    assert counts == {"approved": 1, "waitlisted": THREADS - 1}
    assert statuses[Status.approved] == CAPACITY == ops.places_held(booth_type.id)
    assert statuses[Status.waitlisted] == THREADS - 1 and statuses[Status.submitted] == 5
    assert actions == {"booth.approved": 1, "booth.waitlisted_full": THREADS - 1}
    waiting = db.session.scalars(select(Application).where(Application.status == Status.waitlisted)).all()
    assert sorted(a.waitlist_position() for a in waiting) == list(range(1, THREADS))
    assert verify_chain() == []


def _claim_setup(db):
    fair = create_fair()
    staff = create_user()
    grant(fair, staff, "staff")
    booth_type = create_booth_type(fair, capacity=THREADS)
    booth = create_booth(fair, booth_type, "A01")
    racers = [create_application(fair, create_org(), booth_type, Status.approved).id for _ in range(THREADS)]
    audit_before = db.session.scalar(select(func.count(AuditEntry.id)))
    return SimpleNamespace(staff_id=staff.id, booth_id=booth.id, racers=racers, audit_before=audit_before)


def _claim_result(db, world, outcomes, seconds, capsys, label):
    counts = Counter("won" if isinstance(o, Booth) else _kind(o) for o in outcomes)
    db.session.expire_all()
    holder = db.session.get(Booth, world.booth_id).application_id
    allocated = db.session.scalar(select(func.count(AuditEntry.id)).where(AuditEntry.action == "booth.allocated"))
    with capsys.disabled():
        print(f"\n  booth claims ({label}): {THREADS} threads for booth A01: {dict(counts)}; "
              f"'booth.allocated' audit entries: {allocated}; {seconds * 1000:.0f} ms")
    return counts, holder, allocated


def test_fifty_claims_of_one_booth(app, db, thread_sessions, capsys):
    """As a view would: load the application and the booth, then call allocate_booth."""
    world = _claim_setup(db)

    def prepare(i):
        return (db.session.get(Application, world.racers[i]), db.session.get(Booth, world.booth_id),
                db.session.get(User, world.staff_id))

    outcomes, seconds = race(app, thread_sessions, prepare, lambda p: ops.allocate_booth(*p))
    counts, holder, allocated = _claim_result(db, world, outcomes, seconds, capsys, "booth loaded first")
    winners = [world.racers[i] for i, o in enumerate(outcomes) if isinstance(o, Booth)]
    assert counts == {"won": 1, "BoothTaken": THREADS - 1}
    assert winners == [holder] and allocated == 1
    assert verify_chain() == []


def test_fifty_claims_of_one_booth_read_under_the_lock(app, db, thread_sessions, capsys):
    """The booth's row read under the lock (what allocate_booth should do itself): exactly one wins."""
    world = _claim_setup(db)

    def prepare(i):
        return (db.session.get(Application, world.racers[i]), db.session.get(User, world.staff_id))

    def act(prepared):
        application, actor = prepared
        booth = db.session.scalars(select(Booth).where(Booth.id == world.booth_id).with_for_update()).one()
        return ops.allocate_booth(application, booth, actor)

    outcomes, seconds = race(app, thread_sessions, prepare, act)
    counts, holder, allocated = _claim_result(db, world, outcomes, seconds, capsys, "booth read under the lock")
    winners = [world.racers[i] for i, o in enumerate(outcomes) if isinstance(o, Booth)]
    assert counts == {"won": 1, "BoothTaken": THREADS - 1}
    assert winners == [holder] and allocated == 1
    assert {o.shown for o in outcomes if isinstance(o, ops.BoothTaken)} == {"บูธ A01 มีองค์กรอื่นอยู่แล้ว"}
    assert verify_chain() == []
