"""Evidence through the real routes: hostile uploads refused (never a 500, nothing stored), good files
accepted and served with safe headers to those allowed, limits, deletion removes the bytes, and an
upload that does not commit leaves no bytes behind.

Run with -s to see the hostile-upload summary; HOSTILE_SUMMARY holds it for quoting.
"""
from __future__ import annotations

import io
import json
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote

import pytest
from flask import render_template_string
from PIL import Image
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from fairapp.core.transaction import unit_of_work
from fairapp.core.time import today_local
from fairapp.core.uploads import display_name
from fairapp.extensions import db as _db
from fairapp.nominations import operations as ops
from fairapp.nominations.models import Category, Evidence, Nomination, NominationStatus, NominatorKind
from tests.conftest import csrf_token_from
from tests.factories import create_fair, create_org, create_user, grant
from tests.core.test_pdf_actions import AUTOMATIC, BAD_LINKS, pdf_open_at_first_page
from tests.nominations.hostile import CASES, good_pdf, image_bytes, jpeg_with_gps, noise_jpeg

HOSTILE_SUMMARY: dict = {}


@pytest.fixture
def upload_dir(app, tmp_path, monkeypatch):
    root = tmp_path / "uploads"
    monkeypatch.setitem(app.config, "UPLOAD_DIR", str(root))
    return root


def stored(root: Path) -> set[str]:
    return {p.name for p in root.rglob("*") if p.is_file()} if root.exists() else set()


@pytest.fixture
def world(db, upload_dir):
    fair = create_fair()
    org = create_org("โรงเรียนบ้านป่าซาง")
    other = create_org("เทศบาลตำบลแม่ยาว")
    member = create_user("nominator@example.org", org=org)
    outsider = create_user("outsider@example.org", org=other)
    staff = create_user("staff@example.org")
    grant(fair, staff, "staff")
    judge = create_user("judge@example.org")
    grant(fair, judge, "judge")
    chair = create_user("chair@example.org")
    grant(fair, chair, "chair")
    admin = create_user("admin@example.org", admin=True)
    today = today_local()
    category = Category(fair_id=fair.id, name_th="องค์กรคุณธรรมต้นแบบ ภาคการศึกษา", opens_on=today - timedelta(days=1),
                        closes_on=today + timedelta(days=30), nominator_kind=NominatorKind.both, max_files=20)
    db.session.add(category)
    db.session.flush()
    nomination = Nomination(fair_id=fair.id, category_id=category.id, nominator_org_id=org.id, nominee_org_id=org.id,
                            narratives={}, created_by_id=member.id)
    db.session.add(nomination)
    db.session.commit()
    return {"fair": fair, "org": org, "member": member, "outsider": outsider, "staff": staff, "judge": judge,
            "chair": chair, "admin": admin, "category": category, "nomination": nomination}


def token(client) -> str:
    return csrf_token_from(client.get("/password/forgot").get_data(as_text=True))


def multipart(files, fields: dict) -> tuple[bytes, str]:
    """The request body, encoded in memory (the test client would spool big bodies to a temporary file
    that it never closes, which fails the run under filterwarnings=error)."""
    values = MultiDict(fields)
    for name, data in files:
        values.add("files", FileStorage(io.BytesIO(data), filename=name, content_type="application/octet-stream"))
    boundary, body = encode_multipart(values)
    return body, f"multipart/form-data; boundary={boundary}"


def upload(client, nomination_id: int, files, tok: str | None = None, **fields):
    if tok is not False:
        fields["csrf_token"] = tok or token(client)
    body, content_type = multipart(files, fields)
    return client.post(f"/nominations/{nomination_id}/evidence", data=body, content_type=content_type)


def flashes(client) -> list[tuple[str, str]]:
    with client.session_transaction() as session:
        return session.pop("_flashes", [])


def evidence_rows(nomination_id: int) -> list[Evidence]:
    _db.session.expire_all()
    return _db.session.query(Evidence).filter_by(nomination_id=nomination_id).order_by(Evidence.id).all()


# ---- the hostile files ----

