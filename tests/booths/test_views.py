"""Booths through the real client: applying (with a photo), editing until the deadline, withdrawing, the
status page in every state, privacy between organizations, and the staff review queue."""
from __future__ import annotations

import io
import re
from datetime import timedelta
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import func, select

from fairapp.accounts.models import Sector
from fairapp.booths.models import Application, Status
from fairapp.core.audit import AuditEntry
from fairapp.core.time import today_local, utcnow
from tests.booths.factories import create_application, create_booth, create_booth_type, set_booth_setup
from tests.conftest import csrf_token_from
from tests.factories import create_fair, create_org, create_user, grant


def _image(fmt: str, size=(40, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 120, 40)).save(out, fmt)
    return out.getvalue()


def _uploads(app) -> set[Path]:
    root = Path(app.instance_path) / "uploads"
    return {p for p in root.rglob("*") if p.is_file()} if root.exists() else set()


@pytest.fixture
def fair(db):
    return create_fair("ตลาดนัดคุณธรรม จังหวัดเชียงราย")


@pytest.fixture
def standard(fair):
    return create_booth_type(fair, capacity=3, name_th="บูธมาตรฐาน", sort_order=0)


@pytest.fixture
def tent(fair):
    return create_booth_type(fair, capacity=2, name_th="เต็นท์กลางแจ้ง", size_label="4 x 4 ม.", sort_order=1)


@pytest.fixture
def org(db):
    return create_org("ชุมชนคุณธรรมบ้านป่าซาง")


@pytest.fixture
def member(org):
    return create_user("member@example.org", org=org, first_name="บัวคำ")


@pytest.fixture
def staff(fair):
    user = create_user("staff@example.org")
    grant(fair, user, "staff")
    return user


def _form(kind, action="save", **over):
    data = {"booth_type": str(kind.id), "show_text": "นิทรรศการผ้าทอมือ", "share_text": "",
            "help_text": "", "connect_text": "", "needs_note": "",
            "people-0-title": "นาง", "people-0-first_name": "บัวคำ", "people-0-last_name": "ใจงาม",
            "people-1-title": "นาย", "people-1-first_name": "ก้องภพ", "people-1-last_name": "ใจดี",
            "action": action}
    data.update(over)
    return data


def _only_application(db) -> Application:
    db.session.expire_all()
    return db.session.scalars(select(Application)).one()


# ---- applying ----

def test_the_form_offers_the_booth_types_with_places_left(client, login_as, fair, standard, tent, member):
    login_as(member)
    html = client.get(f"/fairs/{fair.id}/booths/apply").get_data(as_text=True)
    assert 'type="radio"' in html and f'value="{standard.id}"' in html and f'value="{tent.id}"' in html
    assert "บูธมาตรฐาน · 3 x 3 ม. · เหลือ 3 บูธ" in html and "เต็นท์กลางแจ้ง · 4 x 4 ม. · เหลือ 2 บูธ" in html
    assert 'name="people-0-first_name"' in html and 'name="photo"' in html
    assert 'enctype="multipart/form-data"' in html


@pytest.mark.parametrize("fmt, ext", [("PNG", "png"), ("JPEG", "jpg")])
def test_apply_with_a_photo_save_a_draft_then_submit(app, client, login_as, post_form, outbox, db, fair,
                                                      standard, tent, member, fmt, ext):
    login_as(member)
    url = f"/fairs/{fair.id}/booths/apply"
    response = post_form(url, _form(tent, needs_power="y", needs_note="ขอโต๊ะเพิ่ม 1 ตัว",
                                    photo=(io.BytesIO(_image(fmt)), f"logo.{ext}")))
    assert response.status_code == 302
    application = _only_application(db)
    assert response.headers["Location"].endswith(f"/booths/{application.id}")
    assert application.status == Status.draft and application.booth_type_id == tent.id
    assert application.needs_power and not application.needs_water and application.needs_note == "ขอโต๊ะเพิ่ม 1 ตัว"
    assert [p.full_name for p in application.people] == ["นางบัวคำ ใจงาม", "นายก้องภพ ใจดี"]
    assert application.photo_key.endswith(f".{ext}") and application.created_by_id == member.id
    assert outbox() == []  # a draft is nobody's business yet
    page = client.get(f"/booths/{application.id}").get_data(as_text=True)
    assert "ฉบับร่าง" in page and "บันทึกฉบับร่างแล้ว" in page and "นางบัวคำ ใจงาม" in page
    photo = client.get(f"/booths/{application.id}/photo")
    assert photo.status_code == 200 and photo.mimetype == {"png": "image/png", "jpg": "image/jpeg"}[ext]
    assert Image.open(io.BytesIO(photo.data)).format == fmt

    response = post_form(f"/booths/{application.id}/submit", {}, page=f"/booths/{application.id}")
    assert response.status_code == 302
    application = _only_application(db)
    assert application.status == Status.submitted and application.submitted_at is not None
    assert [m.to for m in outbox()] == ["member@example.org"]
    assert "ส่งใบสมัครแล้ว" in client.get(f"/booths/{application.id}").get_data(as_text=True)


