"""Races: stage desks print the same certificate at once. The "printed before: confirm" rule holds because
print_certificates locks the certificate's row before it looks for earlier copies: exactly one desk prints
without confirming, the others are asked. On PostgreSQL the row lock decides; on SQLite each desk's unit of
work starts with BEGIN IMMEDIATE (a POST under `make run`'s threads), so the rule holds there too."""
from __future__ import annotations

from collections import Counter

import pytest

from fairapp.accounts.models import User
from fairapp.certificates import operations as ops, printing
from fairapp.certificates.models import Certificate, CertificatePrint
from fairapp.core.transaction import unit_of_work

from tests.certificates.world import build_cert_world
from tests.race import on_sqlite, race


@pytest.fixture
def desks(db):
    return 4 if on_sqlite() else 8


@pytest.fixture
def thread_sessions(thread_sessions_for, desks):
    return thread_sessions_for(desks)


def test_desks_printing_one_certificate_at_once_ask_once(app, db, thread_sessions, desks):
    from fairapp.extensions import db as _db

    w = build_cert_world(db)
    with app.test_request_context(), unit_of_work():
        (cert,), _ = ops.issue(w.fair, ops.judge_candidates(w.fair)[:1], w.staff)
    cert_id, staff_id = cert.id, w.staff.id

    def prepare():
        return _db.session.get(Certificate, cert_id), _db.session.get(User, staff_id)

    def desk(prepared):
        certificate, actor = prepared
        printing.print_certificates([certificate], actor, "kiosk")
        return "printed"

    outcomes = race([(prepare, desk)] * desks, app=app, sessions=thread_sessions)
    assert Counter(o if isinstance(o, str) else type(o).__name__ for o in outcomes) == {
        "printed": 1, "PrintedBefore": desks - 1}, outcomes
    db.session.expire_all()
    assert CertificatePrint.query.filter_by(certificate_id=cert_id).count() == 1
