"""The check-in dashboard's "still missing" list does not grow with the fair (issue 14): each zone lists
its first MISSING_SHOWN booths, says how many are missing, and links to all of them in pages of 50 (the
zone kept in the pager's links)."""
from __future__ import annotations

import re

from fairapp.booths.queries import MISSING_SHOWN
from tests.booths.test_checkin import _fill, w  # noqa: F401 (the fixture)


def test_the_missing_list_is_capped_with_a_count_and_a_link(client, login_as, db, w):  # noqa: F811
    login_as(w.staff)
    sizes = []
    for zone, n in (("B", 5), ("C", 80)):
        _fill(db, w.fair, w.booth_type, n, zone, 2, w.staff)
        stats = client.get(f"/fairs/{w.fair.id}/checkin/stats").get_json()
        z = next(z for z in stats["zones"] if z["zone"] == zone)
        sizes.append((len(z["missing"]), z["missing_count"]))
    assert sizes == [(3, 3), (MISSING_SHOWN, 78)]
    assert z["missing"][0]["code"] == "C12" and z["missing_url"] == f"/fairs/{w.fair.id}/checkin/missing?zone=C"
    html = client.get(f"/fairs/{w.fair.id}/checkin/dashboard").get_data(as_text=True)
    assert html.count("<li><b>C") == MISSING_SHOWN + 2 and "ยังไม่มา (78)" in html  # and 2 recent arrivals
    assert f'href="/fairs/{w.fair.id}/checkin/missing?zone=C">ดูทั้งหมด (78)' in html
    assert "/checkin/missing?zone=B" not in html  # all of B is shown already


def test_all_the_missing_booths_in_pages(client, login_as, db, w):  # noqa: F811
    _fill(db, w.fair, w.booth_type, 80, "C", 2, w.staff)
    login_as(w.staff)
    url = f"/fairs/{w.fair.id}/checkin/missing?zone=C"
    html = client.get(url).get_data(as_text=True)
    codes = re.findall(r"<td><b>(C\d+)</b>", html)
    assert len(codes) == 50 and codes[0] == "C12" and "หน้า 1 จาก 2" in html
    assert "zone=C&amp;page=2" in html
    page2 = re.findall(r"<td><b>(C\d+)</b>", client.get(url + "&page=2").get_data(as_text=True))
    assert len(page2) == 28 and not set(page2) & set(codes)
    everything = client.get(f"/fairs/{w.fair.id}/checkin/missing").get_data(as_text=True)
    assert "A" in "".join(re.findall(r"<td><b>([A-Z])\d+</b>", everything))  # every zone when none is given
