"""Erasure (PDPA s.33): granting an erasure request pseudonymizes the person everywhere, deletes their
files, keeps the fair's record without their name, and the audit log still verifies (and still catches
tampering) without keeping what was erased."""
from __future__ import annotations

import hashlib
import json

import pytest
from sqlalchemy import func, select, text

from fairapp.accounts.models import Invitation, Membership, User
from fairapp.certificates import bundles
from fairapp.certificates.batch_render import read_certificate
from fairapp.certificates.models import Certificate, PrintBatch
from fairapp.core import audit
from fairapp.core.audit import AuditEntry
from fairapp.core.mail import MailMessage
from fairapp.core.storage import local_storage, storage
from fairapp.fairs import operations as fair_ops
from fairapp.judging.models import Score
from fairapp.privacy import erasure
from fairapp.privacy.models import PrivacyRequest
from tests.certificates.world import build_cert_world
from tests.factories import PASSWORD, create_org, create_user


@pytest.fixture
def w(db):
    w = build_cert_world(db)
    w.dpo = create_user("dpo@example.org", first_name="ปิยนุช")
    w.dpo.is_dpo = True
    db.session.commit()
    return w


def _all_audit_text(db) -> str:
    return " ".join(json.dumps([r.before, r.after], ensure_ascii=False)
                    for r in db.session.execute(select(AuditEntry.before, AuditEntry.after)))


def _ask_and_grant(client, login_as, post_form, db, person, dpo, decision="granted"):
    login_as(person)
    assert post_form("/my/requests", {"kind": "erasure", "details": "ขอให้ลบข้อมูลของข้าพเจ้าทั้งหมด"},
                     page="/my/data").status_code == 303
    item = db.session.scalar(select(PrivacyRequest).where(PrivacyRequest.subject_user_id == person.id))
    login_as(dpo)
    page = client.get(f"/privacy/requests/{item.id}").get_data(as_text=True)
    response = post_form(f"/privacy/requests/{item.id}", {"decision": decision, "reason": "ลบแล้ว คงคะแนนไว้เป็นบันทึกของงาน"})
    return item, page, response


