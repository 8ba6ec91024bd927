"""Races: requests approving for the last place of a booth type, and requests claiming one booth, all
released at once (50 on PostgreSQL, where the operations' row locks decide; 12 on SQLite, where each
writing unit of work starts with BEGIN IMMEDIATE, as `make run`'s threads do).

Each thread is a request of its own (tests/race.py): its own request and app context (the operations
translate labels and queue mail) and its own session, on a dedicated engine whose pool holds a connection
per thread (the app's default pool of 5 + 10 would make most threads queue for a connection, not a lock).
"""
from __future__ import annotations

from collections import Counter
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from fairapp.accounts.models import User
from fairapp.booths import operations as ops
from fairapp.booths.models import Application, Booth, Status
from fairapp.core.audit import AuditEntry, verify_chain
from tests.booths.factories import create_application, create_booth, create_booth_type
from tests.factories import create_fair, create_org, create_user, grant
from tests.race import on_sqlite, race as run_race

CAPACITY = 5


@pytest.fixture
def threads(db):
    """50 racing requests on PostgreSQL; 12 on SQLite, where they queue for one lock (and still race)."""
    return 12 if on_sqlite() else 50


@pytest.fixture
def thread_sessions(thread_sessions_for, threads):
    return thread_sessions_for(threads)


def race(app, sessions, n, prepare, act):
    """act(prepare(i)) in n units of work released together (tests/race.py); the outcomes, and .seconds from
    the release to the last commit. An error's `shown` is the message the view would show."""
    outcomes = run_race([(lambda i=i: prepare(i), act) for i in range(n)], app=app, sessions=sessions)
    with app.test_request_context():
        for outcome in outcomes:
            if isinstance(outcome, Exception):
                outcome.shown = str(outcome)
    return outcomes


def _kind(outcome) -> str:
    return type(outcome).__name__ if isinstance(outcome, Exception) else str(getattr(outcome, "value", outcome))


def test_approvals_racing_for_the_last_place(app, db, thread_sessions, threads, capsys):
    fair = create_fair()
    staff = create_user()
    grant(fair, staff, "staff")
    booth_type = create_booth_type(fair, capacity=CAPACITY)
    for _ in range(CAPACITY - 1):
        create_application(fair, create_org(), booth_type, Status.approved)
    racers = []
    for i in range(threads + 5):  # more submitted than threads: the queue is longer than the race
        org = create_org(f"ชุมชนคุณธรรมที่ {i + 1}")
        create_user(org=org)
        racers.append(create_application(fair, org, booth_type, Status.submitted).id)
    audit_before = db.session.scalar(select(func.count(AuditEntry.id)))
    staff_id = staff.id

    def prepare(i):
        return (db.session.get(Application, racers[i]), db.session.get(User, staff_id))

    outcomes = race(app, thread_sessions, threads, prepare, lambda p: ops.approve_application(*p))

    counts = Counter(_kind(o) for o in outcomes)
    db.session.expire_all()
    statuses = Counter(db.session.scalars(select(Application.status).where(
        Application.booth_type_id == booth_type.id)))
    actions = Counter(db.session.scalars(select(AuditEntry.action).offset(audit_before)
                                         .order_by(AuditEntry.id)))
    with capsys.disabled():
        print(f"\n  approvals: {threads} threads for 1 last place (capacity {CAPACITY}): {dict(counts)}; "
              f"type now {dict((s.value, n) for s, n in statuses.items())}; audit {dict(actions)}; "
              f"{outcomes.seconds * 1000:.0f} ms from release to the last commit")
    assert counts == {"approved": 1, "waitlisted": threads - 1}
    assert statuses[Status.approved] == CAPACITY == ops.places_held(booth_type.id)
    assert statuses[Status.waitlisted] == threads - 1 and statuses[Status.submitted] == 5
    assert actions == {"booth.approved": 1, "booth.waitlisted_full": threads - 1}
    waiting = db.session.scalars(select(Application).where(Application.status == Status.waitlisted)).all()
    assert sorted(a.waitlist_position() for a in waiting) == list(range(1, threads))
    assert verify_chain() == []


def _claim_setup(db, threads):
    fair = create_fair()
    staff = create_user()
    grant(fair, staff, "staff")
    booth_type = create_booth_type(fair, capacity=threads)
    booth = create_booth(fair, booth_type, "A01")
    racers = [create_application(fair, create_org(), booth_type, Status.approved).id for _ in range(threads)]
    audit_before = db.session.scalar(select(func.count(AuditEntry.id)))
    return SimpleNamespace(staff_id=staff.id, booth_id=booth.id, racers=racers, audit_before=audit_before)


def _claim_result(db, world, outcomes, capsys, label):
    counts = Counter("won" if isinstance(o, Booth) else _kind(o) for o in outcomes)
    db.session.expire_all()
    holder = db.session.get(Booth, world.booth_id).application_id
    allocated = db.session.scalar(select(func.count(AuditEntry.id)).where(AuditEntry.action == "booth.allocated"))
    with capsys.disabled():
        print(f"\n  booth claims ({label}): {len(outcomes)} threads for booth A01: {dict(counts)}; "
              f"'booth.allocated' audit entries: {allocated}; {outcomes.seconds * 1000:.0f} ms")
    return counts, holder, allocated


def test_claims_of_one_booth(app, db, thread_sessions, threads, capsys):
    """As a view would: load the application and the booth, then call allocate_booth."""
    world = _claim_setup(db, threads)

    def prepare(i):
        return (db.session.get(Application, world.racers[i]), db.session.get(Booth, world.booth_id),
                db.session.get(User, world.staff_id))

    outcomes = race(app, thread_sessions, threads, prepare, lambda p: ops.allocate_booth(*p))
    counts, holder, allocated = _claim_result(db, world, outcomes, capsys, "booth loaded first")
    winners = [world.racers[i] for i, o in enumerate(outcomes) if isinstance(o, Booth)]
    assert counts == {"won": 1, "BoothTaken": threads - 1}
    assert winners == [holder] and allocated == 1
    assert verify_chain() == []


def test_claims_of_one_booth_read_under_the_lock(app, db, thread_sessions, threads, capsys):
    """The booth's row read under the lock (what allocate_booth should do itself): exactly one wins."""
    world = _claim_setup(db, threads)

    def prepare(i):
        return (db.session.get(Application, world.racers[i]), db.session.get(User, world.staff_id))

    def act(prepared):
        application, actor = prepared
        booth = db.session.scalars(select(Booth).where(Booth.id == world.booth_id).with_for_update()).one()
        return ops.allocate_booth(application, booth, actor)

    outcomes = race(app, thread_sessions, threads, prepare, act)
    counts, holder, allocated = _claim_result(db, world, outcomes, capsys, "booth read under the lock")
    winners = [world.racers[i] for i, o in enumerate(outcomes) if isinstance(o, Booth)]
    assert counts == {"won": 1, "BoothTaken": threads - 1}
    assert winners == [holder] and allocated == 1
    assert {o.shown for o in outcomes if isinstance(o, ops.BoothTaken)} == {"บูธ A01 มีองค์กรอื่นอยู่แล้ว"}
    assert verify_chain() == []
