"""The template editor: wording with known placeholders, page size, images checked by content (the
background stored as JPEG), one to three signatories, a live preview, and an audit entry per change."""
import io

import pytest
from PIL import Image

from fairapp.certificates.models import CertificateTemplate
from fairapp.core.audit import AuditEntry
from fairapp.core.storage import storage
from fairapp import demo_art

from tests.certificates.world import build_cert_world

FIELDS = {"name": "เกียรติบัตรกรรมการ", "page_size": "A4", "orientation": "portrait", "title_th": "เกียรติบัตร",
          "issuer_th": "[หน่วยงาน]", "preamble_th": "ขอมอบเกียรติบัตรฉบับนี้ไว้เพื่อแสดงว่า",
          "reason_th": "ได้ร่วมเป็นกรรมการ ในงาน[งาน]", "date_line_th": "ให้ไว้ ณ วันที่ [วันที่]",
          "signatories-0-name": "นายสมชาย ใจดี", "signatories-0-position": "ผู้อำนวยการศูนย์คุณธรรม",
          "signatories-1-name": "นางสาวจีรนันท์ ใจงาม", "signatories-1-position": "วัฒนธรรมจังหวัดเชียงราย"}


@pytest.fixture
def w(db, client, login_as):
    w = build_cert_world(db)
    login_as(w.staff)
    return w


def _post(post_form, template, data):
    url = f"/certificates/templates/{template.id}"
    return post_form(url, data, page=url, content_type="multipart/form-data")


def _png(size=(600, 300), mode="RGBA") -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, (120, 20, 40, 128) if mode == "RGBA" else (120, 20, 40)).save(out, "PNG")
    return out.getvalue()


def test_save_wording_images_and_signatories(client, post_form, w, db):
    template = w.templates["judge"]
    data = {**FIELDS, "background": (io.BytesIO(demo_art.background()), "paper.jpg"),
            "logo_1": (io.BytesIO(demo_art.emblem()), "seal.png"),
            "signatories-0-signature": (io.BytesIO(demo_art.signature(1)), "sign.png")}
    response = _post(post_form, template, data)
    assert response.status_code == 302
    db.session.expire_all()
    template = db.session.get(CertificateTemplate, template.id)
    assert template.orientation == "portrait" and template.background_key.endswith(".jpg")
    assert len(template.logo_keys) == 1 and template.logo_keys[0].endswith(".png")
    assert [s["name"] for s in template.signatories] == ["นายสมชาย ใจดี", "นางสาวจีรนันท์ ใจงาม"]
    assert template.signatories[0]["signature_key"] and template.signatories[1]["signature_key"] is None
    assert storage().exists(template.background_key)
    assert AuditEntry.query.filter_by(action="certificate_template.updated").count() == 1
    preview = client.get(f"/certificates/templates/{template.id}/preview.png")
    assert preview.mimetype == "image/png"
    with Image.open(io.BytesIO(preview.data)) as image:
        assert image.height > image.width  # portrait


def test_a_bad_image_is_refused_by_content_and_nothing_changes(client, post_form, w, db):
    template = w.templates["judge"]
    before = template.reason_th
    data = {**FIELDS, "reason_th": "ข้อความใหม่ [งาน]",
            "logo_1": (io.BytesIO(b"<?php echo 'not an image'; ?>"), "logo.png")}
    response = _post(post_form, template, data)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "logo.png" in html and "ข้อความใหม่ [งาน]" in html
    db.session.expire_all()
    assert db.session.get(CertificateTemplate, template.id).reason_th == before


def test_unknown_placeholders_and_a_missing_date_are_named(client, post_form, w):
    template = w.templates["judge"]
    response = _post(post_form, template, {**FIELDS, "reason_th": "ได้รับ [รางวัลใหญ่]",
                                           "date_line_th": "ให้ไว้ ณ วันนี้"})
    html = response.get_data(as_text=True)
    assert "ไม่รู้จัก [รางวัลใหญ่]" in html and "บรรทัดวันที่ต้องมี [วันที่]" in html


def test_at_least_one_signatory(client, post_form, w):
    template = w.templates["judge"]
    data = {k: v for k, v in FIELDS.items() if not k.startswith("signatories")}
    html = _post(post_form, template, data).get_data(as_text=True)
    assert "กรุณาระบุผู้ลงนามอย่างน้อย 1 คน" in html


def test_the_preview_follows_unsaved_text(client, w):
    template = w.templates["awardee"]
    url = f"/certificates/templates/{template.id}/preview.pdf"
    response = client.get(url, query_string={"title_th": "เกียรติบัตรทดสอบสด", "orientation": "portrait", "long": "1"})
    assert response.mimetype == "application/pdf"
    from pypdf import PdfReader
    page = PdfReader(io.BytesIO(response.data)).pages[0]
    assert float(page.mediabox.height) > float(page.mediabox.width)
    png = client.get(f"/certificates/templates/{template.id}/preview.png", query_string={"title_th": "ก"})
    assert png.status_code == 200 and png.mimetype == "image/png"


def test_the_editor_shows_the_current_images_and_nothing_else(client, post_form, w, db):
    template = w.templates["judge"]
    _post(post_form, template, {**FIELDS, "logo_1": (io.BytesIO(demo_art.emblem()), "seal.png")})
    db.session.expire_all()
    key = db.session.get(CertificateTemplate, template.id).logo_keys[0]
    html = client.get(f"/certificates/templates/{template.id}").get_data(as_text=True)
    assert f"/certificates/templates/{template.id}/images/{key}" in html
    response = client.get(f"/certificates/templates/{template.id}/images/{key}")
    assert response.status_code == 200 and response.mimetype == "image/png"
    # Another template's image, or a key that is not a storage key, through this template: 404.
    assert client.get(f"/certificates/templates/{w.templates['awardee'].id}/images/{key}").status_code == 404
    assert client.get(f"/certificates/templates/{template.id}/images/..%2Fsecret_key").status_code == 404
