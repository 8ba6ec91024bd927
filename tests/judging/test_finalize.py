"""Finalize safeguards (issue 11, defect 2): never before the judging window opens; what is missing
(nominations without their required judges' scores, detected conflicts not decided) is listed on the chair's
page before the button, and finalizing anyway needs the chair's written reason, which goes into the audit
entry and the signed minutes. Operations without HTTP, then through the page."""
import shutil
import subprocess
from datetime import timedelta

import pytest

from fairapp.core.audit import AuditEntry
from fairapp.core.time import today_local
from fairapp.judging import operations as ops
from fairapp.judging.models import Assignment, JudgeProfile, Result
from fairapp.nominations.models import Nomination, NominationStatus

from tests.judging.test_chair_views import build_world, db_rubric, score_all


def add_short_nomination(db, w):
    """A fourth nomination: both judges assigned, only judge 2 has scored it (2 are required)."""
    w.extra = Nomination(fair_id=w.fair.id, category_id=w.category.id, nominator_org_id=w.university.id,
                         nominee_org_id=w.university.id, status=NominationStatus.eligible)
    db.session.add(w.extra)
    db.session.flush()
    ops.add_assignment(w.judge1, w.extra, w.chair)
    a2 = ops.add_assignment(w.judge2, w.extra, w.chair)
    ops.record_score(a2, w.c1, 4, "", w.judge2)
    ops.record_score(a2, w.c2, 4, "", w.judge2)
    db.session.commit()


@pytest.fixture
def world(db):
    w = build_world(db)
    score_all(db, w)
    return w


@pytest.fixture
def short(db, world, app):
    """The world with a nomination short of scores and a detected conflict nobody decided."""
    add_short_nomination(db, world)
    # judge 1 belongs to the first nominee: detected, not yet confirmed by the chair
    db.session.add(JudgeProfile(fair_id=world.fair.id, user_id=world.judge1.id, affiliation_org_id=world.orgs[0].id))
    db.session.commit()
    return world


def _finalized_entries(db):
    return db.session.query(AuditEntry).filter_by(action="judging.finalized").all()


# ---- operations ----

def test_finalize_is_refused_before_the_judging_window_opens(db, world, app):
    world.fair.judging_opens = today_local() + timedelta(days=2)
    db.session.commit()
    with app.test_request_context():
        assert isinstance(ops.finalize_refusal(world.rubric), ops.JudgingNotOpen)
        with pytest.raises(ops.JudgingNotOpen):
            ops.finalize(world.rubric, world.chair, reason="ต้องการสรุปก่อน")
        db.session.rollback()
        assert not db_rubric(world).finalized
        assert db.session.query(Result).count() == 0 and _finalized_entries(db) == []
        # the day the window opens, it may
        ops.finalize(world.rubric, world.chair, today=world.fair.judging_opens)
        db.session.commit()
    assert db_rubric(world).finalized


def test_finalize_problems_list_missing_scores_and_undecided_conflicts(db, short, app):
    w = short
    with app.test_request_context():
        problems = ops.finalize_problems(w.rubric)
        assert [(p.kind, p.nomination, p.scored, p.needed, p.judge) for p in problems] == [
            ("undecided_conflict", w.noms[0].id, 0, 0, w.judge1.id),
            ("missing_scores", w.extra.id, 1, 2, None)]
        texts = [ops.problem_text(p) for p in problems]
        assert "ผศ.ดร.กมล ทองดี" in texts[0] and "ประธานยังไม่ได้ยืนยัน" in texts[0]
        assert texts[1] == f"มหาวิทยาลัยแม่ฟ้าหลวง (#{w.extra.id}): มีคะแนนครบจากกรรมการ 1 จาก 2 ท่าน"


def test_a_half_scored_sheet_is_missing(db, world, app):
    add_short_nomination(db, world)
    a1 = db.session.query(Assignment).filter_by(judge_id=world.judge1.id, nomination_id=world.extra.id).one()
    ops.record_score(a1, world.c1, 3, "", world.judge1)  # one criterion of two
    db.session.commit()
    with app.test_request_context():
        assert [(p.nomination, p.scored) for p in ops.finalize_problems(world.rubric)] == [(world.extra.id, 1)]


