"""The booth review queue's free-text search (?q=, folded as the kiosk folds: no spaces, tone marks or
case) with the filters and pages, and "select all matching": a decision on every application the search
and filters match, on every page, sent as the filter, read again and confirmed with its number."""
from __future__ import annotations

import re

import pytest

from sqlalchemy import literal, select

from fairapp.booths.models import Application, Status
from fairapp.certificates.candidates import search_norm
from fairapp.certificates.folding import folded
from fairapp.extensions import db
from tests.booths.factories import create_application, create_booth, create_booth_type
from tests.booths.test_review_pages import fair, staff, standard  # noqa: F401  (the review pages' fixtures)
from tests.factories import create_fair, create_org, create_user


def _ids(html: str) -> list[int]:
    return [int(i) for i in re.findall(r'name="ids" value="(\d+)"', html)]


def _page(client, fair, query: str) -> str:
    response = client.get(f"/fairs/{fair.id}/booths/review?{query}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _status(application_id: int) -> Status:
    db.session.expire_all()
    return db.session.get(Application, application_id).status


@pytest.mark.parametrize("text", ["ชุมชน บ้านนา", "วิสาหกิจชุมชน (ทอผ้า) บ้าน-ดู่", "Ban Na's \"Community\"",
                                  "น้ำใจ ไม้ไผ่ ก็ ๆ", "A-01/2_x.y,z", ""])
def test_the_sql_folding_is_the_kiosks(app, db, text):
    """certificates.folding.folded (SQLite: search_norm itself; PostgreSQL: translate) == search_norm."""
    with app.test_request_context():
        assert db.session.scalar(select(folded(literal(text)))) == search_norm(text)


def test_search_finds_without_spaces_tone_marks_or_case(client, login_as, fair, standard, staff):
    banna = create_application(fair, create_org("ชุมชน บ้านนา", name_en="Ban Na Community"), standard)
    other = create_application(fair, create_org("วิสาหกิจชุมชนทอผ้า"), standard)
    login_as(staff)
    for typed in ("ชุมชนบานนา", "บ้าน นา", "BAN NA", "banna"):
        assert _ids(_page(client, fair, f"q={typed}")) == [banna.id], typed
    assert set(_ids(_page(client, fair, "q="))) == {banna.id, other.id}
    assert _ids(_page(client, fair, "q=ไม่มีชื่อนี้")) == []


def test_search_reads_the_contact_person_booth_code_and_province(client, login_as, fair, standard, staff):
    applicant = create_user(first_name="ประเสริฐ", last_name="ศรีสุข")
    by_person = create_application(fair, create_org("องค์กรหนึ่ง"), standard, by=applicant)
    by_helper = create_application(fair, create_org("องค์กรสอง"), standard, people=("มานะ",))
    by_booth = create_application(fair, create_org("องค์กรสาม"), standard, Status.approved)
    create_booth(fair, standard, "Q-17", application=by_booth)
    in_nan = create_application(fair, create_org("องค์กรสี่", province_code="55"), standard)  # น่าน
    db.session.commit()
    login_as(staff)
    assert _ids(_page(client, fair, "q=ประเสริฐศรีสุข")) == [by_person.id]
    assert _ids(_page(client, fair, "q=มานะใจดี")) == [by_helper.id]
    assert _ids(_page(client, fair, "q=q17")) == [by_booth.id]
    assert _ids(_page(client, fair, "q=นาน")) == [in_nan.id]


def test_search_combines_with_filters_and_survives_pages_and_a_decision(client, login_as, post_form, fair,
                                                                       standard, staff):
    wanted = [create_application(fair, create_org(f"ชุมชนบ้านนา {i:03d}"), standard) for i in range(60)]
    create_application(fair, create_org("ชุมชนบ้านนา รับแล้ว"), standard, Status.approved)
    create_application(fair, create_org("วิสาหกิจอื่น"), standard)
    login_as(staff)
    first = _page(client, fair, "q=บานนา&status=submitted")
    assert _ids(first) == [a.id for a in wanted[:50]] and "60 ใบสมัคร" in first
    assert 'value="บานนา"' in first
    nxt = re.search(r'href="([^"]+)" rel="next"', first).group(1).replace("&amp;", "&")
    assert "q=" in nxt and "status=submitted" in nxt
    assert _ids(client.get(nxt).get_data(as_text=True)) == [a.id for a in wanted[50:]]
    url = f"/fairs/{fair.id}/booths/review?q=บานนา&status=submitted"
    response = post_form(url, {"ids": [str(wanted[0].id)], "action": "waitlist"})
    assert response.status_code == 302 and "q=" in response.location and "status=submitted" in response.location


def test_select_all_matching_decides_exactly_the_matching_rows_after_a_confirmation(client, login_as, post_form,
                                                                                   fair, standard, staff):
    matching = [create_application(fair, create_org(f"ชุมชนบ้านนา {i:03d}"), standard) for i in range(55)]
    not_matching = create_application(fair, create_org("วิสาหกิจอื่น"), standard)
    approved = create_application(fair, create_org("ชุมชนบ้านนา อนุมัติแล้ว"), standard, Status.approved)
    other_fair = create_fair("งานอื่น")
    other_type = create_booth_type(other_fair, capacity=10)
    elsewhere = create_application(other_fair, create_org("ชุมชนบ้านนา งานอื่น"), other_type)
    login_as(staff)
    page = _page(client, fair, "q=บานนา&select=all")
    assert 'name="scope" value="matching"' in page and "56" in page  # 55 submitted + 1 approved
    assert set(_ids(page)) <= {a.id for a in matching + [approved]}
    url = f"/fairs/{fair.id}/booths/review?q=บานนา"
    # Asked first: the number now, nothing decided yet.
    asked = post_form(url, {"scope": "matching", "action": "waitlist"})
    html = asked.get_data(as_text=True)
    assert asked.status_code == 200 and 'name="expected" value="56"' in html
    assert _status(matching[0].id) == Status.submitted
    # A number that changed meanwhile: asked again.
    again = post_form(url, {"scope": "matching", "action": "waitlist", "confirmed": "1", "expected": "40"})
    assert again.status_code == 200 and 'name="expected" value="56"' in again.get_data(as_text=True)
    done = post_form(url, {"scope": "matching", "action": "waitlist", "confirmed": "1", "expected": "56"})
    assert done.status_code == 302 and "q=" in done.location
    assert all(_status(a.id) == Status.waitlisted for a in matching)
    assert _status(not_matching.id) == Status.submitted
    assert _status(elsewhere.id) == Status.submitted
    assert _status(approved.id) == Status.approved  # may not be waitlisted: reported, not changed
    shown = client.get(done.location).get_data(as_text=True)
    assert "ข้าม 1" in shown and "ชุมชนบ้านนา อนุมัติแล้ว" in shown


def test_select_all_needs_the_csrf_token(client, login_as, fair, standard, staff):
    app = create_application(fair, create_org("ชุมชนบ้านนา"), standard)
    login_as(staff)
    response = client.post(f"/fairs/{fair.id}/booths/review?q=บานนา",
                           data={"scope": "matching", "action": "waitlist", "confirmed": "1", "expected": "1"})
    assert response.status_code in (200, 400)  # the page again with what was typed (core.forms.form_csrf)
    assert 'name="expected"' not in response.get_data(as_text=True)
    assert _status(app.id) == Status.submitted


def test_the_searched_queue_reads_a_constant_number_of_queries(client, login_as, fair, standard, staff,
                                                              count_queries):
    login_as(staff)

    def measured(n):
        for i in range(n):
            create_application(fair, create_org(f"ชุมชนบ้านนา {n}-{i:03d}"), standard)
        client.get(f"/fairs/{fair.id}/booths/review?q=บานนา")  # warm
        with count_queries() as counted:
            assert client.get(f"/fairs/{fair.id}/booths/review?q=บานนา&select=all").status_code == 200
        return counted[0]

    small, large = measured(5), measured(80)
    print(f"booth review searched, all selected: {small} queries with 5 matching rows, {large} with 85")
    assert small == large
