"""Defect 6: batch names, kinds, roles and the booth line are labels translated when shown, in the viewer's
language: English pages show none of the Thai the app wrote (names and other data aside), Thai pages show
them as printed on the certificate. What is stored stays Thai (it is what the certificate prints)."""
import re

import pytest

from fairapp.certificates.models import Certificate, PrintBatch

from tests.certificates.world import build_cert_world

# What the app itself writes about a certificate or a batch, in Thai; data (names, the fair's name) aside.
APP_THAI = ("ผู้เข้าร่วมงาน", "ผู้ออกบูธ", "ผู้ประจำบูธ", "กรรมการพิจารณาตัดสินรางวัล", "รางวัลระดับ", "ผู้ได้รับรางวัล")


@pytest.fixture
def w(db, client, login_as, post_form):
    w = build_cert_world(db)
    w.category.name_en = "Model moral organization, public sector"
    db.session.commit()
    login_as(w.staff)
    page = f"/fairs/{w.fair.id}/certificates"
    for kind, extra in (("participant", {"names": "นายสมชาย ใจดี | ชุมชนบ้านป่าซาง"}), ("exhibitor", {}),
                        ("judge", {}), ("awardee", {"category": str(w.category.id)})):
        assert post_form(f"/fairs/{w.fair.id}/certificates/batches", {"kind": kind, **extra}, page=page).status_code == 302
    w.batches = {b.kind: b for b in PrintBatch.query}
    w.certs = {c.subject_key.split(":")[0] + (":person" if ":person:" in c.subject_key else ""): c
               for c in Certificate.query.order_by(Certificate.stage_order)}
    return w


def _visible(html: str) -> str:
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _pages(w):
    c = w.certs
    return {"index": f"/fairs/{w.fair.id}/certificates",
            "batch": f"/certificates/batches/{w.batches['participant'].id}",
            "awardee batch": f"/certificates/batches/{w.batches['awardee'].id}",
            "exhibitor": f"/certificates/{c['booth'].id}", "booth person": f"/certificates/{c['booth:person'].id}",
            "awardee": f"/certificates/{c['award'].id}", "judge": f"/certificates/{c['judge'].id}",
            "kiosk": f"/fairs/{w.fair.id}/kiosk?q=ใจดี", "issued": f"/fairs/{w.fair.id}/certificates/issued",
            "verify participant": f"/verify/{c['participant'].grouped_serial}",
            "verify booth": f"/verify/{c['booth'].grouped_serial}",
            "verify award": f"/verify/{c['award'].grouped_serial}"}


def test_english_pages_show_no_thai_the_app_wrote(client, w):
    client.get("/lang/en")
    template_names = [t.name for t in w.templates.values()]  # names staff give their templates: data
    for name, url in _pages(w).items():
        text = _visible(client.get(url).get_data(as_text=True))
        for data in template_names:
            text = text.replace(data, " ")
        leaks = [t for t in APP_THAI if t in text]
        assert not leaks, (name, leaks)
    batch = _visible(client.get(_pages(w)["batch"]).get_data(as_text=True))
    assert "Participants" in batch
    awardee_batch = _visible(client.get(_pages(w)["awardee batch"]).get_data(as_text=True))
    assert "Award winners · Model moral organization, public sector" in awardee_batch
    booth = w.certs["booth"]
    code = booth.holder_org.split()[-1]
    text = _visible(client.get(_pages(w)["verify booth"]).get_data(as_text=True))
    assert f"Exhibitor, booth {code}" in text and f"Booth {code}" in text and "บูธ" not in text
    text = _visible(client.get(_pages(w)["booth person"]).get_data(as_text=True))
    assert f"Staff of booth {code}" in text
    text = _visible(client.get(_pages(w)["verify award"]).get_data(as_text=True))
    assert re.search(r"Award or role \S+ award, Model moral organization, public sector", text)
    text = _visible(client.get(_pages(w)["judge"]).get_data(as_text=True))
    assert "Member of the awards jury" in text
    text = _visible(client.get(_pages(w)["verify participant"]).get_data(as_text=True))
    assert "Award or role Participant " in text


def test_thai_pages_show_them_as_printed(client, w):
    for name in ("batch", "verify booth", "awardee", "kiosk"):
        text = _visible(client.get(_pages(w)[name]).get_data(as_text=True))
        assert not re.search(r"Participant|Exhibitor|Award winners|Booth [A-Z]|jury", text), name
    booth = w.certs["booth"]
    text = _visible(client.get(_pages(w)["verify booth"]).get_data(as_text=True))
    assert booth.role_th in text and booth.holder_org in text and booth.role_th.startswith("ผู้ออกบูธ ")
    text = _visible(client.get(_pages(w)["batch"]).get_data(as_text=True))
    assert "ผู้เข้าร่วมงาน" in text
    award = w.certs["award"]
    text = _visible(client.get(_pages(w)["awardee"]).get_data(as_text=True))
    assert award.role_th in text and "ประเภทองค์กรคุณธรรมต้นแบบ ภาครัฐ" in award.role_th


def test_what_is_stored_stays_thai_whatever_the_staff_member_reads(client, w, login_as, post_form, db):
    client.get("/lang/en")
    page = f"/fairs/{w.fair.id}/certificates"
    post_form(f"/fairs/{w.fair.id}/certificates/batches", {"kind": "participant", "names": "นางสาวมาลี ใจงาม"},
              page=page)
    batch = PrintBatch.query.order_by(PrintBatch.id.desc()).first()
    cert = Certificate.query.filter_by(holder_name="นางสาวมาลี ใจงาม").one()
    assert batch.title == "ผู้เข้าร่วมงาน" and cert.role_th == "ผู้เข้าร่วมงาน"
    assert all(b.title.startswith(("ผู้", "กรรมการ")) for b in w.batches.values())
