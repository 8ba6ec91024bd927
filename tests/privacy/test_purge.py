"""Retention: `flask privacy purge [--dry-run]` and the daily job remove what is past its period, and only
that; a second run finds nothing; a file already gone is no failure."""
from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, select

from fairapp.accounts.models import EndedSession, Invitation
from fairapp.booths.models import CheckInScan
from fairapp.core.audit import AuditEntry
from fairapp.core.mail import MailMessage
from fairapp.core.time import today_local, utcnow
from fairapp.judging.models_invitations import JudgeInvitation
from fairapp.privacy import purge
from tests.factories import create_fair, create_org, create_user

def _world(app, db):
    now = utcnow()
    user, org = create_user(), create_org()
    old_fair, new_fair = create_fair(), create_fair()
    old_fair.starts_on, old_fair.ends_on = today_local() - timedelta(days=101), today_local() - timedelta(days=100)
    for days, status in ((100, "sent"), (100, "failed"), (100, "queued"), (10, "sent")):
        db.session.add(MailMessage(to="a@example.org", subject="x", body="y", template="confirm", status=status,
                                   created_at=now - timedelta(days=days)))
    for n, fair in enumerate((old_fair, old_fair, new_fair)):
        db.session.add(CheckInScan(fair_id=fair.id, client_id=f"scan-{n}", result="refused", scanned_at=now))
    for n, days in enumerate((40, 10)):
        db.session.add(Invitation(organization_id=org.id, email=f"i{n}@example.org", token_hash=f"{n}" * 64,
                                  expires_at=now - timedelta(days=days)))
        db.session.add(JudgeInvitation(fair_id=new_fair.id, email=f"j{n}@example.org", token_hash=f"j{n}" * 32,
                                       expires_at=now - timedelta(days=days)))
    for days in (400, 100):
        db.session.add(EndedSession(user_id=user.id, nonce=f"nonce{days}aaaaaaaaaaaaaa", ended_at=now - timedelta(days=days)))
    db.session.commit()
    outbox = Path(app.config["MAIL_OUTBOX_DIR"])
    outbox.mkdir(parents=True, exist_ok=True)
    old_file, new_file = outbox / "old.eml", outbox / "new.eml"
    for path in (old_file, new_file):
        path.write_text("Subject: x\n\ny\n")
    stamp = (now - timedelta(days=100)).timestamp()
    os.utime(old_file, (stamp, stamp))
    return old_file, new_file


EXPECTED = {"mail": 2, "checkin": 2, "invitations": 1, "judge_invitations": 1, "ended_sessions": 1, "draft_applications": 0,
            "draft_nominations": 0, "evidence_not_awarded": 0}


def _left(db):
    return {"mail": db.session.scalar(select(func.count()).select_from(MailMessage)),
            "checkin": db.session.scalar(select(func.count()).select_from(CheckInScan)),
            "invitations": db.session.scalar(select(func.count()).select_from(Invitation)),
            "judge_invitations": db.session.scalar(select(func.count()).select_from(JudgeInvitation)),
            "ended_sessions": db.session.scalar(select(func.count()).select_from(EndedSession))}


def test_a_dry_run_lists_and_a_run_removes_only_what_is_past_its_period(app, db):
    old_file, new_file = _world(app, db)
    runner = app.test_cli_runner()
    dry = runner.invoke(args=["privacy", "purge", "--dry-run"])
    assert dry.exit_code == 0
    for name, count in EXPECTED.items():
        assert f"{name}: would remove {count}" in dry.output
    assert "outbox files: would remove 1" in dry.output and "old.eml" in dry.output
    assert _left(db) == {"mail": 4, "checkin": 3, "invitations": 2, "judge_invitations": 2, "ended_sessions": 2}
    assert old_file.exists()
    done = runner.invoke(args=["privacy", "purge"])
    assert done.exit_code == 0 and "mail: removed 2" in done.output
    db.session.expire_all()
    assert _left(db) == {"mail": 2, "checkin": 1, "invitations": 1, "judge_invitations": 1, "ended_sessions": 1}
    statuses = set(db.session.scalars(select(MailMessage.status)))
    assert statuses == {"queued", "sent"}  # an old message never delivered is not thrown away
    assert not old_file.exists() and new_file.exists()
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "privacy.purged"))
    assert entry.after == {**EXPECTED, "outbox_files": 1}
    # idempotent: nothing more to remove, and no second entry
    again = runner.invoke(args=["privacy", "purge"])
    assert again.exit_code == 0 and "mail: removed 0" in again.output
    assert db.session.scalar(select(func.count()).where(AuditEntry.action == "privacy.purged")) == 1


def test_an_ended_session_stays_while_its_remember_cookie_could_come_back(app, db):
    """A logged-out session's nonce is what refuses a captured "remember me" cookie: it goes only after that
    cookie would have expired anyway (REMEMBER_COOKIE_DURATION) and the retention period after it."""
    _world(app, db)
    with app.app_context():
        assert purge.plan().counts["ended_sessions"] == 1  # the one of 400 days, not the one of 100
        app.config["REMEMBER_COOKIE_DURATION"] = timedelta(days=30)
        assert purge.plan().counts["ended_sessions"] == 2


