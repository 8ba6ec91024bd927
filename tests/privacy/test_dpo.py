"""The DPO's pages: the record of processing (s.39) as a page and an XLSX, the breach register with its
72-hour deadline (s.37(4)) and the Thai letter to the people affected; the role itself (`flask privacy dpo`)."""
from __future__ import annotations

import io
from datetime import datetime, timedelta, timezone

import openpyxl
import pytest
from sqlalchemy import select

from fairapp.core.audit import AuditEntry
from fairapp.core.time import BANGKOK, utcnow
from fairapp.privacy import registry
from fairapp.privacy.models import Breach
from tests.factories import create_user


@pytest.fixture
def dpo(db):
    user = create_user("dpo@example.org", first_name="ปิยนุช", last_name="รักษาสัตย์")
    user.is_dpo = True
    db.session.commit()
    return user


def _local(moment: datetime) -> str:
    """A time as the browser's datetime-local input sends it (Bangkok time)."""
    return moment.astimezone(BANGKOK).strftime("%Y-%m-%dT%H:%M")


def _breach_form(**overrides) -> dict:
    found = utcnow() - timedelta(hours=5)
    data = {"title": "ส่งอีเมลรายชื่อผู้ประจำบูธผิดผู้รับ", "description": "ไฟล์รายชื่อแนบไปยังผู้รับผิดคน",
            "found_at": _local(found), "occurred_at": _local(found - timedelta(hours=1)),
            "categories": ["booth", "account"], "people_affected": "40", "risk": "high",
            "measures": "ขอให้ผู้รับลบไฟล์แล้ว", "office_notified_at": "", "people_notified_at": ""}
    data.update(overrides)
    return data


def test_only_the_dpo_reaches_the_dpo_pages(app, client, db, login_as, dpo):
    assert client.get("/privacy/dpo").status_code == 302  # to the login page
    login_as(create_user(admin=True))
    assert client.get("/privacy/dpo").status_code == 403  # an admin is not the DPO by being one
    assert client.get("/privacy/record.xlsx").status_code == 403
    login_as(dpo)
    html = client.get("/privacy/dpo").get_data(as_text=True)
    assert "ทะเบียนเหตุละเมิดข้อมูลส่วนบุคคล" in html and "ยังไม่มีเหตุละเมิดในทะเบียน" in html
    assert client.get("/").get_data(as_text=True).count('href="/privacy/dpo"') == 1  # in the menu
    assert client.get("/privacy/breaches/999999").status_code == 404


def test_the_record_of_processing_as_a_page_and_an_xlsx(app, client, db, login_as, dpo):
    login_as(dpo)
    html = client.get("/privacy/record").get_data(as_text=True)
    for purpose in registry.PURPOSES:
        assert str(purpose.name) in html
    assert "มาตรา 26" in html and "dpo@fairapp.local" in html
    with client.get("/privacy/record.xlsx") as response:  # closed: its temporary file goes with it
        assert response.status_code == 200
        body = response.get_data()
    sheet = openpyxl.load_workbook(io.BytesIO(body)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("วัตถุประสงค์", "ฐานทางกฎหมาย", "เหตุผลของฐาน")
    assert len(rows) - 1 == sum(len(p.categories) for p in registry.PURPOSES)
    sensitive = [r for r in rows[1:] if r[5] == "ใช่"]
    assert {r[1] for r in sensitive} == {"ความยินยอมโดยชัดแจ้ง สำหรับข้อมูลอ่อนไหว (มาตรา 26)"}


def test_a_breach_is_recorded_with_its_deadline_and_audited(app, client, db, login_as, post_form, dpo):
    login_as(dpo)
    response = post_form("/privacy/breaches/new", _breach_form())
    assert response.status_code == 303
    breach = db.session.scalar(select(Breach))
    assert breach.categories == ["booth", "account"] and breach.people_affected == 40 and breach.risk == "high"
    assert abs((breach.office_due_at - breach.found_at) - timedelta(hours=72)) < timedelta(seconds=1)
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "privacy.breach_recorded"))
    assert entry.actor_id == dpo.id and entry.object_id == breach.id
    home = client.get("/privacy/dpo").get_data(as_text=True)
    assert "ต้องแจ้งสำนักงานฯ ภายใน" in home and "เหลือ 66 ชั่วโมง" in home or "เหลือ 67 ชั่วโมง" in home
    assert "ยังไม่ได้แจ้งเจ้าของข้อมูล" in home
    # the Office is told: the page says so, and the audit holds only what changed
    form = _breach_form(found_at=_local(breach.found_at), occurred_at=_local(breach.occurred_at),
                        office_notified_at=_local(utcnow() - timedelta(minutes=2)))
    assert post_form(f"/privacy/breaches/{breach.id}", form).status_code == 303
    page = client.get(f"/privacy/breaches/{breach.id}").get_data(as_text=True)
    assert "แจ้งสำนักงานฯ แล้วเมื่อ" in page
    update = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "privacy.breach_updated"))
    assert set(update.after) == {"office_notified_at"} and update.before == {"office_notified_at": None}


