"""A fair's own retention periods (set by an admin, never longer than the notice's) and the purge using them."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from fairapp.booths.models import CheckInScan
from fairapp.core.audit import AuditEntry
from fairapp.core.time import today_local, utcnow
from fairapp.core.transaction import unit_of_work
from fairapp.privacy import purge
from fairapp.privacy.models import RetentionSetting
from tests.factories import create_fair, create_user


def _scan(db, fair, n):
    db.session.add(CheckInScan(fair_id=fair.id, client_id=f"scan-{fair.id}-{n}", result="refused", scanned_at=utcnow()))


def test_a_shorter_period_for_one_fair_is_what_the_purge_uses(app, client, db, login_as, post_form):
    short, other = create_fair(), create_fair()
    for fair in (short, other):
        fair.starts_on, fair.ends_on = today_local() - timedelta(days=41), today_local() - timedelta(days=40)
        _scan(db, fair, 1)
    db.session.commit()
    login_as(create_user(admin=True))
    page = client.get(f"/privacy/fairs/{short.id}/retention").get_data(as_text=True)
    assert "ตามประกาศ: 90 วัน · ใช้อยู่: 90 วัน" in page.replace("\xa0", " ")
    response = post_form(f"/privacy/fairs/{short.id}/retention", {"checkin": "30", "draft": "", "evidence": ""})
    assert response.status_code == 303
    assert db.session.scalar(select(RetentionSetting.days).where(RetentionSetting.fair_id == short.id)) == 30
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "privacy.retention_set"))
    assert entry.fair_id == short.id and entry.after == {"checkin": 30} and entry.before == {"checkin": 90}
    with app.test_request_context(), unit_of_work():
        done = purge.purge()
    assert done.counts["checkin"] == 1
    left = db.session.scalars(select(CheckInScan.fair_id)).all()
    assert left == [other.id]  # the other fair keeps the notice's 90 days
    # empty: back to the notice's period
    post_form(f"/privacy/fairs/{short.id}/retention", {"checkin": "", "draft": "", "evidence": ""})
    assert db.session.scalar(select(func.count()).select_from(RetentionSetting)) == 0


def test_never_longer_than_the_notice_says(app, client, db, login_as, post_form):
    fair = create_fair()
    login_as(create_user(admin=True))
    response = post_form(f"/privacy/fairs/{fair.id}/retention", {"checkin": "400", "draft": "", "evidence": ""})
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "ระยะเวลาต้องไม่เกินที่ประกาศความเป็นส่วนตัวกำหนด (90 วัน)" in html
    assert 'value="400"' in html and db.session.scalar(select(func.count()).select_from(RetentionSetting)) == 0
    assert post_form(f"/privacy/fairs/{fair.id}/retention", {"checkin": "0"}).status_code == 400
    assert client.get("/privacy/fairs/999999/retention").status_code == 404
