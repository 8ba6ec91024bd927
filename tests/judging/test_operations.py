"""Judging rules without HTTP: conflicts hide nominations, scores are checked and audited, finalized is final."""
from datetime import timedelta

import pytest
from sqlalchemy import text

from fairapp.core.audit import AuditEntry, verify_chain
from fairapp.core.time import today_local, utcnow
from fairapp.judging import operations as ops
from fairapp.judging.models import Assignment, Conflict, Criterion, JudgeProfile, Rubric, Score
from fairapp.nominations.models import Category, Nomination, NominationStatus
from tests.factories import create_fair, create_org, create_user


@pytest.fixture
def world(db, app):
    fair = create_fair()
    category = Category(fair_id=fair.id, name_th="องค์กรคุณธรรมต้นแบบ", opens_on=today_local() - timedelta(days=9),
                        closes_on=today_local() - timedelta(days=1))
    db.session.add(category)
    db.session.flush()
    rubric = Rubric(category_id=category.id, judges_per_nomination=2)
    rubric.criteria = [Criterion(name_th="การมีส่วนร่วม", weight=60, scale_min=1, scale_max=5, position=0),
                       Criterion(name_th="ผลลัพธ์", weight=40, scale_min=0, scale_max=2, position=1)]
    db.session.add(rubric)
    university = create_org("มหาวิทยาลัยแม่ฟ้าหลวง")
    nominee_org = create_org("สำนักงานวัฒนธรรมจังหวัดเชียงราย")
    judge = create_user("judge@example.org")
    other = create_user("other-judge@example.org")
    db.session.add(JudgeProfile(fair_id=fair.id, user_id=judge.id, affiliation_org_id=university.id))
    nominations = []
    for org in (nominee_org, university):
        n = Nomination(fair_id=fair.id, category_id=category.id, nominator_org_id=org.id, nominee_org_id=org.id,
                       status=NominationStatus.eligible)
        db.session.add(n)
        nominations.append(n)
    db.session.commit()
    ctx = app.test_request_context()
    ctx.push()
    yield fair, rubric, judge, other, nominations
    ctx.pop()


def test_a_judge_sees_only_assigned_unconflicted_nominations(db, world):
    fair, rubric, judge, other, (n1, n2) = world
    ops.add_assignment(judge, n1, other)
    db.session.commit()
    assert [n.id for n in db.session.scalars(ops.visible_nominations(judge))] == [n1.id]
    ops.declare_conflict(judge, n1, "เคยเป็นที่ปรึกษาขององค์กรนี้", judge)
    db.session.commit()
    assert db.session.scalars(ops.visible_nominations(judge)).all() == []
    assert db.session.query(Assignment).count() == 0  # the assignment went with the conflict
    with pytest.raises(ops.ConflictOfInterest):
        ops.add_assignment(judge, n1, other)


def test_institutional_conflicts_are_detected_for_the_chair(db, world):
    fair, rubric, judge, other, (n1, n2) = world
    assert ops.detected_conflicts(fair.id) == [(judge.id, n2.id, "nominee")]


def test_scores_are_checked_and_audited(db, world):
    fair, rubric, judge, other, (n1, n2) = world
    assignment = ops.add_assignment(judge, n1, other)
    c1, c2 = rubric.criteria
    with pytest.raises(ops.ScoreOutOfScale):
        ops.record_score(assignment, c1, 6, "", judge)
    with pytest.raises(ops.CommentRequired):
        ops.record_score(assignment, c1, 1, "", judge)  # the bottom of the scale needs a reason
    with pytest.raises(ops.NotAssigned):
        ops.record_score(assignment, c1, 3, "", other)  # nobody scores for someone else
    ops.record_score(assignment, c1, 4, "", judge)
    ops.record_score(assignment, c1, 5, "ชุมชนมีส่วนร่วมทุกขั้นตอน", judge)
    ops.record_score(assignment, c2, 0, "ยังไม่มีผลลัพธ์ที่วัดได้", judge)
    db.session.commit()
    assert {s.criterion_id: s.value for s in db.session.query(Score)} == {c1.id: 5, c2.id: 0}
    changes = db.session.query(AuditEntry).filter_by(action="judging.score_saved").order_by(AuditEntry.id).all()
    assert [(e.before or {}).get("value") for e in changes] == [None, 4, None]
    assert verify_chain() == []


def test_finalized_scores_never_change(db, world):
    fair, rubric, judge, other, (n1, n2) = world
    assignment = ops.add_assignment(judge, n1, other)
    ops.record_score(assignment, rubric.criteria[0], 4, "", judge)
    rubric.finalized_at = utcnow()
    db.session.commit()
    for attempt in (lambda: ops.record_score(assignment, rubric.criteria[0], 5, "", judge),
                    lambda: ops.declare_conflict(judge, n1, "เหตุผล", judge),
                    lambda: ops.remove_assignment(assignment, other),
                    lambda: ops.add_assignment(other, n1, other)):
        with pytest.raises(ops.CategoryFinalized):
            attempt()
    with pytest.raises(ops.ReasonRequired):
        ops.reopen(rubric, " ", other)
    ops.reopen(rubric, "พบคะแนนที่บันทึกผิดเกณฑ์", other)
    db.session.commit()
    assert not rubric.finalized
    assert db.session.query(AuditEntry).filter_by(action="judging.reopened").one().after["reason"]


def test_tampering_with_a_score_entry_is_detected(db, world):
    fair, rubric, judge, other, (n1, n2) = world
    assignment = ops.add_assignment(judge, n1, other)
    ops.record_score(assignment, rubric.criteria[0], 4, "", judge)
    db.session.commit()
    entry = db.session.query(AuditEntry).filter_by(action="judging.score_saved").one()
    db.session.execute(text("UPDATE audit_log SET after = :a WHERE id = :i"),
                       {"a": '{"value": 5}', "i": entry.id})
    db.session.commit()
    assert entry.id in verify_chain()
