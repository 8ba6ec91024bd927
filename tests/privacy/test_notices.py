"""Notices at collection (PDPA s.23): each form that collects personal data shows a short notice from the
registry above its button, and the account records the version seen, at which form, and when."""
from __future__ import annotations

import json

from sqlalchemy import select

from fairapp.privacy import registry
from fairapp.privacy.models import NoticeReceipt
from tests.booths.factories import create_booth_type
from tests.factories import create_fair, create_org, create_user


def _receipts(db, user_id):
    return db.session.execute(select(NoticeReceipt.version, NoticeReceipt.form)
                              .where(NoticeReceipt.user_id == user_id)).all()


def test_sign_up_shows_the_notice_and_the_account_records_it(app, client, db, post_form):
    html = client.get("/signup").get_data(as_text=True)
    notice = html[html.index('id="privacy-notice"'):]
    notice = notice[:notice.index("</section>")]
    assert "การสมัครและบัญชีผู้ใช้" in notice and "มาตรา 24 (4)" in notice and "dpo@fairapp.local" in notice
    assert "ตลอดที่มีบัญชี และ 2 ปีหลังใช้งานครั้งสุดท้าย" in notice and 'href="/privacy#purpose-accounts"' in notice
    assert html.index('id="privacy-notice"') < html.index('id="accept"')  # read before the box and the button
    response = post_form("/signup", {
        "org_name_th": "ชุมชนคุณธรรมบ้านป่าซาง", "sector": "civil", "province": "57", "district": "5701",
        "title": "นาง", "first_name": "บัวคำ", "last_name": "ใจงาม", "phone": "081 234 5678",
        "email": "buakham@example.org", "password": "ตลาดนัด-คุณธรรม-2569", "password2": "ตลาดนัด-คุณธรรม-2569",
        "accept": "y"})
    assert response.status_code == 302
    from fairapp.accounts.models import User
    user = db.session.scalar(select(User).where(User.email == "buakham@example.org"))
    assert _receipts(db, user.id) == [(registry.VERSION, "signup")]
    data = json.loads(client.get("/my/data.json").get_data())
    assert data["notices_seen"][0]["form"] == "signup" and data["notices_seen"][0]["version"] == registry.VERSION


def test_a_booth_application_tells_about_access_needs_and_records_once(app, client, db, login_as, post_form):
    fair, org = create_fair(), create_org()
    booth_type = create_booth_type(fair)
    user = create_user(org=org)
    login_as(user)
    html = client.get(f"/fairs/{fair.id}/booths/apply").get_data(as_text=True)
    assert "การสมัครออกบูธและจัดผังบูธ" in html and "ความยินยอมโดยชัดแจ้ง สำหรับข้อมูลอ่อนไหว (มาตรา 26)" in html
    form = {"booth_type": str(booth_type.id), "show_text": "ผ้าทอมือ", "person_first_name-0": "ก้องภพ",
            "action": "save"}
    for _ in range(2):
        post_form(f"/fairs/{fair.id}/booths/apply", form)
    assert _receipts(db, user.id) == [(registry.VERSION, "booth_application")]


def test_the_notice_speaks_english_in_english(app, client, db):
    client.get("/lang/en")
    html = client.get("/signup").get_data(as_text=True)
    notice = html[html.index('id="privacy-notice"'):]
    notice = notice[:notice.index("</section>")]
    assert "Personal data in this form" in notice and "section 24 (4)" in notice
