"""The chair's assignment page stays one page at 10x (issue 14): the category's nominations come 50 to a
page with their judges (?q=, ?short=1 kept in the pager's links), the judges' loads are a second view
(?view=judges) of the fair's judges 50 to a page, totals are SQL aggregates, the picker adds a judge by
"name · #id", and every form comes back to the page it was on."""
from __future__ import annotations

import re

from fairapp.judging.models import Assignment
from fairapp.nominations.models import Nomination, NominationStatus
from tests.factories import create_org, create_user, grant
from tests.judging.test_chair_views import build_world


def _grow(db, w, nominations: int, judges: int, tag: str):
    for i in range(nominations):
        org = create_org(f"ผู้ถูกเสนอชื่อ{tag} {i:03d}")
        db.session.add(Nomination(fair_id=w.fair.id, category_id=w.category.id, nominator_org_id=org.id,
                                  nominee_org_id=org.id, status=NominationStatus.eligible))
    for i in range(judges):
        u = create_user(f"judge-{tag}-{i}@example.org", first_name="กรรมการ", last_name=f"{tag} {i:03d}")
        grant(w.fair, u, "judge")
    db.session.commit()
    taken = {a.nomination_id for a in Assignment.query.filter_by(judge_id=w.judge1.id)}
    for n in Nomination.query.filter(Nomination.id.not_in(taken)):
        db.session.add(Assignment(nomination_id=n.id, judge_id=w.judge1.id))
    db.session.commit()


def _rows(html: str) -> int:
    return len(re.findall(r'name="nomination_id" value="\d+"', html))


def test_pages_with_constant_queries_at_two_sizes(client, login_as, db, count_queries):
    w = build_world(db)
    login_as(w.chair)
    url = f"/judging/categories/{w.category.id}/assignments"
    seen = []
    for n, (noms, judges) in enumerate(((2, 2), (70, 60))):
        _grow(db, w, noms, judges, f"ชุด{n}")
        for view in ("", "?view=judges"):
            client.get(url + view)
            with count_queries() as q:
                html = client.get(url + view).get_data(as_text=True)
            seen.append((view, q[0], _rows(html), html.count("<tr>") + html.count('<tr class="short">')))
    (v1, q1, r1, _t1), (v2, q2, _r2, t2), (v3, q3, r3, _t3), (v4, q4, _r4, t4) = seen
    assert (q1, q2) == (q3, q4), seen  # the same queries at 5 and 75 nominations, 4 and 64 judges
    assert r1 == 5 and r3 == 50, seen  # one page of nominations (each row has its own add form)
    assert t4 <= 51, seen  # one page of judges (and the header row)
    page2 = client.get(url + "?page=2").get_data(as_text=True)
    assert _rows(page2) == 25 and "หน้า 2 จาก 2" in page2
    assert "การเสนอชื่อที่ผ่านการตรวจคุณสมบัติ 75 เรื่อง" in page2  # totals of the whole category


def test_filters_are_kept_in_the_pagers_links(client, login_as, db):
    w = build_world(db)
    _grow(db, w, 60, 0, "ค้นหา")
    login_as(w.chair)
    url = f"/judging/categories/{w.category.id}/assignments"
    html = client.get(url + "?short=1").get_data(as_text=True)
    assert _rows(html) == 50 and "short=1&amp;page=2" in html
    html = client.get(url + "?q=ค้นหา 05").get_data(as_text=True)  # 050..059
    assert _rows(html) == 10
    assert _rows(client.get(url + f"?q=%23{w.noms[1].id}").get_data(as_text=True)) == 1
    judges = client.get(url + "?view=judges&q=judge2@").get_data(as_text=True)
    assert "วิภา" in judges and "กมล ทองดี" not in judges


def test_the_picker_adds_a_judge_and_the_form_comes_back_to_its_page(client, login_as, post_form, db):
    w = build_world(db)
    _grow(db, w, 60, 0, "หน้า")
    login_as(w.chair)
    page = f"/judging/categories/{w.category.id}/assignments?page=2"
    nomination = Nomination.query.order_by(Nomination.id.desc()).first()
    response = post_form(f"/judging/categories/{w.category.id}/assignments/add",
                         {"judge_id": f"รศ.วิภา คำมา · #{w.judge2.id}", "nomination_id": nomination.id, "back": page},
                         page=page)
    assert response.status_code == 302 and response.headers["Location"].endswith(page)
    assert Assignment.query.filter_by(judge_id=w.judge2.id, nomination_id=nomination.id).count() == 1
    response = post_form(f"/judging/categories/{w.category.id}/assignments/add",
                         {"judge_id": f"#{w.judge2.id}", "nomination_id": w.noms[0].id, "back": "https://evil.example/"},
                         page=page)
    assert response.headers["Location"].endswith(f"/judging/categories/{w.category.id}/assignments")
