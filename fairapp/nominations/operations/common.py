"""What every nomination operation shares: the row lock, the edit rule, and the history (an audit entry
and a NominationEvent in the same transaction) with the mail to the nominating organization."""
from __future__ import annotations

import hashlib

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ...accounts.models import Membership, User
from ...core import audit
from ...core.errors import DomainError
from ...core.mail import queue_mail
from ...extensions import db
from ..models import EDITABLE, NOMINATION_STATUS_LABELS, Category, Nomination, NominationEvent
from .errors import NotEditable, WindowClosed


def lock(nomination: Nomination) -> Nomination:
    """Take the nomination's row lock and re-read it (status, window): two requests changing one
    nomination run one after the other. PostgreSQL: SELECT ... FOR UPDATE; SQLite: a POST already holds
    the database's write lock (BEGIN IMMEDIATE, core.transaction)."""
    return db.session.scalars(select(Nomination).where(Nomination.id == nomination.id).with_for_update()
                              .execution_options(populate_existing=True)).one()


def lock_category(category: Category) -> Category:
    """The category's row lock: creating nominations (the per-nominator limit) and changing the
    category's conditions run one after the other."""
    return db.session.scalars(select(Category).where(Category.id == category.id).with_for_update()
                              .execution_options(populate_existing=True)).one()


def edit_problem(nomination: Nomination) -> DomainError | None:
    """Why the nominator cannot change the nomination now (narratives, files), or None."""
    if nomination.status not in EDITABLE:
        return NotEditable()
    if not nomination.category.window_open():
        return WindowClosed()
    return None


def ensure_editable(nomination: Nomination) -> None:
    problem = edit_problem(nomination)
    if problem is not None:
        raise problem


def narrative_digests(narratives: dict | None) -> dict:
    """Each section's SHA-256 and length: what the audit log keeps of a version of the narratives (it
    identifies the text, which the nomination itself holds, without copying it into every entry)."""
    return {key: {"sha256": hashlib.sha256(text.encode()).hexdigest(), "chars": len(text)}
            for key, text in sorted((narratives or {}).items())}


def record(action: str, nomination: Nomination, actor, before: dict | None = None,
           comment: str | None = None) -> None:
    """The audit entry and the history event of a change, in the same transaction. The entry's "after"
    holds the narratives' digests: the version saved, submitted or decided on."""
    audit.record(f"nomination.{action}", nomination, actor=actor, fair_id=nomination.fair_id,
                 before=before, after={**nomination.snapshot(), "narratives": narrative_digests(nomination.narratives),
                                       **({"comment": comment} if comment else {})})
    db.session.add(NominationEvent(nomination=nomination, action=action, comment=comment,
                                   actor_id=getattr(actor, "id", None)))


def notify(nomination: Nomination) -> None:
    """Mail the nominating organization's members the new status (sent once the request commits)."""
    members = db.session.scalars(select(User).join(Membership).where(
        Membership.organization_id == nomination.nominator_org_id, User.active.is_(True))).all()
    for user in members:
        queue_mail(user.email, _l("การเสนอชื่อ: %(status)s", status=NOMINATION_STATUS_LABELS[nomination.status]),
                   "nomination_status", locale=user.locale, user=user, nomination=nomination)


NOMINEE_SUBJECTS = {"nominated": _l("องค์กรของท่านได้รับการเสนอชื่อ"),
                    "eligible": _l("การเสนอชื่อองค์กรของท่านผ่านการตรวจคุณสมบัติ"),
                    "awarded": _l("องค์กรของท่านได้รับรางวัล")}


def notify_nominee(nomination: Nomination, event: str, level: str | None = None) -> None:
    """Mail the nominated organization's members (when another organization nominated it) that it was
    nominated, found eligible, or awarded `level` (sent once the request commits)."""
    if nomination.nominee_org_id is None or nomination.nominee_org_id == nomination.nominator_org_id:
        return
    members = db.session.scalars(select(User).join(Membership).where(
        Membership.organization_id == nomination.nominee_org_id, User.active.is_(True))).all()
    for user in members:
        queue_mail(user.email, NOMINEE_SUBJECTS[event], "nominee_status", locale=user.locale, user=user,
                   nomination=nomination, event=event, level=level)
