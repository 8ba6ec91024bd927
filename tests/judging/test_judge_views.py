"""Judges' pages: who reaches what (every judge route), autosave and its audit, the plain form, finalized
categories refusing, conflicts, opened scores, and query counts that do not grow with the data."""
from __future__ import annotations

import io
from datetime import timedelta
from types import SimpleNamespace

import pytest
from PIL import Image
from sqlalchemy import func, select

from fairapp.core.audit import AuditEntry
from fairapp.core.storage import storage
from fairapp.core.time import today_local, utcnow
from fairapp.extensions import db as _db
from fairapp.judging.models import Assignment, Conflict, Criterion, Rubric, Score
from fairapp.nominations.models import Category, Evidence, Nomination, NominationStatus
from tests.conftest import csrf_token_from
from tests.factories import create_fair, create_org, create_user, grant

DESCRIPTORS = {"1": "ไม่ปรากฏ", "2": "เริ่มต้น", "3": "พอใช้", "4": "ดี", "5": "โดดเด่น เป็นแบบอย่าง"}


def _png() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (8, 6), (200, 30, 40)).save(buf, "PNG")
    return buf.getvalue()


def make_category(fair, name="องค์กรคุณธรรมต้นแบบ ภาครัฐ", criteria=None):
    category = Category(fair_id=fair.id, name_th=name, opens_on=today_local() - timedelta(days=20),
                        closes_on=today_local() - timedelta(days=1))
    _db.session.add(category)
    _db.session.flush()
    rubric = Rubric(category_id=category.id, judges_per_nomination=2)
    rubric.criteria = criteria or [
        Criterion(name_th="การมีส่วนร่วมของชุมชน", weight=60, scale_min=1, scale_max=5, position=0,
                  descriptors=DESCRIPTORS),
        Criterion(name_th="ผลลัพธ์ที่วัดได้", weight=40, scale_min=0, scale_max=2, position=1,
                  descriptors={"0": "ไม่มี", "1": "บางส่วน", "2": "ชัดเจน"})]
    _db.session.add(rubric)
    _db.session.commit()
    return category, rubric


def make_nomination(fair, category, name=None):
    org = create_org(name)
    nomination = Nomination(fair_id=fair.id, category_id=category.id, nominator_org_id=org.id,
                            nominee_org_id=org.id, status=NominationStatus.eligible,
                            narratives={"sufficiency": "ใช้ชีวิตพอเพียง", "outcomes": "ขยะลดลงครึ่งหนึ่ง"})
    _db.session.add(nomination)
    _db.session.commit()
    return nomination, org


@pytest.fixture
def world(db):
    fair = create_fair()
    category, rubric = make_category(fair)
    other_category, _other_rubric = make_category(fair, "ชุมชนคุณธรรมต้นแบบ")
    nomination, nominator = make_nomination(fair, category, "เทศบาลตำบลป่าแดด")
    second, _ = make_nomination(fair, category, "โรงเรียนบ้านสันทราย")
    elsewhere, _ = make_nomination(fair, other_category, "ชุมชนบ้านร่องปลาขาว")
    judge = create_user("judge@example.org", first_name="ประเสริฐ", last_name="วงศ์ใหญ่")
    other_judge = create_user("judge2@example.org")     # judges the other category only
    conflicted = create_user("judge3@example.org")      # assigned, then declared a conflict
    member = create_user("member@example.org", org=nominator)
    outsider = create_user("outsider@example.org", org=create_org())
    staff = create_user("staff@example.org")
    chair = create_user("chair@example.org")
    admin = create_user("admin@example.org", admin=True)
    for user in (judge, other_judge, conflicted):
        grant(fair, user, "judge")
    grant(fair, staff, "staff")
    grant(fair, chair, "chair")
    a = Assignment(judge_id=judge.id, nomination_id=nomination.id)
    a2 = Assignment(judge_id=judge.id, nomination_id=second.id)
    ac = Assignment(judge_id=conflicted.id, nomination_id=nomination.id)
    ao = Assignment(judge_id=other_judge.id, nomination_id=elsewhere.id)
    _db.session.add_all([a, a2, ac, ao])
    key = storage().save(_png(), "png")
    thumb = storage().save(_png(), "png")
    evidence = Evidence(nomination_id=nomination.id, kind="photo", storage_key=key, thumb_key=thumb,
                        original_name="ภาพกิจกรรม.png", size_bytes=100, sha256="0" * 64, width=8, height=6)
    _db.session.add(evidence)
    _db.session.commit()
    _db.session.add(Conflict(judge_id=conflicted.id, nomination_id=nomination.id, source="declared",
                             reason="เคยเป็นที่ปรึกษา", confirmed=True))
    _db.session.commit()
    return SimpleNamespace(fair=fair, category=category, rubric=rubric, nomination=nomination, second=second,
                           judge=judge, other_judge=other_judge, conflicted=conflicted, member=member,
                           outsider=outsider, staff=staff, chair=chair, admin=admin, assignment=a, second_a=a2,
                           conflicted_a=ac, evidence=evidence, c1=rubric.criteria[0], c2=rubric.criteria[1])


