"""The certificate pages as thin views: refusals shown on the form with what was typed kept, the one JSON
envelope for the kiosk's script, pages offering only what the rules allow, files sent with one header
policy."""
import io
import re
from pathlib import Path

import pytest

from fairapp import demo_art
from fairapp.certificates import operations as ops, printing
from fairapp.certificates.models import Certificate, CertificateTemplate, PrintBatch
from fairapp.core.storage import storage
from fairapp.core.transaction import unit_of_work

from tests.certificates.test_templates import FIELDS
from tests.certificates.world import build_cert_world

JSON = {"Accept": "application/json"}


@pytest.fixture
def w(db, client, login_as):
    w = build_cert_world(db)
    login_as(w.staff)
    return w


def stored_files() -> set[str]:
    root = Path(storage().root)
    return {p.name for p in root.rglob("*") if p.is_file()} if root.exists() else set()


def _token(client, url) -> str:
    return re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', client.get(url).get_data(as_text=True)).group(1)


def test_a_refused_image_is_shown_on_its_field_and_nothing_is_kept(client, post_form, w, db):
    template = w.templates["judge"]
    url = f"/certificates/templates/{template.id}"
    before = stored_files()
    data = {**FIELDS, "background": (io.BytesIO(demo_art.background()), "paper.jpg"),
            "logo_2": (io.BytesIO(b"GIF89a not really"), "bad-seal.png")}
    response = post_form(url, data, page=url, content_type="multipart/form-data")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert re.search(r'id="logo_2-error">[^<]*bad-seal\.png', html)  # on the emblem's own field
    assert "กรุณาเลือกไฟล์ภาพอีกครั้ง" in html  # the accepted background was not kept: say so
    assert stored_files() == before
    db.session.expire_all()
    assert db.session.get(CertificateTemplate, template.id).background_key is None


def test_a_locked_template_says_why_on_the_form(client, post_form, w, db):
    template = w.templates["judge"]
    with client.application.test_request_context(), unit_of_work():
        ops.issue(w.fair, ops.judge_candidates(w.fair), w.staff)
    url = f"/certificates/templates/{template.id}"
    html = client.get(url).get_data(as_text=True)
    assert "ออกเกียรติบัตรไปแล้ว 2 ฉบับ" in html and "<fieldset disabled>" in html.replace(" >", ">")
    response = post_form(url, {**FIELDS, "name": "ชื่อใหม่"}, page=url, content_type="multipart/form-data")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "กรุณาทำสำเนาแม่แบบแล้วแก้ที่สำเนา" in html and "ชื่อใหม่" in html
    db.session.expire_all()
    assert db.session.get(CertificateTemplate, template.id).name != "ชื่อใหม่"


def test_a_category_of_another_fair_is_refused(client, w, db):
    from fairapp.nominations.models import Category
    other = Category(fair_id=w.other_fair.id, name_th="ประเภทของอีกงาน", opens_on=w.category.opens_on,
                     closes_on=w.category.closes_on)
    db.session.add(other)
    db.session.commit()
    page = f"/fairs/{w.fair.id}/certificates"
    response = client.post(f"/fairs/{w.fair.id}/certificates/templates",
                           data={"csrf_token": _token(client, page), "kind": "awardee", "category": str(other.id)})
    assert response.status_code == 400 and CertificateTemplate.query.filter_by(category_id=other.id).count() == 0


