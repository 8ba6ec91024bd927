"""What every booth operation shares: the audit entry, the status mail, and the row locks.

Locks are taken with SELECT ... FOR UPDATE and the row RE-READ (populate_existing): a copy loaded earlier
in the request may be stale. On SQLite a POST holds the database's write lock from its first statement
(core.transaction), which serializes the same way.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ...accounts.models import Membership, User
from ...core import audit
from ...core.mail import queue_mail
from ...extensions import db
from ...fairs.models import Fair
from ..models import STATUS_LABELS, Application, Booth, BoothType, Status

EDITABLE = (Status.draft, Status.submitted, Status.waitlisted, Status.approved, Status.offered)
TYPE_EDITABLE = (Status.draft, Status.submitted)
WITHDRAWABLE = (Status.draft, Status.submitted, Status.approved, Status.waitlisted, Status.offered)
DECIDABLE = (Status.submitted, Status.waitlisted)
REJECTABLE = (Status.submitted, Status.waitlisted, Status.approved, Status.offered)
MOVABLE = (Status.submitted, Status.approved, Status.waitlisted, Status.offered)
FIELDS = ("show_text", "share_text", "help_text", "connect_text", "needs_power", "needs_water",
          "needs_wheelchair", "needs_note")


def audit_application(action: str, application: Application, actor, before: dict | None = None) -> None:
    audit.record(f"booth.{action}", application, actor=actor, fair_id=application.fair_id,
                 before=before, after=application.snapshot())


def notify(application: Application, event: str) -> None:
    """Queue a status mail to every member of the organization, each in their own language."""
    members = db.session.scalars(select(User).join(Membership).where(
        Membership.organization_id == application.organization_id, User.active.is_(True))).all()
    for user in members:
        # The lazy label, so the subject is rendered in each member's language, not the actor's.
        queue_mail(user.email, _l("สถานะใบสมัครบูธ: %(status)s", status=STATUS_LABELS[application.status]),
                   "booth_status", locale=user.locale, user=user, application=application, event=event)


def lock_type(booth_type_id: int) -> BoothType:
    """The booth type's row, locked: capacity and the places held are read and changed under it."""
    return db.session.scalars(select(BoothType).where(BoothType.id == booth_type_id)
                              .with_for_update().execution_options(populate_existing=True)).one()


def lock_application(application: Application) -> Application:
    """The application's row locked and re-read, so two requests never act on a stale status."""
    return db.session.scalars(select(Application).where(Application.id == application.id)
                              .with_for_update().execution_options(populate_existing=True)).one()


def lock_booth(booth_id: int) -> Booth:
    """The booth's row locked and re-read."""
    return db.session.scalars(select(Booth).where(Booth.id == booth_id)
                              .with_for_update().execution_options(populate_existing=True)).one()


def lock_fair(fair_id: int) -> None:
    """The fair's row: serializes changes to its booth settings and floor plan."""
    db.session.execute(select(Fair.id).where(Fair.id == fair_id).with_for_update())


def release_booth(application: Application) -> None:
    """Empty the application's booth, if it has one."""
    if application.booth is not None:
        application.booth.application_id = None
        db.session.flush()
        db.session.expire(application, ["booth"])  # so the audit's "after" shows no booth