def test_hostile_uploads_are_refused_with_a_message_and_nothing_stored(client, world, login_as, upload_dir):
    nomination = world["nomination"]
    login_as(world["member"])
    tok = token(client)
    summary = {"tried": 0, "refused": 0, "accepted_clean": 0, "server_errors": 0, "problems": []}
    for case in CASES:
        data = case.make()
        files_before, rows_before = stored(upload_dir), {e.id for e in evidence_rows(nomination.id)}
        response = upload(client, nomination.id, [(case.name, data)], tok, caption="hostile")
        summary["tried"] += 1
        messages = flashes(client)
        if response.status_code >= 500:
            summary["server_errors"] += 1
            summary["problems"].append(f"{case.what}: {response.status_code}")
            continue
        if response.status_code != 303 or not response.headers["Location"].endswith(
                f"/nominations/{nomination.id}/edit#evidence"):
            summary["problems"].append(f"{case.what}: status {response.status_code}")
            continue
        rows = evidence_rows(nomination.id)
        new_rows = [e for e in rows if e.id not in rows_before]
        new_files = stored(upload_dir) - files_before
        name = display_name(case.name)
        if case.expect == "refused":
            errors = [m for category, m in messages if category == "error"]
            if new_rows or stored(upload_dir) != files_before:
                summary["problems"].append(f"{case.what}: something was stored")
            elif not any(name in m for m in errors):
                summary["problems"].append(f"{case.what}: no message naming {name!r}: {messages}")
            else:
                summary["refused"] += 1
            continue
        # Accepted because re-encoding removed what was hostile: check what is stored is clean.
        if len(new_rows) != 1 or new_files != {new_rows[0].storage_key, new_rows[0].thumb_key}:
            summary["problems"].append(f"{case.what}: expected one clean photo, got {new_rows} {new_files}")
            continue
        kept = storage_bytes(upload_dir, new_rows[0].storage_key)
        image = Image.open(io.BytesIO(kept))
        image.load()
        dirty = [p for p in case.payload if p in kept] + (["exif"] if image.getexif() else [])
        if dirty or kept == data or new_rows[0].kind != "photo":
            summary["problems"].append(f"{case.what}: stored file not clean ({dirty})")
        else:
            summary["accepted_clean"] += 1
    HOSTILE_SUMMARY.clear()
    HOSTILE_SUMMARY.update(summary)
    print("\nHOSTILE UPLOADS " + json.dumps({k: v for k, v in summary.items() if k != "problems"}))
    assert summary["tried"] >= 50
    assert summary["server_errors"] == 0
    assert summary["problems"] == []
    assert summary["refused"] + summary["accepted_clean"] == summary["tried"]


def storage_bytes(root: Path, key: str) -> bytes:
    return (root / key[:2] / key).read_bytes()


# ---- good files ----

