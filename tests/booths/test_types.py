"""Booth types and the fair's booth settings: operations (audited, capacity under the type's lock, freed
places to the waiting list), the staff pages, and sizes shown in the page's language (defect 6)."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from fairapp.booths import operations as ops
from fairapp.booths.models import Application, BoothSetup, BoothType, Status, canonical_size, parse_size
from fairapp.core.audit import AuditEntry
from tests.booths.factories import create_application, create_booth_type, set_booth_setup
from tests.factories import create_org, create_user


def _entries(action: str) -> list[AuditEntry]:
    from fairapp.extensions import db
    return db.session.scalars(select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)).all()


# ---- operations ----

def test_create_booth_type_is_audited_listed_last_and_stores_the_size_as_numbers(ctx, db, fair, staff):
    create_booth_type(fair, sort_order=0)
    booth_type = ops.create_booth_type(fair, {"name_th": " เต็นท์ ", "name_en": "", "size_label": "4x4 ม.",
                                              "includes_th": "", "capacity": 3}, staff)
    db.session.commit()
    assert (booth_type.name_th, booth_type.name_en, booth_type.size_label) == ("เต็นท์", None, "4 x 4")
    assert booth_type.sort_order == 1
    (entry,) = _entries("booth.type_created")
    assert entry.after["capacity"] == 3 and entry.actor_id == staff.id


def test_capacity_below_the_places_held_is_refused_on_the_capacity_field(ctx, db, fair, staff):
    booth_type = create_booth_type(fair, capacity=3)
    create_application(fair, create_org(), booth_type, Status.approved)
    create_application(fair, create_org(), booth_type, Status.offered)
    with pytest.raises(ops.CapacityBelowHeld) as refused:
        ops.update_booth_type(booth_type, {"capacity": 1}, staff)
    assert refused.value.field == "capacity" and "2" in str(refused.value)
    db.session.rollback()
    ops.update_booth_type(booth_type, {"capacity": 2}, staff)  # exactly the places held: fine
    db.session.commit()
    (entry,) = _entries("booth.type_changed")
    assert (entry.before["capacity"], entry.after["capacity"]) == (3, 2)


def test_places_added_go_to_the_waiting_list_first(ctx, db, fair, staff):
    booth_type = create_booth_type(fair, capacity=1)
    create_application(fair, create_org(), booth_type, Status.approved)
    first = create_application(fair, create_org(), booth_type, Status.waitlisted)
    second = create_application(fair, create_org(), booth_type, Status.waitlisted)
    ops.update_booth_type(booth_type, {"capacity": 2}, staff)
    db.session.commit()
    assert (db.session.get(Application, first.id).status, db.session.get(Application, second.id).status) == \
        (Status.offered, Status.waitlisted)
    assert [e.action for e in db.session.scalars(select(AuditEntry).order_by(AuditEntry.id))] == \
        ["booth.type_changed", "booth.offered"]


def test_an_unchanged_type_writes_no_audit_entry(ctx, db, fair, staff):
    booth_type = create_booth_type(fair, capacity=3, size_label="3 x 3")
    ops.update_booth_type(booth_type, {"capacity": 3, "size_label": "3x3 ม."}, staff)  # the same size
    assert _entries("booth.type_changed") == []


def test_update_booth_setup_is_audited_with_before_and_after(ctx, db, fair, staff):
    ops.update_booth_setup(fair, {"per_org_limit": 2, "offer_hours": 48}, staff)
    db.session.commit()
    setup = db.session.get(BoothSetup, fair.id)
    assert (setup.per_org_limit, setup.offer_hours) == (2, 48)
    (entry,) = _entries("booth.setup_changed")
    assert entry.before == {"per_org_limit": 1, "offer_hours": 72} and entry.after == {"per_org_limit": 2,
                                                                                        "offer_hours": 48}


@pytest.mark.parametrize("typed, stored", [("3 x 3 ม.", "3 x 3"), ("3x3", "3 x 3"), ("2.5 × 4 m", "2.5 x 4"),
                                           ("6 x 3 เมตร", "6 x 3"), ("ตามพื้นที่จริง", "ตามพื้นที่จริง")])
def test_sizes_are_stored_as_numbers_when_they_are_sizes(typed, stored):
    assert canonical_size(typed) == stored
    assert (parse_size(typed) is None) == (stored == typed)


# ---- the pages ----

def test_edit_type_refuses_a_capacity_below_the_places_held_on_the_field(client, login_as, post_form, db, fair,
                                                                         staff):
    booth_type = create_booth_type(fair, capacity=3)
    create_application(fair, create_org(), booth_type, Status.approved)
    create_application(fair, create_org(), booth_type, Status.approved)
    login_as(staff)
    url = f"/fairs/{fair.id}/booths/types/{booth_type.id}"
    html = post_form(url, {"name_th": "บูธมาตรฐาน", "size_label": "3 x 3", "capacity": "1"}).get_data(as_text=True)
    assert 'id="capacity-error">มีใบสมัครที่อนุมัติแล้ว 2 ใบ จึงลดจำนวนให้ต่ำกว่านี้ไม่ได้' in html
    assert 'value="1"' in html  # what was typed is kept
    assert db.session.get(BoothType, booth_type.id).capacity == 3 and _entries("booth.type_changed") == []
    response = post_form(url, {"name_th": "บูธมาตรฐาน", "size_label": "3 x 3", "capacity": "2"})
    assert response.status_code == 302 and db.session.get(BoothType, booth_type.id).capacity == 2


def test_setup_page_adds_a_type_and_saves_the_settings(client, login_as, post_form, db, fair, staff):
    login_as(staff)
    url = f"/fairs/{fair.id}/booths/setup"
    response = post_form(url, {"form": "type", "name_th": "เต็นท์", "size_label": "4 x 4", "capacity": "3"})
    assert response.status_code == 302
    assert db.session.scalars(select(BoothType.name_th).where(BoothType.fair_id == fair.id)).all() == ["เต็นท์"]
    response = post_form(url, {"form": "setup", "per_org_limit": "2", "offer_hours": "24"})
    assert response.status_code == 302 and db.session.get(BoothSetup, fair.id).per_org_limit == 2
    assert [e.action for e in db.session.scalars(select(AuditEntry).order_by(AuditEntry.id))] == \
        ["booth.type_created", "booth.setup_changed"]
    html = post_form(url, {"form": "setup", "per_org_limit": "0", "offer_hours": "24"}).get_data(as_text=True)
    assert "ใส่จำนวน 1 ถึง 20" in html


# ---- defect 6: sizes and labels in the page's language ----

@pytest.mark.parametrize("lang, size, status, other", [
    ("th", "3 x 3 ม.", "อนุมัติแล้ว", "3 x 3 m"),
    ("en", "3 x 3 m", "Approved", "ม."),
])
def test_sizes_and_statuses_follow_the_page_language(client, login_as, db, fair, lang, size, status, other):
    booth_type = create_booth_type(fair, name_en="Standard booth")  # stored as typed before: "3 x 3 ม."
    org = create_org()
    member = create_user(org=org)
    application = create_application(fair, org, booth_type, Status.approved)
    set_booth_setup(fair, per_org_limit=2)
    login_as(member)
    client.set_cookie("lang", lang)
    for url in (f"/fairs/{fair.id}/booths", f"/booths/{application.id}", f"/fairs/{fair.id}/booths/apply"):
        html = client.get(url).get_data(as_text=True)
        assert size in html, url
        assert other not in html, url
    assert status in client.get(f"/booths/{application.id}").get_data(as_text=True)
