"""The chair's pages over HTTP: who gets what on every route, finalizing freezes, reopening needs a reason,
a tampered audit log shows on the chair's page, rubric weights must sum to 100, assignment and conflicts."""
from datetime import timedelta

import pytest
from sqlalchemy import text

from fairapp.core.audit import AuditEntry
from fairapp.core.time import today_local
from fairapp.judging import operations as ops
from fairapp.judging.models import (Assignment, AwardLevel, Conflict, Criterion, JudgeProfile, Rubric, Score,
                                    TieBreakRule)
from fairapp.nominations.models import Category, Nomination, NominationStatus
from tests.conftest import csrf_token_from
from tests.factories import create_fair, create_org, create_user, grant


class World:
    pass


def build_world(db):
    """A fair with one category, a 50/50 rubric (1-5 scales), three nominations scored by two judges:
    C is first (87.5); A and B tie on 50.00 and B wins on criterion 1 (mean 4 against 3)."""
    w = World()
    w.fair = create_fair()
    w.fair.judging_opens = today_local() - timedelta(days=3)  # judging has begun: finalizing is allowed
    w.category = Category(fair_id=w.fair.id, name_th="องค์กรคุณธรรมต้นแบบ ภาครัฐ",
                          opens_on=today_local() - timedelta(days=9), closes_on=today_local() - timedelta(days=1))
    db.session.add(w.category)
    db.session.flush()
    w.rubric = Rubric(category_id=w.category.id, judges_per_nomination=2, ranking="raw")
    w.c1 = Criterion(name_th="การมีส่วนร่วมของชุมชน", weight=50, scale_min=1, scale_max=5, position=0)
    w.c2 = Criterion(name_th="ผลลัพธ์ที่เกิดขึ้น", weight=50, scale_min=1, scale_max=5, position=1)
    w.rubric.criteria = [w.c1, w.c2]
    w.rubric.levels = [AwardLevel(min_score=80, name_th="ต้นแบบ"), AwardLevel(min_score=50, name_th="เชิดชูเกียรติ")]
    db.session.add(w.rubric)
    db.session.flush()
    w.rubric.tie_rules = [TieBreakRule(kind="criterion", criterion_id=w.c1.id, position=0)]
    names = ["เทศบาลตำบลแม่ยาว", "โรงพยาบาลเชียงรายประชานุเคราะห์", "สำนักงานวัฒนธรรมจังหวัดเชียงราย"]
    w.orgs = [create_org(n) for n in names]
    w.university = create_org("มหาวิทยาลัยแม่ฟ้าหลวง")
    w.noms = []
    for org in w.orgs:
        n = Nomination(fair_id=w.fair.id, category_id=w.category.id, nominator_org_id=org.id,
                       nominee_org_id=org.id, status=NominationStatus.eligible)
        db.session.add(n)
        w.noms.append(n)
    w.chair = create_user("chair@example.org", first_name="ประยูร", last_name="ศรีสุข")
    w.staff = create_user("staff@example.org")
    w.judge1 = create_user("judge1@example.org", first_name="กมล", last_name="ทองดี", title="ผศ.ดร.")
    w.judge2 = create_user("judge2@example.org", first_name="วิภา", last_name="คำมา", title="รศ.")
    w.member = create_user("member@example.org", org=w.orgs[0])
    w.admin = create_user("admin@example.org", admin=True)
    other_fair = create_fair()
    w.other_chair = create_user("other-chair@example.org")
    grant(w.fair, w.chair, "chair")
    grant(w.fair, w.staff, "staff")
    grant(w.fair, w.judge1, "judge")
    grant(w.fair, w.judge2, "judge")
    grant(other_fair, w.other_chair, "chair")
    db.session.commit()
    return w


def db_rubric(w) -> Rubric:
    from fairapp.extensions import db
    db.session.expire_all()
    return db.session.get(Rubric, w.rubric.id)


def score_all(db, w):
    a_noms, b_noms, c_noms = w.noms
    sheets = {  # (c1, c2) per judge
        a_noms: ((4, 2), (2, 4)),          # 50, 50 -> 50; criterion 1 mean 3
        b_noms: ((5, 2), (3, 2)),          # 62.5, 37.5 -> 50; criterion 1 mean 4
        c_noms: ((5, 5), (4, 4)),          # 100, 75 -> 87.5
    }
    for n, pair in sheets.items():
        for judge, (v1, v2) in zip((w.judge1, w.judge2), pair):
            a = ops.add_assignment(judge, n, w.chair)
            ops.record_score(a, w.c1, v1, "" if v1 > 1 else "ยังไม่มีหลักฐาน", judge)
            ops.record_score(a, w.c2, v2, "" if v2 > 1 else "ยังไม่มีหลักฐาน", judge)
    db.session.commit()


