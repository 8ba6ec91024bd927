"""Issue 15's edge cases, each with its defined outcome and nothing left half-done: erasing a member of an
awarded organization, the only member of an organization; consent withdrawn while a print batch runs; a
purge that meets a file already missing."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from fairapp.accounts.models import Membership, Organization, User
from fairapp.certificates.models import Certificate, PrintBatch
from fairapp.core.file_deletions import StorageDeletion
from fairapp.core.storage import storage
from fairapp.core.time import today_local, utcnow
from fairapp.core.transaction import unit_of_work
from fairapp.privacy import consents, erasure, purge
from tests.certificates.world import build_cert_world
from tests.conftest import csrf_token_from
from tests.factories import create_org, create_user


def test_erasing_a_member_of_an_awarded_organization_leaves_its_award_and_certificate(app, db):
    w = build_cert_world(db)
    with app.test_request_context(), unit_of_work():
        from fairapp.certificates import operations as cert_ops
        from fairapp.certificates.candidates import awardee_candidates
        cert_ops.issue(w.fair, awardee_candidates(w.category), w.staff)
    awarded = db.session.scalars(select(Certificate).where(Certificate.kind == "awardee")).all()
    before = {(c.serial, c.holder_name, c.pdf_key) for c in awarded}
    member = w.member                                   # a member of the first nominee organization
    with app.test_request_context(), unit_of_work():
        erasure.erase(db.session.get(User, member.id), w.admin)
    db.session.expire_all()
    after = {(c.serial, c.holder_name, c.pdf_key) for c in db.session.scalars(
        select(Certificate).where(Certificate.kind == "awardee"))}
    assert after == before and all(storage().exists(key) for _, _, key in after)  # the organization's, not theirs
    assert db.session.get(User, member.id).erased_at is not None


def test_erasing_the_only_member_leaves_the_organization_without_members(app, db):
    org = create_org("กลุ่มออมทรัพย์บ้านใหม่")
    alone = create_user("alone@example.org", org=org)
    admin = create_user("admin@example.org", admin=True)
    with app.test_request_context(), unit_of_work():
        erasure.erase(db.session.get(User, alone.id), admin)
    assert db.session.get(Organization, org.id) is not None  # an organization is not a person's data
    assert db.session.scalar(select(func.count()).select_from(Membership).where(Membership.organization_id == org.id)) == 0


def test_withdrawing_consent_while_a_batch_prints_takes_effect_and_the_batch_goes_on(app, client, db, login_as):
    w = build_cert_world(db)
    batch = PrintBatch(fair_id=w.fair.id, kind="exhibitor", title="ผู้ออกบูธ", status="running")
    db.session.add(batch)
    db.session.commit()
    login_as(w.member)
    token = csrf_token_from(client.get("/my/data").get_data(as_text=True))
    assert client.post("/my/consents/public_pages", data={"csrf_token": token, "given": "1"}).status_code == 303
    assert client.post("/my/consents/public_pages", data={"csrf_token": token, "given": "0"}).status_code == 303
    assert w.member.id not in set(db.session.scalars(consents.consenting("public_pages")))
    # certificates rest on the fair's public task, not on this consent: the batch is untouched
    assert db.session.get(PrintBatch, batch.id).status == "running"


def test_a_purge_that_meets_a_file_already_missing_removes_the_row_and_forgets_the_file(app, db):
    from fairapp.booths.models import Application, Status
    from tests.booths.factories import create_application, create_booth_type

    fair = __import__("tests.factories", fromlist=["create_fair"]).create_fair()
    fair.booth_opens, fair.booth_closes = today_local() - timedelta(days=260), today_local() - timedelta(days=200)
    with app.test_request_context():
        key = storage().save(b"\x89PNG\r\n\x1a\nlost", "png")
        storage().delete(key)                           # gone before the purge
    draft = create_application(fair, create_org(), create_booth_type(fair), Status.draft, photo_key=key)
    db.session.commit()
    with app.test_request_context(), unit_of_work():
        done = purge.purge(utcnow())
    assert done.counts["draft_applications"] == 1 and db.session.get(Application, draft.id) is None
    assert db.session.scalar(select(func.count()).select_from(StorageDeletion)) == 0  # nothing left to retry
