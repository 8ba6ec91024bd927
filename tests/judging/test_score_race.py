"""The same score saved by many requests at once (the scoring page's retry, a second tab, an offline queue
sent twice): every request succeeds, the sheet holds one row, and the audit log says it once.

`record_score` reads the score under its row lock and inserts a first score with
`rules.insert_or_existing` (a savepoint: the unique constraint's refusal undoes only the insert, and the
row that won is read again). On PostgreSQL this is a real race; on SQLite each thread's unit of work
starts with BEGIN IMMEDIATE (as a POST does), so the same tests hold there.

Each thread is a request of its own (tests/race.py): its own request context, its own session on an engine
with a connection for each thread, and `unit_of_work(write=True)` around what the view would do.
"""
from __future__ import annotations

from collections import Counter

import pytest
from sqlalchemy import func, select

from fairapp.accounts.models import User
from fairapp.core.audit import AuditEntry, verify_chain
from fairapp.judging import operations as ops
from fairapp.judging.models import Assignment, Criterion, Score
from tests.conftest import FreshContextClient
from tests.judging.test_judge_views import _token, world  # noqa: F401 - the fixture
from tests.race import race as run_race, times

THREADS = 20


@pytest.fixture
def thread_sessions(thread_sessions_for):
    return thread_sessions_for(THREADS)


def race(app, sessions, act) -> list:
    """THREADS units of work running act(i), released together (tests/race.py)."""
    return run_race(times(THREADS, act), app=app, sessions=sessions)


def _save(assignment_id: int, criterion_id: int, value: int, comment: str = ""):
    from fairapp.extensions import db

    def act(_i):
        assignment = db.session.get(Assignment, assignment_id)
        return ops.record_score(assignment, db.session.get(Criterion, criterion_id), value, comment,
                                db.session.get(User, assignment.judge_id))
    return act


def _kinds(outcomes) -> Counter:
    return Counter(type(o).__name__ for o in outcomes)


def _rows(db, assignment_id: int, criterion_id: int) -> list[tuple[int, str]]:
    db.session.expire_all()
    return db.session.execute(select(Score.value, Score.comment).where(
        Score.assignment_id == assignment_id, Score.criterion_id == criterion_id)).all()


def _audited(db) -> list[dict]:
    return [e.after for e in db.session.scalars(select(AuditEntry).where(AuditEntry.action == "judging.score_saved")
                                                .order_by(AuditEntry.id))]


def test_twenty_first_saves_of_one_score_at_once_save_it_once(app, db, world, thread_sessions):
    a, c = world.assignment.id, world.c1.id
    outcomes = race(app, thread_sessions, _save(a, c, 4))
    assert _kinds(outcomes) == {"Score": THREADS}, outcomes
    assert _rows(db, a, c) == [(4, "")]
    assert [(e["assignment"], e["criterion"], e["value"]) for e in _audited(db)] == [(a, c, 4)]
    assert verify_chain() == []


def test_twenty_identical_changes_at_once_are_audited_once(app, db, world, thread_sessions):
    a, c = world.assignment.id, world.c1.id
    ops.record_score(world.assignment, world.c1, 3, "", world.judge)
    db.session.commit()
    outcomes = race(app, thread_sessions, _save(a, c, 5, "โดดเด่น"))
    assert _kinds(outcomes) == {"Score": THREADS}, outcomes
    assert _rows(db, a, c) == [(5, "โดดเด่น")]
    assert [e["value"] for e in _audited(db)] == [3, 5]
    assert verify_chain() == []


def test_twenty_identical_resaves_at_once_write_no_audit_entry(app, db, world, thread_sessions):
    a, c = world.assignment.id, world.c1.id
    ops.record_score(world.assignment, world.c1, 4, "", world.judge)
    db.session.commit()
    outcomes = race(app, thread_sessions, _save(a, c, 4))
    assert _kinds(outcomes) == {"Score": THREADS}, outcomes
    assert _rows(db, a, c) == [(4, "")]
    assert len(_audited(db)) == 1


def test_twenty_autosaves_of_one_first_score_at_once_all_answer_200(app, db, world):
    """Through the scoring page's JSON endpoint: each request its own client, app context and session."""
    a, c = world.assignment.id, world.c1.id
    app.test_client_class = FreshContextClient
    clients = []
    for _ in range(THREADS):
        client = app.test_client()
        with client.session_transaction() as session:
            session["_user_id"], session["_fresh"] = str(world.judge.id), True
        clients.append((client, _token(client, world)))

    def post(i):
        client, token = clients[i]
        response = client.post(f"/judging/assignments/{a}/scores", json={"criterion_id": c, "value": 4, "comment": ""},
                               headers={"Accept": "application/json", "X-CSRFToken": token})
        return response.status_code, response.get_json(silent=True)

    answers = run_race(times(THREADS, post))
    assert [status for status, _json in answers] == [200] * THREADS, answers
    assert {(body["scored"], body["total"]) for _status, body in answers} == {(1, 45.0)}
    assert _rows(db, a, c) == [(4, "")]
    assert db.session.scalar(select(func.count(AuditEntry.id)).where(AuditEntry.action == "judging.score_saved")) == 1
    assert verify_chain() == []


# ---- the other rows that exist once per key, created by requests at the same moment ----

def _users(db, *ids):
    return [db.session.get(User, i) for i in ids]