def test_granting_an_erasure_pseudonymizes_the_judge_and_withholds_the_name_on_the_check(
        app, client, db, login_as, post_form, w):
    judge = w.judge1
    # their address and name in the audit log, an invitation and a mail to them, judge certificates issued
    create_user("helper@example.org")
    fair_ops.grant_role(w.fair, "helper@example.org", "staff", w.admin)
    audit.record("fair.role_granted", object_type="users", object_id=judge.id, fair_id=w.fair.id,
                 actor=w.admin, after={"user": judge.email, "role": "judge"})
    audit.record("organization.registered", object_type="organizations", object_id=1, actor=judge,
                 after={"name_th": "ชุมชน", "owner": judge.email})  # as sign-up records it
    audit.record("test.note", object_type="thing", object_id=1, actor=w.admin,
                 after={"comment": f"โทรหา {judge.first_name} {judge.last_name} แล้ว", "n": 1})
    org = create_org("ชุมชนบ้านสบลาน")
    db.session.add(Invitation(organization_id=org.id, email=judge.email, token_hash="x" * 64,
                              expires_at=audit.utcnow()))
    db.session.add(MailMessage(to=judge.email, subject="s", body="b", template="t"))
    db.session.commit()
    login_as(w.staff)
    assert post_form(f"/fairs/{w.fair.id}/certificates/batches", {"kind": "judge"},
                     page=f"/fairs/{w.fair.id}/certificates").status_code == 302
    cert = db.session.scalar(select(Certificate).where(Certificate.subject_key == f"judge:{judge.id}"))
    other = db.session.scalar(select(Certificate).where(Certificate.subject_key == f"judge:{w.judge2.id}"))
    batch = db.session.scalar(select(PrintBatch).where(PrintBatch.kind == "judge"))
    pdf_key, result_key, batch_id = cert.pdf_key, batch.result_key, batch.id
    bundle, _, _ = bundles.part_of(pdf_key)  # the chunk's certificates are parts of one file
    assert bundles.part_of(other.pdf_key)[0] == bundle
    erased_part, other_sha = bundles.read(storage(), pdf_key), other.pdf_sha256
    assert storage().exists(bundle) and storage().exists(result_key)
    scores = db.session.scalar(select(func.count()).select_from(Score))
    assert judge.email in _all_audit_text(db) and "กมล ทองดี" in _all_audit_text(db)

    item, page, response = _ask_and_grant(client, login_as, post_form, db, judge, w.dpo)
    # before deciding, the DPO saw what it would do
    assert "ระบบจะลบข้อมูลของบุคคลนี้ทันที" in page and "เกียรติบัตร 1 ฉบับ" in page
    assert response.status_code == 303
    db.session.expire_all()
    judge = db.session.get(User, judge.id)
    assert (judge.first_name, judge.last_name, judge.title, judge.phone) == ("ผู้ขอลบข้อมูล", f"#{judge.id}", "", None)
    assert judge.email.endswith("@erased.invalid") and not judge.active and judge.erased_at is not None
    item = db.session.get(PrivacyRequest, item.id)
    assert item.status == "granted" and item.subject_name == f"ผู้ขอลบข้อมูล #{judge.id}" and item.subject_contact == ""
    assert db.session.scalar(select(func.count()).select_from(Invitation)) == 0
    assert db.session.scalar(select(func.count()).select_from(MailMessage).where(MailMessage.to == "judge1@example.org")) == 0

    # the audit log: nothing of them left, the chains verify, the erasure lists what it erased
    everything = _all_audit_text(db)
    assert "judge1@example.org" not in everything and "กมล" not in everything
    assert "helper@example.org" in everything  # entries about others keep theirs
    assert audit.full_check().bad == []
    record = db.session.scalar(select(AuditEntry).where(AuditEntry.action == audit.ERASURE_ACTION))
    assert record.object_id == judge.id and record.after["entries"] >= 2 and record.after["request_id"] == item.id
    erased = db.session.scalars(select(AuditEntry.id).where(AuditEntry.erased_by == record.after["token"])).all()
    assert len(erased) == record.after["entries"]
    # ... and still catches tampering (a value changed in an erased entry, or an unrelated one)
    original = db.session.scalar(select(AuditEntry.object_id).where(AuditEntry.id == erased[0]))
    db.session.execute(text("UPDATE audit_log SET object_id = 777 WHERE id = :i"), {"i": erased[0]})
    db.session.commit()
    assert audit.full_check().bad == [erased[0]]
    db.session.execute(text("UPDATE audit_log SET object_id = :o WHERE id = :i"),
                       {"o": original, "i": erased[0]})
    db.session.commit()

    # the certificate stays checkable, without the name; its file and the batch that held it are gone
    cert, other = db.session.get(Certificate, cert.id), db.session.get(Certificate, other.id)
    assert cert.holder_withheld_at is not None and cert.holder_name == "" and cert.token == ""
    assert db.session.scalar(select(func.count()).select_from(PrintBatch)) == 0
    assert not storage().exists(bundle) and not storage().exists(result_key)
    # the other judge's certificate is stored again, byte for byte, and nothing stored holds the erased one
    assert other.pdf_key != cert.pdf_key and bundles.part_of(other.pdf_key) is None
    assert hashlib.sha256(read_certificate(storage(), other.pdf_key)).hexdigest() == other_sha
    assert not any(erased_part in path.read_bytes() for _, path in local_storage().keys())
    client.get("/logout")
    html = client.get(f"/verify/{cert.grouped_serial}").get_data(as_text=True)
    assert "ไม่เปิดเผยชื่อตามคำขอของผู้ถือเกียรติบัตร" in html and "กมล" not in html
    body = client.get(f"/verify/{cert.grouped_serial}", headers={"Accept": "application/json"}).get_json()
    assert body["status"] == "valid" and body["holder"] is None and body["holder_withheld"] is True
    assert "วิภา" in client.get(f"/verify/{other.grouped_serial}").get_data(as_text=True)  # the other judge's stays
    login_as(w.staff)
    refused = client.get(f"/certificates/{cert.id}/certificate.pdf")
    assert refused.status_code == 410 and "ไม่เปิดเผยชื่อตามคำขอของผู้ถือ" in refused.get_data(as_text=True)

    # their scores stay, shown under the pseudonym
    assert db.session.scalar(select(func.count()).select_from(Score)) == scores
    login_as(w.chair)
    chair_page = client.get(f"/judging/categories/{w.category.id}/chair").get_data(as_text=True)
    assert f"ผู้ขอลบข้อมูล #{judge.id}" in chair_page and "กมล" not in chair_page
    # the person can no longer sign in, and a session they had is over
    login_as(judge)
    assert client.get("/my/data").status_code in (302, 401)
    client.get("/logout")
    login = post_form("/login", {"email": "judge1@example.org", "password": PASSWORD}, page="/login")
    assert login.status_code != 302
    # a new batch of judges' certificates leaves them out
    login_as(w.staff)
    names = {c.holder_name for c in db.session.scalars(select(Certificate).where(Certificate.kind == "judge"))}
    assert "" in names and not any("กมล" in n for n in names)


