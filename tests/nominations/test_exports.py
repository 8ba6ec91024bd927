"""Nomination exports: CSV that Excel reads as Thai, XLSX, drafts left out, formulas neutralized, and a
query count that does not grow with the rows (access is in test_staff)."""
from __future__ import annotations

import csv
import io

from openpyxl import load_workbook

from fairapp.accounts.models import Sector
from fairapp.nominations.models import NominationStatus
from tests.factories import create_org
from tests.nominations.test_staff import own_uploads  # noqa: F401  (autouse: photos in a folder of the test's own)
from tests.nominations.test_staff import NOMINEE, make_category, make_nomination, world


def _csv(client, fair_id) -> list[list[str]]:
    response = client.get(f"/fairs/{fair_id}/nominations/export.csv")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/csv")
    assert response.headers["Content-Disposition"].startswith('attachment; filename="nominations-')
    assert response.headers["Cache-Control"] == "private, no-store"
    data = response.get_data()
    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def _setup(db):
    w = world(db)
    w.nomination.status = NominationStatus.returned
    w.nomination.review_note = "=HYPERLINK(\"http://evil.example\",\"คลิก\")"
    db.session.commit()
    community = make_nomination(w.category, w.other_org, community="ชุมชนบ้านป่าซาง", photos=2)
    draft = make_nomination(w.category, create_org("ร่างที่ยังไม่ส่ง"), status=NominationStatus.draft)
    return w, community, draft


def test_csv_keeps_thai_and_leaves_out_drafts(db, client, login_as):
    w, community, draft = _setup(db)
    login_as(w.staff)
    rows = _csv(client, w.fair.id)
    header, body = rows[0], rows[1:]
    assert header[:3] == ["เลขที่", "ประเภทรางวัล", "ผู้ถูกเสนอชื่อ"]
    assert "หมายเหตุการพิจารณา" in header and "จำนวนรูปภาพ" in header
    by_id = {int(r[0]): dict(zip(header, r)) for r in body}
    assert set(by_id) == {w.nomination.id, community.id}
    row = by_id[w.nomination.id]
    assert row["ผู้ถูกเสนอชื่อ"] == NOMINEE and row["ประเภทผู้ถูกเสนอชื่อ"] == "องค์กร"
    assert row["ภาคี"] == Sector.civil.label and row["จังหวัด"] == "เชียงราย"
    assert row["ผู้เสนอชื่อ"] == NOMINEE and row["สถานะ"] == "ส่งกลับให้แก้ไข"
    assert row["จำนวนรูปภาพ"] == "1" and row["จำนวนไฟล์ PDF"] == "1"
    assert row["ส่งเมื่อ"].endswith("น.") and "25" in row["ส่งเมื่อ"]  # B.E. date and time
    assert row["หมายเหตุการพิจารณา"].startswith("'=HYPERLINK")  # never a formula
    other = by_id[community.id]
    assert other["ผู้ถูกเสนอชื่อ"] == "ชุมชนบ้านป่าซาง" and other["ประเภทผู้ถูกเสนอชื่อ"] == "ชุมชน"
    assert other["อำเภอ"] == "เมืองเชียงราย" and other["ผู้เสนอชื่อ"] == "โรงเรียนบ้านดู่"
    assert other["จำนวนรูปภาพ"] == "2"


def test_xlsx_has_text_cells_and_thai(db, client, login_as):
    w, community, draft = _setup(db)
    login_as(w.admin)
    response = client.get(f"/fairs/{w.fair.id}/nominations/export.xlsx")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.get_data())).active
    assert sheet.title == "การเสนอชื่อ"
    rows = list(sheet.iter_rows(values_only=True))
    header = rows[0]
    by_id = {r[0]: dict(zip(header, r)) for r in rows[1:]}
    assert set(by_id) == {w.nomination.id, community.id}
    assert by_id[w.nomination.id]["ผู้ถูกเสนอชื่อ"] == NOMINEE
    note_col = header.index("หมายเหตุการพิจารณา") + 1
    cell = next(c for c in sheet.iter_rows(min_row=2) if c[0].value == w.nomination.id)[note_col - 1]
    assert cell.data_type == "s"  # the "=HYPERLINK" is text, not a formula
    assert sheet.freeze_panes == "A2"


def test_export_queries_do_not_grow(db, client, login_as, count_queries):
    w = world(db)
    login_as(w.staff)
    fair_id = w.fair.id
    url = f"/fairs/{fair_id}/nominations/export.csv"
    client.get(url)
    with count_queries() as few:
        client.get(url)
    other = make_category(w.fair, name_th="ชุมชนคุณธรรมต้นแบบ")
    for i in range(30):
        make_nomination(other if i % 2 else w.category, create_org(f"องค์กรส่งออก {i}"), photos=0, pdfs=1)
    with count_queries() as many:
        assert len(_csv(client, fair_id)) == 32
    assert few[0] == many[0], (few[0], many[0])
