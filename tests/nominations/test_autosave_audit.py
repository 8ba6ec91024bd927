"""The narratives' autosave is audited once per editing session (issue 12, item 8): who changed which
sections when, with digests of the versions, and the submitted version's digests in its own entry.

A session: the first autosave by one person that changes something opens a "nomination.edited" entry (and an
"edited" history event); their further autosaves within EDIT_SESSION add none; another editor, a save or a
submission in between, or the window passing, opens the next one. Racing autosaves open one session, not
two (the nomination's row lock; SQLite: the unit of work's BEGIN IMMEDIATE), on both databases.
"""
from __future__ import annotations

import hashlib
import threading
from datetime import timedelta

import pytest
from sqlalchemy import select

from fairapp.accounts.models import User
from fairapp.core.audit import AuditEntry, verify_chain
from fairapp.core.transaction import unit_of_work
from fairapp.nominations import operations as ops
from fairapp.nominations.models import Nomination, NominationEvent
from fairapp.nominations.operations.nominate import EDIT_SESSION
from tests.conftest import csrf_token_from
from tests.factories import create_user
from fairapp.accounts.models import Sector
from fairapp.core.time import today_local
from fairapp.nominations.models import Category, NominatorKind
from tests.factories import create_fair, create_org

FULL = {k: "ชุมชนร่วมกันปลูกผักปลอดสารพิษและแบ่งปันให้ผู้สูงอายุ" for k in
        ("sufficiency", "discipline", "integrity", "volunteer", "gratitude", "outcomes")}


@pytest.fixture
def world(db):
    fair = create_fair()
    office = create_org("สำนักงานวัฒนธรรมจังหวัดเชียงราย", sector=Sector.government)
    office.is_provincial_office = True
    member = create_user("office@example.org", org=office)
    db.session.commit()
    return fair, office, None, member, None


def _draft(db, world, app, **over):
    fair, office, _, member, _ = world
    today = today_local()
    values = dict(fair_id=fair.id, name_th="องค์กรคุณธรรมต้นแบบ ภาครัฐ", opens_on=today - timedelta(days=1),
                  closes_on=today + timedelta(days=10), nominator_kind=NominatorKind.both, max_per_nominator=2,
                  min_photos=1, min_pdfs=1, narrative_max_chars=200)
    values.update(over)
    category = Category(**values)
    db.session.add(category)
    db.session.commit()
    with app.test_request_context():
        nomination = ops.create_nomination(category, office, nominee_org=office, community=None, narratives={},
                                           actor=member)
        db.session.commit()
    return nomination


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _edited(db, nomination_id: int) -> list[AuditEntry]:
    return db.session.scalars(select(AuditEntry).where(
        AuditEntry.action == "nomination.edited", AuditEntry.object_id == nomination_id)
        .order_by(AuditEntry.id)).all()


@pytest.fixture
def typing(client, db, world, app, login_as):
    """typing(user, {section: text}): one autosave as autosave.js sends it; returns the response."""
    token = {}

    def _autosave(nomination, user, data):
        login_as(user)
        if user.id not in token:
            token[user.id] = csrf_token_from(client.get("/password/forgot").get_data(as_text=True))
        return client.post(f"/nominations/{nomination.id}/autosave", json=data,
                           headers={"X-CSRFToken": token[user.id], "Accept": "application/json"})
    return _autosave


def test_an_editing_session_is_one_entry_naming_who_changed_which_sections(db, world, app, typing):
    nomination = _draft(db, world, app)
    member = world[3]
    for text in ("ปลูก", "ปลูกผัก", "ปลูกผักสวนครัว"):  # typing, one pause after another
        assert typing(nomination, member, {"sufficiency": text}).status_code == 200
    assert typing(nomination, member, {"integrity": "ซื่อสัตย์"}).status_code == 200
    entries = _edited(db, nomination.id)
    assert len(entries) == 1
    entry = entries[0]
    assert entry.actor_id == member.id and entry.fair_id == nomination.fair_id
    assert entry.after["sections"] == ["sufficiency"]
    assert entry.after["narratives"]["sufficiency"] == {"sha256": _digest("ปลูก"), "chars": len("ปลูก")}
    assert entry.before["narratives"]["sufficiency"] == {"sha256": _digest(""), "chars": 0}
    events = db.session.scalars(select(NominationEvent.action).where(NominationEvent.nomination_id == nomination.id)
                                .order_by(NominationEvent.id)).all()
    assert events == ["created", "edited"]
    # Sending what the server already has changes nothing: no entry, even in a new session.
    for event in db.session.scalars(select(NominationEvent)):
        event.created_at -= EDIT_SESSION + timedelta(minutes=1)
    db.session.commit()
    assert typing(nomination, member, {"integrity": "ซื่อสัตย์"}).status_code == 200
    assert len(_edited(db, nomination.id)) == 1
    # The window has passed: the next change opens a new session, whose "before" is where the last one ended.
    assert typing(nomination, member, {"integrity": "ซื่อสัตย์สุจริต"}).status_code == 200
    entries = _edited(db, nomination.id)
    assert len(entries) == 2
    assert entries[1].after["sections"] == ["integrity"]
    kept = entries[1].before["narratives"]
    assert kept["sufficiency"] == {"sha256": _digest("ปลูกผักสวนครัว"), "chars": len("ปลูกผักสวนครัว")}
    assert kept["integrity"] == {"sha256": _digest("ซื่อสัตย์"), "chars": len("ซื่อสัตย์")}
    assert verify_chain() == []