def test_apply_and_submit_at_once(client, login_as, post_form, db, fair, standard, member):
    login_as(member)
    response = post_form(f"/fairs/{fair.id}/booths/apply", _form(standard, action="submit"))
    assert response.status_code == 302
    assert _only_application(db).status == Status.submitted


def test_an_html_file_named_photo_jpg_is_refused_and_nothing_is_saved(app, client, login_as, post_form, db,
                                                                        fair, standard, member):
    login_as(member)
    before = _uploads(app)
    page = b"<!DOCTYPE html><html><body><script>alert('x')</script></body></html>"
    response = post_form(f"/fairs/{fair.id}/booths/apply",
                         _form(standard, photo=(io.BytesIO(page), "photo.jpg", "image/jpeg")))
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert re.search(r'class="error"[^>]*>[^<]*ไฟล์ photo\.jpg ไม่ใช่รูปภาพ', html), "a Thai message naming the file"
    assert "นิทรรศการผ้าทอมือ" in html and 'value="บัวคำ"' in html  # what was typed is kept
    assert db.session.scalar(select(func.count(Application.id))) == 0
    assert _uploads(app) == before


def test_a_refused_submit_keeps_the_photo_for_the_next_submit(app, client, login_as, post_form, db, fair,
                                                               standard, member):
    """Defect 3: the photo was fine but the application was not complete. The photo stays attached (the
    form says so), and the corrected submit without attaching it again saves it."""
    login_as(member)
    before = _uploads(app)
    url = f"/fairs/{fair.id}/booths/apply"
    data = _form(standard, action="submit", show_text="", photo=(io.BytesIO(_image("PNG")), "logo.png"))
    html = post_form(url, data).get_data(as_text=True)
    assert "ใบสมัครยังไม่ครบ" in html and "กิจกรรมอย่างน้อยหนึ่งข้อ" in html
    assert "แนบไฟล์ logo.png ไว้แล้ว ไม่ต้องแนบใหม่" in html
    assert db.session.scalar(select(func.count(Application.id))) == 0
    (kept,) = _uploads(app) - before
    token = re.search(r'name="photo-kept" value="([^"]+)"', html).group(1)
    response = client.post(url, data={**_form(standard, action="submit"), "photo-kept": token,
                                      "csrf_token": csrf_token_from(html)})
    assert response.status_code == 302
    application = _only_application(db)
    assert application.status == Status.submitted and kept.name == application.photo_key
    assert _uploads(app) - before == {kept}


def test_a_new_photo_replaces_the_old_one_after_the_commit(app, client, login_as, post_form, db, fair, standard,
                                                           org, member):
    login_as(member)
    before = _uploads(app)
    application = create_application(fair, org, standard, Status.draft)
    edit = f"/booths/{application.id}/edit"
    assert post_form(edit, _form(standard, photo=(io.BytesIO(_image("PNG")), "a.png"))).status_code == 302
    first = _only_application(db).photo_key
    assert post_form(edit, _form(standard, photo=(io.BytesIO(_image("JPEG")), "b.jpg"))).status_code == 302
    second = _only_application(db).photo_key
    assert second != first and {p.name for p in _uploads(app) - before} == {second}


