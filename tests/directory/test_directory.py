"""The public exhibitor directory (issue 16): the list (confirmed exhibitors only), search without spaces
or tone marks, each filter, the pager keeping the filters, the exhibitor's page and its 404s, photos only
with consent, no person's name, queries that do not grow with the exhibitors, English."""
from __future__ import annotations

import re

import pytest

from fairapp.accounts.models import Sector
from fairapp.booths.models import Status
from fairapp.extensions import db
from fairapp.privacy import registry
from fairapp.privacy.models import ConsentChange
from tests.booths.factories import create_application, create_booth, create_booth_type
from tests.factories import create_fair, create_org, create_user

BAN_NA = "ชุมชนคุณธรรม บ้านน้ำเชี่ยว"
BAN_NA_EN = "Ban Nam Chiao Moral Community"


def exhibitor(fair, booth_type, name="ชุมชนทดสอบ", *, code=None, zone="A", sector=Sector.civil,
              province="57", name_en=None, by=None, **fields):
    """A confirmed exhibitor: an approved application of a new organization, with a booth."""
    org = create_org(name, sector=sector, province_code=province, district_code=province + "01", name_en=name_en)
    application = create_application(fair, org, booth_type, Status.approved, by=by, **fields)
    create_booth(fair, booth_type, code, zone=zone, application=application)
    return application


@pytest.fixture
def world(db):
    fair = create_fair()
    booth_type = create_booth_type(fair, capacity=200)
    return fair, booth_type


def names(html: str) -> list[str]:
    return re.findall(r'<h2><a href="/fairs/\d+/exhibitors/\d+">([^<]+)</a></h2>', html)


def test_lists_confirmed_exhibitors_only(client, world):
    fair, booth_type = world
    shown = exhibitor(fair, booth_type, BAN_NA, code="A01", zone="ลานวัฒนธรรม", show_text="ผ้าทอมือย้อมคราม",
                      share_text="", help_text="สอนทอผ้า", connect_text="เครือข่ายผู้ทอ")
    org = create_org("รออนุมัติอยู่")
    create_application(fair, org, booth_type, Status.submitted)
    approved_no_booth = create_application(fair, create_org("อนุมัติแต่ยังไม่มีบูธ"), booth_type, Status.approved)
    other_fair = create_fair()
    exhibitor(other_fair, create_booth_type(other_fair), "ของงานอื่น")
    html = client.get(f"/fairs/{fair.id}/exhibitors").get_data(as_text=True)
    assert names(html) == [BAN_NA]
    assert "A01" in html and "ลานวัฒนธรรม" in html and "ภาคประชาสังคม" in html and "เชียงราย" in html
    for label, text in (("โชว์", "ผ้าทอมือย้อมคราม"), ("ช่วย", "สอนทอผ้า"), ("เชื่อม", "เครือข่ายผู้ทอ")):
        assert f"<dt>{label}</dt><dd>{text}</dd>" in html
    assert "<dt>แชร์</dt>" not in html  # nothing typed: no heading
    assert "ก้องภพ" not in html  # the booth's people are never named in public
    assert f"/exhibitors/{shown.id}" in html and f"/exhibitors/{approved_no_booth.id}" not in html
    assert client.get("/fairs/999999/exhibitors").status_code == 404


@pytest.mark.parametrize("typed", ["บ้านน้ำเชี่ยว", "บานนำเชียว", "ชุมชนคุณธรรมบ้านน้ำเชี่ยว", "คุณธรรม  บาน",
                                   "nam chiao", "NAMCHIAO"])
def test_search_forgives_spaces_tone_marks_and_case(client, world, typed):
    fair, booth_type = world
    exhibitor(fair, booth_type, BAN_NA, name_en=BAN_NA_EN)
    exhibitor(fair, booth_type, "วัดพระธาตุดอยตุง")
    html = client.get(f"/fairs/{fair.id}/exhibitors", query_string={"q": typed}).get_data(as_text=True)
    assert names(html) == [BAN_NA]


def test_search_finding_nothing_says_so(client, world):
    fair, booth_type = world
    exhibitor(fair, booth_type, BAN_NA)
    html = client.get(f"/fairs/{fair.id}/exhibitors?q=โรงเรียน").get_data(as_text=True)
    assert names(html) == [] and 'id="none"' in html and "ไม่พบองค์กรที่ตรงกับการค้นหา" in html


