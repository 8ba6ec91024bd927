"""Races on PostgreSQL: two stage desks print the same certificate at once. The "printed before: confirm"
rule holds because print_certificates locks the certificate's row before it looks for earlier copies:
exactly one desk prints without confirming, the other is asked. Only PostgreSQL has those row locks
(SQLite serializes writing requests with BEGIN IMMEDIATE instead)."""
from __future__ import annotations

import threading
from collections import Counter

import pytest

from fairapp.accounts.models import User
from fairapp.certificates import operations as ops, printing
from fairapp.certificates.models import Certificate, CertificatePrint
from fairapp.core.transaction import unit_of_work

from tests.certificates.world import build_cert_world

pytestmark = pytest.mark.postgres_only

DESKS = 8


@pytest.fixture
def thread_sessions(thread_sessions_for):
    return thread_sessions_for(DESKS)


def test_two_desks_printing_one_certificate_at_once_ask_once(app, db, thread_sessions):
    from fairapp.extensions import db as _db

    w = build_cert_world(db)
    with app.test_request_context(), unit_of_work():
        (cert,), _ = ops.issue(w.fair, ops.judge_candidates(w.fair)[:1], w.staff)
    cert_id, staff_id = cert.id, w.staff.id
    barrier = threading.Barrier(DESKS)
    outcomes: list = [None] * DESKS

    def desk(i):
        with app.test_request_context():
            _db.session.registry.set(thread_sessions())
            try:
                with unit_of_work():
                    certificate = _db.session.get(Certificate, cert_id)
                    actor = _db.session.get(User, staff_id)
                    barrier.wait(timeout=60)
                    printing.print_certificates([certificate], actor, "kiosk")
                outcomes[i] = "printed"
            except Exception as error:  # noqa: BLE001 - the outcome under test
                outcomes[i] = type(error).__name__
            finally:
                _db.session.remove()

    threads = [threading.Thread(target=desk, args=(i,)) for i in range(DESKS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert Counter(outcomes) == {"printed": 1, "PrintedBefore": DESKS - 1}
    db.session.expire_all()
    assert CertificatePrint.query.filter_by(certificate_id=cert_id).count() == 1
