"""The waiting list: a freed place is offered to the first in line, with a deadline; a lapsed offer passes on."""
from __future__ import annotations

from datetime import datetime, time, timedelta

from sqlalchemy import select

from ...accounts.models import User
from ...core.time import BANGKOK, utcnow
from ...extensions import db
from ..models import Application, BoothSetup, Status
from ..queries import places_held
from .support import audit_application, lock_type, notify, release_booth


def to_waitlist(application: Application) -> None:
    """Put an application at the end of its type's waiting list."""
    application.status = Status.waitlisted
    application.waitlisted_at = utcnow()
    application.decided_at = application.waitlisted_at


def offer_next(booth_type_id: int, actor: User | None, now: datetime | None = None) -> list[Application]:
    """Offer the free places of a type to the waiting list, first come first served."""
    now = now or utcnow()
    booth_type = lock_type(booth_type_id)
    hours = BoothSetup.for_fair(booth_type.fair_id).offer_hours
    # An offer never runs past the morning the fair opens: after that the place is no use to anyone.
    fair_opens = datetime.combine(booth_type.fair.starts_on, time(0, 0), tzinfo=BANGKOK)
    deadline = min(now + timedelta(hours=hours), max(fair_opens, now + timedelta(hours=1)))
    free = booth_type.capacity - places_held(booth_type_id)
    if free <= 0:
        return []
    queue = db.session.scalars(select(Application).where(
        Application.booth_type_id == booth_type_id, Application.status == Status.waitlisted)
        .order_by(Application.waitlisted_at, Application.id).limit(free)).all()
    for application in queue:
        before = application.snapshot()
        application.status = Status.offered
        application.offer_expires_at = deadline
        audit_application("offered", application, actor, before)
        notify(application, "offered")
    db.session.flush()
    return list(queue)


def expire_offers(now: datetime | None = None) -> list[Application]:
    """Lapse offers past their deadline and pass each place to the next on the list.

    Run by `flask booths expire-offers` (cron or a systemd timer every few minutes in production). The
    offers are locked as they are read, so an offer accepted at the last moment is not lapsed after all.
    """
    now = now or utcnow()
    lapsed = db.session.scalars(select(Application).where(
        Application.status == Status.offered, Application.offer_expires_at < now)
        .order_by(Application.id).with_for_update().execution_options(populate_existing=True)).all()
    for application in lapsed:
        before = application.snapshot()
        application.status = Status.lapsed
        release_booth(application)
        audit_application("offer_lapsed", application, None, before)
        notify(application, "lapsed")
    db.session.flush()
    for type_id in sorted({a.booth_type_id for a in lapsed}):
        offer_next(type_id, None, now)
    return lapsed
