"""What the public reads about a revoked or replaced certificate: a reason chosen from a short list
(labels.PUBLIC_REASONS), in the reader's language; the staff's own words stay an internal note, shown on
the staff's page and in the audit log only (issue 12, item 9)."""
import pytest

from fairapp.certificates import operations as ops
from fairapp.certificates.labels import PUBLIC_REASONS
from fairapp.certificates.models import Certificate
from fairapp.core.audit import AuditEntry
from fairapp.core.transaction import unit_of_work

from tests.certificates.world import build_issued_world

JSON = {"Accept": "application/json"}
NOTE = "ผู้อำนวยการแจ้งว่าผู้รับแอบอ้างชื่อ ห้ามเปิดเผย โทร 081-234-5678"


@pytest.fixture
def w(app, db):
    return build_issued_world(app, db)


def _revoke_by_form(login_as, post_form, w, cert, **data):
    login_as(w.staff)
    return post_form(f"/certificates/{cert.id}/revoke", data, page=f"/certificates/{cert.id}")


def _public(app, client, serial, lang=None):
    """The /verify page and JSON as an anonymous reader sees them (in `lang` when given)."""
    anonymous = app.test_client()
    if lang:
        anonymous.set_cookie("lang", lang)
    html = anonymous.get(f"/verify/{serial}").get_data(as_text=True)
    data = anonymous.get(f"/verify/{serial}", headers=JSON).get_json()
    return html, data


def test_verify_shows_the_public_reason_never_the_note(app, client, login_as, post_form, w, db):
    response = _revoke_by_form(login_as, post_form, w, w.cert, public_reason="issued_in_error", reason=NOTE)
    assert response.status_code == 302
    html, data = _public(app, client, w.cert.grouped_serial)
    assert "ถูกเพิกถอนแล้ว" in html and "ออกเกียรติบัตรโดยคลาดเคลื่อน" in html
    assert NOTE not in html and "081-234-5678" not in html
    assert data["status"] == "revoked" and data["revoked_reason_code"] == "issued_in_error"
    assert data["revoked_reason"] == "ออกเกียรติบัตรโดยคลาดเคลื่อน" and NOTE not in str(data)
    html, data = _public(app, client, w.cert.grouped_serial, lang="en")  # the label in the reader's language
    assert "Issued in error" in html and NOTE not in html
    assert data["revoked_reason_code"] == "issued_in_error" and data["revoked_reason"] == "Issued in error"
    # The staff's page shows both; the audit entry records both.
    staff_page = client.get(f"/certificates/{w.cert.id}").get_data(as_text=True)
    assert NOTE in staff_page and "ออกเกียรติบัตรโดยคลาดเคลื่อน" in staff_page
    entry = AuditEntry.query.filter_by(action="certificate.revoked").one()
    assert entry.after["reason"] == NOTE and entry.after["public_reason"] == "issued_in_error"
    row = db.session.get(Certificate, w.cert.id)
    assert (row.revoked_reason, row.revoked_public_reason) == (NOTE, "issued_in_error")


def test_the_form_asks_for_a_public_reason_from_the_list(client, login_as, post_form, w, db):
    for data, message in (({"reason": NOTE}, "กรุณาเลือกเหตุผลที่จะแสดงต่อสาธารณะ"),
                          ({"reason": NOTE, "public_reason": NOTE}, "ตัวเลือกนี้ไม่มีในรายการ"),
                          ({"reason": NOTE, "public_reason": "revoked_reason"}, "ตัวเลือกนี้ไม่มีในรายการ")):
        response = _revoke_by_form(login_as, post_form, w, w.cert, **data)
        page = response.get_data(as_text=True)
        assert response.status_code == 400 and message in page
        assert NOTE in page  # what was typed stays
    db.session.expire_all()
    assert db.session.get(Certificate, w.cert.id).status == "valid"
    # Every reason on the list is offered, in Thai.
    page = client.get(f"/certificates/{w.cert.id}").get_data(as_text=True)
    assert all(f'value="{code}"' in page for code in PUBLIC_REASONS)
    assert "ตามคำขอของผู้รับเกียรติบัตร" in page
    # The operation refuses a code that is not on the list, too.
    with pytest.raises(ops.PublicReasonRequired):
        ops.revoke(w.cert, NOTE, w.staff, public_reason="tampered")


def test_a_reissue_tells_the_public_only_that_details_were_corrected(app, client, login_as, post_form, w, db):
    login_as(w.staff)
    response = post_form(f"/certificates/{w.cert.id}/reissue", {"holder_name": "นางสาวมาลี ใจงามดี",
                                                               "reason": NOTE}, page=f"/certificates/{w.cert.id}")
    assert response.status_code == 302
    html, data = _public(app, client, w.cert.grouped_serial)
    assert data["status"] == "superseded" and data["revoked_reason_code"] == "details_corrected"
    assert data["revoked_reason"] == "มีการแก้ไขรายละเอียดในเกียรติบัตร" and NOTE not in str(data)
    assert "มีการแก้ไขรายละเอียดในเกียรติบัตร" in html and NOTE not in html
    entry = AuditEntry.query.filter_by(action="certificate.reissued").one()
    assert entry.after["reason"] == NOTE and entry.after["public_reason"] == "details_corrected"


def test_an_old_revocation_without_a_public_reason_says_only_revoked(app, client, w, db):
    with app.test_request_context(), unit_of_work():
        ops.revoke(db.session.get(Certificate, w.cert.id), NOTE, w.staff)  # no public reason chosen
    html, data = _public(app, client, w.cert.grouped_serial)
    assert "ถูกเพิกถอนแล้ว" in html and NOTE not in html and "เหตุผล" not in html.split("verdict-title")[1][:400]
    assert data["status"] == "revoked" and data["revoked_reason"] is None and data["revoked_reason_code"] is None
    assert NOTE not in str(data)


def test_the_holders_page_shows_the_public_reason_only(app, client, login_as, w, db):
    with app.test_request_context(), unit_of_work():
        (cert,), _ = ops.issue(w.fair, ops.judge_candidates(w.fair)[:1], w.staff)
        ops.revoke(cert, NOTE, w.staff, public_reason="award_withdrawn")
    judge = w.judge1 if cert.subject_key == f"judge:{w.judge1.id}" else w.judge2
    login_as(judge)
    page = client.get("/my/certificates").get_data(as_text=True)
    assert cert.grouped_serial in page and "มีการเพิกถอนรางวัลหรือสถานะที่เกียรติบัตรรับรอง" in page
    assert NOTE not in page
