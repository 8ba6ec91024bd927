"""The nominations review list's free-text search (?q=, folded as the kiosk folds) with its filters and
pages, and the eligibility decision on the ticked nominations or on every one the search and filters match
("select all matching": sent as the filter, read again and confirmed with its number; a nomination that
may not be decided is reported, not changed)."""
from __future__ import annotations

import re

import pytest

from fairapp.extensions import db as _db
from fairapp.nominations.models import Nomination, NominationStatus
from tests.factories import create_org, create_user
from tests.nominations.test_staff import make_category, make_nomination, world


def _ids(html: str) -> list[int]:
    return [int(i) for i in re.findall(r'name="ids" value="(\d+)"', html)]


def _status(nomination_id: int) -> NominationStatus:
    _db.session.expire_all()
    return _db.session.get(Nomination, nomination_id).status


@pytest.fixture
def w(db):
    return world(db)


def _get(client, w, query: str) -> str:
    response = client.get(f"/fairs/{w.fair.id}/nominations/review?{query}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_search_finds_nominees_without_spaces_or_tone_marks(client, login_as, w):
    banna = make_nomination(w.category, w.org, community="ชุมชน บ้านนาเหนือ")
    by_school = make_nomination(w.category, w.other_org, nominee=create_org("กลุ่มแม่บ้านสามัคคี",
                                                                              name_en="Samakkhi Housewives"))
    in_nan = make_nomination(w.category, w.org, community="ชุมชนริมน้ำ", province_code="55")
    login_as(w.staff)
    assert _ids(_get(client, w, "q=บานนาเหนือ")) == [banna.id]
    assert _ids(_get(client, w, "q=samakkhi housewives")) == [by_school.id]
    assert _ids(_get(client, w, "q=โรงเรียนบานดู")) == [by_school.id]  # the nominating organization
    assert _ids(_get(client, w, "q=นาน")) == [in_nan.id]  # the province
    assert _ids(_get(client, w, "q=ไม่มีชื่อนี้เลย")) == []


def test_search_combines_with_filters_and_pages_and_a_decision_keeps_it(client, login_as, post_form, w):
    wanted = [make_nomination(w.category, w.org, community=f"ชุมชนบ้านนา {i:03d}") for i in range(55)]
    make_nomination(w.category, w.org, community="ชุมชนบ้านนา ผ่านแล้ว", status=NominationStatus.eligible)
    login_as(w.staff)
    first = _get(client, w, "q=บานนา&status=submitted")
    assert len(_ids(first)) == 50 and 'value="บานนา"' in first
    nxt = re.search(r'href="([^"]+)" rel="next"', first).group(1).replace("&amp;", "&")
    assert "q=" in nxt and "status=submitted" in nxt
    assert set(_ids(first) + _ids(client.get(nxt).get_data(as_text=True))) == {n.id for n in wanted}
    url = f"/fairs/{w.fair.id}/nominations/review?q=บานนา&status=submitted"
    response = post_form(url, {"ids": [str(wanted[0].id), str(w.nomination.id)], "action": "eligible"})
    assert response.status_code == 302 and "q=" in response.location and "status=submitted" in response.location
    assert _status(wanted[0].id) == NominationStatus.eligible
    assert _status(w.nomination.id) == NominationStatus.eligible  # ticked: decided, whatever the search


def test_select_all_matching_decides_exactly_the_matching_ones(client, login_as, post_form, w):
    matching = [make_nomination(w.category, w.org, community=f"ชุมชนบ้านนา {i:03d}") for i in range(53)]
    decided = make_nomination(w.category, w.org, community="ชุมชนบ้านนา ผ่านแล้ว",
                              status=NominationStatus.eligible)
    other_fair_category = make_category(w.other_fair)
    elsewhere = make_nomination(other_fair_category, w.org, community="ชุมชนบ้านนา งานอื่น")
    login_as(w.staff)
    page = _get(client, w, "q=บานนา&select=all")
    assert 'name="scope" value="matching"' in page
    url = f"/fairs/{w.fair.id}/nominations/review?q=บานนา"
    comment = {"scope": "matching", "action": "return", "comment": "กรุณาแนบรูปกิจกรรมเพิ่ม"}
    asked = post_form(url, comment)
    assert asked.status_code == 200 and 'name="expected" value="54"' in asked.get_data(as_text=True)
    assert _status(matching[0].id) == NominationStatus.submitted
    done = post_form(url, {**comment, "confirmed": "1", "expected": "54"})
    assert done.status_code == 302
    assert all(_status(n.id) == NominationStatus.returned for n in matching)
    assert _status(w.nomination.id) == NominationStatus.submitted  # not matching
    assert _status(elsewhere.id) == NominationStatus.submitted     # another fair's
    assert _status(decided.id) == NominationStatus.eligible        # may not be decided again: reported
    shown = client.get(done.location).get_data(as_text=True)
    assert "ข้าม 1" in shown and "ชุมชนบ้านนา ผ่านแล้ว" in shown


def test_a_comment_is_needed_before_anything_is_returned(client, login_as, post_form, w):
    login_as(w.staff)
    url = f"/fairs/{w.fair.id}/nominations/review"
    response = post_form(url, {"ids": [str(w.nomination.id)], "action": "ineligible"})
    assert response.status_code in (200, 400) and "กรุณาเขียนเหตุผล" in response.get_data(as_text=True)
    assert _status(w.nomination.id) == NominationStatus.submitted


def test_the_decision_needs_the_csrf_token_and_staff(client, login_as, w):
    login_as(w.staff)
    url = f"/fairs/{w.fair.id}/nominations/review"
    response = client.post(url, data={"ids": [str(w.nomination.id)], "action": "eligible"})
    assert response.status_code in (200, 400)
    assert _status(w.nomination.id) == NominationStatus.submitted
    login_as(w.judge)
    assert client.post(url, data={"ids": [str(w.nomination.id)], "action": "eligible"}).status_code == 403
    login_as(w.other_staff)
    assert client.post(url, data={"ids": [str(w.nomination.id)], "action": "eligible"}).status_code == 404


def test_the_searched_list_reads_a_constant_number_of_queries(client, login_as, w, count_queries):
    login_as(w.staff)
    user = create_user()

    def measured(n):
        for i in range(n):
            nomination = make_nomination(w.category, w.org, community=f"ชุมชนบ้านนา {n}-{i:03d}")
            nomination.created_by_id = user.id
        _db.session.commit()
        url = f"/fairs/{w.fair.id}/nominations/review?q=บานนา&select=all"
        client.get(url)
        with count_queries() as counted:
            assert client.get(url).status_code == 200
        return counted[0]

    small, large = measured(5), measured(80)
    print(f"nominations review searched, all selected: {small} queries with 5 matching rows, {large} with 85")
    assert small == large