def test_twenty_hand_assignments_of_one_pair_at_once_make_one(app, db, world, thread_sessions):
    from fairapp.extensions import db as _db
    from fairapp.nominations.models import Nomination

    judge_id, nomination_id, chair_id = world.other_judge.id, world.second.id, world.chair.id

    def act(_i):
        judge, chair = _users(_db, judge_id, chair_id)
        return ops.add_assignment(judge, _db.session.get(Nomination, nomination_id), chair)
    outcomes = race(app, thread_sessions, act)
    assert _kinds(outcomes) == {"Assignment": THREADS}, outcomes
    db.session.expire_all()
    assert db.session.scalar(select(func.count(Assignment.id)).where(
        Assignment.judge_id == judge_id, Assignment.nomination_id == nomination_id)) == 1
    assert db.session.scalar(select(func.count(AuditEntry.id)).where(AuditEntry.action == "judging.assigned")) == 1
    assert verify_chain() == []


def test_twenty_declarations_of_one_conflict_at_once_record_it_once(app, db, world, thread_sessions):
    from fairapp.extensions import db as _db
    from fairapp.judging.models import Conflict
    from fairapp.nominations.models import Nomination

    judge_id, nomination_id, assignment_id = world.judge.id, world.nomination.id, world.assignment.id
    ops.record_score(world.assignment, world.c1, 4, "", world.judge)
    db.session.commit()

    def act(_i):
        (judge,) = _users(_db, judge_id)
        return ops.declare_conflict(judge, _db.session.get(Nomination, nomination_id), "เคยเป็นที่ปรึกษา", judge)
    outcomes = race(app, thread_sessions, act)
    assert _kinds(outcomes) == {"Conflict": THREADS}, outcomes
    db.session.expire_all()
    assert db.session.scalar(select(func.count(Conflict.id)).where(
        Conflict.judge_id == judge_id, Conflict.nomination_id == nomination_id)) == 1
    assert db.session.get(Assignment, assignment_id) is None
    removed = [e.before for e in db.session.scalars(select(AuditEntry).where(
        AuditEntry.action == "judging.conflict_recorded")) if e.before]
    assert removed == [{"assignment": assignment_id, "scores": {str(world.c1.id): 4}}]
    assert verify_chain() == []


def test_twenty_automatic_assignments_of_one_category_at_once_assign_each_pair_once(app, db, world, thread_sessions):
    from fairapp.extensions import db as _db
    from fairapp.judging.models import Rubric

    rubric_id, chair_id = world.rubric.id, world.chair.id
    before = db.session.scalar(select(func.count(Assignment.id)))

    def act(_i):
        return ops.auto_assign(_db.session.get(Rubric, rubric_id), *_users(_db, chair_id))
    outcomes = race(app, thread_sessions, act)
    assert _kinds(outcomes) == {"Result": THREADS}, outcomes
    assert sorted(len(o.pairs) for o in outcomes)[:-1] == [0] * (THREADS - 1)  # one did the work
    db.session.expire_all()
    added = db.session.scalar(select(func.count(Assignment.id))) - before
    assert added == max(len(o.pairs) for o in outcomes) > 0
    assert db.session.scalar(select(func.count(AuditEntry.id)).where(AuditEntry.action == "judging.assigned")) == added
    assert verify_chain() == []


def test_twenty_first_saves_of_one_rubric_at_once_make_one(app, db, world, thread_sessions):
    from fairapp.extensions import db as _db
    from fairapp.judging.models import Rubric
    from fairapp.nominations.models import Category

    category = Category(fair_id=world.fair.id, name_th="ชุมชนคุณธรรมต้นแบบ ภาคประชาชน",
                        opens_on=world.category.opens_on, closes_on=world.category.closes_on)
    db.session.add(category)
    db.session.commit()
    category_id, chair_id = category.id, world.chair.id

    def act(i):
        values = {"judges_per_nomination": 2, "ranking": "raw", "levels": [], "tie_rules": [],
                  "criteria": [{"id": None, "name_th": f"ผลลัพธ์ที่วัดได้ ({i})", "weight": 100, "scale_min": 1,
                                "scale_max": 5, "descriptors": {}}]}
        return ops.save_rubric(_db.session.get(Category, category_id), values, *_users(_db, chair_id))
    outcomes = race(app, thread_sessions, act)
    assert _kinds(outcomes) == {"Rubric": THREADS}, outcomes
    db.session.expire_all()
    rubrics = db.session.scalars(select(Rubric).where(Rubric.category_id == category_id)).all()
    assert len(rubrics) == 1 and len(rubrics[0].criteria) == 1  # the last save's criterion, the others gone
    assert db.session.scalar(select(func.count(Criterion.id)).where(Criterion.rubric_id == rubrics[0].id)) == 1
    assert verify_chain() == []


def test_twenty_removals_of_one_assignment_at_once_remove_it_once(app, db, world, thread_sessions):
    from fairapp.extensions import db as _db

    assignment_id, chair_id = world.assignment.id, world.chair.id
    ops.record_score(world.assignment, world.c1, 4, "", world.judge)
    db.session.commit()

    def act(_i):
        assignment = _db.session.get(Assignment, assignment_id)
        if assignment is not None:  # (gone already: the view's loader answers 404, as on SQLite here)
            return ops.remove_assignment(assignment, *_users(_db, chair_id))
    outcomes = race(app, thread_sessions, act)
    assert _kinds(outcomes) == {"NoneType": THREADS}, outcomes
    db.session.expire_all()
    assert db.session.get(Assignment, assignment_id) is None
    assert db.session.scalar(select(func.count(AuditEntry.id)).where(AuditEntry.action == "judging.unassigned")) == 1
    assert verify_chain() == []
