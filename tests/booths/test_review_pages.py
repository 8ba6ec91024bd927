"""The booth review queue in pages of 50 (core.pagination): the order is the database's, filters are kept
in every page link and after a decision, the counts cover the whole filtered queue."""
from __future__ import annotations

import re

import pytest

from fairapp.accounts.models import Sector
from fairapp.booths.models import Status
from tests.booths.factories import create_application, create_booth_type
from tests.factories import create_fair, create_org, create_user, grant


@pytest.fixture
def fair(db):
    return create_fair("ตลาดนัดคุณธรรม จังหวัดเชียงราย")


@pytest.fixture
def standard(fair):
    return create_booth_type(fair, capacity=500, name_th="บูธมาตรฐาน", sort_order=0)


@pytest.fixture
def staff(fair):
    user = create_user("staff@example.org")
    grant(fair, user, "staff")
    return user


def _fill(fair, kind, n, status=Status.submitted, sector=Sector.civil, start=0):
    return [create_application(fair, create_org(f"องค์กรลำดับ {i:03d}", sector=sector), kind, status)
            for i in range(start, start + n)]


def _ids(html: str) -> list[int]:
    return [int(i) for i in re.findall(r'name="ids" value="(\d+)"', html)]


def test_the_queue_comes_in_pages_of_50_in_order(client, login_as, fair, standard, staff):
    apps = _fill(fair, standard, 120)
    login_as(staff)
    first = client.get(f"/fairs/{fair.id}/booths/review").get_data(as_text=True)
    assert _ids(first) == [a.id for a in apps[:50]]
    assert "หน้า 1 จาก 3" in first and "120 ใบสมัคร" in first
    third = client.get(f"/fairs/{fair.id}/booths/review?page=3").get_data(as_text=True)
    assert _ids(third) == [a.id for a in apps[100:]]
    assert "หน้า 3 จาก 3" in third and 'rel="next"' not in third
    # past the end: the last page; not a number: the first
    assert _ids(client.get(f"/fairs/{fair.id}/booths/review?page=99").get_data(as_text=True)) == _ids(third)
    assert _ids(client.get(f"/fairs/{fair.id}/booths/review?page=x").get_data(as_text=True)) == _ids(first)


def test_filters_are_kept_in_the_page_links_and_counts_cover_every_page(client, login_as, fair, standard,
                                                                       staff):
    _fill(fair, standard, 60, sector=Sector.religion)
    _fill(fair, standard, 5, sector=Sector.civil, start=100)
    _fill(fair, standard, 3, status=Status.rejected, sector=Sector.religion, start=200)
    login_as(staff)
    html = client.get(f"/fairs/{fair.id}/booths/review?sector=religion").get_data(as_text=True)
    assert "63 ใบสมัคร" in html and "หน้า 1 จาก 2" in html
    nxt = re.search(r'href="([^"]+)" rel="next"', html).group(1).replace("&amp;", "&")
    assert "sector=religion" in nxt and "page=2" in nxt
    second = client.get(nxt).get_data(as_text=True)
    assert len(_ids(second)) == 13 and "หน้า 2 จาก 2" in second


def test_a_decision_goes_back_to_the_same_page_and_filters(client, login_as, post_form, fair, standard, staff):
    apps = _fill(fair, standard, 70)
    login_as(staff)
    url = f"/fairs/{fair.id}/booths/review?status=submitted&page=2"
    response = post_form(url, {"ids": [str(apps[60].id)], "action": "reject", "reason": "ไม่ตรงเงื่อนไข"})
    assert response.status_code == 302
    assert "status=submitted" in response.location and "page=2" in response.location