def test_the_booth_type_is_required(client, login_as, post_form, db, fair, standard, member):
    login_as(member)
    html = post_form(f"/fairs/{fair.id}/booths/apply", _form(standard, booth_type="")).get_data(as_text=True)
    assert "กรุณาเลือกประเภทบูธ" in html and "ไม่มีในรายการ" not in html  # defect 4: says what is wrong
    assert db.session.scalar(select(func.count(Application.id))) == 0


def test_the_per_organization_limit_is_explained(client, login_as, post_form, db, fair, standard, org, member):
    set_booth_setup(fair, per_org_limit=1)
    create_application(fair, org, standard, Status.submitted)
    login_as(member)
    html = post_form(f"/fairs/{fair.id}/booths/apply", _form(standard)).get_data(as_text=True)
    assert "สมัครบูธในงานนี้ครบ 1 ใบแล้ว" in html
    assert db.session.scalar(select(func.count(Application.id))) == 1


def test_edit_until_the_deadline_then_withdraw(client, login_as, post_form, db, fair, standard, tent, org,
                                               member, outbox):
    login_as(member)
    application = create_application(fair, org, standard, Status.submitted, people=("ก้องภพ", "สมศรี"))
    edit = f"/booths/{application.id}/edit"
    html = client.get(edit).get_data(as_text=True)
    assert 'value="ก้องภพ"' in html and 'value="สมศรี"' in html and "นิทรรศการผ้าทอมือของชุมชน" in html
    response = post_form(edit, _form(tent, show_text="สาธิตการทำตุงล้านนา", **{"people-1-first_name": ""}))
    assert response.status_code == 302
    application = _only_application(db)
    assert application.show_text == "สาธิตการทำตุงล้านนา" and application.booth_type_id == tent.id
    assert [p.first_name for p in application.people] == ["บัวคำ"]
    assert application.status == Status.submitted
    assert db.session.scalars(select(AuditEntry.action)).all() == ["booth.saved"]

    # The window closes: the form says so, a post changes nothing, the status page offers no edit.
    fair.booth_opens, fair.booth_closes = today_local() - timedelta(days=30), today_local() - timedelta(days=1)
    db.session.commit()
    html = client.get(edit).get_data(as_text=True)
    assert "ช่วงรับสมัครบูธของงานนี้ปิดอยู่" in html
    html = post_form(edit, _form(standard, show_text="แก้หลังปิดรับ")).get_data(as_text=True)
    assert "ช่วงรับสมัครบูธของงานนี้ปิดอยู่" in html
    assert _only_application(db).show_text == "สาธิตการทำตุงล้านนา"
    assert f'href="{edit}"' not in client.get(f"/booths/{application.id}").get_data(as_text=True)

    # Withdrawing stays possible (it frees a place for someone else).
    response = post_form(f"/booths/{application.id}/withdraw", {}, page=f"/booths/{application.id}")
    assert response.status_code == 302
    assert _only_application(db).status == Status.withdrawn
    page = client.get(f"/booths/{application.id}").get_data(as_text=True)
    assert "ถอนใบสมัครแล้ว" in page and f"/booths/{application.id}/withdraw" not in page
    assert [m.to for m in outbox()] == ["member@example.org"]


def test_applying_for_an_organization_one_is_not_a_member_of_is_404(client, login_as, db, fair, standard,
                                                                     member):
    other = create_org("องค์กรของคนอื่น")
    login_as(member)
    assert client.get(f"/fairs/{fair.id}/booths/apply?org={other.id}").status_code == 404
    assert client.get(f"/fairs/{fair.id}/booths/apply?org={member.organizations[0].id}").status_code == 200


# ---- the status page ----

def test_status_page_waitlisted_shows_the_position(client, login_as, fair, standard, org, member):
    create_application(fair, create_org(), standard, Status.waitlisted)
    application = create_application(fair, org, standard, Status.waitlisted)
    login_as(member)
    html = client.get(f"/booths/{application.id}").get_data(as_text=True)
    assert "อยู่ในรายชื่อสำรอง" in html and "ลำดับที่ 2 ในรายชื่อสำรองของบูธประเภทนี้" in html


