"""The booth review queue and the check-in "missing" list are read by key (issue 14: pages flat at 10x):
a page's links carry the key of its edge row, and the page after it is read from an index at that key,
so the database does the same work for page 2 of a fair of 100 and of a fair of 500 (OFFSET sorted and
skipped every row before the page). Following the links still walks every row once, in the lists' order
(Thai order of the organizations where the times tie), with the filters kept."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest

from fairapp.accounts.models import Organization, Sector
from fairapp.booths.models import Application, Booth, Status
from fairapp.core.time import utcnow
from tests.booths.factories import create_booth_type
from tests.core.db_work import db_work
from tests.factories import create_fair, create_user, grant


@pytest.fixture
def fair(db):
    return create_fair("ตลาดนัดคุณธรรม จังหวัดเชียงราย")


@pytest.fixture
def kind(fair):
    return create_booth_type(fair, capacity=5000, name_th="บูธมาตรฐาน")


@pytest.fixture
def staff(fair):
    user = create_user("staff@example.org")
    grant(fair, user, "staff")
    return user


def _add(db, fair, kind, n: int, *, status=Status.submitted, start: int = 0, same_time: bool = False,
         sector=Sector.civil, booths: str | None = None, checked: int = 0, names: list[str] | None = None):
    """n applications (one organization each), quickly: increasing times unless `same_time`."""
    base = utcnow() - timedelta(days=2)
    made = []
    for i in range(start, start + n):
        org = Organization(name_th=names[i - start] if names else f"องค์กร {i:04d}", sector=sector, province_code="57", district_code="5701")
        db.session.add(org)
        db.session.flush()
        at = base if same_time else base + timedelta(seconds=i)
        application = Application(fair_id=fair.id, organization_id=org.id, booth_type_id=kind.id, status=status,
                                  submitted_at=at, waitlisted_at=at if status == Status.waitlisted else None)
        if booths and i - start < checked:
            application.checked_in_at = utcnow()
        db.session.add(application)
        db.session.flush()
        if booths:
            db.session.add(Booth(fair_id=fair.id, booth_type_id=kind.id, code=f"{booths}{i:04d}", zone=booths,
                                 x=i, y=0, application_id=application.id))
        made.append(application)
    db.session.commit()
    return made


def _ids(html: str) -> list[int]:
    return [int(i) for i in re.findall(r'name="ids" value="(\d+)"', html)]


def _link(html: str, rel: str) -> str | None:
    found = re.search(rf'href="([^"]+)" rel="{rel}"', html)
    return found.group(1).replace("&amp;", "&") if found else None


def _walk(client, url: str, ids=_ids) -> tuple[list, list[str]]:
    """Every row, following the "next" links from `url`; and the pages' links."""
    seen, links = [], []
    while url:
        links.append(url)
        html = client.get(url).get_data(as_text=True)
        seen += ids(html)
        url = _link(html, "next")
    return seen, links