@pytest.fixture
def world(db):
    w = build_world(db)
    score_all(db, w)
    return w


def views(w):
    c = w.category.id
    return [f"/judging/categories/{c}/rubric", f"/judging/categories/{c}/assignments",
            f"/judging/categories/{c}/chair", f"/judging/categories/{c}/minutes.pdf",
            f"/judging/categories/{c}/results.csv", f"/judging/categories/{c}/results.xlsx",
            f"/judging/fairs/{w.fair.id}/judges"]


def test_anonymous_users_go_to_the_login_page(client, world):
    for url in views(world):
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"], url
    response = client.post(f"/judging/categories/{world.category.id}/finalize")
    assert response.status_code == 400  # no CSRF token: refused before anything else
    assert not db_rubric(world).finalized


# The fair's judges get 403; people with no role in the fair (another fair's chair, an organization's
# member) get 404, as if the category did not exist.
@pytest.mark.parametrize("who,expected", [("member", 404), ("judge1", 403), ("other_chair", 404),
                                          ("staff", 200), ("chair", 200), ("admin", 200)])
def test_who_may_see_the_chairs_pages(client, login_as, world, who, expected):
    login_as(getattr(world, who))
    for url in views(world):
        assert client.get(url).status_code == expected, (who, url)


@pytest.mark.parametrize("who,expected", [("member", 404), ("judge1", 403), ("other_chair", 404), ("staff", 403)])
def test_only_the_chair_and_admins_change_anything(client, login_as, world, who, expected):
    login_as(getattr(world, who))
    c, f = world.category.id, world.fair.id
    assignment_id = Assignment.query.first().id
    # every signed-in page carries the logout form's CSRF token
    token = csrf_token_from(client.get(f"/fairs/{f}/results").get_data(as_text=True))
    posts = [f"/judging/categories/{c}/finalize", f"/judging/categories/{c}/reopen",
             f"/judging/categories/{c}/open-scores", f"/judging/categories/{c}/remind",
             f"/judging/categories/{c}/assign", f"/judging/categories/{c}/assignments/add",
             f"/judging/categories/{c}/conflicts/confirm", f"/judging/fairs/{f}/judges",
             f"/judging/categories/{c}/rubric", f"/judging/assignments/{assignment_id}/remove"]
    for url in posts:
        response = client.post(url, data={"csrf_token": token, "reason": "x", "judge_id": world.judge1.id,
                                          "nomination_id": world.noms[0].id})
        assert response.status_code == expected, (who, url, response.status_code)
    assert Assignment.query.count() == 6


def test_staff_see_the_chair_page_but_cannot_finalize(client, login_as, post_form, world, db):
    login_as(world.staff)
    page = f"/judging/categories/{world.category.id}/chair"
    html = client.get(page).get_data(as_text=True)
    assert "สรุปผล (ล็อกอันดับและคะแนน)" not in html
    response = post_form(f"/judging/categories/{world.category.id}/finalize", {}, page=page)
    assert response.status_code == 403
    assert db.session.get(Rubric, world.rubric.id).finalized_at is None


def test_the_chair_page_shows_progress_spread_plot_ranking_and_tie_notes(client, login_as, world):
    login_as(world.chair)
    html = client.get(f"/judging/categories/{world.category.id}/chair").get_data(as_text=True)
    assert "<svg" in html and "spread-plot" in html and "<circle" in html
    assert "ผศ.ดร.กมล ทองดี" in html
    assert "เสมอกัน ตัดสินด้วยคะแนนเกณฑ์" in html and "การมีส่วนร่วมของชุมชน" in html
    assert 'data-state="intact"' in html and '<span class="badge">สมบูรณ์</span>' in html
    assert "z-score" in html
    # ranking: C first, then B (criterion 1), then A, looked for inside the ranking table only
    start = html.index('id="ranking-table"')
    table = html[start:html.index("</table>", start)]
    i_c = table.index("สำนักงานวัฒนธรรมจังหวัดเชียงราย (#")
    i_b = table.index("โรงพยาบาลเชียงรายประชานุเคราะห์ (#")
    i_a = table.index("เทศบาลตำบลแม่ยาว (#")
    assert i_c < i_b < i_a