def test_an_outbox_file_already_gone_is_no_failure(app, db, monkeypatch):
    old_file, _new = _world(app, db)
    old_file.unlink()  # listed, then removed by someone else before the run reaches it
    monkeypatch.setattr(purge, "_old_outbox_files", lambda now: [old_file])
    from fairapp.core.transaction import unit_of_work
    with app.test_request_context(), unit_of_work():
        done = purge.purge()
    assert done.files == [] and done.counts["mail"] == 2


def test_drafts_and_evidence_not_awarded_go_with_their_files(app, db):
    from fairapp.booths.models import Application, Status
    from fairapp.core.storage import storage
    from fairapp.judging.models import Result, Rubric
    from fairapp.nominations.models import Category, Evidence, Nomination, NominationStatus
    from fairapp.core.transaction import unit_of_work
    from tests.booths.factories import create_application, create_booth_type

    now, today = utcnow(), today_local()
    fair, org = create_fair(), create_org()
    fair.booth_opens, fair.booth_closes = today - timedelta(days=260), today - timedelta(days=200)
    booth_type = create_booth_type(fair)
    with app.test_request_context():
        keys = {name: storage().save(b"\x89PNG\r\n\x1a\n" + name.encode(), "png")
                for name in ("draft_photo", "sent_photo", "draft_evidence", "lost_evidence", "won_evidence")}
    draft_app = create_application(fair, org, booth_type, Status.draft, photo_key=keys["draft_photo"])
    sent_app = create_application(fair, create_org(), booth_type, Status.submitted, photo_key=keys["sent_photo"])
    old = Category(fair_id=fair.id, name_th="ประเภทเก่า", opens_on=today - timedelta(days=300),
                   closes_on=today - timedelta(days=200))
    db.session.add(old)
    db.session.flush()
    draft_nom, lost, won = (Nomination(fair_id=fair.id, category_id=old.id, nominator_org_id=org.id,
                                       nominee_org_id=org.id, status=status)
                            for status in (NominationStatus.draft, NominationStatus.eligible, NominationStatus.eligible))
    db.session.add_all([draft_nom, lost, won])
    db.session.flush()
    for nomination, key in ((draft_nom, "draft_evidence"), (lost, "lost_evidence"), (won, "won_evidence")):
        db.session.add(Evidence(nomination_id=nomination.id, kind="photo", storage_key=keys[key], original_name="x.png",
                                size_bytes=10, sha256="0" * 64))
    rubric = Rubric(category_id=old.id, finalized_at=now - timedelta(days=400))
    db.session.add(rubric)
    db.session.flush()
    db.session.add_all([Result(rubric_id=rubric.id, nomination_id=won.id, position=1, score=90, level_th="ต้นแบบ"),
                        Result(rubric_id=rubric.id, nomination_id=lost.id, position=2, score=40, level_th=None)])
    db.session.commit()
    ids = draft_app.id, sent_app.id, draft_nom.id, lost.id, won.id
    with app.test_request_context():
        planned = purge.plan()
        assert (planned.counts["draft_applications"], planned.counts["draft_nominations"],
                planned.counts["evidence_not_awarded"]) == (1, 1, 1)
        with unit_of_work():
            purge.purge()
        db.session.expire_all()
        assert db.session.get(Application, ids[0]) is None and db.session.get(Application, ids[1]) is not None
        assert db.session.get(Nomination, ids[2]) is None
        assert db.session.get(Nomination, ids[3]) is not None  # the story stays: the fair's record
        left = set(db.session.scalars(select(Evidence.storage_key)))
        assert left == {keys["won_evidence"]}
        gone = {name for name, key in keys.items() if not storage().exists(key)}
        assert gone == {"draft_photo", "draft_evidence", "lost_evidence"}  # the files went with their rows
        assert purge.plan().total == 0  # idempotent


def test_the_dry_run_can_plan_a_later_day_and_only_plans(app, db):
    """`--as-of` shows the DPO what a run on a later day would remove; it never removes anything."""
    from fairapp.booths.models import Application, Status
    from tests.booths.factories import create_application, create_booth_type

    fair = create_fair()
    fair.booth_opens, fair.booth_closes = today_local() - timedelta(days=20), today_local() - timedelta(days=10)
    create_application(fair, create_org(), create_booth_type(fair), Status.draft)
    db.session.commit()
    runner = app.test_cli_runner()
    today = runner.invoke(args=["privacy", "purge", "--dry-run"])
    assert today.exit_code == 0 and "draft_applications: would remove 0" in today.output
    later = (today_local() + timedelta(days=400)).isoformat()
    planned = runner.invoke(args=["privacy", "purge", "--dry-run", "--as-of", later])
    assert planned.exit_code == 0 and f"draft_applications: would remove on {later} 1" in planned.output
    refused = runner.invoke(args=["privacy", "purge", "--as-of", later])
    assert refused.exit_code != 0 and "only plans" in refused.output
    assert db.session.scalar(select(func.count()).select_from(Application)) == 1
