"""core.pagination through the staff lists: pages of 50 cut by the database in Thai dictionary order (ICU
th on SQLite and PostgreSQL), "หน้า 2 จาก 3", the filters kept in the links, constant queries."""
from __future__ import annotations

import re

from fairapp.accounts.models import Sector
from fairapp.core.pagination import Page, paginate, thai_order
from fairapp.accounts.models import Organization
from sqlalchemy import select
from tests.factories import create_fair, create_org, create_user, grant

THAI = ["กานดา", "ไก่", "ขวัญ", "เขียว", "ฮานะ"]  # Thai dictionary order (leading vowels are not first)


def _names(html: str) -> list[str]:
    return re.findall(r'<li><a href="/orgs/\d+">([^<]+)</a>', html)


def test_thai_order_is_the_databases(app, db):
    for name in reversed(THAI):
        create_org(name)
    with app.test_request_context("/"):
        page = paginate(select(Organization).order_by(thai_order(Organization.name_th), Organization.id), size=3)
    assert isinstance(page, Page) and [o.name_th for o in page] == THAI[:3]
    assert (page.total, page.pages, page.has_next, page.has_prev) == (5, 2, True, False)


def test_organizations_list_in_pages_with_the_sector_kept(client, db, login_as):
    for i in range(120):
        create_org(f"องค์กร {i:03d}", sector=Sector.religion if i % 2 else Sector.civil)
    staff = create_user()
    grant(create_fair(), staff, "staff")
    login_as(staff)
    first = client.get("/orgs").get_data(as_text=True)
    assert len(_names(first)) == 50 and "หน้า 1 จาก 3" in first and "120 องค์กร" in first
    assert _names(first)[0] == "องค์กร 000"
    religion = client.get("/orgs?sector=religion").get_data(as_text=True)
    assert "หน้า 1 จาก 2" in religion
    nxt = re.search(r'href="([^"]+)" rel="next"', religion).group(1).replace("&amp;", "&")
    assert "sector=religion" in nxt and "page=2" in nxt
    second = client.get(nxt).get_data(as_text=True)
    assert len(_names(second)) == 10 and all(int(n.split()[1]) % 2 for n in _names(second))


def test_organizations_list_queries_do_not_grow(client, db, login_as, count_queries):
    staff = create_user()
    grant(create_fair(), staff, "staff")
    login_as(staff)
    counted = []
    for n in (10, 200):
        for i in range(n):
            create_org()
        client.get("/orgs")
        with count_queries() as q:
            html = client.get("/orgs").get_data(as_text=True)
        counted.append(q[0])
        assert len(_names(html)) == min(n, 50) or n == 200
    assert counted[0] == counted[1]


def test_admin_users_in_pages(client, db, login_as):
    for i in range(60):
        create_user(first_name=f"ผู้ใช้{i:02d}")
    login_as(create_user(admin=True, first_name="กานดา"))
    html = client.get("/admin/users").get_data(as_text=True)
    assert "หน้า 1 จาก 2" in html and "ผู้ใช้ 61 คน" in html and "กานดา" in html
    second = client.get("/admin/users?page=2").get_data(as_text=True)
    assert "หน้า 2 จาก 2" in second and "ผู้ใช้59" in second and "กานดา" not in second


def test_english_pager(client, db, login_as):
    for i in range(60):
        create_org()
    staff = create_user(locale="en")
    grant(create_fair(), staff, "staff")
    login_as(staff)
    client.set_cookie("lang", "en")
    html = client.get("/orgs?page=2").get_data(as_text=True)
    assert "Page 2 of 2" in html and "Previous" in html


def test_a_page_without_a_count_knows_only_whether_there_is_a_next(app, db, count_queries):
    for name in THAI:
        create_org(name)
    query = select(Organization).order_by(thai_order(Organization.name_th), Organization.id)
    with app.test_request_context("/orgs?page=2&sector=civil"):
        with count_queries() as q:
            page = paginate(query, size=2, count=False)
        assert q[0] == 1 and page.total is None and page.pages is None
        assert [o.name_th for o in page] == THAI[2:4] and page.has_next and page.has_prev
        assert page.url(3) == "/orgs?sector=civil&page=3" and page.url(1) == "/orgs?sector=civil"
        last = paginate(query, size=2, count=False, number=3)
        assert [o.name_th for o in last] == THAI[4:] and not last.has_next
