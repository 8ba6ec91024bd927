"""A person's own data (PDPA s.30, s.31): /my/data, its JSON and its ZIP (data.json, a readable PDF, the
stored files), only ever the person's own, and a file the store lost is listed, not a failure."""
from __future__ import annotations

import hashlib
import io
import json
import subprocess
import zipfile

from fairapp.certificates import operations as cert_ops
from fairapp.certificates.candidates import candidates_for
from fairapp.core.storage import storage
from fairapp.core.transaction import unit_of_work
from fairapp.judging.models import Assignment, Score
from fairapp.nominations.models import Evidence
from sqlalchemy import func, select

from tests.booths.factories import create_application
from tests.certificates.world import build_cert_world


def _issue(app, w, kind, **extra):
    with app.test_request_context(), unit_of_work():
        issued, _ = cert_ops.issue(w.fair, candidates_for(w.fair, kind, **extra), w.staff)
    return issued


def test_a_judge_reads_their_scores_roles_and_certificate_and_nobody_elses(app, client, db, login_as):
    w = build_cert_world(db)
    [mine, _theirs] = sorted(_issue(app, w, "judge"), key=lambda c: c.subject_key != f"judge:{w.judge1.id}")
    login_as(w.judge1)
    page = client.get("/my/data").get_data(as_text=True)
    assert "ข้อมูลของฉัน" in page and 'id="section-judging"' in page and "ดาวน์โหลด JSON" in page
    response = client.get("/my/data.json")
    assert response.status_code == 200 and "attachment" in response.headers["Content-Disposition"]
    data = json.loads(response.get_data())
    assert data["account"]["email"] == "judge1@example.org" and "password_hash" not in json.dumps(data)
    assert [r["role"] for r in data["fair_roles"]] == ["judge"]
    scores = db.session.scalar(select(func.count()).select_from(Score).join(Assignment)
                               .where(Assignment.judge_id == w.judge1.id))
    assert scores and len(data["judging"]["scores"]) == scores
    assert [c["serial"] for c in data["certificates"]] == [mine.grouped_serial]
    assert data["certificates"][0]["verify_url"].endswith(f"/verify/{mine.grouped_serial}")
    text = json.dumps(data, ensure_ascii=False)
    assert "judge2@example.org" not in text and "วิภา" not in text  # the other judge is not in it


def test_an_organization_manager_gets_a_zip_with_the_readable_pdf_and_the_files(app, client, db, login_as, tmp_path):
    w = build_cert_world(db)
    org = w.orgs[0]  # w.member manages it; it nominated itself and won
    with app.test_request_context():
        photo_key = storage().save(b"\x89PNG\r\n\x1a\n" + b"0" * 64, "png")
        evidence_key = storage().save(b"%PDF-1.4 evidence", "pdf")
    create_application(w.fair, org, w.booth_type, people=("บุญมี",), photo_key=photo_key)
    nomination = w.noms[0]
    db.session.add(Evidence(nomination_id=nomination.id, kind="pdf", storage_key=evidence_key,
                            original_name="ผลงาน.pdf", size_bytes=17, sha256="0" * 64))
    db.session.commit()
    issued = _issue(app, w, "awardee", category=w.category)
    award = next(c for c in issued if c.subject_key == f"award:{nomination.id}")
    login_as(w.member)
    response = client.get("/my/data.zip")
    assert response.status_code == 200 and response.headers["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.get_data()))
    names = set(archive.namelist())
    assert {"data.json", "ข้อมูลของฉัน.pdf", f"files/{award.grouped_serial}.pdf"} <= names
    assert any(n.startswith("files/application-") for n in names)
    assert any(n.startswith(f"files/evidence-{nomination.id}-") for n in names)
    assert "missing-files.txt" not in names
    certificate = archive.read(f"files/{award.grouped_serial}.pdf")
    assert hashlib.sha256(certificate).hexdigest() == award.pdf_sha256  # the PDF as issued
    data = json.loads(archive.read("data.json"))
    [mine] = [o for o in data["organizations"] if o["id"] == org.id]
    assert mine["your_role"] == "owner" and "tax_id" in mine and mine["members"]  # a manager: the full record
    assert data["booth_applications"][0]["people"][0]["first_name"] == "บุญมี"
    readable = tmp_path / "mine.pdf"
    readable.write_bytes(archive.read("ข้อมูลของฉัน.pdf"))
    text = subprocess.run(["pdftotext", str(readable), "-"], capture_output=True, text=True, check=True).stdout
    assert "ข้อมูลส่วนบุคคลของ" in text and "ใบสมัครออกบูธ" in text and "บุญมี" in text


def test_a_file_the_store_lost_is_listed_not_a_failure(app, client, db, login_as):
    w = build_cert_world(db)
    with app.test_request_context():
        key = storage().save(b"%PDF-1.4 gone", "pdf")
    db.session.add(Evidence(nomination_id=w.noms[0].id, kind="pdf", storage_key=key, original_name="x.pdf",
                            size_bytes=13, sha256="0" * 64))
    db.session.commit()
    with app.test_request_context():
        storage().delete(key)
    login_as(w.member)
    response = client.get("/my/data.zip")
    assert response.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(response.get_data()))
    missing = archive.read("missing-files.txt").decode()
    assert missing.startswith(f"files/evidence-{w.noms[0].id}-") and missing.strip() not in archive.namelist()


def test_the_queries_do_not_grow_with_the_records(app, client, db, login_as, count_queries):
    """One query per section, whatever a judge scored or an organization sent (no query per row)."""
    w = build_cert_world(db)
    create_application(w.fair, w.orgs[0], w.booth_type, people=("ก",))
    login_as(w.member)
    with count_queries() as small:
        client.get("/my/data.json")
    for _ in range(5):
        create_application(w.fair, w.orgs[0], w.booth_type, people=("ก", "ข", "ค"), commit=False)
    db.session.commit()
    with count_queries() as large:
        client.get("/my/data.json")
    assert large[0] == small[0]


def test_a_large_download_is_streamed_from_a_temporary_file(app, client, db, login_as, monkeypatch):
    from fairapp.privacy import views_my
    monkeypatch.setattr(views_my, "IN_MEMORY", 1024)  # every ZIP is "large" now
    w = build_cert_world(db)
    login_as(w.member)
    with client.get("/my/data.zip") as response:
        assert response.status_code == 200 and response.is_streamed
        body = response.get_data()
    assert "data.json" in zipfile.ZipFile(io.BytesIO(body)).namelist()
