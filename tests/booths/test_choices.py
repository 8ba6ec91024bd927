"""Defect 4: a choice field says what is wrong. Nothing chosen is "please choose a booth type", never WTForms'
"not a valid choice"; a value that is not on offer (made up, or another fair's type) says so."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from fairapp.booths.models import Application, Booth
from tests.booths.factories import create_booth_type
from tests.factories import create_fair, create_org, create_user, grant

EMPTY = "กรุณาเลือกประเภทบูธ"
UNKNOWN = "ประเภทบูธนี้ไม่ได้เปิดรับในงานนี้"
WTFORMS = "ไม่มีในรายการ"  # "Not a valid choice", as core.forms words it


@pytest.fixture
def world(db):
    fair = create_fair()
    booth_type = create_booth_type(fair)
    other = create_booth_type(create_fair())
    org = create_org()
    staff = create_user()
    grant(fair, staff, "staff")
    return fair, booth_type, other, create_user(org=org), staff


def _apply(post_form, fair, booth_type_value, missing=False):
    data = {"show_text": "นิทรรศการ", "people-0-first_name": "บัวคำ", "action": "save"}
    if not missing:
        data["booth_type"] = booth_type_value
    return post_form(f"/fairs/{fair.id}/booths/apply", data).get_data(as_text=True)


def _error(html: str, field_id: str) -> str:
    import re
    match = re.search(r'<p class="error" id="%s-error">([^<]*)</p>' % field_id, html)
    return match.group(1) if match else ""


@pytest.mark.parametrize("value, missing", [("", False), (None, True)])
def test_nothing_chosen_says_please_choose(client, login_as, post_form, db, world, value, missing):
    fair, booth_type, other, member, staff = world
    login_as(member)
    html = _apply(post_form, fair, value, missing)
    assert EMPTY in html and WTFORMS not in html and UNKNOWN not in html
    assert db.session.scalar(select(func.count(Application.id))) == 0


@pytest.mark.parametrize("value", ["999999", "abc", "other"])
def test_a_type_not_on_offer_says_so(client, login_as, post_form, db, world, value):
    fair, booth_type, other, member, staff = world
    login_as(member)
    html = _apply(post_form, fair, str(other.id) if value == "other" else value)
    assert UNKNOWN in html and WTFORMS not in html and EMPTY not in html
    assert db.session.scalar(select(func.count(Application.id))) == 0


def test_english_messages(client, login_as, post_form, db, world):
    fair, booth_type, other, member, staff = world
    login_as(member)
    client.set_cookie("lang", "en")
    assert "Please choose a booth type" in _apply(post_form, fair, "")
    assert "That booth type is not offered at this fair" in _apply(post_form, fair, "42424")


def test_the_plan_editor_says_the_same(client, login_as, post_form, db, world):
    fair, booth_type, other, member, staff = world
    login_as(staff)
    url = f"/fairs/{fair.id}/booths/plan/add"
    data = {"code": "A01", "zone": "", "x": 1, "y": 1, "w": 1, "h": 1}
    html = post_form(url, {**data, "booth_type": ""}, page=f"/fairs/{fair.id}/booths/plan").get_data(as_text=True)
    assert EMPTY in _error(html, "add-booth_type") and WTFORMS not in html
    html = post_form(url, {**data, "booth_type": other.id}, page=f"/fairs/{fair.id}/booths/plan").get_data(as_text=True)
    assert UNKNOWN in _error(html, "add-booth_type")
    assert db.session.scalar(select(func.count(Booth.id))) == 0