def test_status_page_position_in_thai_numerals_when_the_fair_asks(client, login_as, db, org, member):
    fair = create_fair(thai_numerals=True)
    booth_type = create_booth_type(fair)
    for _ in range(2):
        create_application(fair, create_org(), booth_type, Status.waitlisted)
    application = create_application(fair, org, booth_type, Status.waitlisted)
    login_as(member)
    assert "ลำดับที่ ๓ ในรายชื่อสำรอง" in client.get(f"/booths/{application.id}").get_data(as_text=True)


def test_status_page_offered_accept(client, login_as, post_form, db, fair, standard, org, member):
    application = create_application(fair, org, standard, Status.offered)
    login_as(member)
    page = f"/booths/{application.id}"
    html = client.get(page).get_data(as_text=True)
    assert "มีที่ว่างสำหรับองค์กรของคุณ กรุณาตอบรับภายใน" in html
    assert f'action="/booths/{application.id}/accept"' in html and f'action="/booths/{application.id}/decline"' in html
    assert post_form(f"{page}/accept", {}, page=page).status_code == 302
    assert _only_application(db).status == Status.approved
    assert "ตอบรับที่ว่างแล้ว" in client.get(page).get_data(as_text=True)


def test_status_page_offered_decline_passes_the_place_on(client, login_as, post_form, db, fair, standard, org,
                                                         member):
    application = create_application(fair, org, standard, Status.offered)
    waiting = create_application(fair, create_org(), standard, Status.waitlisted)
    for _ in range(2):
        create_application(fair, create_org(), standard, Status.approved)
    login_as(member)
    page = f"/booths/{application.id}"
    assert post_form(f"{page}/decline", {}, page=page).status_code == 302
    db.session.expire_all()
    assert application.status == Status.withdrawn and waiting.status == Status.offered


def test_an_expired_offer_cannot_be_accepted(client, login_as, post_form, db, fair, standard, org, member):
    application = create_application(fair, org, standard, Status.offered,
                                     offer_expires_at=utcnow() - timedelta(minutes=5))
    login_as(member)
    page = f"/booths/{application.id}"
    response = post_form(f"{page}/accept", {}, page=page, follow_redirects=True)
    assert "ข้อเสนอนี้หมดอายุแล้ว" in response.get_data(as_text=True)
    assert _only_application(db).status == Status.offered


def test_status_page_rejected_shows_the_reason(client, login_as, fair, standard, org, member):
    application = create_application(fair, org, standard, Status.rejected,
                                     rejection_reason="กิจกรรมซ้ำกับองค์กรอื่นในโซนเดียวกัน")
    login_as(member)
    html = client.get(f"/booths/{application.id}").get_data(as_text=True)
    assert "ไม่อนุมัติ" in html and "กิจกรรมซ้ำกับองค์กรอื่นในโซนเดียวกัน" in html


def test_status_page_allocated_shows_the_booth_code(client, login_as, fair, standard, org, member):
    application = create_application(fair, org, standard, Status.approved)
    login_as(member)
    assert "รอเจ้าหน้าที่จัดสรรตำแหน่งบูธ" in client.get(f"/booths/{application.id}").get_data(as_text=True)
    create_booth(fair, standard, "A07", zone="A", application=application)
    html = client.get(f"/booths/{application.id}").get_data(as_text=True)
    assert "บูธ A07" in html and "โซน A" in html


@pytest.mark.parametrize("method, path", [("GET", ""), ("GET", "/edit"), ("GET", "/photo"),
                                          ("POST", "/withdraw"), ("POST", "/submit")])
def test_another_organizations_member_gets_404(client, login_as, db, fair, standard, org, method, path):
    application = create_application(fair, org, standard, Status.submitted)
    outsider = create_user(org=create_org("ชุมชนอื่น"))
    login_as(outsider)
    token_page = client.get(f"/fairs/{fair.id}/booths/apply").get_data(as_text=True)
    url = f"/booths/{application.id}{path}"
    if method == "GET":
        response = client.get(url)
    else:
        response = client.post(url, data={"csrf_token": csrf_token_from(token_page)})
    assert response.status_code == 404
    assert _only_application(db).status == Status.submitted


# ---- the staff review queue ----

