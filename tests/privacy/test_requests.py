"""People's requests (PDPA s.30-36): made on /my/data or entered by the DPO, each with 30 days from its
receipt, decided with a reason, all in the audit log."""
from __future__ import annotations

import io
import zipfile
from datetime import timedelta

import pytest
from sqlalchemy import select

from fairapp.core.audit import AuditEntry
from fairapp.core.time import today_local
from fairapp.privacy.models import PrivacyRequest
from tests.factories import create_org, create_user


@pytest.fixture
def dpo(db):
    user = create_user("dpo@example.org", first_name="ปิยนุช")
    user.is_dpo = True
    db.session.commit()
    return user


@pytest.fixture
def person(db):
    return create_user("somsri@example.org", first_name="สมศรี", last_name="มีสุข", title="นาง",
                       org=create_org("ชุมชนบ้านป่าซาง"))


def _entered(**overrides) -> dict:
    data = {"subject_name": "นายบุญมี ใจงาม", "subject_email": "", "subject_contact": "99 หมู่ 3 ต.ป่าซาง",
            "channel": "post", "received_on": today_local().isoformat(), "kind": "erasure",
            "details": "ขอให้ลบภาพของข้าพเจ้าในหลักฐานการเสนอชื่อ"}
    data.update(overrides)
    return data


def test_a_person_asks_for_a_correction_and_sees_the_clock_and_the_answer(app, client, db, login_as, post_form,
                                                                           person, dpo):
    login_as(person)
    response = post_form("/my/requests", {"kind": "correction", "details": "นามสกุลที่ถูกต้องคือ มีสุขใจ"},
                         page="/my/data")
    assert response.status_code == 303
    item = db.session.scalar(select(PrivacyRequest))
    assert (item.subject_user_id, item.channel, item.received_on) == (person.id, "web", today_local())
    assert item.due_on == today_local() + timedelta(days=30)
    assert db.session.scalar(select(AuditEntry.actor_id).where(AuditEntry.action == "privacy.request_received")) \
        == person.id
    page = client.get("/my/data").get_data(as_text=True).replace("\xa0", " ")
    assert "ขอให้แก้ไขข้อมูลให้ถูกต้อง" in page and "รอดำเนินการ ตอบภายใน" in page
    again = post_form("/my/requests", {"kind": "correction", "details": "อีกครั้ง"}, page="/my/data")
    html = again.get_data(as_text=True)
    assert again.status_code == 400 and "ท่านมีคำขอประเภทนี้ที่รอดำเนินการอยู่แล้ว" in html and "อีกครั้ง" in html
    # the DPO refuses without a reason: not saved; with one: decided, and the person reads it
    login_as(dpo)
    refused = post_form(f"/privacy/requests/{item.id}", {"decision": "refused", "reason": ""})
    assert refused.status_code == 400 and "ต้องแจ้งเหตุผลแก่ผู้ขอ" in refused.get_data(as_text=True)
    decided = post_form(f"/privacy/requests/{item.id}", {"decision": "partly",
                                                          "reason": "แก้นามสกุลแล้ว แต่เกียรติบัตรที่ออกแล้วคงไว้"})
    assert decided.status_code == 303
    db.session.refresh(item)
    assert item.status == "partly" and item.decided_by_id == dpo.id
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "privacy.request_decided"))
    assert entry.after["status"] == "partly" and entry.after["late"] is False
    login_as(person)
    assert "แก้นามสกุลแล้ว แต่เกียรติบัตรที่ออกแล้วคงไว้" in client.get("/my/data").get_data(as_text=True)
    login_as(dpo)
    twice = post_form(f"/privacy/requests/{item.id}", {"decision": "granted", "reason": ""}, page="/privacy/requests")
    assert twice.status_code == 400 and "คำขอนี้มีคำตัดสินแล้ว" in twice.get_data(as_text=True)


@pytest.mark.parametrize("data, words", [
    ({"kind": "", "details": "ลบข้อมูล"}, "กรุณาเลือกสิ่งที่ต้องการ"),
    ({"kind": "erasure", "details": ""}, "กรุณากรอกช่องนี้"),
    ({"kind": "access", "details": "ขอสำเนา"}, "ตัวเลือกนี้ไม่มีในรายการ"),  # that one is the download itself
])
def test_a_bad_request_says_what_is_wrong(app, client, db, login_as, post_form, person, data, words):
    login_as(person)
    response = post_form("/my/requests", data, page="/my/data")
    assert response.status_code == 400 and words in response.get_data(as_text=True)
    assert db.session.scalar(select(PrivacyRequest)) is None


def test_the_dpo_enters_a_postal_request_and_the_queue_shows_what_is_late(app, client, db, login_as, post_form,
                                                                          person, dpo):
    login_as(dpo)
    late = post_form("/privacy/requests/new", _entered(received_on=(today_local() - timedelta(days=35)).isoformat()))
    assert late.status_code == 303
    soon = post_form("/privacy/requests/new", _entered(subject_name="นางสมศรี มีสุข", kind="access",
                                                       subject_email="SOMSRI@example.org", channel="in_person",
                                                       received_on=(today_local() - timedelta(days=25)).isoformat()))
    assert soon.status_code == 303
    linked = db.session.scalar(select(PrivacyRequest).where(PrivacyRequest.kind == "access"))
    assert linked.subject_user_id == person.id  # the account found by its email, any letter case
    queue = client.get("/privacy/requests").get_data(as_text=True)
    assert "เกินกำหนด 5 วัน" in queue and "เหลือ 5 วัน" in queue
    assert queue.index("เกินกำหนด 5 วัน") < queue.index("เหลือ 5 วัน")  # the soonest due on top
    assert "ใกล้กำหนดหรือเกินกำหนด 2" in client.get("/privacy/dpo").get_data(as_text=True)
    # the person's data, to send them by post
    response = client.get(f"/privacy/requests/{linked.id}/data.zip")
    assert response.status_code == 200
    assert "data.json" in zipfile.ZipFile(io.BytesIO(response.get_data())).namelist()
    unlinked = db.session.scalar(select(PrivacyRequest).where(PrivacyRequest.kind == "erasure"))
    assert client.get(f"/privacy/requests/{unlinked.id}/data.zip").status_code == 404


@pytest.mark.parametrize("change, words", [
    ({"received_on": (today_local() + timedelta(days=1)).isoformat()}, "วันที่ได้รับต้องไม่เป็นวันในอนาคต"),
    ({"subject_email": "nobody@example.org"}, "ไม่พบบัญชีที่ใช้อีเมลนี้"),
    ({"subject_name": ""}, "กรุณากรอกช่องนี้"),
    ({"channel": "web"}, "ตัวเลือกนี้ไม่มีในรายการ"),
])
def test_an_entered_request_with_a_mistake_keeps_what_was_typed(app, client, db, login_as, post_form, dpo,
                                                                 change, words):
    login_as(dpo)
    response = post_form("/privacy/requests/new", _entered(**change))
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and words in html
    assert "ขอให้ลบภาพของข้าพเจ้าในหลักฐานการเสนอชื่อ" in html
    assert db.session.scalar(select(PrivacyRequest)) is None