def test_good_files_are_accepted_with_captions_and_served_safely(client, world, login_as, upload_dir):
    nomination = world["nomination"]
    login_as(world["member"])
    files = [("กิจกรรม.jpg", noise_jpeg((800, 600))), ("ป้าย.png", image_bytes("PNG", (300, 200))),
             ("ภาพ.webp", image_bytes("WEBP", (300, 200))), ("รายงานผล 2568.pdf", good_pdf())]
    response = upload(client, nomination.id, files, caption="ทั่วไป", **{"caption-3": "รายงานประจำปี"})
    assert response.status_code == 303
    assert ("success", "แนบไฟล์แล้ว 4 ไฟล์") in flashes(client)
    rows = evidence_rows(nomination.id)
    assert [r.kind for r in rows] == ["photo", "photo", "photo", "pdf"]
    assert [r.caption for r in rows] == ["ทั่วไป", "ทั่วไป", "ทั่วไป", "รายงานประจำปี"]
    assert rows[3].pages == 2 and rows[3].thumb_key is None and rows[0].thumb_key
    assert stored(upload_dir) == {k for r in rows for k in (r.storage_key, r.thumb_key) if k}

    for row, mimetype in zip(rows, ["image/jpeg", "image/png", "image/webp", "application/pdf"]):
        served = client.get(f"/nominations/{nomination.id}/evidence/{row.id}")
        assert served.status_code == 200 and served.mimetype == mimetype
        assert served.headers["X-Content-Type-Options"] == "nosniff"
        # Photos (re-encoded) are shown; a PDF, kept as uploaded, is only ever a download.
        kind = "attachment" if mimetype == "application/pdf" else "inline"
        assert served.headers["Content-Disposition"].startswith(f"{kind}; ")
        assert f"filename*=UTF-8''{quote(row.original_name, safe='')}" in served.headers["Content-Disposition"]
        assert served.headers["Cache-Control"].startswith("private")
        csp = served.headers["Content-Security-Policy"]
        assert "default-src 'none'" in csp and "script-src" not in csp and "sandbox" in csp
        assert "object-src" not in csp and "frame-ancestors 'none'" in csp
    assert client.get(f"/nominations/{nomination.id}/evidence/{rows[3].id}").data == good_pdf()
    thumb = client.get(f"/nominations/{nomination.id}/evidence/{rows[0].id}/thumb")
    assert thumb.status_code == 200 and thumb.mimetype == "image/jpeg"
    assert max(Image.open(io.BytesIO(thumb.data)).size) == 480
    assert client.get(f"/nominations/{nomination.id}/evidence/{rows[3].id}/thumb").status_code == 404


def test_pdfs_that_act_by_themselves_are_refused_and_kept_ones_are_downloads(client, world, login_as, upload_dir):
    """An automatic action of any type (/OpenAction /URI, javascript:, /GoTo, /AA on a page, a link, a field)
    or a javascript: link is refused by name with nothing stored; a PDF that only opens at page 1 is kept and
    is a download for everyone who may see it (the nominator, staff, admins), never shown inline."""
    nomination = world["nomination"]
    login_as(world["member"])
    tok = token(client)
    for make in AUTOMATIC + BAD_LINKS:
        response = upload(client, nomination.id, [(f"{make.__name__}.pdf", make())], tok)
        assert response.status_code == 303, make.__name__
        errors = [m for category, m in flashes(client) if category == "error"]
        assert any(f"{make.__name__}.pdf" in m and "คำสั่งอัตโนมัติ" in m for m in errors), (make.__name__, errors)
    assert evidence_rows(nomination.id) == [] and stored(upload_dir) == set()

    upload(client, nomination.id, [("เปิดหน้าแรก.pdf", pdf_open_at_first_page())], tok)
    [row] = evidence_rows(nomination.id)
    for who in ("member", "staff", "admin"):
        login_as(world[who])
        served = client.get(f"/nominations/{nomination.id}/evidence/{row.id}")
        assert served.status_code == 200 and served.mimetype == "application/pdf", who
        assert served.headers["Content-Disposition"].startswith("attachment; "), who
        csp = served.headers["Content-Security-Policy"]
        assert "default-src 'none'" in csp and "sandbox" in csp and "object-src" not in csp, who


def test_gps_is_gone_from_the_stored_and_served_photo(client, world, login_as, upload_dir):
    nomination = world["nomination"]
    login_as(world["member"])
    upload(client, nomination.id, [("บ้าน.jpg", jpeg_with_gps())])
    row = evidence_rows(nomination.id)[0]
    for data in (storage_bytes(upload_dir, row.storage_key),
                 client.get(f"/nominations/{nomination.id}/evidence/{row.id}").data):
        image = Image.open(io.BytesIO(data))
        assert b"Exif" not in data and not image.getexif() and image.getexif().get_ifd(0x8825) == {}


def test_a_mixed_batch_keeps_the_good_files(client, world, login_as, upload_dir):
    nomination = world["nomination"]
    login_as(world["member"])
    response = upload(client, nomination.id, [("ok.jpg", noise_jpeg((50, 50))), ("virus.jpg", b"MZ" + bytes(100)),
                                              ("ok.pdf", good_pdf())])
    assert response.status_code == 303
    messages = flashes(client)
    assert any(c == "error" and "virus.jpg" in m for c, m in messages)
    assert ("success", "แนบไฟล์แล้ว 2 ไฟล์") in messages
    assert [r.original_name for r in evidence_rows(nomination.id)] == ["ok.jpg", "ok.pdf"]
    assert len(stored(upload_dir)) == 3


