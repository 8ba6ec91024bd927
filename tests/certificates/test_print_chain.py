"""Printed copies are in the audit log's hash chain: each print action's entry lists every copy (certificate
id, print row id, copy number), a big batch in a few entries, and a print row deleted, changed or added
behind the app's back no longer matches the chain (issue 12, item 8)."""
import pytest
from sqlalchemy import delete, update

from fairapp.certificates import operations as ops, printing
from fairapp.certificates.models import Certificate, CertificatePrint, PrintBatch
from fairapp.core.audit import AuditEntry, verify_chain
from fairapp.core.transaction import unit_of_work

from tests.certificates.world import build_cert_world

NAMES = "\n".join(f"นายทดสอบ คนที่{i}" for i in range(1, 6))


@pytest.fixture
def w(app, db):
    w = build_cert_world(db)
    with app.test_request_context(), unit_of_work():
        w.certs, _ = ops.issue(w.fair, ops.participant_candidates(w.fair, NAMES), w.staff)
    w.ids = [c.id for c in w.certs]
    return w


def _print(app, db, w, ids, via="single", batch_id=None):
    with app.test_request_context(), unit_of_work():
        actor = db.session.merge(w.staff)
        if batch_id is not None:
            printing.print_batch(db.session.get(PrintBatch, batch_id), actor, confirmed=True)
        else:
            certs = [db.session.get(Certificate, i) for i in ids]
            printing.print_certificates(certs, actor, via, confirmed=True)


def _entries():
    return AuditEntry.query.filter_by(action="certificates.printed").order_by(AuditEntry.id).all()


def test_every_copy_is_in_the_chain_with_its_copy_number(app, db, w):
    _print(app, db, w, w.ids[:3])
    _print(app, db, w, w.ids[1:2], via="kiosk")  # the second copy of one of them
    rows = CertificatePrint.query.order_by(CertificatePrint.id).all()
    first, second = _entries()
    assert first.after["copies"] == [[row.certificate_id, row.id, 1] for row in rows[:3]]
    assert second.after["copies"] == [[w.ids[1], rows[3].id, 2]] and second.after["via"] == "kiosk"
    assert second.actor_id == w.staff.id and second.after["printed_at"] == rows[3].printed_at.isoformat()
    assert verify_chain() == [] and printing.unchained_prints().ok
    assert printing.unchained_prints(fair_id=w.fair.id).ok and printing.unchained_prints(fair_id=w.other_fair.id).ok


def test_a_deleted_changed_or_added_print_row_is_detected(app, db, w):
    _print(app, db, w, w.ids)
    rows = CertificatePrint.query.order_by(CertificatePrint.id).all()
    # Someone hides a copy (so the next print would not warn), and moves another to a colleague.
    db.session.execute(delete(CertificatePrint).where(CertificatePrint.id == rows[0].id))
    db.session.execute(update(CertificatePrint).where(CertificatePrint.id == rows[1].id)
                       .values(printed_by_id=w.chair.id))
    db.session.add(CertificatePrint(certificate_id=w.ids[2], printed_by_id=w.staff.id, via="single"))
    db.session.commit()
    added = CertificatePrint.query.order_by(CertificatePrint.id.desc()).first().id
    check = printing.unchained_prints()
    assert (check.missing, check.changed, check.unrecorded) == ([rows[0].id], [rows[1].id], [added])
    assert not check.ok
    assert verify_chain() == []  # the entries themselves are intact: the rows are what changed


def test_a_big_batch_is_a_few_entries(app, db, w, monkeypatch):
    monkeypatch.setattr(printing, "AUDIT_CHUNK", 2)
    _print(app, db, w, w.ids)
    entries = _entries()
    assert [len(e.after["copies"]) for e in entries] == [2, 2, 1]
    assert [c[0] for e in entries for c in e.after["copies"]] == w.ids
    assert printing.unchained_prints().ok and verify_chain() == []


def test_a_batch_print_is_chained_with_its_batch(app, client, login_as, post_form, w, db):
    login_as(w.staff)
    response = post_form(f"/fairs/{w.fair.id}/certificates/batches",
                         {"kind": "participant", "names": NAMES}, page=f"/fairs/{w.fair.id}/certificates")
    assert response.status_code == 302
    batch = PrintBatch.query.one()
    response = post_form(f"/certificates/batches/{batch.id}/print", {"confirm": "y"},
                         page=f"/certificates/batches/{batch.id}")
    assert response.status_code == 200
    (entry,) = _entries()
    rows = CertificatePrint.query.order_by(CertificatePrint.id).all()
    assert entry.after["batch_id"] == batch.id and entry.after["via"] == "batch"
    assert entry.after["copies"] == [[row.certificate_id, row.id, 1] for row in rows] and len(rows) == 5
    assert printing.unchained_prints().ok
