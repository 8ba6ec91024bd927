"""Exports stream (issue 14): a CSV download is written while its rows are read, in batches, in the review
queue's order (status, then organization in Thai order, in SQL): no Content-Length, the header first, the
same bytes as a whole file."""
from __future__ import annotations

import csv
import io

from fairapp.booths import exports
from fairapp.booths.models import Status
from tests.booths.factories import create_application, create_booth_type
from tests.factories import create_org


def test_applications_csv_streams_in_batches_in_thai_order(app, client, login_as, fair, staff, monkeypatch):
    monkeypatch.setattr(exports, "BATCH", 2)  # several batches for a few rows
    kind = create_booth_type(fair, capacity=10)
    names = ["ฮานะ", "ไก่", "กานดา", "ขวัญ", "เขียว"]
    for name in names:
        create_application(fair, create_org(name), kind, Status.submitted, people=("ก้องภพ", "บัวคำ"))
    create_application(fair, create_org("ได้บูธแล้ว"), kind, Status.approved)
    login_as(staff)
    response = client.get(f"/fairs/{fair.id}/booths/export/applications.csv", buffered=False)
    assert response.status_code == 200 and response.is_streamed
    assert "Content-Length" not in response.headers
    assert response.headers["Content-Disposition"].startswith('attachment; filename="booth-applications-')
    chunks = list(response.response)
    assert chunks[0].startswith(b"\xef\xbb\xbf") and len(chunks) >= 2  # the header and first row at once, then the rest
    rows = list(csv.reader(io.StringIO(b"".join(chunks).decode("utf-8-sig"), newline="")))
    assert [r[1] for r in rows[1:]] == ["กานดา", "ไก่", "ขวัญ", "เขียว", "ฮานะ", "ได้บูธแล้ว"]
    assert all(r[21] == "2" for r in rows[1:6])  # the people of each application stay on its row