def test_erasure_is_refused_with_a_reason_the_dpo_can_act_on(app, client, db, login_as, post_form, w):
    org = create_org("วิสาหกิจชุมชนบ้านดอนแก้ว")
    manager = create_user("manager@example.org", first_name="บุญเรือน", org=org)
    member = create_user("member2@example.org", first_name="แสงดาว")
    db.session.add(Membership(user_id=member.id, organization_id=org.id, role="member"))
    db.session.commit()
    item, page, response = _ask_and_grant(client, login_as, post_form, db, manager, w.dpo)
    html = response.get_data(as_text=True)
    assert "ผู้จัดการคนเดียวของ วิสาหกิจชุมชนบ้านดอนแก้ว" in page  # said before deciding, too
    assert response.status_code == 400 and "ผู้จัดการคนเดียวของ วิสาหกิจชุมชนบ้านดอนแก้ว" in html
    db.session.expire_all()
    assert db.session.get(PrivacyRequest, item.id).status == "open"           # nothing decided
    assert db.session.get(User, manager.id).first_name == "บุญเรือน"            # nothing erased
    # another manager appointed: then it goes through
    db.session.execute(text("UPDATE memberships SET role = 'owner' WHERE user_id = :u"), {"u": member.id})
    db.session.commit()
    assert post_form(f"/privacy/requests/{item.id}", {"decision": "partly", "reason": "ลบแล้ว"}).status_code == 303
    db.session.expire_all()
    assert db.session.get(User, manager.id).erased_at is not None
    assert db.session.scalar(select(func.count()).select_from(Membership).where(Membership.user_id == manager.id)) == 0

    # an admin (or the DPO) keeps the role until it is revoked; a running batch with their certificate waits
    assert isinstance(erasure.blocker(w.admin), erasure.HoldsOfficeRole)
    db.session.add(PrintBatch(fair_id=w.fair.id, kind="judge", title="กรรมการ", status="running"))
    db.session.commit()
    assert isinstance(erasure.blocker(w.judge2), erasure.BatchRunning)
    assert erasure.blocker(w.staff) is None


def test_a_refused_or_accountless_erasure_request_erases_nobody(app, client, db, login_as, post_form, w):
    item, _, response = _ask_and_grant(client, login_as, post_form, db, w.judge2, w.dpo, decision="refused")
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(User, w.judge2.id).erased_at is None
    assert db.session.scalar(select(func.count()).select_from(AuditEntry)
                             .where(AuditEntry.action == audit.ERASURE_ACTION)) == 0


def test_a_judge_invitation_to_the_address_is_in_my_data_and_goes_with_the_erasure(
        app, client, db, login_as, post_form, w):
    """A chair invited this address to judge another fair (judge_invitations, issue 16): the person sees it
    in /my/data, and erasing them deletes it (it holds their address); another address's stays."""
    from fairapp.judging.models_invitations import JudgeInvitation
    from fairapp.privacy.my_data import collect

    person = create_user("invited-judge@example.org", first_name="วันดี")
    for email in (person.email.upper(), "someone-else@example.org"):  # stored lower-case by the chair's form
        db.session.add(JudgeInvitation(fair_id=w.fair.id, email=email.lower(), token_hash=email[:8] * 8,
                                       expires_at=audit.utcnow()))
    db.session.commit()
    with app.test_request_context():
        assert [i["fair_id"] for i in collect(person)["judge_invitations"]] == [w.fair.id]
    _ask_and_grant(client, login_as, post_form, db, person, w.dpo)
    left = db.session.scalars(select(JudgeInvitation.email)).all()
    assert left == ["someone-else@example.org"]