@pytest.fixture
def queue(db, fair, standard, tent):
    """Five applications across sectors, provinces, types and states."""
    rows = [
        ("วัดร่องขุ่น", Sector.religion, "57", "5701", standard, Status.submitted),
        ("โรงเรียนสามัคคีวิทยาคม", Sector.education, "57", "5701", standard, Status.submitted),
        ("บริษัทผ้าทอดอยสะเก็ด", Sector.business, "50", "5001", tent, Status.submitted),
        ("สถานีวิทยุชุมชนแม่สาย", Sector.media, "57", "5701", tent, Status.waitlisted),
        ("เทศบาลนครเชียงใหม่", Sector.government, "50", "5001", standard, Status.approved),
    ]
    apps = {}
    for name, sector, province, district, booth_type, status in rows:
        org = create_org(name, sector=sector, province_code=province, district_code=district)
        create_user(org=org)
        apps[name] = create_application(fair, org, booth_type, status)
    create_application(fair, create_org("ฉบับร่างที่ไม่ควรเห็น"), standard, Status.draft)
    return apps


@pytest.mark.parametrize("query, shown", [
    ("", {"วัดร่องขุ่น", "โรงเรียนสามัคคีวิทยาคม", "บริษัทผ้าทอดอยสะเก็ด", "สถานีวิทยุชุมชนแม่สาย",
          "เทศบาลนครเชียงใหม่"}),
    ("sector=religion", {"วัดร่องขุ่น"}),
    ("province=50", {"บริษัทผ้าทอดอยสะเก็ด", "เทศบาลนครเชียงใหม่"}),
    ("type={tent}", {"บริษัทผ้าทอดอยสะเก็ด", "สถานีวิทยุชุมชนแม่สาย"}),
    ("status=submitted", {"วัดร่องขุ่น", "โรงเรียนสามัคคีวิทยาคม", "บริษัทผ้าทอดอยสะเก็ด"}),
    ("status=submitted&province=57&type={standard}", {"วัดร่องขุ่น", "โรงเรียนสามัคคีวิทยาคม"}),
    ("sector=nonsense&status=nonsense&type=x", None),  # unknown values filter nothing
])
def test_review_queue_filters(client, login_as, staff, queue, standard, tent, query, shown):
    login_as(staff)
    all_names = set(queue)
    shown = all_names if shown is None else shown
    html = client.get(f"/fairs/{standard.fair_id}/booths/review?"
                      + query.format(tent=tent.id, standard=standard.id)).get_data(as_text=True)
    assert {n for n in all_names if n in html} == shown
    assert "ฉบับร่างที่ไม่ควรเห็น" not in html


def _review(client, post_form, fair, ids, action, reason="", query=""):
    url = f"/fairs/{fair.id}/booths/review" + (f"?{query}" if query else "")
    return post_form(url, {"ids": [str(i) for i in ids], "action": action, "reason": reason})


def test_bulk_approve_within_capacity_then_waitlist(client, login_as, post_form, db, fair, staff, standard,
                                                    outbox):
    apps = [create_application(fair, create_org(f"ชุมชนที่ {i}"), standard, Status.submitted) for i in range(5)]
    create_user(org=apps[0].organization)
    login_as(staff)
    response = _review(client, post_form, fair, [a.id for a in apps], "approve", query="status=submitted")
    assert response.status_code == 302 and response.headers["Location"].endswith("/booths/review?status=submitted")
    db.session.expire_all()
    assert [a.status for a in apps] == [Status.approved] * 3 + [Status.waitlisted] * 2
    assert [a.waitlist_position() for a in apps[3:]] == [1, 2]
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "อนุมัติ 3 · รายชื่อสำรอง 2 · ไม่อนุมัติ 0 · ข้าม 0" in html
    assert [m.subject for m in outbox()] == ["สถานะใบสมัครบูธ: อนุมัติแล้ว"]


def test_bulk_waitlist_skips_what_is_not_submitted(client, login_as, post_form, db, fair, staff, standard):
    submitted = create_application(fair, create_org(), standard, Status.submitted)
    approved = create_application(fair, create_org(), standard, Status.approved)
    login_as(staff)
    response = _review(client, post_form, fair, [submitted.id, approved.id], "waitlist")
    assert response.status_code == 302
    db.session.expire_all()
    assert (submitted.status, approved.status) == (Status.waitlisted, Status.approved)
    assert "รายชื่อสำรอง 1 · ไม่อนุมัติ 0 · ข้าม 1" in client.get(response.headers["Location"]).get_data(as_text=True)


