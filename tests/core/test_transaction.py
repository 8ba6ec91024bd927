"""The unit of work (core.transaction): one commit per request, then mail, file deletions and follow-ups;
any failure rolls all of it back, including the files the request stored; savepoints undo only their part;
a DomainError is mapped in one place (a form field, a flash, or the JSON envelope)."""
from __future__ import annotations

from types import SimpleNamespace

from flask import Blueprint, flash, get_flashed_messages, jsonify, render_template_string
from sqlalchemy import func, select
from wtforms import StringField

from fairapp.accounts.models import Organization, Sector
from fairapp.core.errors import DomainError
from fairapp.core.forms import BaseForm, form_csrf
from fairapp.core.mail import queue_mail
from fairapp.core.storage import delete_after_commit, storage
from fairapp.core.transaction import after_commit, attempt, savepoint, unit_of_work
from fairapp.extensions import db as _db

import pytest

from tests.core.route_app import route_app

EVENTS: list[str] = []


class NameTaken(DomainError):
    message = "ชื่อนี้มีแล้ว"
    status = 409
    field = "name"


class NameForm(BaseForm):
    class Meta:
        csrf = False

    name = StringField()


def _org(name: str) -> Organization:
    org = Organization(name_th=name, sector=Sector.civil, province_code="57", district_code="5701")
    _db.session.add(org)
    _db.session.flush()
    return org


def _count(name: str) -> int:
    return _db.session.scalar(select(func.count()).select_from(Organization).where(Organization.name_th == name))


@pytest.fixture(scope="module")
def uow_app(app):
    """A second app on the same database, with routes that exist only for these tests."""
    bp = Blueprint("uow_test", __name__)

    @bp.post("/_t/ok")
    def ok():
        _org("uow-ok")
        key = storage().save(b"%PDF-1.4 old", "pdf")
        EVENTS.append(f"stored {key}")
        delete_after_commit(key)
        queue_mail("someone@example.org", "s", "confirm", user=SimpleNamespace(full_name="n", email="someone@example.org"), url="u")
        after_commit(lambda: EVENTS.append(f"after commit: {_count('uow-ok')}"))
        return "ok"

    @bp.post("/_t/fail")
    def fail():
        _org("uow-fail")
        EVENTS.append(f"stored {storage().save(b'%PDF-1.4 new', 'pdf')}")
        queue_mail("someone@example.org", "s", "confirm", user=SimpleNamespace(full_name="n", email="someone@example.org"), url="u")
        after_commit(lambda: EVENTS.append("after commit"))
        raise RuntimeError("boom")

    @bp.post("/_t/button")
    def button():
        _org("uow-kept")
        with attempt() as done:
            _org("uow-undone")
            raise NameTaken()
        return jsonify(done=bool(done), flashed=get_flashed_messages())

    @bp.post("/_t/raise")
    def raise_():
        _org("uow-raised")
        raise NameTaken()

    @bp.route("/_t/form", methods=["GET", "POST"])
    @form_csrf
    def form():
        form = NameForm()
        if form.validate_on_submit():
            with attempt(form) as done:
                _org(form.name.data)
                if form.name.data == "taken":
                    raise NameTaken()
            if done:
                flash("saved")
                return "saved"
        return render_template_string("{{ form.name.errors|join }}|{{ form.form_errors|join }}|{{ form.name.data }}",
                                      form=form)

    with route_app(app, bp) as test_app:
        yield test_app


@pytest.fixture
def tclient(uow_app, db, outbox):
    EVENTS.clear()
    return uow_app.test_client()


def test_a_request_commits_once_then_sends_mail_deletes_files_and_runs_follow_ups(tclient, outbox):
    assert tclient.post("/_t/ok").status_code == 200
    assert _count("uow-ok") == 1
    key = EVENTS[0].split()[1]
    assert not storage().exists(key)  # deleted after the commit
    assert EVENTS[1] == "after commit: 1"  # the follow-up saw the committed row
    assert len(outbox()) == 1


def test_a_failing_request_leaves_nothing_no_mail_no_files_no_follow_ups(tclient, outbox):
    assert tclient.post("/_t/fail").status_code == 500
    assert _count("uow-fail") == 0
    key = EVENTS[0].split()[1]
    assert not storage().exists(key)  # the file stored for a row that was rolled back is gone
    assert EVENTS == [f"stored {key}"]  # no follow-up ran
    assert outbox() == []


def test_attempt_undoes_only_its_own_part_and_flashes(tclient):
    body = tclient.post("/_t/button").json
    assert body == {"done": False, "flashed": ["ชื่อนี้มีแล้ว"]}
    assert _count("uow-kept") == 1
    assert _count("uow-undone") == 0


def test_a_propagating_domain_error_rolls_back_and_answers_its_status_or_the_envelope(tclient):
    response = tclient.post("/_t/raise")
    assert response.status_code == 409
    assert "ชื่อนี้มีแล้ว" in response.get_data(as_text=True)
    response = tclient.post("/_t/raise", headers={"Accept": "application/json"})
    assert response.status_code == 409
    assert response.json == {"ok": False, "code": "name_taken", "message": "ชื่อนี้มีแล้ว"}
    response = tclient.post("/_t/raise", headers={"Referer": "http://localhost/_t/form"})
    assert response.status_code == 302 and response.headers["Location"] == "/_t/form"
    assert _count("uow-raised") == 0


def test_a_domain_error_lands_on_its_field_and_the_form_keeps_the_input(tclient):
    body = tclient.post("/_t/form", data={"name": "taken"}).get_data(as_text=True)
    assert body == "ชื่อนี้มีแล้ว||taken"
    assert _count("taken") == 0
    assert tclient.post("/_t/form", data={"name": "free"}).get_data(as_text=True) == "saved"
    assert _count("free") == 1


def test_savepoint_in_an_operation_keeps_what_came_before(app, db):
    with app.test_request_context():
        with unit_of_work():
            _org("before")
            with pytest.raises(NameTaken):
                with savepoint():
                    _org("inside")
                    key = storage().save(b"%PDF-1.4 x", "pdf")
                    raise NameTaken()
            assert not storage().exists(key)
            _org("after")
    assert (_count("before"), _count("inside"), _count("after")) == (1, 0, 1)


def test_unit_of_work_rolls_back_on_any_exception(app, db):
    with app.test_request_context():
        with pytest.raises(ZeroDivisionError):
            with unit_of_work():
                _org("never")
                1 / 0
    assert _count("never") == 0


def test_a_failed_flush_inside_a_savepoint_rolls_back_to_it_and_the_unit_goes_on(app, db):
    """The racing-insert case: an IntegrityError inside savepoint() leaves the session usable."""
    from sqlalchemy.exc import IntegrityError

    from fairapp.accounts.models import User

    with app.test_request_context():
        with unit_of_work():
            _db.session.add(User(email="same@example.org", first_name="a", password_hash="x"))
            _db.session.flush()
            with pytest.raises(IntegrityError):
                with savepoint():
                    _db.session.add(User(email="same@example.org", first_name="b", password_hash="x"))
                    _db.session.flush()
            _org("still here")
    assert _count("still here") == 1
    assert _db.session.scalar(select(func.count()).select_from(User)) == 1