def test_finalize_through_the_page_freezes_the_scores(client, login_as, post_form, world, db):
    login_as(world.chair)
    page = f"/judging/categories/{world.category.id}/chair"
    response = post_form(f"/judging/categories/{world.category.id}/finalize", {}, page=page)
    assert response.status_code == 302
    rubric = db.session.get(Rubric, world.rubric.id)
    assert rubric.finalized
    assignment = Assignment.query.filter_by(judge_id=world.judge1.id, nomination_id=world.noms[0].id).one()
    criterion = db.session.get(Criterion, world.c1.id)
    with pytest.raises(ops.CategoryFinalized):
        ops.record_score(assignment, criterion, 5, "", db.session.get(type(world.judge1), world.judge1.id))
    db.session.rollback()
    # the public results now list the category, with the B.E. date and the levels
    client.get("/logout")
    html = client.get(f"/fairs/{world.fair.id}/results").get_data(as_text=True)
    assert "องค์กรคุณธรรมต้นแบบ ภาครัฐ" in html and "<td>ต้นแบบ</td>" in html and "พ.ศ." in html
    assert html.index("สำนักงานวัฒนธรรมจังหวัดเชียงราย") < html.index("โรงพยาบาลเชียงรายประชานุเคราะห์") \
        < html.index("เทศบาลตำบลแม่ยาว")


def test_results_page_hides_categories_not_finalized(client, world):
    html = client.get(f"/fairs/{world.fair.id}/results").get_data(as_text=True)
    assert "เทศบาลตำบลแม่ยาว" not in html and "ยังไม่มีประเภทรางวัลที่ประกาศผล" in html


def test_reopen_needs_a_reason(client, login_as, post_form, world, db):
    login_as(world.chair)
    page = f"/judging/categories/{world.category.id}/chair"
    post_form(f"/judging/categories/{world.category.id}/finalize", {}, page=page)
    response = post_form(f"/judging/categories/{world.category.id}/reopen", {"reason": "  "}, page=page,
                         follow_redirects=True)
    assert "การเปิดการตัดสินใหม่ต้องระบุเหตุผล" in response.get_data(as_text=True)
    assert db.session.get(Rubric, world.rubric.id).finalized
    post_form(f"/judging/categories/{world.category.id}/reopen", {"reason": "พบคะแนนที่บันทึกผิด"}, page=page)
    assert not db.session.get(Rubric, world.rubric.id).finalized
    entry = AuditEntry.query.filter_by(action="judging.reopened").one()
    assert entry.after["reason"] == "พบคะแนนที่บันทึกผิด"


def test_a_tampered_audit_row_shows_on_the_chair_page(client, login_as, world, db):
    login_as(world.chair)
    assert 'data-state="intact"' in client.get(f"/judging/categories/{world.category.id}/chair").get_data(as_text=True)
    # The page checks its fair's chain from the checkpoint its last view left (the tail then); the full check,
    # `flask audit verify`, looks at every entry (tests/core/test_audit_chains.py).
    victim = AuditEntry.query.filter_by(action="judging.score_saved", fair_id=world.category.fair_id) \
        .order_by(AuditEntry.id.desc()).first()
    # someone edits a score's audit entry directly in the database (portable SQL: SQLite and PostgreSQL)
    db.session.execute(text("UPDATE audit_log SET object_id = object_id + 1 WHERE id = :i"), {"i": victim.id})
    db.session.commit()
    html = client.get(f"/judging/categories/{world.category.id}/chair").get_data(as_text=True)
    assert 'data-state="broken"' in html and '<span class="badge">ถูกแก้ไขนอกระบบ</span>' in html
    assert f"บันทึกการตรวจสอบถูกแก้ไขหรือลบนอกระบบ: รายการที่ {victim.id}" in html


def _rubric_data(w, weights=(50, 50)):
    return {"judges_per_nomination": "2", "ranking": "z",
            "criteria-0-id": str(w.c1.id), "criteria-0-name_th": "การมีส่วนร่วมของชุมชน",
            "criteria-0-weight": str(weights[0]), "criteria-0-scale_min": "1", "criteria-0-scale_max": "5",
            "criteria-0-descriptors": "5: ชุมชนร่วมทุกขั้นตอน\n1: ไม่มีส่วนร่วม",
            "criteria-1-id": str(w.c2.id), "criteria-1-name_th": "ผลลัพธ์ที่เกิดขึ้น",
            "criteria-1-weight": str(weights[1]), "criteria-1-scale_min": "1", "criteria-1-scale_max": "5",
            "criteria-1-descriptors": "",
            "levels-0-min_score": "80", "levels-0-name_th": "ต้นแบบ",
            "tie_rules-0-kind": "criterion", "tie_rules-0-criterion": "1",
            "tie_rules-1-kind": "judges_above", "tie_rules-1-threshold": "60",
            "tie_rules-2-kind": "chair", "tie_rules-2-chair_order": f"{w.noms[1].id}, {w.noms[0].id}",
            "tie_rules-2-chair_reason": "ผลงานต่อเนื่องกว่า"}