def judge_urls(w):
    a, e = w.assignment.id, w.evidence.id
    return [f"/fairs/{w.fair.id}/judging", f"/judging/assignments/{a}",
            f"/judging/assignments/{a}/evidence/{e}", f"/judging/assignments/{a}/evidence/{e}/thumb",
            f"/judging/assignments/{a}/conflict"]


def test_the_assigned_judge_reaches_every_judge_page(client, login_as, world):
    login_as(world.judge)
    for url in judge_urls(world):
        response = client.get(url)
        assert response.status_code == 200, url
    file = client.get(judge_urls(world)[2])
    assert file.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in file.headers["Content-Security-Policy"]
    assert file.mimetype == "image/png"


@pytest.mark.parametrize("who", ["other_judge", "conflicted", "member", "outsider", "staff", "chair", "admin"])
def test_nobody_else_reaches_the_assignment(client, login_as, world, who):
    login_as(getattr(world, who))
    urls = judge_urls(world)[1:]
    if who == "conflicted":  # their own (conflicted) assignment is as invisible as someone else's
        a = world.conflicted_a.id
        urls += [f"/judging/assignments/{a}", f"/judging/assignments/{a}/conflict",
                 f"/judging/assignments/{a}/evidence/{world.evidence.id}"]
    for url in urls:
        assert client.get(url).status_code == 404, url
    token = csrf_token_from(client.get("/").get_data(as_text=True))
    for url in (f"/judging/assignments/{world.assignment.id}/scores",):
        r = client.post(url, json={"criterion_id": world.c1.id, "value": 4, "comment": ""},
                        headers={"X-CSRFToken": token})
        assert r.status_code == 404, url
    r = client.post(f"/judging/assignments/{world.assignment.id}/conflict",
                    data={"reason": "x", "csrf_token": token})
    assert r.status_code == 404
    r = client.post(f"/judging/assignments/{world.assignment.id}",
                    data={f"score-{world.c1.id}": "4", "csrf_token": token})
    assert r.status_code == 404
    assert _db.session.scalar(select(func.count(Score.id))) == 0


@pytest.mark.parametrize("who", ["member", "outsider", "staff", "chair", "admin"])
def test_the_dashboard_is_for_the_fairs_judges(client, login_as, world, who):
    login_as(getattr(world, who))
    assert client.get(f"/fairs/{world.fair.id}/judging").status_code == 404


def test_anonymous_is_sent_to_log_in(client, world):
    for url in judge_urls(world):
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"], url