def test_finalize_with_problems_needs_a_reason_which_is_audited(db, short, app):
    w = short
    with app.test_request_context():
        for reason in (None, "", "   "):
            with pytest.raises(ops.FinalizeNeedsReason) as refused:
                ops.finalize(w.rubric, w.chair, reason=reason)
            assert "2" in str(refused.value) and refused.value.field == "reason"
            db.session.rollback()
        with pytest.raises(ops.ReasonTooLong):
            ops.finalize(w.rubric, w.chair, reason="ก" * 2001)
        db.session.rollback()
        assert not db_rubric(w).finalized and _finalized_entries(db) == []
        results = ops.finalize(w.rubric, w.chair, reason="  กรรมการท่านหนึ่งป่วย ที่ประชุมมีมติให้ใช้คะแนนที่มี  ")
        db.session.commit()
    assert db_rubric(w).finalized and len(results) == 4
    (entry,) = _finalized_entries(db)
    assert entry.after["reason"] == "กรรมการท่านหนึ่งป่วย ที่ประชุมมีมติให้ใช้คะแนนที่มี"
    assert [(p["kind"], p["nomination"]) for p in entry.after["problems"]] == [
        ("undecided_conflict", w.noms[0].id), ("missing_scores", w.extra.id)]


def test_finalize_without_problems_needs_no_reason(db, world, app):
    with app.test_request_context():
        assert ops.finalize_problems(world.rubric) == []
        ops.finalize(world.rubric, world.chair)
        db.session.commit()
    (entry,) = _finalized_entries(db)
    assert entry.after["reason"] is None and entry.after["problems"] == []


# ---- through the page ----

def test_the_chair_page_lists_the_problems_before_the_button_and_asks_for_a_reason(client, login_as, short):
    login_as(short.chair)
    html = client.get(f"/judging/categories/{short.category.id}/chair").get_data(as_text=True)
    problems, form = html.index('id="finalize-problems"'), html.index('id="finalize-form"')
    assert problems < form
    listed = html[problems:form]
    assert f"(#{short.extra.id}): มีคะแนนครบจากกรรมการ 1 จาก 2 ท่าน" in listed
    assert "ประธานยังไม่ได้ยืนยัน" in listed
    assert 'name="reason" id="finalize-reason"' in html[form:]


def test_finalize_through_the_page_refuses_without_a_reason_then_records_it(client, login_as, post_form, short,
                                                                              db, tmp_path):
    w = short
    login_as(w.chair)
    page = f"/judging/categories/{w.category.id}/chair"
    url = f"/judging/categories/{w.category.id}/finalize"
    response = post_form(url, {"reason": ""}, page=page)
    assert response.status_code == 302 and response.headers["Location"].endswith(page)
    html = client.get(page).get_data(as_text=True)
    assert "กรุณาระบุเหตุผล" in html and "ยังมี 2 รายการที่ไม่ครบ" in html
    assert not db_rubric(w).finalized
    # The reason is a raw form field held to the forms' text rule (core.text.form_text): no override.
    response = post_form(url, {"reason": "\u202eมติที่ประชุม"}, page=page)
    assert response.status_code == 302 and not db_rubric(w).finalized
    assert "อักขระควบคุม" in client.get(page).get_data(as_text=True)
    reason = "ที่ประชุมคณะกรรมการมีมติให้สรุปผลด้วยคะแนนที่มีอยู่"
    response = post_form(url, {"reason": reason}, page=page)
    assert response.status_code == 302 and db_rubric(w).finalized
    assert _finalized_entries(db)[0].after["reason"] == reason
    html = client.get(page).get_data(as_text=True)
    assert 'id="finalized-confirmation"' in html and reason in html
    assert 'id="finalize-form"' not in html
    if shutil.which("pdftotext") is None:
        pytest.skip("poppler-utils missing")
    path = tmp_path / "minutes.pdf"
    path.write_bytes(client.get(f"/judging/categories/{w.category.id}/minutes.pdf").data)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True, text=True).stdout
    assert "ประธานยืนยันสรุปผลทั้งที่ยังไม่ครบ" in text and "ที่ประชุมคณะกรรมการมีมติให้สรุปผลด้วยคะแนนที่มีอยู่" in text
    assert f"(#{w.extra.id}): มีคะแนนครบจากกรรมการ 1 จาก 2 ท่าน" in text


def test_finalize_through_the_page_before_the_window_is_refused(client, login_as, post_form, world, db):
    world.fair.judging_opens = today_local() + timedelta(days=5)
    db.session.commit()
    login_as(world.chair)
    page = f"/judging/categories/{world.category.id}/chair"
    html = client.get(page).get_data(as_text=True)
    assert 'id="finalize-refusal"' in html and "ยังไม่ถึงช่วงการตัดสิน" in html
    assert 'id="finalize-form"' not in html
    response = post_form(f"/judging/categories/{world.category.id}/finalize", {"reason": "เร่งด่วน"}, page=page,
                         follow_redirects=True)
    assert "ยังไม่ถึงช่วงการตัดสิน" in response.get_data(as_text=True)
    assert not db_rubric(world).finalized and _finalized_entries(db) == []