def test_the_queue_walks_every_application_once_in_order_by_key(client, login_as, db, fair, kind, staff):
    submitted = _add(db, fair, kind, 75, start=1)
    thai = ["ฮานะ", "เขียว", "ขวัญ", "ไก่", "กานดา"]  # Thai order: กานดา ไก่ ขวัญ เขียว ฮานะ (not code points)
    tied = _add(db, fair, kind, 40, same_time=True, start=500,  # the same time: by organization, Thai order
                names=[f"{thai[i % 5]} {i // 5}" for i in range(40)])
    tied = [tied[i] for i in sorted(range(40), key=lambda i: (4 - i % 5, i // 5))]
    waiting = _add(db, fair, kind, 30, status=Status.waitlisted, start=700)
    login_as(staff)
    seen, links = _walk(client, f"/fairs/{fair.id}/booths/review")
    assert seen == [a.id for a in tied + submitted + waiting]  # tied rows are oldest (base time)
    assert len(links) == 3 and all("after=" in u for u in links[1:])
    third = client.get(links[2]).get_data(as_text=True)
    assert "หน้า 3 จาก 3" in third and "แสดง 101–145 จาก 145" in third
    back = client.get(_link(third, "prev")).get_data(as_text=True)  # the page before, by key
    assert _ids(back) == seen[50:100] and "หน้า 2 จาก 3" in back
    last = client.get(_link(client.get(links[0]).get_data(as_text=True), "last")).get_data(as_text=True)
    assert _ids(last) == seen[100:] and "หน้า 3 จาก 3" in last
    first = client.get(_link(back, "prev")).get_data(as_text=True)  # page 1: no key at all
    assert "before=" not in _link(back, "prev") and "page=" not in _link(back, "prev")
    assert _ids(first) == seen[:50]


def test_filters_are_kept_in_the_keyed_links(client, login_as, db, fair, kind, staff):
    _add(db, fair, kind, 60, sector=Sector.religion)
    _add(db, fair, kind, 20, sector=Sector.civil, start=300)
    login_as(staff)
    seen, links = _walk(client, f"/fairs/{fair.id}/booths/review?sector=religion")
    assert len(seen) == 60 and all("sector=religion" in u for u in links)


def test_a_decision_goes_back_to_the_same_keyed_page(client, login_as, post_form, db, fair, kind, staff):
    apps = _add(db, fair, kind, 70)
    login_as(staff)
    nxt = _link(client.get(f"/fairs/{fair.id}/booths/review").get_data(as_text=True), "next")
    response = post_form(nxt, {"ids": [str(apps[60].id)], "action": "reject", "reason": "ไม่ตรงเงื่อนไข"})
    assert response.status_code == 302 and "after=" in response.location and "page=2" in response.location
    html = client.get(response.location).get_data(as_text=True)
    assert apps[61].id in _ids(html) and apps[49].id not in _ids(html)


@pytest.mark.parametrize("key", ["x", "eyJhIjox", "WyJzdWJtaXR0ZWQiXQ", "%00", "W10"])
def test_a_cut_or_altered_key_is_the_first_page(client, login_as, db, fair, kind, staff, key):
    apps = _add(db, fair, kind, 60)
    login_as(staff)
    response = client.get(f"/fairs/{fair.id}/booths/review?after={key}&page=2")
    assert response.status_code == 200
    assert _ids(response.get_data(as_text=True))[0] in (apps[0].id, apps[50].id)


def _page2_work(client, db, fair, kind, url: str, grow) -> list[tuple[int, int]]:
    """(database work, queries) of the page after the first, reached by its link, at two sizes."""
    out = []
    for n in (100, 500):
        grow(n)
        html = client.get(url).get_data(as_text=True)
        nxt = _link(html, "next")
        with db_work() as work:
            assert client.get(nxt).status_code == 200
        out.append((work.rows(skip=("count(",)), len(work.statements)))
    return out


def test_the_page_after_reads_the_same_rows_at_five_times_the_queue(client, login_as, db, fair, kind, staff):
    login_as(staff)
    made = [0]

    def grow(n):
        _add(db, fair, kind, n - made[0], start=made[0])
        made[0] = n

    (small, q_small), (big, q_big) = _page2_work(client, db, fair, kind, f"/fairs/{fair.id}/booths/review", grow)
    assert q_small == q_big
    assert big < small * 1.5, (small, big)  # OFFSET: about 5x


def test_the_missing_list_reads_the_same_rows_at_five_times_the_fair(client, login_as, db, fair, kind, staff):
    login_as(staff)
    made = [0]

    def grow(n):
        _add(db, fair, kind, n - made[0], status=Status.approved, start=made[0], booths="A", checked=0)
        made[0] = n

    (small, q_small), (big, q_big) = _page2_work(client, db, fair, kind, f"/fairs/{fair.id}/checkin/missing",
                                                 grow)
    assert q_small == q_big
    assert big < small * 1.5, (small, big)


def test_the_missing_list_walks_every_booth_once(client, login_as, db, fair, kind, staff):
    _add(db, fair, kind, 70, status=Status.approved, booths="B", checked=5)
    _add(db, fair, kind, 45, status=Status.approved, booths="A", start=200)
    login_as(staff)
    codes = lambda html: re.findall(r"<td><b>([A-Z]\d+)</b>", html)  # noqa: E731
    seen, links = _walk(client, f"/fairs/{fair.id}/checkin/missing", ids=codes)
    assert seen == [f"A{i:04d}" for i in range(200, 245)] + [f"B{i:04d}" for i in range(5, 70)]
    zone_b, links_b = _walk(client, f"/fairs/{fair.id}/checkin/missing?zone=B", ids=codes)
    assert zone_b == seen[45:] and all("zone=B" in u for u in links_b) and len(links_b) == 2


def test_the_dashboard_reads_the_same_rows_at_five_times_the_fair(client, login_as, db, fair, kind, staff):
    """The counts per zone are one aggregate (left out here: it counts what it shows); the first missing
    of each zone and the latest arrivals are read from indexes, so they do not grow with the fair."""
    login_as(staff)
    out = []
    made = 0
    for n in (100, 500):
        for zone in ("A", "B"):
            _add(db, fair, kind, n - made, status=Status.approved, start=made + (0 if zone == "A" else 5000),
                 booths=zone, checked=(n - made) // 2)
        made = n
        client.get(f"/fairs/{fair.id}/checkin/dashboard")
        with db_work() as work:
            html = client.get(f"/fairs/{fair.id}/checkin/dashboard").get_data(as_text=True)
        assert f"ยังไม่มา ({n // 2})" in html
        out.append((work.rows(skip=("count(",)), len(work.statements)))
    (small, q_small), (big, q_big) = out
    assert q_small == q_big
    assert big < small * 1.5, (small, big)