def test_dashboard_lists_only_visible_assignments_with_progress(client, login_as, world):
    from fairapp.judging import operations as ops
    for c, v in ((world.c1, 4), (world.c2, 2)):
        ops.record_score(world.assignment, c, v, "", world.judge)
    _db.session.commit()
    login_as(world.judge)
    html = client.get(f"/fairs/{world.fair.id}/judging").get_data(as_text=True)
    assert "ให้คะแนนแล้ว 1 จาก 2 รายการ" in html
    assert "เทศบาลตำบลป่าแดด" in html and "โรงเรียนบ้านสันทราย" in html
    assert "ชุมชนบ้านร่องปลาขาว" not in html  # another judge's category
    login_as(world.conflicted)
    html = client.get(f"/fairs/{world.fair.id}/judging").get_data(as_text=True)
    assert "เทศบาลตำบลป่าแดด" not in html and "ยังไม่มีการเสนอชื่อที่มอบหมาย" in html


def _token(client, world):
    return csrf_token_from(client.get(f"/judging/assignments/{world.assignment.id}").get_data(as_text=True))


def test_the_scoring_page_shows_the_rubric_and_the_dossier(client, login_as, world):
    login_as(world.judge)
    html = client.get(f"/judging/assignments/{world.assignment.id}").get_data(as_text=True)
    assert "การมีส่วนร่วมของชุมชน" in html and "น้ำหนัก 60%" in html
    assert "โดดเด่น เป็นแบบอย่าง" in html and "ใช้ชีวิตพอเพียง" in html
    assert html.count(f'name="score-{world.c1.id}"') == 5 and html.count(f'name="score-{world.c2.id}"') == 3
    assert f"/judging/assignments/{world.assignment.id}/evidence/{world.evidence.id}/thumb" in html
    assert f'id="next-nominee" rel="next" href="/judging/assignments/{world.second_a.id}"' in html
    assert "ปุ่มลัดบนแป้นพิมพ์" in html and "<script>" not in html and "style=" not in html
    assert "คะแนนของคณะกรรมการ" not in html  # not opened yet


def _save(client, world, token, **data):
    """The scoring page's autosave, as scoring.js sends it (JSON, asking for JSON, the CSRF header)."""
    headers = {"Accept": "application/json"}
    if token:
        headers["X-CSRFToken"] = token
    return client.post(f"/judging/assignments/{world.assignment.id}/scores", json=data, headers=headers)


def test_autosave_saves_audits_and_answers_the_total(client, login_as, world):
    login_as(world.judge)
    token = _token(client, world)
    r = _save(client, world, token, criterion_id=world.c1.id, value=4, comment="", client_id="abc12345")
    assert r.status_code == 200, r.get_data(as_text=True)
    assert r.json == {"ok": True, "total": 45.0, "scored": 1, "criteria": 2, "message": r.json["message"],
                      "client_id": "abc12345", "criterion_id": world.c1.id}
    assert r.json["message"]
    r = _save(client, world, token, criterion_id=world.c2.id, value=2, comment="")
    assert (r.json["total"], r.json["scored"], r.json["criteria"]) == (85.0, 2, 2)
    # the same score resent (an offline queue sent twice) changes nothing and writes no audit entry
    _save(client, world, token, criterion_id=world.c2.id, value=2, comment="")
    assert {s.criterion_id: s.value for s in _db.session.scalars(select(Score))} == {world.c1.id: 4, world.c2.id: 2}
    entries = _db.session.scalars(select(AuditEntry).where(AuditEntry.action == "judging.score_saved")).all()
    assert len(entries) == 2 and all(e.actor_id == world.judge.id for e in entries)

    # what can never succeed as sent: 400 and the one envelope {ok: false, code, message}
    r = _save(client, world, token, criterion_id=world.c1.id, value=1, comment=" ")
    assert r.status_code == 400 and r.json["ok"] is False and r.json["code"] == "comment_required"
    assert "เหตุผล" in r.json["message"]
    r = _save(client, world, token, criterion_id=world.c1.id, value=9, comment="")
    assert r.status_code == 400 and r.json["code"] == "score_out_of_scale" and "1 ถึง 5" in r.json["message"]
    r = _save(client, world, token, criterion_id=world.c1.id, value="4", comment="")
    assert r.status_code == 400 and r.json["code"] == "score_out_of_scale"
    other_c = _db.session.scalars(select(Criterion).where(Criterion.rubric_id != world.rubric.id)).first()
    r = _save(client, world, token, criterion_id=other_c.id, value=3)
    assert r.status_code == 400 and r.json["code"] == "unknown_criterion"
    r = client.post(f"/judging/assignments/{world.assignment.id}/scores", data="{not json",
                    headers={"Accept": "application/json", "X-CSRFToken": token, "Content-Type": "application/json"})
    assert r.status_code == 400 and r.json["ok"] is False and r.json["code"] == "unreadable"
    r = _save(client, world, None, criterion_id=world.c1.id, value=3)  # no CSRF token
    assert r.status_code == 400 and r.json["code"] == "csrf"
    assert {s.criterion_id: s.value for s in _db.session.scalars(select(Score))} == {world.c1.id: 4, world.c2.id: 2}


