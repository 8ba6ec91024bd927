"""A race: judges change their scores while the chair finalizes. Finalizing takes the rubric's row lock
(FOR UPDATE) and every score change a shared one (FOR SHARE), so a score either lands before the ranking
is frozen (and is in it) or is refused with CategoryFinalized: the frozen results are always the ranking
of the scores as they stay. On SQLite each unit of work starts with BEGIN IMMEDIATE (a POST under
`make run`'s threads), so the units take turns and the same holds; the jobs load their objects before
the release (tests/race.py), so a stale "open" rubric must still be refused.
"""
from __future__ import annotations

import pytest
from sqlalchemy import select

from fairapp.accounts.models import User
from fairapp.core.audit import AuditEntry, verify_chain
from fairapp.judging import operations as ops
from fairapp.judging.models import Assignment, Criterion, Result, Rubric, Score

from tests.judging.test_chair_views import build_world, score_all
from tests.race import on_sqlite, race


@pytest.fixture
def rounds(db):
    return 2 if on_sqlite() else 5


@pytest.fixture
def thread_sessions(thread_sessions_for):
    return thread_sessions_for(20)


def test_scores_changed_while_the_chair_finalizes_are_in_the_ranking_or_refused(app, db, thread_sessions, rounds):
    from fairapp.extensions import db as _db

    w = build_world(db)
    score_all(db, w)
    rubric_id, chair_id = w.rubric.id, w.chair.id
    sheets = [(s.id, s.assignment_id, s.criterion_id, s.value, a.judge_id)
              for s, a in db.session.execute(select(Score, Assignment).join(Assignment))]
    for round_ in range(rounds):
        def score_task(row, value):
            score_id, assignment_id, criterion_id, old, judge_id = row

            def prepare():
                return (_db.session.get(Assignment, assignment_id), _db.session.get(Criterion, criterion_id),
                        _db.session.get(User, judge_id))
            return prepare, lambda p: ops.record_score(p[0], p[1], value, "", p[2])

        def finalize_prepare():
            return _db.session.get(Rubric, rubric_id), _db.session.get(User, chair_id)

        tasks = [score_task(row, 2 + (row[3] + round_) % 4) for row in sheets]
        tasks.insert(len(tasks) // 2, (finalize_prepare, lambda p: ops.finalize(p[0], p[1])))
        outcomes = race(tasks, app=app, sessions=thread_sessions)

        kinds = {type(o).__name__ for o in outcomes}
        assert kinds <= {"Score", "list", "CategoryFinalized"}, outcomes
        db.session.expire_all()
        rubric = db.session.get(Rubric, rubric_id)
        assert rubric.finalized
        frozen = [(r.nomination_id, r.position, r.score) for r in db.session.scalars(
            select(Result).where(Result.rubric_id == rubric_id).order_by(Result.position))]
        rows, _raw, _z = ops.ranking(rubric)
        assert frozen == [(r.nomination, r.position, round(r.score, 2)) for r in rows]
        finalized_at = db.session.scalar(select(AuditEntry.id).where(AuditEntry.action == "judging.finalized")
                                         .order_by(AuditEntry.id.desc()).limit(1))
        assert db.session.scalar(select(AuditEntry.id).where(AuditEntry.action == "judging.score_saved",
                                                             AuditEntry.id > finalized_at)) is None
        with app.test_request_context():
            ops.reopen(rubric, "รอบทดสอบถัดไป", db.session.get(User, chair_id))
        db.session.commit()
        sheets = [(s.id, s.assignment_id, s.criterion_id, s.value, a.judge_id)
                  for s, a in db.session.execute(select(Score, Assignment).join(Assignment))]
    assert verify_chain() == []