def test_no_file_chosen(client, world, login_as, upload_dir):
    login_as(world["member"])
    assert upload(client, world["nomination"].id, [("", b"")]).status_code == 303
    assert flashes(client) == [("error", "กรุณาเลือกไฟล์ที่จะแนบ")]


# ---- limits ----

def test_max_files_per_nomination(client, world, login_as, upload_dir):
    world["category"].max_files = 2
    _db.session.commit()
    nomination = world["nomination"]
    login_as(world["member"])
    upload(client, nomination.id, [(f"p{i}.jpg", noise_jpeg((40, 40))) for i in range(3)])
    messages = flashes(client)
    assert ("error", "ไฟล์ p2.jpg ไม่ได้แนบ: แนบไฟล์ได้ไม่เกิน 2 ไฟล์ต่อการเสนอชื่อ") in messages
    assert len(evidence_rows(nomination.id)) == 2 and len(stored(upload_dir)) == 4


def test_a_full_nomination_refuses_before_reading_the_files(client, world, login_as, upload_dir, monkeypatch):
    world["category"].max_files = 1
    _db.session.commit()
    nomination = world["nomination"]
    login_as(world["member"])
    upload(client, nomination.id, [("first.jpg", noise_jpeg((40, 40)))])
    flashes(client)
    before = stored(upload_dir)
    read = []
    monkeypatch.setattr("fairapp.nominations.views_evidence.accept_evidence", lambda f: read.append(f) or 1 / 0)
    response = upload(client, nomination.id, [("a.jpg", noise_jpeg((40, 40))), ("b.pdf", good_pdf())])
    assert response.status_code == 303
    assert flashes(client) == [("error", "แนบไฟล์ได้ไม่เกิน 1 ไฟล์ต่อการเสนอชื่อ")]  # once, not per file
    assert read == [] and stored(upload_dir) == before


def test_files_are_served_with_an_etag(client, world, login_as, upload_dir):
    nomination = world["nomination"]
    login_as(world["member"])
    upload(client, nomination.id, [("ภาพ.jpg", noise_jpeg((60, 60)))])
    row = evidence_rows(nomination.id)[0]
    for url in (f"/nominations/{nomination.id}/evidence/{row.id}", f"/nominations/{nomination.id}/evidence/{row.id}/thumb"):
        first = client.get(url)
        assert first.status_code == 200 and first.headers["ETag"] and first.headers["Cache-Control"] == "private, max-age=300"
        again = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
        assert again.status_code == 304 and again.data == b""


def test_total_bytes_per_nomination(client, world, login_as, upload_dir, app, monkeypatch):
    monkeypatch.setitem(app.config, "NOMINATION_EVIDENCE_MAX_BYTES", 1024 * 1024)
    nomination = world["nomination"]
    login_as(world["member"])
    upload(client, nomination.id, [("a.pdf", good_pdf())])
    upload(client, nomination.id, [("first-big.pdf", big_pdf(700))])
    upload(client, nomination.id, [("second-big.pdf", big_pdf(700))])
    messages = flashes(client)
    assert any(c == "error" and "second-big.pdf" in m and "1 MB" in m for c, m in messages), messages
    assert [r.original_name for r in evidence_rows(nomination.id)] == ["a.pdf", "first-big.pdf"]
    assert len(stored(upload_dir)) == 2


def big_pdf(kb: int) -> bytes:
    """A valid one-page PDF of about kb kilobytes (uncompressed text)."""
    import secrets

    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    c = canvas.Canvas(out, pageCompression=0)
    for _ in range(kb * 10):
        c.drawString(10, 10, secrets.token_hex(40))
    c.showPage()
    c.save()
    return out.getvalue()