def test_the_kiosk_gets_the_one_envelope(client, w, db):
    with client.application.test_request_context(), unit_of_work():
        (cert,), _ = ops.issue(w.fair, ops.judge_candidates(w.fair)[:1], w.staff)
    token = _token(client, f"/fairs/{w.fair.id}/kiosk")
    url = f"/certificates/{cert.id}/print"
    response = client.post(url, data={"csrf_token": token, "via": "kiosk"}, headers=JSON)
    assert response.status_code == 200 and response.get_json() == {"ok": True, "pdf": f"{url}.pdf"}
    with client.application.test_request_context(), unit_of_work():
        ops.revoke(db.session.get(Certificate, cert.id), "มอบผิดคน", w.staff)
    response = client.post(url, data={"csrf_token": token, "via": "kiosk", "confirm": "y"}, headers=JSON)
    body = response.get_json()
    assert response.status_code == 409 and body["ok"] is False and body["code"] == "not_printable"
    assert cert.grouped_serial in body["message"] and "error" not in body and "warning" not in body
    # A stale page's token: the script is told in the same envelope.
    response = client.post(url, data={"csrf_token": "stale", "via": "kiosk"}, headers=JSON)
    assert response.status_code == 400 and response.get_json()["code"] == "csrf"


def test_pages_offer_only_what_the_rules_allow(client, w, db):
    with client.application.test_request_context(), unit_of_work():
        batch = printing.create_batch(w.fair, "judge", w.staff)
    db.session.expire_all()
    batch = db.session.get(PrintBatch, batch.id)
    first, second = printing.batch_certificates(batch)
    html = client.get(f"/certificates/{first.id}").get_data(as_text=True)
    assert all(f"/certificates/{first.id}/{action}" in html for action in ("print", "revoke", "reissue"))
    assert 'name="confirm"' not in html  # never printed: no confirmation asked
    with client.application.test_request_context(), unit_of_work():
        ops.revoke(first, "มอบผิดคน", w.staff)
        printing.print_certificates([second], w.staff, "single")
    html = client.get(f"/certificates/{first.id}").get_data(as_text=True)
    assert not any(f"/certificates/{first.id}/{action}" in html for action in ("print", "revoke", "reissue"))
    html = client.get(f"/certificates/{second.id}").get_data(as_text=True)
    assert 'name="confirm"' in html and "พิมพ์ไปแล้วเมื่อ" in html
    html = client.get(f"/certificates/batches/{batch.id}").get_data(as_text=True)
    assert 'name="confirm"' in html and "ชุดนี้มี 1 ฉบับที่พิมพ์ไปแล้ว" in html
    with client.application.test_request_context(), unit_of_work():
        ops.revoke(second, "มอบผิดคน", w.staff)
    html = client.get(f"/certificates/batches/{batch.id}").get_data(as_text=True)
    assert f"/certificates/batches/{batch.id}/print" not in html and "ไม่มีเกียรติบัตรให้พิมพ์ในชุดนี้" in html


def test_files_go_out_with_one_header_policy(client, w, db):
    with client.application.test_request_context(), unit_of_work():
        batch = printing.create_batch(w.fair, "judge", w.staff)
    db.session.expire_all()
    cert = printing.batch_certificates(db.session.get(PrintBatch, batch.id))[0]
    pdf = client.get(f"/certificates/{cert.id}/certificate.pdf")
    assert pdf.headers["Content-Disposition"].startswith("inline;") and cert.grouped_serial in pdf.headers["Content-Disposition"]
    assert pdf.headers["Cache-Control"] == "private, no-store" and pdf.headers["X-Content-Type-Options"] == "nosniff"
    framed = client.get(f"/certificates/{cert.id}/print.pdf")
    assert "frame-ancestors 'self'" in framed.headers["Content-Security-Policy"]
    png = client.get(f"/certificates/{cert.id}/preview.png?size=small")
    assert png.mimetype == "image/png" and png.headers["Cache-Control"] == "private, max-age=600"
    page = f"/certificates/batches/{batch.id}"
    merged = client.post(f"{page}/print", data={"csrf_token": _token(client, page)})
    assert merged.status_code == 200 and merged.headers["Content-Disposition"].startswith("attachment;")
    pem = client.get("/verify/public-key.pem")
    assert pem.status_code == 200 and pem.mimetype == "application/x-pem-file"
    assert pem.get_data(as_text=True).startswith("-----BEGIN PUBLIC KEY-----")
