"""Who gets a certificate, no duplicates, revoke and reissue, printing records and warnings, the kiosk."""
import hashlib
import re

import pytest
from sqlalchemy import func, select

from fairapp.certificates import batches, bundles, operations as ops, printing
from fairapp.certificates.models import Certificate, CertificatePrint, PrintBatch
from fairapp.core.storage import storage
from fairapp.judging import operations as judging_ops
from fairapp.judging.models import Rubric

from tests.certificates.world import build_cert_world


@pytest.fixture
def w(db):
    return build_cert_world(db)


def _issue(client, login_as, post_form, w, kind, **data):
    login_as(w.staff)
    page = f"/fairs/{w.fair.id}/certificates"
    response = post_form(f"/fairs/{w.fair.id}/certificates/batches", {"kind": kind, **data}, page=page)
    return response


def test_awardees_only_from_finalized_results_with_an_award_level(client, login_as, post_form, w, db):
    judging_ops.reopen(db.session.get(Rubric, w.rubric.id), "ทบทวน", w.chair)
    db.session.commit()
    response = _issue(client, login_as, post_form, w, "awardee", category=str(w.category.id))
    assert response.status_code == 200  # refused on the page, with the reason
    assert Certificate.query.count() == 0
    judging_ops.finalize(db.session.get(Rubric, w.rubric.id), w.chair)
    db.session.commit()
    response = _issue(client, login_as, post_form, w, "awardee", category=str(w.category.id))
    assert response.status_code == 302
    certs = Certificate.query.filter_by(kind="awardee").order_by(Certificate.stage_order).all()
    # All three reached a level (87.5 ต้นแบบ, then two at 50 เชิดชูเกียรติ), in ranking order.
    assert [c.holder_name for c in certs][0] == "สำนักงานวัฒนธรรมจังหวัดเชียงราย"
    assert all("ประเภทองค์กรคุณธรรมต้นแบบ ภาครัฐ" in c.reason for c in certs)
    assert "ระดับต้นแบบ" in certs[0].reason


def test_exhibitors_only_checked_in_with_their_people_in_booth_order(client, login_as, post_form, w):
    assert _issue(client, login_as, post_form, w, "exhibitor").status_code == 302
    certs = Certificate.query.filter_by(kind="exhibitor").order_by(Certificate.stage_order).all()
    names = [c.holder_name for c in certs]
    # A2 (one person) before A10 (two people); B01 did not check in.
    assert names == ["โรงเรียนสามัคคีวิทยาคม", "สมศรี ใจดี", "ชุมชนบ้านป่าซาง", "ก้องภพ ใจดี", "พิมพ์ชนก ใจดี"]
    assert "วัดร่องขุ่น" not in names
    assert certs[1].holder_org == "โรงเรียนสามัคคีวิทยาคม"


def test_judges_who_scored(client, login_as, post_form, w):
    assert _issue(client, login_as, post_form, w, "judge").status_code == 302
    names = {c.holder_name for c in Certificate.query.filter_by(kind="judge")}
    assert names == {"ผศ.ดร.กมล ทองดี", "รศ.วิภา คำมา"}  # the chair gave no score


def test_issuing_twice_does_not_duplicate(client, login_as, post_form, w):
    _issue(client, login_as, post_form, w, "exhibitor")
    first = {c.subject_key: c.serial for c in Certificate.query}
    _issue(client, login_as, post_form, w, "exhibitor")
    assert {c.subject_key: c.serial for c in Certificate.query} == first
    assert PrintBatch.query.count() == 2
    # The second batch prints the same certificates.
    b1, b2 = PrintBatch.query.order_by(PrintBatch.id).all()
    assert batches.certificate_ids(b1) == batches.certificate_ids(b2)