def test_filters_by_sector_province_and_activity(client, world):
    fair, booth_type = world
    exhibitor(fair, booth_type, "โรงเรียนบ้านป่าซาง", sector=Sector.education, province="57", show_text="",
              share_text="หลักสูตรคุณธรรม")
    exhibitor(fair, booth_type, "วัดพระธาตุดอยตุง", sector=Sector.religion, province="57", show_text="ธรรมะ")
    exhibitor(fair, booth_type, "บริษัท น่านพัฒนา จำกัด", sector=Sector.business, province="55", show_text="",
              connect_text="  ")
    url = f"/fairs/{fair.id}/exhibitors"
    assert names(client.get(url, query_string={"sector": "education"}).get_data(as_text=True)) == ["โรงเรียนบ้านป่าซาง"]
    assert names(client.get(url, query_string={"province": "55"}).get_data(as_text=True)) == ["บริษัท น่านพัฒนา จำกัด"]
    assert names(client.get(url, query_string={"activity": "share"}).get_data(as_text=True)) == ["โรงเรียนบ้านป่าซาง"]
    assert names(client.get(url, query_string={"activity": "connect"}).get_data(as_text=True)) == []  # spaces only
    assert names(client.get(url, query_string={"activity": "show", "province": "57"}).get_data(as_text=True)) \
        == ["วัดพระธาตุดอยตุง"]
    html = client.get(url, query_string={"sector": "religion", "q": "ดอยตุง"}).get_data(as_text=True)
    assert names(html) == ["วัดพระธาตุดอยตุง"]
    # Values not offered filter nothing; the province list names only the exhibitors' provinces.
    assert len(names(client.get(url, query_string={"sector": "x", "province": "99", "activity": "y"})
                     .get_data(as_text=True))) == 3
    html = client.get(url).get_data(as_text=True)
    assert '<option value="55">น่าน</option>' in html and '<option value="10">' not in html


def test_pager_keeps_the_filters(client, world):
    fair, booth_type = world
    for i in range(53):
        exhibitor(fair, booth_type, f"ชุมชนบ้านไร่ {i:02d}", sector=Sector.civil, show_text="ผ้าทอ")
    exhibitor(fair, booth_type, "ชุมชนบ้านไร่ ภาครัฐ", sector=Sector.government)
    url = f"/fairs/{fair.id}/exhibitors"
    html = client.get(url, query_string={"q": "บานไร", "sector": "civil", "activity": "show"}).get_data(as_text=True)
    assert len(names(html)) == 50 and "53" in html
    next_link = re.search(r'<a class="button" href="([^"]+)" rel="next">', html).group(1).replace("&amp;", "&")
    for part in ("q=", "sector=civil", "activity=show", "page=2"):
        assert part in next_link
    second = client.get(next_link).get_data(as_text=True)
    assert len(names(second)) == 3 and "ชุมชนบ้านไร่ ภาครัฐ" not in names(second)
    # Without a search the page is cut in SQL, the filters kept the same way.
    html = client.get(url, query_string={"sector": "civil"}).get_data(as_text=True)
    next_link = re.search(r'href="([^"]+)" rel="next"', html).group(1).replace("&amp;", "&")
    assert "sector=civil" in next_link and len(names(client.get(next_link).get_data(as_text=True))) == 3


def test_exhibitor_page(client, world):
    fair, booth_type = world
    application = exhibitor(fair, booth_type, BAN_NA, code="B07", zone="โซนชุมชน", show_text="ผ้าทอมือ",
                            share_text="เรื่องเล่าของชุมชน", help_text="", connect_text="ตลาดออนไลน์")
    exhibitor(fair, booth_type, "เพื่อนบ้าน", code="B08")
    html = client.get(f"/fairs/{fair.id}/exhibitors/{application.id}").get_data(as_text=True)
    assert f"<h1>{BAN_NA}</h1>" in html and "B07" in html and "โซนชุมชน" in html and "เชียงราย" in html
    for text in ("ผ้าทอมือ", "เรื่องเล่าของชุมชน", "ตลาดออนไลน์", "ไม่ได้ระบุ"):
        assert text in html
    assert 'class="booth state-here" id="booth-B07"' in html  # highlighted on the plan
    assert 'class="booth state-assigned" id="booth-B08"' in html
    assert "ก้องภพ" not in html


