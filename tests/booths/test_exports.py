"""Exports of a fair's booth applications and allocations: CSV that Excel reads as Thai, XLSX, who may
download them, and a query count that does not grow with the rows."""
from __future__ import annotations

import csv
import io
import re
from datetime import datetime, timezone

import pytest
from openpyxl import load_workbook

from fairapp.accounts.models import Sector
from fairapp.booths import exports
from fairapp.core import tables
from fairapp.booths.models import Status
from tests.booths.factories import create_application, create_booth, create_booth_type
from tests.factories import create_fair, create_org, create_user, grant

ORG_NAME = "วิสาหกิจชุมชนผ้าทอมือบ้านหนองบัว"
URLS = ("applications.csv", "applications.xlsx", "allocations.csv", "allocations.xlsx")


@pytest.fixture
def fair(db):
    return create_fair("ตลาดนัดคุณธรรม จังหวัดเชียงราย")


@pytest.fixture
def staff(fair):
    user = create_user("staff@example.org")
    grant(fair, user, "staff")
    return user


@pytest.fixture
def booked(fair):
    """An allocated, checked-in application; a waiting one; a draft (never exported); a free and a blocked booth."""
    standard = create_booth_type(fair, capacity=2, name_th="บูธมาตรฐาน")
    org = create_org(ORG_NAME, sector=Sector.civil)
    application = create_application(
        fair, org, standard, Status.approved, people=("บัวคำ", "ผู้ใหญ่ที่นี่"), needs_power=True,
        show_text="=HYPERLINK(\"http://evil.example\")", needs_note="ขอปลั๊กพ่วง",
        checked_in_at=datetime(2025, 11, 11, 6, 0, tzinfo=timezone.utc))
    create_booth(fair, standard, "A10", zone="A")
    create_booth(fair, standard, "A07", zone="A", application=application)
    create_booth(fair, standard, "A08", zone="A", blocked=True)
    waiting = create_application(fair, create_org("โรงเรียนบ้านดู่"), standard, Status.waitlisted)
    create_application(fair, create_org("ร่างที่ยังไม่ส่ง"), standard, Status.draft)
    return application, waiting


def _csv(response) -> list[list[str]]:
    raw = response.data
    assert raw.startswith(b"\xef\xbb\xbf"), "a byte order mark, so Excel reads UTF-8"
    assert b"\r\n" in raw and raw.count(b"\n") == raw.count(b"\r\n")
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))


def _sheet(response):
    book = load_workbook(io.BytesIO(response.data))
    return book.active


def test_applications_csv(client, login_as, fair, staff, booked):
    application, waiting = booked
    login_as(staff)
    response = client.get(f"/fairs/{fair.id}/booths/export/applications.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith(
        f'attachment; filename="booth-applications-{fair.id}-')
    assert re.fullmatch(r'attachment; filename="booth-applications-\d+-\d{8}\.csv"; filename\*=\S+\.csv',
                        response.headers["Content-Disposition"])
    assert response.headers["Cache-Control"] == "private, no-store"  # names of people: never kept
    rows = _csv(response)
    header = rows[0]
    assert header[:3] == ["เลขที่ใบสมัคร", "องค์กร", "ภาคี"]
    by_id = {row[0]: dict(zip(header, row)) for row in rows[1:]}
    assert set(by_id) == {str(application.id), str(waiting.id)}  # no drafts
    row = by_id[str(application.id)]
    assert row["องค์กร"] == ORG_NAME
    assert row["บูธ"] == "A07" and row["สถานะ"] == "อนุมัติแล้ว" and row["จังหวัด"] == "เชียงราย"
    assert row["ผู้ประจำบูธ"] == "บัวคำ ใจดี, ผู้ใหญ่ที่นี่ ใจดี" and row["จำนวนผู้ประจำบูธ"] == "2"
    assert row["เช็กอินเมื่อ"] == "11 พ.ย.\u00a02568 13:00 น."  # B.E., Bangkok time
    assert row["ไฟฟ้าเพิ่ม"] == "ใช่" and row["น้ำประปา"] == ""
    assert row["โชว์"].startswith("'=HYPERLINK")  # never a formula in a spreadsheet
    assert by_id[str(waiting.id)]["ลำดับสำรอง"] == "1"


def test_applications_xlsx(client, login_as, fair, staff, booked):
    application, _ = booked
    login_as(staff)
    response = client.get(f"/fairs/{fair.id}/booths/export/applications.xlsx")
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert re.search(r'filename="booth-applications-\d+-\d{8}\.xlsx";', response.headers["Content-Disposition"])
    sheet = _sheet(response)
    assert sheet.title == "ใบสมัครบูธ" and sheet.freeze_panes == "A2"
    header = [c.value for c in sheet[1]]
    assert header[1] == "องค์กร" and sheet["A1"].font.bold
    values = [[c.value for c in row] for row in sheet.iter_rows(min_row=2)]
    row = dict(zip(header, next(v for v in values if v[0] == application.id)))
    assert row["องค์กร"] == ORG_NAME
    assert row["ส่งเมื่อ"].endswith("น.") and "25" in row["ส่งเมื่อ"]  # B.E. text
    assert row["โชว์"] == '=HYPERLINK("http://evil.example")'
    cell = next(c for r in sheet.iter_rows(min_row=2) for c in r if c.value == row["โชว์"])
    assert cell.data_type == "s"  # text, not a formula
    widths = {letter: dim.width for letter, dim in sheet.column_dimensions.items()}
    assert 6 <= min(widths.values()) and max(widths.values()) <= 60
    assert widths["B"] >= len(ORG_NAME) - 6  # the organization's name fits (marks take no width)