def test_the_stored_hash_is_the_hash_of_the_stored_pdf_and_the_qr_is_signed(client, login_as, post_form, w, app):
    _issue(client, login_as, post_form, w, "judge")
    cert = Certificate.query.first()
    data = printing.certificate_pdf(cert)  # put back together from its small stored form
    assert hashlib.sha256(data).hexdigest() == cert.pdf_sha256 and data.startswith(b"%PDF")
    assert len(bundles.read(storage(), cert.pdf_key)) < len(data) / 3  # the fonts and the fixed part are kept once
    from fairapp.certificates import signing
    facts = signing.verify_token(cert.token, {signing.key_id(signing.signing_key().public_key()):
                                              signing.signing_key().public_key()})
    assert (facts.serial, facts.holder, facts.kind, facts.fair_id) == (cert.serial, cert.holder_name, "judge", w.fair.id)


def test_no_template_no_batch(client, login_as, post_form, w, db):
    db.session.delete(w.templates["judge"])
    db.session.commit()
    response = _issue(client, login_as, post_form, w, "judge")
    assert response.status_code == 200 and "ยังไม่มีแม่แบบเกียรติบัตรสำหรับกรรมการ" in response.get_data(as_text=True)
    assert Certificate.query.count() == 0 and PrintBatch.query.count() == 0


def test_participants_typed_in_keep_the_list_when_refused(client, login_as, post_form, w, db):
    db.session.delete(w.templates["participant"])
    db.session.commit()
    response = _issue(client, login_as, post_form, w, "participant", names="นายก๋วยเตี๋ยว ที่นี่\nนางน้ำ ญี่ปุ่น")
    assert "นางน้ำ ญี่ปุ่น" in response.get_data(as_text=True)


def test_revoke_and_reissue(client, login_as, post_form, w, db):
    _issue(client, login_as, post_form, w, "judge")
    cert = Certificate.query.filter_by(holder_name="ผศ.ดร.กมล ทองดี").one()
    page = f"/certificates/{cert.id}"
    response = post_form(f"/certificates/{cert.id}/reissue", {"holder_name": "ผศ.ดร.กมล ทองดีงาม",
                                                             "holder_org": "มหาวิทยาลัยแม่ฟ้าหลวง",
                                                             "reason": "สะกดชื่อผิด"}, page=page)
    assert response.status_code == 302
    db.session.expire_all()
    old = db.session.get(Certificate, cert.id)
    new = old.superseded_by
    assert new.serial != old.serial and new.holder_name == "ผศ.ดร.กมล ทองดีงาม" and new.generation == 2
    assert old.status == "superseded" and new.status == "valid"
    # The old one can be neither reissued again nor printed (each refusal goes back to its page, saying why).
    response = post_form(f"/certificates/{old.id}/reissue", {"holder_name": "x", "reason": "อีกครั้ง"}, page=page)
    assert response.status_code == 302 and response.headers["Location"].endswith(page)
    assert Certificate.query.filter_by(subject_key=old.subject_key).count() == 2
    assert "มีฉบับใหม่แทนแล้ว จึงออกใหม่ซ้ำไม่ได้" in client.get(page).get_data(as_text=True)
    response = post_form(f"/certificates/{old.id}/print", {"confirm": "y"}, page=page)
    assert response.status_code == 302 and CertificatePrint.query.filter_by(certificate_id=old.id).count() == 0
    assert "ใช้ไม่ได้แล้ว จึงพิมพ์ไม่ได้" in client.get(page).get_data(as_text=True)
    # Issuing the set again keeps the new one (no third certificate).
    _issue(client, login_as, post_form, w, "judge")
    assert Certificate.query.filter_by(subject_key=old.subject_key).count() == 2
    # Revoke needs a reason; a revoked certificate stays revoked and leaves the set.
    response = post_form(f"/certificates/{new.id}/revoke", {"reason": "", "public_reason": "issued_in_error"},
                         page=f"/certificates/{new.id}")
    assert response.status_code == 400 and "กรุณาบันทึกเหตุผลที่เพิกถอน" in response.get_data(as_text=True)
    post_form(f"/certificates/{new.id}/revoke", {"reason": "มอบผิดคน", "public_reason": "issued_in_error"},
              page=f"/certificates/{new.id}")
    db.session.expire_all()
    new = db.session.get(Certificate, new.id)
    assert new.status == "revoked" and new.revoked_reason == "มอบผิดคน"
    _issue(client, login_as, post_form, w, "judge")
    batch = PrintBatch.query.order_by(PrintBatch.id.desc()).first()
    assert batch.skipped == 1 and new.id not in batches.certificate_ids(batch)
    assert Certificate.query.filter_by(subject_key=old.subject_key).count() == 2
    with pytest.raises(ops.AlreadyRevoked):
        ops.revoke(new, "อีกครั้ง", w.staff)


