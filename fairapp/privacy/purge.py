"""Retention (PDPA s.37(3)): what is past its period is removed, by `flask privacy purge [--dry-run]` and
once a day as a job. Idempotent: a second run finds nothing; a dry run lists what a run would remove.

Purged here, by the registry's default periods:
- mail: messages sent or given up more than `mail` days ago, and the outbox files (`make run`) as old;
- check-in scans: `checkin` days after the last day of their fair (a fair's own shorter period where an
  admin set one: privacy.retention, as for drafts and evidence);
- invitations: `session` days after they expired (they hold the invited address);
- ended sessions: kept while a captured "remember me" cookie of that session could still be presented
  (REMEMBER_COOKIE_DURATION), then `session` days more;
(Request limits, keyed by address, are deleted by core.ratelimit itself once their window has passed.)
- drafts never submitted: booth applications and nominations still drafts `draft` days after their window
  closed, with their people, events, evidence and photos;
- the evidence of nominations not awarded: `evidence` days after their category's results were finalized
  (the nomination and its story stay: they are the fair's record).
Stored files go through core.storage.delete_after_commit (durable: named in the same unit of work, deleted
after the commit, retried while the store refuses).

One audit entry per run that removed anything (`privacy.purged`, the counts per category)."""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from flask import current_app
from sqlalchemy import delete, func, select

from ..accounts.models import EndedSession, Invitation
from ..booths.models import Application, CheckInScan, Status
from ..core import audit
from ..core.jobs import every, job
from ..core.mail import MailMessage
from ..core.storage import delete_after_commit
from ..core.time import to_local, utcnow
from ..extensions import db
from ..fairs.models import Fair
from ..judging.models_invitations import JudgeInvitation
from ..judging.models import Result, Rubric
from ..nominations.models import Category, Evidence, Nomination, NominationStatus
from .registry import retention_days
from .retention import days_for_fairs

REMEMBER_DEFAULT = timedelta(days=365)  # Flask-Login's REMEMBER_COOKIE_DURATION when none is set


@dataclass
class Plan:
    """What a run removes (or, dry, would remove): counts per category and the outbox files."""

    counts: dict[str, int] = field(default_factory=dict)
    files: list[Path] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(self.counts.values()) + len(self.files)


def _remember() -> timedelta:
    value = current_app.config.get("REMEMBER_COOKIE_DURATION", REMEMBER_DEFAULT)
    return value if isinstance(value, timedelta) else timedelta(seconds=int(value))


def _statements(now: datetime) -> dict[str, tuple]:
    """Each category: (the rows past their period as a WHERE clause on a table)."""
    mail_before = now - timedelta(days=retention_days("mail"))
    session_days = timedelta(days=retention_days("session"))
    ended_fairs = _fairs_past("checkin", Fair.ends_on, to_local(now).date())
    return {
        "mail": (MailMessage.__table__, MailMessage.status.in_(("sent", "failed")) & (MailMessage.created_at < mail_before)),
        "checkin": (CheckInScan.__table__, CheckInScan.fair_id.in_(ended_fairs)),
        "invitations": (Invitation.__table__, Invitation.expires_at < now - session_days),
        "judge_invitations": (JudgeInvitation.__table__, JudgeInvitation.expires_at < now - session_days),
        "ended_sessions": (EndedSession.__table__, EndedSession.ended_at < now - _remember() - session_days),
    }


def _past(category: str, rows, today) -> list[int]:
    """The ids of `rows` (id, fair id, a date or time) past their fair's period for `category` (its own
    period where an admin set one, else the registry's default) as of `today` (a date or a time)."""
    own, default = days_for_fairs(category)
    return [row_id for row_id, fair_id, at in db.session.execute(rows).all()
            if at is not None and at < today - timedelta(days=own.get(fair_id, default))]


def _fairs_past(category: str, column, today) -> list[int]:
    return _past(category, select(Fair.id, Fair.id, column), today)


def _file_owners(now: datetime) -> dict[str, list]:
    """The rows past their period that carry stored files (deleted one by one, with their files)."""
    today = to_local(now).date()
    apps = db.session.scalars(select(Application).where(
        Application.status == Status.draft, Application.fair_id.in_(_fairs_past("draft", Fair.booth_closes, today)))).all()
    closed = _past("draft", select(Category.id, Category.fair_id, Category.closes_on), today)
    noms = db.session.scalars(select(Nomination).where(Nomination.status == NominationStatus.draft,
                                                       Nomination.category_id.in_(closed))).all()
    awarded = select(Result.nomination_id).where(Result.level_th.is_not(None))
    finalized = _past("evidence", select(Rubric.category_id, Category.fair_id, Rubric.finalized_at)
                      .join(Category, Category.id == Rubric.category_id).where(Rubric.finalized_at.is_not(None)), now)
    evidence = db.session.scalars(
        select(Evidence).join(Nomination, Nomination.id == Evidence.nomination_id)
        .where(Nomination.category_id.in_(finalized), Nomination.id.not_in(awarded),
               Nomination.status != NominationStatus.draft)).all()
    return {"draft_applications": list(apps), "draft_nominations": list(noms), "evidence_not_awarded": list(evidence)}


def _keys(row) -> list[str]:
    if isinstance(row, Application):
        return [row.photo_key]
    if isinstance(row, Nomination):
        return [k for e in row.evidence for k in (e.storage_key, e.thumb_key)]
    return [row.storage_key, row.thumb_key]


def _old_outbox_files(now: datetime) -> list[Path]:
    outbox = Path(current_app.config["MAIL_OUTBOX_DIR"])
    if not outbox.is_dir():
        return []
    cutoff = (now - timedelta(days=retention_days("mail"))).timestamp()
    return sorted(p for p in outbox.iterdir() if p.is_file() and p.suffix == ".eml" and p.stat().st_mtime < cutoff)


def plan(now: datetime | None = None) -> Plan:
    """What a run would remove now (the dry run)."""
    now = now or utcnow()
    counts = {name: db.session.scalar(select(func.count()).select_from(table).where(where)) or 0
              for name, (table, where) in _statements(now).items()}
    counts.update({name: len(rows) for name, rows in _file_owners(now).items()})
    return Plan(counts=counts, files=_old_outbox_files(now))


def purge(now: datetime | None = None) -> Plan:
    """Remove what is past its period (inside the caller's unit of work); the outbox files go after the
    rows (a file already gone is simply not counted)."""
    now = now or utcnow()
    done = Plan()
    for name, (table, where) in _statements(now).items():
        done.counts[name] = db.session.execute(delete(table).where(where)
                                               .execution_options(synchronize_session=False)).rowcount or 0
    for name, rows in _file_owners(now).items():
        for row in rows:
            delete_after_commit(*_keys(row))
            db.session.delete(row)
        done.counts[name] = len(rows)
    for path in _old_outbox_files(now):
        try:
            os.remove(path)
            done.files.append(path)
        except FileNotFoundError:
            pass
    if done.total:
        audit.record("privacy.purged", object_type="retention", object_id=None,
                     after={**done.counts, "outbox_files": len(done.files)})
    return done


@every(timedelta(hours=24))
@job("default")
def purge_daily(*, attempt: int = 0, task=None) -> dict:
    """The daily run (celery beat, or `make run`'s timer)."""
    done = purge()
    return {**done.counts, "outbox_files": len(done.files)}
