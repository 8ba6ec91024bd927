"""A GET that changes state: its savepoint (`attempt()`) must not leave SQLite with a lock to upgrade.

GET /confirm/<token> confirms an address inside `attempt()`. A GET's unit of work has no write intent, so
its transaction was not begun with BEGIN IMMEDIATE; the savepoint used to open it with a plain (deferred)
BEGIN: the user was read under a shared lock, and the UPDATE then had to upgrade it. Two such requests
at once deadlock on SQLite, which answers one of them "database is locked" at once (no busy wait): a 500.
A savepoint in a read unit now begins SQLite's transaction with BEGIN IMMEDIATE (a savepoint is there to
undo writes), so the requests take turns. PostgreSQL has no lock to upgrade: the test runs on both.
"""
from __future__ import annotations

from sqlalchemy import func, select

from fairapp.accounts import operations as ops
from fairapp.accounts.models import User
from fairapp.core.audit import AuditEntry, verify_chain
from tests.conftest import FreshContextClient
from tests.factories import create_user
from tests.race import race, times

CLICKS = 8


def test_confirmation_links_opened_at_once_all_confirm(app, db):
    users = [create_user(confirmed=False) for _ in range(CLICKS)]
    with app.test_request_context():
        tokens = [ops.make_confirm_token(u) for u in users]
    ids = [u.id for u in users]
    app.test_client_class = FreshContextClient
    clients = [app.test_client() for _ in range(CLICKS)]

    def click(i):
        return clients[i].get(f"/confirm/{tokens[i]}").status_code

    statuses = race(times(CLICKS, click))
    assert statuses == [302] * CLICKS, statuses
    db.session.expire_all()
    assert db.session.scalar(select(func.count(User.id)).where(
        User.id.in_(ids), User.email_confirmed_at.is_not(None))) == CLICKS
    assert db.session.scalar(select(func.count(AuditEntry.id)).where(
        AuditEntry.action == "user.email_confirmed")) == CLICKS
    assert verify_chain() == []


def test_one_link_opened_at_once_by_the_signed_in_user_confirms_once(app, db):
    """The signed-in user is loaded before the view runs: confirm_email reads the row again under its lock
    (before, the clicks saw it unconfirmed and audited the confirmation again: 7 of 8 on PostgreSQL)."""
    user = create_user(confirmed=False)
    with app.test_request_context():
        token = ops.make_confirm_token(user)
    app.test_client_class = FreshContextClient
    clients = []
    for _ in range(CLICKS):
        client = app.test_client()
        with client.session_transaction() as session:
            session["_user_id"], session["_fresh"] = str(user.id), True
        clients.append(client)

    statuses = race(times(CLICKS, lambda i: clients[i].get(f"/confirm/{token}").status_code))
    assert statuses == [302] * CLICKS, statuses
    assert db.session.scalar(select(func.count(AuditEntry.id)).where(
        AuditEntry.action == "user.email_confirmed")) == 1
    assert verify_chain() == []
