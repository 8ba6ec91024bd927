"""Judging rules without HTTP: conflicts hide nominations, scores are checked and audited, finalized is final."""
from datetime import timedelta

import pytest
from sqlalchemy import text

from fairapp.core.audit import AuditEntry, verify_chain
from fairapp.core.time import today_local, utcnow
from fairapp.judging import operations as ops
from fairapp.judging.models import Assignment, Criterion, JudgeProfile, Rubric, Score
from fairapp.nominations.models import Category, Nomination, NominationStatus
from tests.factories import create_fair, create_org, create_user, grant


@pytest.fixture
def world(db, app):
    fair = create_fair()
    fair.judging_opens = today_local() - timedelta(days=3)  # judging has begun: finalizing is allowed
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
    grant(fair, judge, "judge")
    grant(fair, other, "judge")
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


def test_automatic_assignment_balances_and_avoids_conflicts(db, world):
    from fairapp.fairs.models import FairRole
    fair, rubric, judge, other, (n1, n2) = world
    judges = [judge, other] + [create_user() for _ in range(3)]
    for j in judges[2:]:  # the world's two are judges already
        db.session.add(FairRole(fair_id=fair.id, user_id=j.id, role="judge"))
    for i in range(8):
        org = create_org()
        db.session.add(Nomination(fair_id=fair.id, category_id=rubric.category_id, nominator_org_id=org.id,
                                  nominee_org_id=org.id, status=NominationStatus.eligible))
    db.session.commit()
    ops.declare_conflict(judge, n2, "สังกัดเดียวกับผู้ถูกเสนอชื่อ", judge, source="detected")
    result = ops.auto_assign(rubric, other)
    db.session.commit()
    assert result.uncovered == {}
    pairs = {(a.judge_id, a.nomination_id) for a in db.session.query(Assignment)}
    assert (judge.id, n2.id) not in pairs
    loads = [sum(1 for j, _ in pairs if j == u.id) for u in judges]
    assert max(loads) - min(loads) <= 1 and sum(loads) == 10 * 2
    assert db.session.query(AuditEntry).filter_by(action="judging.assigned").count() == 20


def test_finalize_freezes_a_deterministic_ranking(db, world):
    from fairapp.judging.models import AwardLevel, Result, TieBreakRule
    fair, rubric, judge, other, (n1, n2) = world
    c1, c2 = rubric.criteria
    rubric.levels = [AwardLevel(min_score=80, name_th="ต้นแบบ"), AwardLevel(min_score=25, name_th="ชมเชย")]
    rubric.tie_rules = [TieBreakRule(position=0, kind="criterion", criterion_id=c2.id)]
    db.session.commit()
    for j in (judge, other):
        for n in (n1, n2):
            ops.add_assignment(j, n, other)
    db.session.commit()
    # n1 and n2 tie on the weighted mean (30.0); n2 is higher on criterion 2, which breaks the tie.
    sheets = {(judge, n1): (3, 0), (other, n1): (3, 0), (judge, n2): (1, 2), (other, n2): (1, 1)}
    for (j, n), (v1, v2) in sheets.items():
        a = db.session.query(Assignment).filter_by(judge_id=j.id, nomination_id=n.id).one()
        ops.record_score(a, c1, v1, "เหตุผลประกอบ", j)
        ops.record_score(a, c2, v2, "เหตุผลประกอบ", j)
    db.session.commit()
    first = [(r.nomination, r.position) for r in ops.ranking(rubric)[0]]
    assert first == [(n2.id, 1), (n1.id, 2)]
    # the judge's affiliation is n2's nominee: a detected conflict the chair has not decided
    with pytest.raises(ops.FinalizeNeedsReason):
        ops.finalize(rubric, other)
    results = ops.finalize(rubric, other, reason="ส่วนได้เสียนี้เป็นความร่วมมือทางวิชาการเท่านั้น")
    db.session.commit()
    assert [(r.nomination_id, r.position, r.score, r.level_th) for r in results] == [
        (n2.id, 1, 30.0, "ชมเชย"), (n1.id, 2, 30.0, "ชมเชย")]
    assert ["criterion", c2.id] in [r.tie_note for r in results]
    entry = db.session.query(AuditEntry).filter_by(action="judging.finalized").one()
    assert entry.after["reason"] == "ส่วนได้เสียนี้เป็นความร่วมมือทางวิชาการเท่านั้น"
    assert [(p["kind"], p["nomination"], p["judge"]) for p in entry.after["problems"]] == [
        ("undecided_conflict", n2.id, judge.id)]
    with pytest.raises(ops.CategoryFinalized):
        ops.finalize(rubric, other)
    ops.reopen(rubric, "ทบทวนคะแนน", other)
    again = ops.finalize(rubric, other, reason="ทบทวนแล้ว")
    db.session.commit()
    assert [(r.nomination_id, r.position) for r in again] == [(n2.id, 1), (n1.id, 2)]
    assert db.session.query(Result).count() == 2


def test_only_a_judge_of_the_fair_is_assigned(db, world):
    fair, rubric, judge, other, nominations = world
    outsider = create_user("not-a-judge@example.org")
    db.session.commit()
    with pytest.raises(ops.NotAJudge):
        ops.add_assignment(outsider, nominations[0], judge)
    assert db.session.query(Assignment).filter_by(judge_id=outsider.id).count() == 0