def test_rubric_weights_must_sum_to_100(client, login_as, post_form, world, db):
    login_as(world.chair)
    url = f"/judging/categories/{world.category.id}/rubric"
    response = post_form(url, _rubric_data(world, (50, 40)))
    assert response.status_code == 400
    assert "ต้องรวมกันได้ 100 พอดี" in response.get_data(as_text=True)
    response = post_form(url, _rubric_data(world))
    assert response.status_code == 302
    rubric = db.session.get(Rubric, world.rubric.id)
    assert rubric.ranking == "z"
    assert [r.kind for r in rubric.tie_rules] == ["criterion", "judges_above", "chair"]
    assert rubric.tie_rules[2].chair_order == {str(world.noms[1].id): 1, str(world.noms[0].id): 2}
    assert rubric.criteria[0].descriptors == {"5": "ชุมชนร่วมทุกขั้นตอน", "1": "ไม่มีส่วนร่วม"}
    assert Score.query.count() == 12  # criteria kept their ids, so the scores stay
    assert AuditEntry.query.filter_by(action="judging.rubric_changed").count() == 1


def test_assignment_page_confirm_conflict_and_auto_assign(client, login_as, post_form, world, db):
    # judge1 belongs to the first nominee: detected, shown, confirmed by the chair
    db.session.add(JudgeProfile(fair_id=world.fair.id, user_id=world.judge1.id, affiliation_org_id=world.orgs[0].id))
    db.session.commit()
    login_as(world.chair)
    page = f"/judging/categories/{world.category.id}/assignments"
    html = client.get(page).get_data(as_text=True)
    assert "สังกัดของกรรมการคือผู้ถูกเสนอชื่อ" in html
    response = post_form(f"/judging/categories/{world.category.id}/conflicts/confirm",
                         {"judge_id": world.judge1.id, "nomination_id": world.noms[0].id}, page=page)
    assert response.status_code == 302
    assert Conflict.query.filter_by(judge_id=world.judge1.id, source="detected").count() == 1
    assert Assignment.query.filter_by(judge_id=world.judge1.id, nomination_id=world.noms[0].id).count() == 0
    response = post_form(f"/judging/categories/{world.category.id}/assign", {}, page=page, follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "ต้องการกรรมการ 2 ท่าน แต่มีกรรมการที่ไม่มีส่วนได้เสียเพียง 1 ท่าน" in html


def test_manual_add_and_remove(client, login_as, post_form, world, db):
    login_as(world.chair)
    page = f"/judging/categories/{world.category.id}/assignments"
    a_id = Assignment.query.filter_by(judge_id=world.judge2.id, nomination_id=world.noms[2].id).one().id
    assert post_form(f"/judging/assignments/{a_id}/remove", {}, page=page).status_code == 302
    assert Assignment.query.filter_by(id=a_id).count() == 0
    response = post_form(f"/judging/categories/{world.category.id}/assignments/add",
                         {"judge_id": world.judge2.id, "nomination_id": world.noms[2].id}, page=page)
    assert response.status_code == 302
    assert Assignment.query.filter_by(judge_id=world.judge2.id, nomination_id=world.noms[2].id).count() == 1
    actions = [e.action for e in AuditEntry.query.order_by(AuditEntry.id)][-2:]
    assert actions == ["judging.unassigned", "judging.assigned"]


def test_affiliations_are_saved_and_audited(client, login_as, post_form, world, db):
    login_as(world.chair)
    url = f"/judging/fairs/{world.fair.id}/judges"
    response = post_form(url, {f"affiliation-{world.judge2.id}": str(world.university.id)})
    assert response.status_code == 302
    assert JudgeProfile.query.filter_by(user_id=world.judge2.id).one().affiliation_org_id == world.university.id
    assert AuditEntry.query.filter_by(action="judging.affiliation_changed").count() == 1


def test_remind_mails_the_judges_who_are_behind(client, login_as, post_form, world, db, outbox):
    extra = Nomination(fair_id=world.fair.id, category_id=world.category.id, nominator_org_id=world.orgs[0].id,
                       nominee_org_id=world.university.id, status=NominationStatus.eligible)
    db.session.add(extra)
    db.session.flush()
    ops.add_assignment(world.judge2, extra, world.chair)
    db.session.commit()
    login_as(world.chair)
    page = f"/judging/categories/{world.category.id}/chair"
    assert post_form(f"/judging/categories/{world.category.id}/remind", {}, page=page).status_code == 302
    mails = outbox()
    assert [m.to for m in mails] == ["judge2@example.org"]
    assert "3 จาก 4 เรื่อง" in mails[0].body


def test_results_exports(client, login_as, world):
    login_as(world.staff)
    response = client.get(f"/judging/categories/{world.category.id}/results.csv")
    body = response.data.decode("utf-8-sig")
    assert response.mimetype == "text/csv"
    assert "สำนักงานวัฒนธรรมจังหวัดเชียงราย" in body and "เสมอกัน ตัดสินด้วยคะแนนเกณฑ์" in body
    response = client.get(f"/judging/categories/{world.category.id}/results.xlsx")
    assert response.data[:2] == b"PK"