def test_exhibitor_page_404s(client, world):
    fair, booth_type = world
    other_fair = create_fair()
    elsewhere = exhibitor(other_fair, create_booth_type(other_fair), "ของงานอื่น")
    waiting = create_application(fair, create_org("รอพิจารณา"), booth_type, Status.submitted)
    no_booth = create_application(fair, create_org("ยังไม่มีบูธ"), booth_type, Status.approved)
    withdrawn = create_application(fair, create_org("ถอนแล้ว"), booth_type, Status.withdrawn)
    create_booth(fair, booth_type, "Z01", application=withdrawn)  # a booth, but no longer approved
    for app_id in (elsewhere.id, waiting.id, no_booth.id, withdrawn.id, 999999):
        assert client.get(f"/fairs/{fair.id}/exhibitors/{app_id}").status_code == 404, app_id
        assert client.get(f"/fairs/{fair.id}/exhibitors/{app_id}/photo").status_code == 404, app_id
    assert client.get(f"/fairs/999999/exhibitors/{elsewhere.id}").status_code == 404
    assert client.get(f"/fairs/{other_fair.id}/exhibitors/{elsewhere.id}").status_code == 200


def _consent(user, given):
    db.session.add(ConsentChange(user_id=user.id, purpose="public_pages", given=given, version=registry.VERSION))
    db.session.commit()


def test_photo_only_with_consent(app, client, world):
    from fairapp.core.storage import storage
    from tests.test_authz_matrix import _tiny_png

    fair, booth_type = world
    maker = create_user()
    with app.test_request_context():
        key = storage().save(_tiny_png(), "png")
    application = exhibitor(fair, booth_type, BAN_NA, by=maker, photo_key=key)
    page, photo = f"/fairs/{fair.id}/exhibitors/{application.id}", f"/fairs/{fair.id}/exhibitors/{application.id}/photo"
    assert 'id="photo"' not in client.get(page).get_data(as_text=True)  # no consent row: no consent
    assert "/photo" not in client.get(f"/fairs/{fair.id}/exhibitors").get_data(as_text=True)
    assert client.get(photo).status_code == 404
    _consent(maker, True)
    assert 'id="photo"' in client.get(page).get_data(as_text=True)
    assert photo in client.get(f"/fairs/{fair.id}/exhibitors").get_data(as_text=True)
    response = client.get(photo)
    assert response.status_code == 200 and response.mimetype == "image/png"
    assert "no-store" in response.headers["Cache-Control"]
    _consent(maker, False)  # withdrawn: gone at once
    assert client.get(photo).status_code == 404
    assert 'id="photo"' not in client.get(page).get_data(as_text=True)
    # Someone else's consent is not the organization's.
    _consent(create_user(), True)
    assert client.get(photo).status_code == 404


def test_queries_do_not_grow_with_exhibitors(client, world, count_queries):
    fair, booth_type = world

    def counted(url):
        with count_queries() as n:
            assert client.get(url).status_code == 200
        return n[0]

    def add(k):
        for i in range(k):
            exhibitor(fair, booth_type, f"ชุมชน {len(names_seen)} {i}", show_text="ผ้าทอ", by=maker)
        names_seen.append(k)

    maker, names_seen = create_user(), []
    _consent(maker, True)
    add(5)
    first = exhibitor(fair, booth_type, BAN_NA, show_text="ผ้าทอ")
    urls = [f"/fairs/{fair.id}/exhibitors", f"/fairs/{fair.id}/exhibitors?q=ชุมชน&activity=show",
            f"/fairs/{fair.id}/exhibitors?sector=civil&page=2", f"/fairs/{fair.id}/exhibitors/{first.id}"]
    small = [counted(url) for url in urls]
    add(60)
    large = [counted(url) for url in urls]
    assert small == large, (small, large)
    assert max(large) <= 12


def test_english(client, world):
    fair, booth_type = world
    application = exhibitor(fair, booth_type, BAN_NA, name_en=BAN_NA_EN, sector=Sector.religion,
                            show_text="ผ้าทอ")
    client.set_cookie("lang", "en")
    html = client.get(f"/fairs/{fair.id}/exhibitors").get_data(as_text=True)
    assert BAN_NA_EN in html and "Chiang Rai" in html and "Exhibitors" in html
    assert "Show" in html and "Religion" in html
    html = client.get(f"/fairs/{fair.id}/exhibitors/{application.id}").get_data(as_text=True)
    assert f"<h1>{BAN_NA_EN}</h1>" in html and "Chiang Rai" in html


def test_the_fair_page_and_the_floor_plan_lead_to_the_directory(client, world):
    fair, _ = world
    for url in (f"/fairs/{fair.id}", f"/fairs/{fair.id}/floorplan"):
        assert f'href="/fairs/{fair.id}/exhibitors" id="directory-link"' in client.get(url).get_data(as_text=True)
