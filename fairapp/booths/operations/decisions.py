"""Fair staff decide: approve within the type's capacity (else the waiting list), waitlist, reject, several
at once in a defined order, and move an application to another booth type."""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select

from ...accounts.models import User
from ...core.errors import DomainError
from ...core.time import utcnow
from ...core.transaction import savepoint
from ...extensions import db
from ..models import Application, BoothType, Status
from ..queries import places_held
from .errors import NotFirstInLine, NothingChosen, ReasonRequired, TypeFull, TypeOfAnotherFair, WrongStatus
from .support import (DECIDABLE, MOVABLE, REJECTABLE, audit_application, lock_application, lock_type, notify,
                      release_booth)
from .waitlist import offer_next, to_waitlist

ACTIONS = ("approve", "waitlist", "reject")


def approve_application(application: Application, actor: User) -> Status:
    """Approve within the type's capacity; when the type is full, waitlist in order instead."""
    if application.status not in DECIDABLE:
        raise WrongStatus(status=application.status.label)
    booth_type = lock_type(application.booth_type_id)
    db.session.refresh(application)  # re-read under the lock: another request may have moved it
    if application.status not in DECIDABLE:
        raise WrongStatus(status=application.status.label)
    before = application.snapshot()
    # Those already on the waiting list come first: a place goes to them before anyone else.
    ahead = db.session.scalar(select(func.count(Application.id)).where(
        Application.booth_type_id == booth_type.id, Application.status == Status.waitlisted,
        Application.id != application.id,
        (Application.waitlisted_at < application.waitlisted_at) if application.waitlisted_at is not None
        else Application.waitlisted_at.is_not(None))) or 0
    free = booth_type.capacity - places_held(booth_type.id)
    if application.status == Status.waitlisted and 0 < free <= ahead:
        raise NotFirstInLine()
    if free > ahead:
        application.status = Status.approved
        application.decided_at = utcnow()
        application.waitlisted_at = None
        audit_application("approved", application, actor, before)
        notify(application, "approved")
    elif application.status != Status.waitlisted:
        to_waitlist(application)
        audit_application("waitlisted_full", application, actor, before)
        notify(application, "waitlisted")
    db.session.flush()
    return application.status


def waitlist_application(application: Application, actor: User) -> Application:
    """Put a submitted application on the waiting list of its type (at the end)."""
    if application.status != Status.submitted:
        raise WrongStatus(status=application.status.label)
    before = application.snapshot()
    to_waitlist(application)
    audit_application("waitlisted", application, actor, before)
    notify(application, "waitlisted")
    return application


def reject_application(application: Application, reason: str, actor: User) -> Application:
    """Reject with a reason the organization will read; a place it held is offered on."""
    reason = (reason or "").strip()
    if not reason:
        raise ReasonRequired()
    if application.status not in REJECTABLE:
        raise WrongStatus(status=application.status.label)
    before = application.snapshot()
    held = application.holds_place
    application.status = Status.rejected
    application.rejection_reason = reason[:500]
    application.decided_at = utcnow()
    release_booth(application)
    audit_application("rejected", application, actor, before)
    notify(application, "rejected")
    if held:
        offer_next(application.booth_type_id, actor)
    return application


@dataclass
class Decided:
    """What a bulk decision did: counts, and the applications it left as they were, with the reason."""

    approved: int = 0
    waitlisted: int = 0
    rejected: int = 0
    skipped: list[tuple[Application, DomainError]] = field(default_factory=list)


def decision_order(application: Application) -> tuple:
    """The waiting list first, in its order; then the rest, oldest submission first (then by id)."""
    return (application.status != Status.waitlisted,
            application.waitlisted_at or application.submitted_at or application.created_at, application.id)


def decide_many(applications: list[Application], action: str, actor: User, reason: str | None = None) -> Decided:
    """One decision (approve / waitlist / reject) for each chosen application of a fair.

    Order: `decision_order`. Places are few, so the order says who gets them: the waiting list was
    promised the first free places (approve_application would refuse the second in line before the
    first anyway), then whoever applied first. Per item, not all or nothing: each application is
    decided in a savepoint of its own; one that cannot be (decided meanwhile by someone else, not
    first in line) is left as it was and reported with its reason, and the others stand. A
    refusal of the whole request (no reason to reject, nothing chosen) changes nothing.
    """
    if action not in ACTIONS:
        raise ValueError(action)
    if not applications:
        raise NothingChosen()
    if action == "reject" and not (reason or "").strip():
        raise ReasonRequired()
    done = Decided()
    for application in sorted(applications, key=decision_order):
        try:
            with savepoint():
                if action == "approve":
                    status = approve_application(application, actor)
                    if status == Status.approved:
                        done.approved += 1
                    else:
                        done.waitlisted += 1
                elif action == "waitlist":
                    waitlist_application(application, actor)
                    done.waitlisted += 1
                else:
                    reject_application(application, reason or "", actor)
                    done.rejected += 1
        except DomainError as error:
            db.session.refresh(application)  # as it is in the database again
            done.skipped.append((application, error))
    return done


def move_to_type(application: Application, booth_type: BoothType, actor: User) -> Application:
    """Staff move an application to another booth type of the fair.

    A held place moves only if the new type has room (checked under its lock); the place freed in the
    old type goes to the first on its waiting list. A booth of the old type is released.
    """
    if booth_type.fair_id != application.fair_id:
        raise TypeOfAnotherFair()
    if booth_type.id == application.booth_type_id:
        return application
    application = lock_application(application)
    if application.status not in MOVABLE:
        raise WrongStatus(status=application.status.label)
    old_type_id = application.booth_type_id
    held = application.holds_place
    for type_id in sorted((old_type_id, booth_type.id)):  # one order for every request: no deadlock
        lock_type(type_id)
    locked = db.session.get(BoothType, booth_type.id)
    if held and places_held(locked.id) >= locked.capacity:
        raise TypeFull(name=locked.name_th)
    before = application.snapshot()
    release_booth(application)
    application.booth_type_id = booth_type.id
    if application.status == Status.waitlisted:
        application.waitlisted_at = utcnow()  # joins the end of the new type's list
    db.session.flush()
    db.session.refresh(application)
    audit_application("moved_type", application, actor, before)
    notify(application, "moved")
    if held:
        offer_next(old_type_id, actor)
    return application
