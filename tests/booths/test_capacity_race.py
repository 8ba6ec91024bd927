"""A booth type's capacity lowered while approvals race for its places: the places held never exceed the
capacity. `update_booth_type` takes the type's row lock, as every approval does; before it moved into an
operation, the edit page read the places held without that lock, and approvals committed meanwhile left
more places held than the new capacity.

Each thread is one request's unit of work (tests/race.py: `unit_of_work(write=True)`, as FairApp runs a POST): on
PostgreSQL the row locks serialize the rule; on SQLite the unit of work takes the write lock up front
(BEGIN IMMEDIATE), so the same rule holds there too.
"""
from __future__ import annotations

from collections import Counter

import pytest
from sqlalchemy import func, select

from fairapp.accounts.models import User
from fairapp.booths import operations as ops
from fairapp.booths.models import Application, BoothType, Status
from fairapp.core.audit import AuditEntry, verify_chain
from tests.booths.factories import create_application, create_booth_type
from tests.factories import create_fair, create_org, create_user, grant
from tests.race import race

APPROVALS = 30
START = 20
TARGETS = (4, 12, 6, 16, 2, 9)  # capacity changes racing the approvals


@pytest.fixture
def thread_sessions(thread_sessions_for):
    return thread_sessions_for(APPROVALS + len(TARGETS))


def test_capacity_changes_racing_approvals_never_leave_more_places_held_than_the_capacity(app, db, thread_sessions):
    from fairapp.extensions import db as _db

    fair = create_fair()
    staff = create_user()
    grant(fair, staff, "staff")
    booth_type = create_booth_type(fair, capacity=START)
    racers = [create_application(fair, create_org(f"ชุมชนที่ {i + 1}"), booth_type, Status.submitted).id
              for i in range(APPROVALS)]
    ids = (booth_type.id, staff.id)

    def approve(application_id):
        prepare = lambda: (_db.session.get(Application, application_id), _db.session.get(User, ids[1]))  # noqa: E731
        return prepare, lambda p: ops.approve_application(*p)

    def change(capacity):
        prepare = lambda: (_db.session.get(BoothType, ids[0]), _db.session.get(User, ids[1]))  # noqa: E731
        return prepare, lambda p: ops.update_booth_type(p[0], {"capacity": capacity}, p[1]).capacity

    jobs = [approve(a) for a in racers]
    for k, capacity in enumerate(TARGETS):  # spread among the approvals
        jobs.insert(k * (len(jobs) // len(TARGETS)), change(capacity))
    outcomes = race(jobs, app=app, sessions=thread_sessions)

    db.session.expire_all()
    final = db.session.get(BoothType, booth_type.id).capacity
    held = ops.places_held(booth_type.id)
    kinds = Counter(type(o).__name__ if isinstance(o, Exception) else str(getattr(o, "value", o)) for o in outcomes)
    assert not [o for o in outcomes if o is None], outcomes
    assert held <= final, f"{held} places held, capacity {final}: {dict(kinds)}"
    statuses = Counter(db.session.scalars(select(Application.status).where(Application.booth_type_id == booth_type.id)))
    assert kinds["approved"] == statuses[Status.approved]  # nothing was held before the race
    assert held == statuses[Status.approved] + statuses[Status.offered]  # places a raised capacity offered on
    assert kinds["approved"] + kinds["waitlisted"] == APPROVALS
    # Every refused change was refused for the places held when it ran; every other one was applied.
    refused = [o for o in outcomes if isinstance(o, ops.CapacityBelowHeld)]
    applied = [o for o in outcomes if isinstance(o, int) and not isinstance(o, bool)]
    assert len(refused) + len(applied) == len(TARGETS) and final in applied + [START]
    assert all(e.field == "capacity" for e in refused)
    changed = db.session.scalar(select(func.count(AuditEntry.id)).where(AuditEntry.action == "booth.type_changed"))
    assert changed == len(applied)  # each applied change audited (the targets differ from one another)
    assert verify_chain() == []
