"""The fair's page gathers the staff's work with what waits for them (issue 16): booth review, the plan,
check-in, nominations, judging progress, certificates; in a fixed number of queries; staff only."""
from __future__ import annotations

import re

from fairapp.booths.models import Status
from fairapp.nominations.models import NominationStatus
from tests.booths.factories import create_application
from tests.certificates.world import build_cert_world
from tests.factories import create_org
from tests.nominations.test_staff import make_nomination


def _work(html: str) -> str:
    section = html[html.index('id="staff-work"'):]
    section = section[:section.index("</section>")]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", section))


def test_staff_see_what_waits_for_them_with_the_way_there(app, client, db, login_as, count_queries):
    w = build_cert_world(db)
    create_application(w.fair, create_org(), w.booth_type, Status.submitted)
    create_application(w.fair, create_org(), w.booth_type, Status.approved)      # approved, not placed yet
    make_nomination(w.category, w.orgs[1], status=NominationStatus.submitted)
    login_as(w.staff)
    with count_queries() as few:
        html = client.get(f"/fairs/{w.fair.id}").get_data(as_text=True)
    work = _work(html)
    assert "ตรวจใบสมัครบูธ รอ 1" in work and f'href="/fairs/{w.fair.id}/booths/review"' in html
    assert "ผังบูธ: จัดบูธให้ใบสมัครที่อนุมัติ รอ 1" in work
    assert "มาถึงแล้ว 2 จาก 4 บูธ" in work
    assert "ตรวจคุณสมบัติการเสนอชื่อ รอ 1" in work
    assert "สรุปผลแล้ว 1 จาก 1 ประเภท" in work and "ออกแล้ว 0 ฉบับ" in work
    for _ in range(5):
        create_application(w.fair, create_org(), w.booth_type, Status.submitted)
        make_nomination(w.category, w.orgs[1], status=NominationStatus.submitted)
    with count_queries() as many:
        work = _work(client.get(f"/fairs/{w.fair.id}").get_data(as_text=True))
    assert "ตรวจใบสมัครบูธ รอ 6" in work and many[0] == few[0]
    # the organization's member sees the public page, without the staff's work
    login_as(w.member)
    assert 'id="staff-work"' not in client.get(f"/fairs/{w.fair.id}").get_data(as_text=True)
