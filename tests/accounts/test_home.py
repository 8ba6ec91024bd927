"""Every person's home (/dashboard, issue 16): what each of their roles must see and do next, from the
features' panels (accounts.home)."""
from __future__ import annotations

import re
from datetime import timedelta

from fairapp.booths.models import Status
from fairapp.core.time import today_local, utcnow
from fairapp.judging import operations as judging_ops
from fairapp.nominations.models import Nomination, NominationStatus
from tests.core.test_translations import compiled_catalog  # noqa: F401  (a fixture)
from tests.booths.factories import create_application, create_booth, create_booth_type
from tests.factories import create_fair, create_org, create_user, grant
from tests.judging.test_chair_views import build_world, score_all


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).replace("\xa0", " ")


def test_an_organization_sees_its_booths_with_what_to_do_next(app, client, db, login_as, compiled_catalog):
    org, rival = create_org("ชุมชนบ้านป่าซาง"), create_org("ชุมชนบ้านห้วยซ้อ")
    member = create_user("member@example.org", org=org)
    fairs = [create_fair(f"งานที่ {i}") for i in range(4)]
    for fair in fairs:
        fair.booth_opens, fair.booth_closes = today_local() - timedelta(days=5), today_local() + timedelta(days=5)
    types = [create_booth_type(fair, capacity=1) for fair in fairs]
    create_application(fairs[0], rival, types[0], Status.waitlisted)
    waiting = create_application(fairs[0], org, types[0], Status.waitlisted)       # second on the list
    offered = create_application(fairs[1], org, types[1], Status.offered,
                                 offer_expires_at=utcnow() + timedelta(days=2))
    booked = create_application(fairs[2], org, types[2], Status.approved)
    create_booth(fairs[2], types[2], "B07", application=booked)
    draft = create_application(fairs[3], org, types[3], Status.draft)
    db.session.commit()
    login_as(member)
    html = client.get("/dashboard").get_data(as_text=True)
    text = _text(html)
    assert "ลำดับสำรองที่ 2" in text
    assert "ตอบรับภายใน" in text and f'/booths/{offered.id}"' in html
    assert "บูธ B07" in text and f"/fairs/{fairs[2].id}/exhibitors/{booked.id}" in html \
        and f"/booths/{booked.id}/pass" in html
    assert "ยังไม่ได้ส่ง" in text and f"/booths/{draft.id}/edit" in html
    assert f'id="home-application-{waiting.id}"' in html
    # English, one click away
    client.set_cookie("lang", "en")
    assert "Waiting list place 2" in _text(client.get("/dashboard").get_data(as_text=True))


def test_a_judge_sees_what_is_left_to_score_and_staff_what_waits(app, client, db, login_as):
    w = build_world(db)
    w.fair.judging_closes = today_local() + timedelta(days=6)
    db.session.commit()
    login_as(w.judge1)  # a judge with nothing assigned yet still finds the fair's judging
    assert "ยังไม่มีรายการที่ได้รับมอบหมาย" in _text(client.get("/dashboard").get_data(as_text=True))
    assignments = [judging_ops.add_assignment(w.judge1, n, w.chair) for n in w.noms]
    db.session.commit()
    login_as(w.judge1)
    text = _text(client.get("/dashboard").get_data(as_text=True))
    assert "เหลือให้คะแนน 3 จาก 3 รายการ" in text and "ปิดการให้คะแนนใน 6 วัน" in text
    judging_ops.record_score(assignments[0], w.c1, 4, "", w.judge1)  # one criterion of two: not complete yet
    db.session.commit()
    assert "เหลือให้คะแนน 3 จาก 3 รายการ" in _text(client.get("/dashboard").get_data(as_text=True))
    judging_ops.record_score(assignments[0], w.c2, 4, "", w.judge1)
    db.session.commit()
    assert "เหลือให้คะแนน 2 จาก 3 รายการ" in _text(client.get("/dashboard").get_data(as_text=True))
    score_all(db, w)
    text = _text(client.get("/dashboard").get_data(as_text=True))
    assert "ให้คะแนนครบทั้ง 3 รายการแล้ว" in text
    # the chair reaches the chair page; once final, the nominee's members see their award
    login_as(w.chair)
    assert f"/judging/categories/{w.category.id}/chair" in client.get("/dashboard").get_data(as_text=True)
    judging_ops.finalize(w.rubric, w.chair)
    db.session.commit()
    login_as(w.member)
    text = _text(client.get("/dashboard").get_data(as_text=True))
    assert "รางวัลขององค์กร" in text and "เชิดชูเกียรติ" in text
    # fair staff: what waits for them, with the way there
    nomination = Nomination(fair_id=w.fair.id, category_id=w.category.id, nominator_org_id=w.orgs[1].id,
                            nominee_org_id=w.orgs[0].id, status=NominationStatus.submitted)
    db.session.add(nomination)
    create_application(w.fair, w.orgs[2], create_booth_type(w.fair), Status.submitted)
    db.session.commit()
    login_as(w.staff)
    html = client.get("/dashboard").get_data(as_text=True)
    assert "ใบสมัครบูธรอพิจารณา 1 ใบ" in _text(html) and f"/fairs/{w.fair.id}/booths/review" in html
    assert "การเสนอชื่อรอตรวจคุณสมบัติ 1 รายการ" in _text(html)
    # the nominated organization is told, without the nominator's page
    login_as(w.member)
    html = client.get("/dashboard").get_data(as_text=True)
    assert f'id="home-nominated-{nomination.id}"' in html and "องค์กรของท่านได้รับการเสนอชื่อ" in _text(html)
    assert f"/nominations/{nomination.id}\"" not in html


def test_a_person_with_no_role_sees_no_empty_panels(app, client, db, login_as):
    login_as(create_user("nobody@example.org"))
    html = client.get("/dashboard").get_data(as_text=True)
    assert 'id="home-booths"' not in html and 'id="home-judging"' not in html and 'id="home-nominations"' not in html