def test_request_body_over_the_total_is_413(client, world, login_as, upload_dir, app, monkeypatch):
    monkeypatch.setitem(app.config, "NOMINATION_EVIDENCE_MAX_BYTES", 1024 * 1024)
    login_as(world["member"])
    response = upload(client, world["nomination"].id, [("huge.pdf", b"%PDF-1.4\n" + bytes(4 * 1024 * 1024))])
    assert response.status_code == 413 and stored(upload_dir) == set()


def test_over_20_mb_gets_past_the_app_body_limit_and_is_refused_by_name(client, world, login_as, upload_dir):
    login_as(world["member"])
    response = upload(client, world["nomination"].id, [("scan.pdf", b"%PDF-1.4\n" + bytes(21 * 1024 * 1024))])
    assert response.status_code == 303
    assert ("error", "ไฟล์ scan.pdf ใหญ่เกิน 20 MB") in flashes(client)


# ---- nothing left behind ----

def test_a_failed_commit_leaves_no_bytes(client, world, login_as, upload_dir, monkeypatch, app):
    nomination = world["nomination"]
    login_as(world["member"])
    tok = token(client)

    def broken_commit():
        raise RuntimeError("database went away")

    monkeypatch.setattr(_db.session, "commit", broken_commit)
    response = upload(client, nomination.id, [("a.jpg", noise_jpeg((60, 60))), ("b.pdf", good_pdf())], tok)
    monkeypatch.undo()
    assert response.status_code == 500
    assert stored(upload_dir) == set()
    assert evidence_rows(nomination.id) == []