def test_printing_is_recorded_and_printing_again_asks(client, login_as, post_form, w, db):
    _issue(client, login_as, post_form, w, "judge")
    batch = PrintBatch.query.one()
    page = f"/certificates/batches/{batch.id}"
    response = post_form(f"/certificates/batches/{batch.id}/print", {}, page=page)
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert CertificatePrint.query.count() == 2
    response = post_form(f"/certificates/batches/{batch.id}/print", {}, page=page)
    assert response.status_code == 302 and CertificatePrint.query.count() == 2
    html = client.get(page).get_data(as_text=True)
    assert "พิมพ์ไปแล้ว" in html and "น. โดย" in html
    assert post_form(f"/certificates/batches/{batch.id}/print", {"confirm": "y"}, page=page).status_code == 200
    assert CertificatePrint.query.count() == 4
    # One certificate from the kiosk: printed before, so the script gets 409 and the one envelope.
    cert = Certificate.query.first()
    token_page = client.get(f"/fairs/{w.fair.id}/kiosk?q=x").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', token_page).group(1)
    response = client.post(f"/certificates/{cert.id}/print", data={"csrf_token": token, "via": "kiosk"},
                           headers={"Accept": "application/json"})
    body = response.get_json()
    assert response.status_code == 409 and body["ok"] is False and body["code"] == "printed_before"
    assert "พิมพ์ไปแล้วเมื่อ" in body["message"] and w.staff.full_name in body["message"]
    last = CertificatePrint.query.filter_by(certificate_id=cert.id).order_by(CertificatePrint.id.desc()).first()
    assert body["printed_at"] == last.printed_at.isoformat() and set(body) == {"ok", "code", "message", "printed_at"}
    response = client.post(f"/certificates/{cert.id}/print", data={"csrf_token": token, "via": "kiosk",
                                                                   "confirm": "y"},
                           headers={"Accept": "application/json"})
    assert response.status_code == 200 and response.get_json()["ok"] is True
    pdf = client.get(response.get_json()["pdf"])
    assert pdf.mimetype == "application/pdf" and pdf.headers["X-Frame-Options"] == "SAMEORIGIN"
    assert CertificatePrint.query.filter_by(certificate_id=cert.id, via="kiosk").count() == 1


@pytest.mark.parametrize("typed", ["กมล ทองดี", "กมลทองดี", "กมล ทองด", "ผศ.ดร.กมล", "กมล ทองดี้", "  กมล   ทอง  "])
def test_kiosk_search_forgives_spaces_and_tone_marks(client, login_as, post_form, w, typed):
    _issue(client, login_as, post_form, w, "judge")
    html = client.get(f"/fairs/{w.fair.id}/kiosk", query_string={"q": typed}).get_data(as_text=True)
    assert "ผศ.ดร.กมล ทองดี" in html and "รศ.วิภา คำมา" not in html


def test_kiosk_search_in_english_and_by_serial(client, login_as, post_form, w, db):
    w.orgs[2].name_en = "Chiang Rai Provincial Cultural Office"
    db.session.commit()
    _issue(client, login_as, post_form, w, "awardee", category=str(w.category.id))
    html = client.get(f"/fairs/{w.fair.id}/kiosk", query_string={"q": "cultural office"}).get_data(as_text=True)
    assert "สำนักงานวัฒนธรรมจังหวัดเชียงราย" in html
    cert = Certificate.query.filter_by(holder_name="เทศบาลตำบลแม่ยาว").one()
    html = client.get(f"/fairs/{w.fair.id}/kiosk", query_string={"q": cert.grouped_serial.lower()}).get_data(as_text=True)
    assert "เทศบาลตำบลแม่ยาว" in html and "โรงพยาบาล" not in html


