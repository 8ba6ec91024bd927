"""The judges' scheduled reminders: a few days before the fair's judging window closes, every judge of a
category who has not finished scoring gets a mail, once a day at most (celery beat hourly on a cluster,
the app's timer under `make run`; a missed hour is caught by the next).

Each category is decided under its rubric's row lock, and the day's automatic reminder is looked up in the
audit log (actor: none), so several timers or a beat run twice send it once.
"""
from __future__ import annotations

from datetime import datetime, time, timedelta, timezone

from sqlalchemy import select

from ..core.audit import AuditEntry
from ..core.jobs import every, job
from ..core.time import BANGKOK, today_local
from ..core.urls import external_url
from ..extensions import db
from ..fairs.models import Fair
from ..nominations.models import Category
from . import operations as ops
from .models import Rubric
from .rules import lock_rubric

DAYS_LEFT = (3, 1)  # days before the window's last day on which the judges behind are reminded


def _reminded_today(rubric: Rubric, today) -> bool:
    since = datetime.combine(today, time.min, BANGKOK).astimezone(timezone.utc)
    return db.session.scalar(select(AuditEntry.id).where(
        AuditEntry.action == "judging.reminded", AuditEntry.object_id == rubric.id,
        AuditEntry.object_type == Rubric.__tablename__, AuditEntry.actor_id.is_(None),
        AuditEntry.created_at >= since).limit(1)) is not None


@every(timedelta(hours=1))
@job("default")
def remind_before_close(*, attempt: int = 0, task=None) -> int:
    """Remind the judges who are behind, in every category still open, on the days in DAYS_LEFT. Returns
    how many judges were reminded."""
    today = today_local()
    closing = [today + timedelta(days=n) for n in DAYS_LEFT]
    rubrics = db.session.scalars(
        select(Rubric).join(Category, Rubric.category_id == Category.id).join(Fair, Category.fair_id == Fair.id)
        .where(Fair.judging_closes.in_(closing), Fair.judging_opens <= today, Rubric.finalized_at.is_(None))
        .order_by(Rubric.id)).all()
    reminded = 0
    for rubric in rubrics:
        rubric = lock_rubric(rubric)
        if rubric.finalized or _reminded_today(rubric, today):
            continue
        link = external_url("judging.judge_dashboard", fair_id=rubric.category.fair_id)
        reminded += len(ops.remind_judges(rubric, None, link, skip_when_none=True))
    return reminded