def test_autosave_without_a_session_answers_401(client, world):
    token = client.get("/session").json["csrf_token"]
    r = client.post(f"/judging/assignments/{world.assignment.id}/scores", json={"criterion_id": world.c1.id,
                    "value": 4}, headers={"Accept": "application/json", "X-CSRFToken": token})
    assert r.status_code == 401 and r.json["ok"] is False and r.json["code"] == "login_required"


def test_the_autosave_total_is_the_one_the_page_shows(client, login_as, world):
    """The page's total and the autosave's total come from scoring.running_total (exact, rounded half up
    as JavaScript's toFixed(2) shows it): 60 * 2/4 + 40 * 1/2 = 50.00."""
    from fairapp.judging.queries import scoring_criteria
    from fairapp.judging.scoring import running_total
    login_as(world.judge)
    token = _token(client, world)
    _save(client, world, token, criterion_id=world.c1.id, value=3, comment="")
    r = _save(client, world, token, criterion_id=world.c2.id, value=1, comment="")
    expected = running_total({world.c1.id: 3, world.c2.id: 1}, scoring_criteria([world.c1, world.c2]))
    assert r.json["total"] == expected == 50.0
    html = client.get(f"/judging/assignments/{world.assignment.id}").get_data(as_text=True)
    assert '<output id="live-total" for="score-form" aria-live="polite">50.00</output>' in html