def test_allocations_csv_and_xlsx(client, login_as, fair, staff, booked):
    application, _ = booked
    login_as(staff)
    rows = _csv(client.get(f"/fairs/{fair.id}/booths/export/allocations.csv"))
    header = rows[0]
    assert [r[0] for r in rows[1:]] == ["A07", "A08", "A10"]  # A07 before A10
    a07 = dict(zip(header, rows[1]))
    assert a07["องค์กร"] == ORG_NAME and a07["สถานะบูธ"] == "จัดสรรแล้ว"
    assert a07["เลขที่ใบสมัคร"] == str(application.id) and a07["ความต้องการ"] == "ไฟฟ้าเพิ่ม, ขอปลั๊กพ่วง"
    assert dict(zip(header, rows[2]))["สถานะบูธ"] == "ปิดไว้" and dict(zip(header, rows[3]))["องค์กร"] == ""
    sheet = _sheet(client.get(f"/fairs/{fair.id}/booths/export/allocations.xlsx"))
    assert sheet.title == "การจัดสรรบูธ"
    assert sheet["A2"].value == "A07" and ORG_NAME in [c.value for c in sheet[2]]


def test_english_headers_for_an_english_page(client, login_as, fair, staff, booked):
    login_as(staff)
    client.set_cookie("lang", "en")
    rows = _csv(client.get(f"/fairs/{fair.id}/booths/export/applications.csv"))
    assert ORG_NAME in {r[1] for r in rows}  # no English name: the Thai one


def test_an_empty_fair_exports_a_header(client, login_as, fair, staff):
    login_as(staff)
    for url in URLS:
        response = client.get(f"/fairs/{fair.id}/booths/export/{url}")
        assert response.status_code == 200
    assert len(_csv(client.get(f"/fairs/{fair.id}/booths/export/allocations.csv"))) == 1


@pytest.mark.parametrize("url", URLS)
def test_who_may_download(client, login_as, db, fair, booked, url):
    path = f"/fairs/{fair.id}/booths/export/{url}"
    response = client.get(path)
    assert response.status_code == 302 and response.headers["Location"].startswith("/login?next=")
    member = create_user(org=booked[0].organization)
    other_fair = create_fair()
    expected = {member: 404, create_user(admin=True): 200}  # no role in the fair: 404, as if missing
    for role, code in (("staff", 200), ("judge", 403), ("chair", 403)):
        user = create_user()
        grant(fair, user, role)
        expected[user] = code
    staff_elsewhere = create_user()
    grant(other_fair, staff_elsewhere, "staff")
    expected[staff_elsewhere] = 404
    for user, code in expected.items():
        login_as(user)
        assert client.get(path).status_code == code, (user.email, [r.role for r in user.fair_roles])
    assert client.get(f"/fairs/999999/booths/export/{url}").status_code == 404


@pytest.mark.parametrize("url", URLS)
def test_query_count_does_not_grow(client, login_as, count_queries, fair, staff, url):
    standard = create_booth_type(fair, capacity=100)
    login_as(staff)

    def add(n, start):
        for i in range(start, start + n):
            application = create_application(fair, create_org(f"องค์กรที่ {i}"), standard,
                                             (Status.approved, Status.waitlisted, Status.rejected)[i % 3],
                                             people=("สมชาย", "สมหญิง"))
            create_booth(fair, standard, f"B{i:03d}",
                         application=application if application.status == Status.approved else None)

    add(3, 0)
    path = f"/fairs/{fair.id}/booths/export/{url}"
    client.get(path)
    with count_queries() as small:
        client.get(path)
    add(30, 3)
    with count_queries() as large:
        response = client.get(path)
    assert response.status_code == 200
    assert large[0] == small[0], f"3 rows: {small[0]} queries; 33 rows: {large[0]}"


def test_tables_without_http(app, db, fair, booked):
    with app.test_request_context():
        table = exports.applications_rows(fair)
        rows = list(table.rows)  # a generator: read while a streamed CSV is written
        assert len(table.header) == len(rows[0]) and len(rows) == 2
        assert tables.display_width("ผู้ใหญ่ที่นี่") == 6
        assert tables.to_csv(tables.Table("t", ["a"], [["-1+1"]])).decode("utf-8-sig") == "a\r\n'-1+1\r\n"


def test_the_allocations_are_built_with_the_collector_paused(client, login_as, fair, staff, booked, monkeypatch):
    """Read and sorted whole: thousands of ORM rows at national scale, whose collections took half the time
    (core.gc_pause; 10x: 591 -> 269 ms)."""
    import gc
    seen = []
    build = exports._allocations
    monkeypatch.setattr(exports, "_allocations", lambda f: seen.append(gc.isenabled()) or build(f))
    login_as(staff)
    assert len(_csv(client.get(f"/fairs/{fair.id}/booths/export/allocations.csv"))) == 4
    assert seen == [False] and gc.isenabled()
