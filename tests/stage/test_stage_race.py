"""Race: several phones press Next at once. The stage's row is created once (insert ... on conflict do
nothing) and moved under its row lock, so N presses move it N slides, never fewer, on both databases (on
SQLite each unit of work starts with BEGIN IMMEDIATE, as a POST does)."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from fairapp.fairs.models import Fair
from fairapp.judging.models import Result
from fairapp.stage import operations
from fairapp.stage.models import StagePosition
from tests.certificates.world import build_cert_world
from tests.race import race


@pytest.fixture
def phones(db):
    return 3  # the world's awardees: every press has a slide to move to


@pytest.fixture
def thread_sessions(thread_sessions_for, phones):
    return thread_sessions_for(phones)


def test_phones_pressing_next_at_once_each_move_it(app, db, thread_sessions, phones):
    from fairapp.extensions import db as _db
    w = build_cert_world(db)
    fair_id = w.fair.id
    count = len(db.session.scalars(select(Result).where(Result.level_th.is_not(None))).all())
    assert count >= phones

    def prepare():
        return _db.session.get(Fair, fair_id)

    def press(fair):
        return operations.move(fair, "next", count)

    outcomes = race([(prepare, press)] * phones, app=app, sessions=thread_sessions)
    assert sorted(outcomes) == list(range(1, phones + 1)), outcomes
    db.session.expire_all()
    assert db.session.get(StagePosition, fair_id).index == phones