def test_another_editor_opens_a_session_of_their_own(db, world, app, typing):
    nomination = _draft(db, world, app)
    fair, office, _, member, _ = world
    colleague = create_user("colleague@example.org", org=office)
    db.session.commit()
    typing(nomination, member, {"sufficiency": "หนึ่ง"})
    typing(nomination, colleague, {"discipline": "สอง"})
    typing(nomination, member, {"sufficiency": "สาม"})  # within the window, but someone edited in between
    typing(nomination, member, {"sufficiency": "สี่"})
    entries = _edited(db, nomination.id)
    assert [(e.actor_id, e.after["sections"]) for e in entries] == [
        (member.id, ["sufficiency"]), (colleague.id, ["discipline"]), (member.id, ["sufficiency"])]


def test_the_submitted_version_is_in_the_submission_entry(db, world, app, typing):
    nomination = _draft(db, world, app, min_photos=0, min_pdfs=0)
    member = world[3]
    for key, text in FULL.items():
        assert typing(nomination, member, {key: text}).status_code == 200
    assert typing(nomination, member, {"outcomes": "ครัวเรือน 120 หลัง"}).status_code == 200
    with app.test_request_context():
        ops.submit_nomination(db.session.get(Nomination, nomination.id), member)
        db.session.commit()
    submitted = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "nomination.submitted")).one()
    final = {**{k: "" for k in submitted.after["narratives"]}, **FULL, "outcomes": "ครัวเรือน 120 หลัง"}
    assert submitted.after["narratives"] == {k: {"sha256": _digest(v), "chars": len(v)} for k, v in final.items()}
    assert [e.after["sections"] for e in _edited(db, nomination.id)] == [["sufficiency"]]


def test_a_staff_reader_sees_the_editing_session_in_the_history(client, db, world, app, typing, login_as):
    nomination = _draft(db, world, app)
    typing(nomination, world[3], {"sufficiency": "ปลูกผัก"})
    login_as(world[3])
    html = client.get(f"/nominations/{nomination.id}").get_data(as_text=True)
    assert "แก้ไขเรื่องเล่า (บันทึกอัตโนมัติ)" in html


THREADS = 8


def test_racing_autosaves_open_one_session(app, db, world, thread_sessions_for):
    """Eight autosaves of one nomination by one person at once (a queue flushed on reconnect, two tabs):
    one "edited" entry, one event, an intact chain. Runs on both databases."""
    from fairapp.extensions import db as _db

    nomination = _draft(db, world, app)
    nomination_id, user_id = nomination.id, world[3].id
    make_session = thread_sessions_for(THREADS)
    barrier = threading.Barrier(THREADS)
    errors: list = []

    def run(i):
        with app.test_request_context(method="POST"):
            _db.session.registry.set(make_session())
            try:
                barrier.wait(timeout=60)
                with unit_of_work():
                    target = _db.session.get(Nomination, nomination_id)
                    actor = _db.session.get(User, user_id)
                    ops.save_narratives(target, {"sufficiency": f"ฉบับที่ {i}"}, actor, autosave=True)
            except Exception as exc:  # noqa: BLE001 - reported by the assertion
                errors.append(exc)
            finally:
                _db.session.remove()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    db.session.expire_all()
    assert len(_edited(db, nomination_id)) == 1
    assert db.session.scalars(select(NominationEvent.action).where(
        NominationEvent.nomination_id == nomination_id, NominationEvent.action == "edited")).all() == ["edited"]
    assert verify_chain() == []