def test_a_finalized_category_refuses_with_409_and_nothing_changes(client, login_as, world):
    from fairapp.judging import operations as ops
    ops.record_score(world.assignment, world.c1, 4, "", world.judge)
    world.rubric.finalized_at = utcnow()
    _db.session.commit()
    before = _db.session.scalar(select(func.count(AuditEntry.id)))
    login_as(world.judge)
    page = client.get(f"/judging/assignments/{world.assignment.id}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "ดูได้อย่างเดียว" in html and "disabled" in html
    token = csrf_token_from(html)
    r = _save(client, world, token, criterion_id=world.c1.id, value=5, comment="")
    assert r.status_code == 409 and r.json["ok"] is False and r.json["code"] == "category_finalized"
    assert "สรุปผลแล้ว" in r.json["message"]
    r = _save(client, world, token, criterion_id=world.c1.id, value=4, comment="")  # even unchanged
    assert r.status_code == 409 and r.json["code"] == "category_finalized"
    r = client.post(f"/judging/assignments/{world.assignment.id}",
                    data={f"score-{world.c1.id}": "5", "csrf_token": token})
    assert r.status_code == 400 and "สรุปผลแล้ว" in r.get_data(as_text=True)
    r = client.post(f"/judging/assignments/{world.assignment.id}/conflict",
                    data={"reason": "เหตุผล", "csrf_token": token})
    assert r.status_code == 400 and "สรุปผลแล้ว" in r.get_data(as_text=True)
    assert [(s.criterion_id, s.value) for s in _db.session.scalars(select(Score))] == [(world.c1.id, 4)]
    assert _db.session.scalar(select(func.count(AuditEntry.id))) == before
    assert _db.session.scalar(select(func.count(Assignment.id))) == 4


def test_a_conflict_recorded_after_the_page_opened_hides_the_assignment(client, login_as, world):
    """The page is open, then the chair confirms a conflict: the next autosave finds nothing (404)."""
    login_as(world.judge)
    token = _token(client, world)
    _db.session.add(Conflict(judge_id=world.judge.id, nomination_id=world.nomination.id, source="detected",
                             reason="สังกัดเดียวกัน", confirmed=True))
    _db.session.commit()
    r = _save(client, world, token, criterion_id=world.c1.id, value=4, comment="")
    assert r.status_code == 404 and r.json["ok"] is False
    assert _db.session.scalar(select(func.count(Score.id))) == 0


def test_the_plain_form_saves_everything_or_keeps_the_input(client, login_as, world):
    login_as(world.judge)
    token = _token(client, world)
    url = f"/judging/assignments/{world.assignment.id}"
    r = client.post(url, data={f"score-{world.c1.id}": "5", f"comment-{world.c1.id}": "เด่นมาก",
                               f"score-{world.c2.id}": "0", f"comment-{world.c2.id}": "", "csrf_token": token})
    assert r.status_code == 400
    html = r.get_data(as_text=True)
    assert "ยังไม่ได้บันทึก" in html and "เด่นมาก" in html
    # the refusal is shown on the criterion it is about (the page's hint also says "ต้องเขียนเหตุผล")
    status = html[html.index(f'id="crit-{world.c2.id}-status"'):]
    assert status[:status.index("</p>")].endswith("ให้คะแนนต่ำสุดของเกณฑ์ &#34;ผลลัพธ์ที่วัดได้&#34; ต้องเขียนเหตุผลประกอบ")
    assert f'value="5" id="score-{world.c1.id}-5"\n                   checked' in html
    assert _db.session.scalar(select(func.count(Score.id))) == 0
    r = client.post(url, data={f"score-{world.c1.id}": "5", f"comment-{world.c1.id}": "เด่นมาก",
                               f"score-{world.c2.id}": "0", f"comment-{world.c2.id}": "ยังไม่มีตัวชี้วัด",
                               "csrf_token": token})
    assert r.status_code == 303
    assert {s.criterion_id: s.value for s in _db.session.scalars(select(Score))} == {world.c1.id: 5, world.c2.id: 0}
    # a stale token keeps what was typed
    r = client.post(url, data={f"score-{world.c1.id}": "3", f"comment-{world.c1.id}": "ข้อความที่พิมพ์ไว้",
                               "csrf_token": "stale"})
    assert r.status_code == 400 and "ข้อความที่พิมพ์ไว้" in r.get_data(as_text=True)


def test_declaring_a_conflict_takes_the_nomination_away(client, login_as, world):
    login_as(world.judge)
    assignment_id, fair_id = world.assignment.id, world.fair.id
    url = f"/judging/assignments/{assignment_id}/conflict"
    page = client.get(url).get_data(as_text=True)
    assert 'id="conflict-form"' in page and 'name="reason"' in page
    token = csrf_token_from(page)
    r = client.post(url, data={"reason": "  ", "csrf_token": token})
    assert r.status_code == 400
    assert _db.session.scalar(select(func.count(Conflict.id))) == 1
    r = client.post(url, data={"reason": "เคยเป็นกรรมการของเทศบาลนี้", "csrf_token": token})
    assert r.status_code == 303 and r.headers["Location"].endswith(f"/fairs/{fair_id}/judging")
    assert client.get(f"/judging/assignments/{assignment_id}").status_code == 404
    html = client.get(f"/fairs/{fair_id}/judging").get_data(as_text=True)
    assert "เทศบาลตำบลป่าแดด" not in html and "โรงเรียนบ้านสันทราย" in html
    assert _db.session.scalar(select(func.count(AuditEntry.id)).where(
        AuditEntry.action == "judging.conflict_recorded")) == 1


def test_judges_see_the_panel_only_once_the_chair_opens_the_scores(client, login_as, world):
    from fairapp.judging import operations as ops
    colleague = create_user("colleague@example.org", first_name="วิไล", last_name="ศรีสุข")
    grant(world.fair, colleague, "judge")
    other_a = Assignment(judge_id=colleague.id, nomination_id=world.nomination.id)
    _db.session.add(other_a)
    _db.session.commit()
    for c, v in ((world.c1, 5), (world.c2, 2)):
        ops.record_score(other_a, c, v, "", colleague)
    _db.session.commit()
    login_as(world.judge)
    html = client.get(f"/judging/assignments/{world.assignment.id}").get_data(as_text=True)
    assert "วิไล" not in html and "100.00" not in html
    world.rubric.scores_open = True
    _db.session.commit()
    html = client.get(f"/judging/assignments/{world.assignment.id}").get_data(as_text=True)
    assert "คะแนนของคณะกรรมการ" in html and "วิไล ศรีสุข" in html and "100.00" in html
    assert "ยังให้คะแนนไม่ครบ" in html  # the judge's own sheet is empty


def _grow(world, n):
    """n more nominations of the category assigned to the judge, each scored on one criterion."""
    from fairapp.judging import operations as ops
    for i in range(n):
        nomination, _ = make_nomination(world.fair, world.category)
        a = Assignment(judge_id=world.judge.id, nomination_id=nomination.id)
        _db.session.add(a)
        _db.session.flush()
        ops.record_score(a, world.c1, 3, "", world.judge)
        _db.session.add(Evidence(nomination_id=nomination.id, kind="pdf", storage_key=f"k{i}-{nomination.id}.pdf",
                                 original_name="a.pdf", size_bytes=1, sha256="0" * 64))
    _db.session.commit()


def test_query_counts_do_not_grow_with_the_assignments(client, login_as, world, count_queries, app):
    login_as(world.judge)
    urls = (f"/fairs/{world.fair.id}/judging", f"/judging/assignments/{world.assignment.id}")
    token = _token(client, world)

    def measure():
        counts = []
        for url in urls:
            with count_queries() as n:
                assert client.get(url).status_code == 200
            counts.append(n[0])
        with count_queries() as n:
            r = _save(client, world, token, criterion_id=world.c1.id, value=2 + len(counts) % 3, comment="")
            assert r.status_code == 200
        counts.append(n[0])
        return counts

    few = measure()
    _grow(world, 25)
    many = measure()
    assert few[:2] == many[:2], (few, many)
    assert few[0] <= 8 and few[1] <= 14


def test_control_characters_in_a_comment_are_refused_on_either_path(client, login_as, world):
    """The JSON save and the plain form hold comments to the forms' text rule (core.text): nothing saved,
    the message on the criterion, what was typed kept."""
    login_as(world.judge)
    token = _token(client, world)
    url = f"/judging/assignments/{world.assignment.id}"
    r = client.post(url + "/scores", json={"criterion_id": world.c1.id, "value": 4, "comment": "ดี\x00"},
                    headers={"X-CSRFToken": token})
    assert r.status_code == 400
    body = r.get_json()
    assert body["ok"] is False and body["code"] == "unclean_text"
    assert "อักขระควบคุม" in body["message"]
    r = client.post(url, data={f"score-{world.c1.id}": "5", f"comment-{world.c1.id}": "\u202eเด่นมาก",
                               "csrf_token": token})
    assert r.status_code == 400
    html = r.get_data(as_text=True)
    status = html[html.index(f'id="crit-{world.c1.id}-status"'):]
    assert "อักขระควบคุม" in status[:status.index("</p>")] and "เด่นมาก" in html
    assert _db.session.scalar(select(func.count(Score.id))) == 0