def test_an_overdue_breach_says_by_how_much(app, client, db, login_as, post_form, dpo):
    login_as(dpo)
    found = utcnow() - timedelta(hours=80)
    post_form("/privacy/breaches/new", _breach_form(found_at=_local(found), occurred_at="", risk="risk"))
    home = client.get("/privacy/dpo").get_data(as_text=True)
    assert "เกินกำหนดแจ้งสำนักงานฯ มาแล้ว 7 ชั่วโมง" in home or "เกินกำหนดแจ้งสำนักงานฯ มาแล้ว 8 ชั่วโมง" in home
    assert "ยังไม่ได้แจ้งเจ้าของข้อมูล" not in home  # not a high risk: the people need no notice


@pytest.mark.parametrize("change, field, words", [
    ({"found_at": _local(datetime.now(timezone.utc) + timedelta(days=2))}, "found_at", "เวลานี้ยังมาไม่ถึง"),
    ({"occurred_at": _local(datetime.now(timezone.utc) - timedelta(minutes=1))}, "occurred_at",
     "เวลาที่เกิดเหตุต้องไม่หลังเวลาที่พบเหตุ"),
    ({"office_notified_at": _local(datetime.now(timezone.utc) - timedelta(days=3))}, "office_notified_at",
     "ต้องไม่ก่อนเวลาที่พบเหตุ"),
    ({"title": ""}, "title", "กรุณากรอกช่องนี้"),
    ({"found_at": "31/12/2569"}, "found_at", "วันและเวลาไม่ถูกต้อง"),
    ({"categories": ["passwords-in-plain-text"]}, "categories", "ข้อมูลในช่องนี้ไม่ถูกต้อง"),
    ({"people_affected": "-3"}, "people_affected", "กรุณากรอกจำนวนตั้งแต่ 0"),
])
def test_bad_input_is_refused_with_a_message_and_keeps_what_was_typed(app, client, db, login_as, post_form,
                                                                       dpo, change, field, words):
    login_as(dpo)
    response = post_form("/privacy/breaches/new", _breach_form(**change))
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and words in html
    assert f'id="{field}-error"' in html
    assert "ขอให้ผู้รับลบไฟล์แล้ว" in html and 'value="ส่งอีเมลรายชื่อผู้ประจำบูธผิดผู้รับ"' in html or field == "title"
    assert db.session.scalar(select(Breach)) is None


def test_the_letter_to_the_people_affected_is_drafted_in_thai(app, client, db, login_as, post_form, dpo):
    login_as(dpo)
    post_form("/privacy/breaches/new", _breach_form())
    breach = db.session.scalar(select(Breach))
    html = client.get(f"/privacy/breaches/{breach.id}/letter").get_data(as_text=True)
    assert "เรื่อง แจ้งเหตุการละเมิดข้อมูลส่วนบุคคล: ส่งอีเมลรายชื่อผู้ประจำบูธผิดผู้รับ" in html
    assert "ใบสมัครออกบูธและผู้ประจำบูธ, ข้อมูลบัญชีผู้ใช้" in html  # the data, in words
    assert "ขอให้ผู้รับลบไฟล์แล้ว" in html and "dpo@fairapp.local" in html
    assert "พ.ศ." not in html.split('id="letter"')[1][:400] and "2569" in html or "2570" in html  # BE dates
    # an English-mode reader gets the draft in English, and the Thai one a click away
    client.get("/lang/en")
    english = client.get(f"/privacy/breaches/{breach.id}/letter").get_data(as_text=True)
    assert "Subject: notice of a personal data breach" in english and "Booth applications and booth staff" in english
    thai = client.get(f"/privacy/breaches/{breach.id}/letter?lang=th").get_data(as_text=True)
    assert "เรียน ท่านผู้เป็นเจ้าของข้อมูลส่วนบุคคล" in thai and 'lang="th"' in thai


def test_the_dpo_role_is_granted_and_revoked_by_command(app, db):
    user = create_user("officer@example.org")
    runner = app.test_cli_runner()
    result = runner.invoke(args=["privacy", "dpo", "officer@example.org"])
    assert result.exit_code == 0 and "is the data protection officer" in result.output
    db.session.expire_all()
    assert db.session.get(type(user), user.id).is_dpo
    assert db.session.scalar(select(AuditEntry.action).where(AuditEntry.object_id == user.id,
                                                             AuditEntry.action == "privacy.dpo_granted"))
    result = runner.invoke(args=["privacy", "dpo", "officer@example.org", "--revoke"])
    db.session.expire_all()
    assert result.exit_code == 0 and not db.session.get(type(user), user.id).is_dpo
    assert runner.invoke(args=["privacy", "dpo", "nobody@example.org"]).exit_code != 0