# werkzeug's parser drops the half-received part's SpooledTemporaryFile without closing it (an anonymous
# temporary file: nothing stays on disk); Python warns when it is collected.
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_an_interrupted_upload_leaves_nothing(client, world, login_as, upload_dir):
    login_as(world["member"])
    body, content_type = multipart([("a.jpg", noise_jpeg((300, 300)))], {"csrf_token": token(client)})
    response = client.post(f"/nominations/{world['nomination'].id}/evidence",
                           input_stream=io.BytesIO(body[:len(body) // 2]), content_type=content_type,
                           content_length=len(body))
    assert response.status_code == 400
    assert stored(upload_dir) == set() and evidence_rows(world["nomination"].id) == []


def test_missing_csrf_token_is_400(client, world, login_as, upload_dir):
    login_as(world["member"])
    response = upload(client, world["nomination"].id, [("a.jpg", noise_jpeg((40, 40)))], tok=False)
    assert response.status_code == 400 and stored(upload_dir) == set()


def test_deleting_a_file_removes_its_bytes(client, world, login_as, upload_dir):
    nomination = world["nomination"]
    login_as(world["member"])
    upload(client, nomination.id, [("a.jpg", noise_jpeg((60, 60))), ("b.pdf", good_pdf())])
    photo, pdf = evidence_rows(nomination.id)
    photo_id = photo.id
    flashes(client)
    response = client.post(f"/nominations/{nomination.id}/evidence/{photo_id}/delete", data={"csrf_token": token(client)})
    assert response.status_code == 303 and response.headers["Location"].endswith("#evidence")
    assert ("success", "ลบไฟล์ a.jpg แล้ว") in flashes(client)
    assert stored(upload_dir) == {pdf.storage_key}
    assert [r.id for r in evidence_rows(nomination.id)] == [pdf.id]
    assert client.get(f"/nominations/{nomination.id}/evidence/{photo_id}").status_code == 404


def test_deleting_the_nomination_removes_the_bytes(client, world, login_as, upload_dir, app):
    nomination = world["nomination"]
    login_as(world["member"])
    upload(client, nomination.id, [("a.jpg", noise_jpeg((60, 60))), ("b.pdf", good_pdf())])
    assert len(stored(upload_dir)) == 3
    with app.test_request_context(method="POST"), unit_of_work():
        ops.delete_nomination(_db.session.get(Nomination, nomination.id), world["member"])
        assert len(stored(upload_dir)) == 3  # not before the commit
    assert stored(upload_dir) == set()
    assert _db.session.query(Evidence).count() == 0


def test_a_delete_that_does_not_commit_keeps_the_bytes(client, world, login_as, upload_dir, monkeypatch):
    nomination = world["nomination"]
    login_as(world["member"])
    upload(client, nomination.id, [("a.jpg", noise_jpeg((60, 60)))])
    photo = evidence_rows(nomination.id)[0]
    tok = token(client)
    monkeypatch.setattr(_db.session, "commit", lambda: (_ for _ in ()).throw(RuntimeError("down")))
    response = client.post(f"/nominations/{nomination.id}/evidence/{photo.id}/delete", data={"csrf_token": tok})
    monkeypatch.undo()
    assert response.status_code == 500
    assert stored(upload_dir) == {photo.storage_key, photo.thumb_key}


# ---- who gets what ----

def test_another_organization_gets_404_everywhere(client, world, login_as, upload_dir):
    nomination = world["nomination"]
    login_as(world["member"])
    upload(client, nomination.id, [("a.jpg", noise_jpeg((60, 60)))])
    photo = evidence_rows(nomination.id)[0]
    for who in ("outsider", "judge", "chair"):
        login_as(world[who])
        tok = token(client)
        base = f"/nominations/{nomination.id}/evidence"
        assert client.get(f"{base}/{photo.id}").status_code == 404, who
        assert client.get(f"{base}/{photo.id}/thumb").status_code == 404, who
        assert upload(client, nomination.id, [("b.jpg", noise_jpeg((40, 40)))], tok).status_code == 404, who
        assert client.post(f"{base}/{photo.id}/delete", data={"csrf_token": tok}).status_code == 404, who
    assert len(evidence_rows(nomination.id)) == 1 and len(stored(upload_dir)) == 2


def test_staff_and_admins_see_but_do_not_change(client, world, login_as, upload_dir):
    nomination = world["nomination"]
    login_as(world["member"])
    upload(client, nomination.id, [("a.jpg", noise_jpeg((60, 60)))])
    photo = evidence_rows(nomination.id)[0]
    for who in ("staff", "admin"):
        login_as(world[who])
        tok = token(client)
        assert client.get(f"/nominations/{nomination.id}/evidence/{photo.id}").status_code == 200
        assert client.get(f"/nominations/{nomination.id}/evidence/{photo.id}/thumb").status_code == 200
        assert upload(client, nomination.id, [("b.jpg", noise_jpeg((40, 40)))], tok).status_code == 403
        assert client.post(f"/nominations/{nomination.id}/evidence/{photo.id}/delete",
                           data={"csrf_token": tok}).status_code == 403
    assert len(evidence_rows(nomination.id)) == 1 and len(stored(upload_dir)) == 2


def test_anonymous_is_sent_to_log_in(client, world, upload_dir):
    nomination = world["nomination"]
    response = client.get(f"/nominations/{nomination.id}/evidence/1")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    response = upload(client, nomination.id, [("a.jpg", noise_jpeg((40, 40)))])
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert stored(upload_dir) == set()


def test_evidence_of_another_nomination_is_404(client, world, login_as, upload_dir, db):
    nomination = world["nomination"]
    second = Nomination(fair_id=nomination.fair_id, category_id=nomination.category_id,
                        nominator_org_id=nomination.nominator_org_id, community_name="บ้านป่าซาง",
                        community_province_code="57", narratives={})
    db.session.add(second)
    db.session.commit()
    login_as(world["member"])
    upload(client, nomination.id, [("a.jpg", noise_jpeg((60, 60)))])
    photo = evidence_rows(nomination.id)[0]
    assert client.get(f"/nominations/{second.id}/evidence/{photo.id}").status_code == 404
    assert client.post(f"/nominations/{second.id}/evidence/{photo.id}/delete",
                       data={"csrf_token": token(client)}).status_code == 404
    assert client.get("/nominations/999999/evidence/1").status_code == 404


@pytest.mark.parametrize("status", [NominationStatus.submitted, NominationStatus.eligible,
                                    NominationStatus.ineligible])
def test_after_submission_files_cannot_change(client, world, login_as, upload_dir, db, status):
    nomination = world["nomination"]
    login_as(world["member"])
    upload(client, nomination.id, [("a.jpg", noise_jpeg((60, 60)))])
    photo = evidence_rows(nomination.id)[0]
    flashes(client)
    nomination = db.session.get(Nomination, nomination.id)
    nomination.status = status
    db.session.commit()
    before = stored(upload_dir)
    response = upload(client, nomination.id, [("late.jpg", noise_jpeg((40, 40)))])
    assert response.status_code == 303 and flashes(client) == [("error", str(ops.NotEditable()))]
    response = client.post(f"/nominations/{nomination.id}/evidence/{photo.id}/delete", data={"csrf_token": token(client)})
    assert response.status_code == 303 and flashes(client) == [("error", str(ops.NotEditable()))]
    assert stored(upload_dir) == before and len(evidence_rows(nomination.id)) == 1
    assert client.get(f"/nominations/{nomination.id}/evidence/{photo.id}").status_code == 200  # still readable


def test_a_returned_nomination_takes_files_again(client, world, login_as, upload_dir, db):
    nomination = db.session.get(Nomination, world["nomination"].id)
    nomination.status = NominationStatus.returned
    db.session.commit()
    login_as(world["member"])
    upload(client, nomination.id, [("fixed.jpg", noise_jpeg((40, 40)))])
    assert len(evidence_rows(nomination.id)) == 1


def test_outside_the_window_files_cannot_change(client, world, login_as, upload_dir, db):
    world["category"].closes_on = today_local() - timedelta(days=1)
    db.session.commit()
    login_as(world["member"])
    upload(client, world["nomination"].id, [("late.jpg", noise_jpeg((40, 40)))])
    assert flashes(client) == [("error", str(ops.WindowClosed()))]
    assert stored(upload_dir) == set()


# ---- the partial ----

def test_the_partial_lists_files_and_the_form(client, world, login_as, upload_dir, app):
    nomination = world["nomination"]
    login_as(world["member"])
    upload(client, nomination.id, [("กิจกรรม.jpg", noise_jpeg((60, 60))), ("รายงาน.pdf", good_pdf())],
           caption="ปลูกป่า")
    photo, pdf = evidence_rows(nomination.id)
    with app.test_request_context():
        n = _db.session.get(Nomination, nomination.id)
        html = render_template_string('{% include "nominations/_evidence.html" %}', nomination=n, can_edit=True,
                                      upload_error=None)
        read_only = render_template_string('{% include "nominations/_evidence.html" %}', nomination=n,
                                           can_edit=False)
    assert f'/nominations/{n.id}/evidence/{photo.id}/thumb' in html and "ปลูกป่า" in html
    assert f'href="/nominations/{n.id}/evidence/{pdf.id}"\n           download>' in html and "2 หน้า" in html
    assert "รายงาน.pdf\n          (ดาวน์โหลด)</a>" in html  # the link says it downloads (it is served as an attachment)
    assert f'/nominations/{n.id}/evidence/{photo.id}/delete' in html
    assert 'accept="image/jpeg,image/png,image/webp,application/pdf"' in html and 'multiple' in html
    assert 'enctype="multipart/form-data"' in html and 'name="csrf_token"' in html
    assert "10 MB" in html and "20 MB" in html and "100 MB" in html
    assert "style=" not in html and "<script" not in html and "onclick" not in html
    assert "/delete" not in read_only and "<form" not in read_only and "ปลูกป่า" in read_only


def test_a_caption_with_control_characters_attaches_nothing_and_says_why(client, world, login_as, upload_dir):
    """The caption is a raw form field: core.text.form_text holds it to the forms' rule; the file is not
    attached (its stored bytes go with the failed unit), and the message names it."""
    nomination = world["nomination"]
    login_as(world["member"])
    response = upload(client, nomination.id, [("ป้าย.png", image_bytes("PNG", (300, 200)))],
                      caption="\u202eป้ายงาน")
    assert response.status_code == 303
    messages = flashes(client)
    assert any(kind == "error" and "ป้าย.png" in text and "อักขระควบคุม" in text for kind, text in messages)
    assert evidence_rows(nomination.id) == [] and stored(upload_dir) == set()