def test_another_fairs_staff_reach_nothing(client, login_as, post_form, w, db):
    _issue(client, login_as, post_form, w, "judge")
    cert = Certificate.query.first()
    batch = PrintBatch.query.first()
    login_as(w.other_staff)
    for url in (f"/certificates/{cert.id}", f"/certificates/{cert.id}/certificate.pdf",
                f"/certificates/batches/{batch.id}", f"/fairs/{w.fair.id}/kiosk",
                f"/certificates/templates/{w.templates['judge'].id}"):
        assert client.get(url).status_code == 404, url  # as if it did not exist: another fair's is not theirs


def test_a_template_with_certificates_is_locked_and_can_be_copied(client, login_as, post_form, w, db):
    _issue(client, login_as, post_form, w, "judge")
    template = w.templates["judge"]
    page = f"/certificates/templates/{template.id}"
    assert "ทำสำเนาเพื่อแก้ไข" in client.get(page).get_data(as_text=True)
    response = post_form(f"/certificates/templates/{template.id}/copy", {}, page=page)
    copy_id = int(response.headers["Location"].rsplit("/", 1)[1])
    assert copy_id != template.id
    assert db.session.scalar(select(func.count()).select_from(Certificate).where(Certificate.template_id == copy_id)) == 0


def test_without_base_url_the_qr_names_the_site_staff_use(app, w, db):
    app.config["BASE_URL"] = ops.LOOPBACK_BASE
    try:
        with app.test_request_context(base_url="https://certs.example.go.th"):
            (cert,), _ = ops.issue(w.fair, ops.participant_candidates(w.fair, "นางสาวมาลี ใจงาม"), w.staff)
            assert ops.face_for(cert).qr.startswith("https://certs.example.go.th/verify/")
            assert "certs.example.go.th/verify" in ops.verify_hint()
    finally:
        app.config["BASE_URL"] = "https://fair.example.org"


def test_holders_see_and_download_their_own_certificates(client, login_as, post_form, w, db):
    from tests.factories import create_user
    _issue(client, login_as, post_form, w, "exhibitor")
    _issue(client, login_as, post_form, w, "judge")
    _issue(client, login_as, post_form, w, "awardee", category=str(w.category.id))
    member = create_user("member-pasang@example.org", org=w.exhibitors[0])
    login_as(member)
    html = client.get("/my/certificates").get_data(as_text=True)
    # Its booth and the two people on it; not the other booth, not the judges, not the awardees.
    assert "ชุมชนบ้านป่าซาง" in html and "ก้องภพ ใจดี" in html and "พิมพ์ชนก ใจดี" in html
    assert "โรงเรียนสามัคคีวิทยาคม" not in html and "กมล ทองดี" not in html
    own = Certificate.query.filter_by(holder_name="ก้องภพ ใจดี").one()
    other = Certificate.query.filter_by(holder_name="สมศรี ใจดี").one()
    response = client.get(f"/my/certificates/{own.id}.pdf")
    assert response.status_code == 200 and hashlib.sha256(response.data).hexdigest() == own.pdf_sha256
    assert client.get(f"/my/certificates/{other.id}.pdf").status_code == 404
    # A judge sees their own; an awardee organization sees its award.
    login_as(w.judge1)
    assert "ผศ.ดร.กมล ทองดี" in client.get("/my/certificates").get_data(as_text=True)
    login_as(w.member)  # a member of เทศบาลตำบลแม่ยาว, nominated and awarded
    html = client.get("/my/certificates").get_data(as_text=True)
    assert "เทศบาลตำบลแม่ยาว" in html and "ชุมชนบ้านป่าซาง" not in html