def test_bulk_reject_with_a_reason(client, login_as, post_form, db, fair, staff, queue):
    login_as(staff)
    chosen = [queue["วัดร่องขุ่น"], queue["เทศบาลนครเชียงใหม่"]]
    waiting = queue["สถานีวิทยุชุมชนแม่สาย"]
    response = _review(client, post_form, fair, [a.id for a in chosen], "reject", reason="เอกสารไม่ครบถ้วน")
    assert response.status_code == 302
    db.session.expire_all()
    assert all(a.status == Status.rejected and a.rejection_reason == "เอกสารไม่ครบถ้วน" for a in chosen)
    assert waiting.status == Status.waitlisted  # the freed place was a standard one; the tent list waits


def test_bulk_reject_without_a_reason_changes_nothing_and_keeps_the_ticks(client, login_as, post_form, db,
                                                                          fair, staff, queue, outbox):
    login_as(staff)
    chosen = [queue["วัดร่องขุ่น"], queue["บริษัทผ้าทอดอยสะเก็ด"]]
    response = _review(client, post_form, fair, [a.id for a in chosen], "reject", reason="   ")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "กรุณาระบุเหตุผลที่ไม่อนุมัติ" in html
    ticked = set(re.findall(r'name="ids" value="(\d+)" id="pick-\d+"[^>]*checked', html))
    assert ticked == {str(a.id) for a in chosen}
    db.session.expire_all()
    assert {a.status for a in chosen} == {Status.submitted}
    assert db.session.scalar(select(func.count(AuditEntry.id))) == 0 and outbox() == []


@pytest.mark.parametrize("data, message", [
    ({"action": "approve"}, "กรุณาเลือกใบสมัครอย่างน้อยหนึ่งใบ"),
    ({"action": "explode", "ids": "1"}, "กรุณาเลือกการดำเนินการ"),
])
def test_bulk_without_ticks_or_action_is_explained(client, login_as, post_form, fair, staff, queue, data,
                                                   message):
    login_as(staff)
    html = post_form(f"/fairs/{fair.id}/booths/review", data).get_data(as_text=True)
    assert message in html


def test_ids_of_another_fair_are_ignored(client, login_as, post_form, db, fair, staff):
    other_fair = create_fair()
    foreign = create_application(other_fair, create_org(), create_booth_type(other_fair), Status.submitted)
    login_as(staff)
    html = _review(client, post_form, fair, [foreign.id], "approve").get_data(as_text=True)
    assert "กรุณาเลือกใบสมัครอย่างน้อยหนึ่งใบ" in html
    assert _only_application(db).status == Status.submitted


def _fill(fair, types, n, start=0):
    """n applications in a mix of states; every fourth approved one has a booth."""
    states = (Status.submitted, Status.approved, Status.waitlisted, Status.rejected, Status.offered,
              Status.withdrawn)
    for i in range(start, start + n):
        org = create_org(f"องค์กรทดสอบลำดับ {i}", sector=list(Sector)[i % 6], province_code=("57", "50")[i % 2],
                         district_code=("5701", "5001")[i % 2])
        status = states[i % len(states)]
        application = create_application(fair, org, types[i % len(types)], status)
        if status == Status.approved and i % 4 == 1:
            create_booth(fair, types[i % len(types)], f"Q{i:03d}", application=application)


def test_review_query_count_does_not_grow_with_applications(client, login_as, count_queries, fair, staff,
                                                            standard, tent):
    login_as(staff)
    url = f"/fairs/{fair.id}/booths/review"
    _fill(fair, [standard, tent], 10)
    client.get(url)
    with count_queries() as small:
        assert client.get(url).status_code == 200
    _fill(fair, [standard, tent], 50, start=10)
    with count_queries() as large:
        html = client.get(url).get_data(as_text=True)
    assert html.count('name="ids"') == 50  # one page of 50 (core.pagination)
    assert "หน้า 1 จาก 2" in html
    assert large[0] == small[0], f"10 applications: {small[0]} queries; 60: {large[0]}"
