"""The chair's other operations without HTTP (judges' affiliations, reminders), and the chair's pages in
both languages (issue 11, defect 6: the Thai chair page showed the English word "intact")."""
import pytest
from flask import g

from fairapp.core.audit import AuditEntry
from fairapp.core.transaction import unit_of_work
from fairapp.judging import operations as ops
from fairapp.judging.models import JudgeProfile
from fairapp.nominations.models import Nomination, NominationStatus

from tests.factories import create_user
from tests.judging.test_chair_views import build_world, score_all


@pytest.fixture
def world(db):
    w = build_world(db)
    score_all(db, w)
    return w


def _affiliation(db, user) -> int | None:
    db.session.expire_all()
    profile = db.session.query(JudgeProfile).filter_by(user_id=user.id).one_or_none()
    return profile.affiliation_org_id if profile else None


def test_affiliations_are_set_audited_and_checked(db, world, app):
    with app.test_request_context():
        changed = ops.set_affiliations(world.fair, {world.judge1.id: world.university.id, world.judge2.id: None},
                                       world.chair)
        db.session.commit()
        assert changed == 1
        assert ops.set_affiliations(world.fair, {world.judge1.id: world.university.id}, world.chair) == 0
        with pytest.raises(ops.UnknownOrganization):
            ops.set_affiliations(world.fair, {world.judge2.id: 999_999}, world.chair)
        db.session.rollback()
        with pytest.raises(ops.NotAJudge):
            ops.set_affiliations(world.fair, {world.member.id: world.university.id}, world.chair)
        db.session.rollback()
    assert _affiliation(db, world.judge1) == world.university.id and _affiliation(db, world.judge2) is None
    entries = db.session.query(AuditEntry).filter_by(action="judging.affiliation_changed").all()
    assert [(e.before, e.after) for e in entries] == [({"judge": world.judge1.id, "affiliation": None},
                                                        {"judge": world.judge1.id, "affiliation": world.university.id})]


def _behind(db, world):
    """judge2 gets one more nomination, left unscored."""
    extra = Nomination(fair_id=world.fair.id, category_id=world.category.id, nominator_org_id=world.orgs[0].id,
                       nominee_org_id=world.university.id, status=NominationStatus.eligible)
    db.session.add(extra)
    db.session.flush()
    ops.add_assignment(world.judge2, extra, world.chair)
    db.session.commit()


def test_reminders_are_queued_for_the_judges_behind_and_audited(db, world, app, outbox):
    _behind(db, world)
    world.judge2.locale = "en"
    db.session.commit()
    with app.test_request_context():
        with pytest.raises(RuntimeError):
            with unit_of_work():
                ops.remind_judges(world.rubric, world.chair, "http://localhost/fairs/1/judging")
                assert len(g.mail_queue) == 1
                raise RuntimeError("the request failed after the operation")
        assert outbox() == []  # nothing is sent for a request that rolled back
        assert db.session.query(AuditEntry).filter_by(action="judging.reminded").count() == 0
        with unit_of_work():
            users = ops.remind_judges(world.rubric, world.chair, "http://localhost/fairs/1/judging")
        assert [u.id for u in users] == [world.judge2.id]
    mails = outbox()
    assert [m.to for m in mails] == ["judge2@example.org"]
    # in the judge's own language (the chair's request is Thai)
    assert mails[0].subject == "Reminder: scoring for องค์กรคุณธรรมต้นแบบ ภาครัฐ is incomplete"
    entry = db.session.query(AuditEntry).filter_by(action="judging.reminded").one()
    assert entry.after == {"judges": [world.judge2.id], "automatic": False}


def test_the_thai_chair_page_has_no_english_audit_state(client, login_as, world):
    login_as(world.chair)
    html = client.get(f"/judging/categories/{world.category.id}/chair").get_data(as_text=True)
    assert '<span class="badge">สมบูรณ์</span>' in html
    assert ">intact<" not in html and ">broken<" not in html


def test_the_english_chair_pages_translate_the_audit_state_and_conflict_reasons(client, login_as, world, db):
    db.session.add(JudgeProfile(fair_id=world.fair.id, user_id=world.judge1.id, affiliation_org_id=world.orgs[0].id))
    db.session.commit()
    login_as(world.chair)
    client.get("/lang/en")
    html = client.get(f"/judging/categories/{world.category.id}/chair").get_data(as_text=True)
    assert '<span class="badge">intact</span>' in html and "สมบูรณ์" not in html
    html = client.get(f"/judging/categories/{world.category.id}/assignments").get_data(as_text=True)
    assert "affiliation is the nominee</td>" in html
    assert "สังกัดของกรรมการคือผู้ถูกเสนอชื่อ" not in html


def test_confirming_a_detected_conflict_stores_its_reason_in_thai(db, world, app):
    db.session.add(JudgeProfile(fair_id=world.fair.id, user_id=world.judge1.id, affiliation_org_id=world.orgs[0].id))
    db.session.commit()
    with app.test_request_context(headers={"Cookie": "lang=en"}):
        conflict = ops.confirm_detected_conflict(world.judge1, world.noms[0], world.chair)
        assert conflict.reason == "สังกัดของกรรมการคือผู้ถูกเสนอชื่อ" and conflict.source == "detected"
        with pytest.raises(ops.ConflictNotDetected):  # confirmed once: no longer waiting
            ops.confirm_detected_conflict(world.judge1, world.noms[0], world.chair)
        other = create_user("judge3@example.org")
        with pytest.raises(ops.ConflictNotDetected):
            ops.confirm_detected_conflict(other, world.noms[0], world.chair)


def _window_closes_in(db, world, days):
    from datetime import timedelta

    from fairapp.core.time import today_local
    world.fair.judging_opens = min(world.fair.judging_opens, today_local())
    world.fair.judging_closes = today_local() + timedelta(days=days)
    db.session.commit()


def test_the_schedule_reminds_the_judges_behind_once_a_day_before_the_window_closes(db, world, app, outbox):
    from fairapp.judging.jobs import remind_before_close

    _behind(db, world)
    _window_closes_in(db, world, 2)  # not a reminder day
    with app.test_request_context():
        assert remind_before_close() == 0
    assert outbox() == []
    _window_closes_in(db, world, 3)
    with app.test_request_context():
        assert remind_before_close() == 1
        assert remind_before_close() == 0  # the hour after (or a second timer): once a day
    assert [m.to for m in outbox()] == ["judge2@example.org"]
    entry = db.session.query(AuditEntry).filter_by(action="judging.reminded").one()
    assert entry.actor_id is None and entry.after == {"judges": [world.judge2.id], "automatic": True}
    # A category already finalized is not reminded.
    _window_closes_in(db, world, 1)
    world.rubric.finalized_at = world.fair.created_at
    db.session.commit()
    with app.test_request_context():
        assert remind_before_close() == 0
    assert len(outbox()) == 1


def test_the_schedule_has_the_reminders_and_the_lapsing_offers(app):
    schedule = app.extensions["celery"].conf.beat_schedule
    assert {"fairapp.judging.jobs.remind_before_close", "fairapp.booths.jobs.lapse_offers",
            "fairapp.core.mail.sweep_mail"} <= set(schedule)
    assert app.extensions["celery"].conf.task_routes["fairapp.core.mail.deliver"] == {"queue": "mail"}
