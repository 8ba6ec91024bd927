"""Approved applications in booths of the floor plan: allocate (or move), empty, swap two booths."""
from __future__ import annotations

from typing import NamedTuple

from sqlalchemy.exc import IntegrityError

from ...accounts.models import User
from ...core.transaction import savepoint
from ...extensions import db
from ..models import Application, Booth, Status
from .errors import (BoothBlocked, BoothOfAnotherFair, BoothTaken, BoothTypeMismatch, NotApproved, NothingAllocated,
                     NothingToMove, SameBooth)
from .support import audit_application, lock_booth, notify, release_booth


def allocate_booth(application: Application, booth: Booth, actor: User) -> Booth:
    """Put an approved application in a booth (moving it if it had another one)."""
    booth = lock_booth(booth.id)
    if booth.fair_id != application.fair_id:
        raise BoothOfAnotherFair()
    if application.status != Status.approved:
        raise NotApproved()
    if booth.blocked:
        raise BoothBlocked(code=booth.code)
    if booth.booth_type_id != application.booth_type_id:
        raise BoothTypeMismatch(code=booth.code)
    if booth.application_id == application.id:
        return booth
    if booth.application_id is not None:
        raise BoothTaken(code=booth.code)
    before = application.snapshot()
    release_booth(application)
    try:
        with savepoint():  # the unique application_id: another request put the application elsewhere
            booth.application_id = application.id
            db.session.flush()
    except IntegrityError:
        raise BoothTaken(code=booth.code) from None
    db.session.refresh(application)
    audit_application("allocated", application, actor, before)
    notify(application, "allocated")
    return booth


def unallocate_booth(booth: Booth, actor: User) -> Application:
    """Empty a booth (the application stays approved, without a booth); returns who was in it."""
    booth = lock_booth(booth.id)
    application = booth.application
    if application is None:
        raise NothingAllocated(code=booth.code)
    before = application.snapshot()
    booth.application_id = None
    db.session.flush()
    db.session.refresh(application)
    audit_application("unallocated", application, actor, before)
    notify(application, "unallocated")
    return application


class Swapped(NamedTuple):
    """Who was in the first booth and who in the second, before the swap."""

    first: Booth
    second: Booth
    was_in_first: Application | None
    was_in_second: Application | None


def swap_booths(first: Booth, second: Booth, actor: User) -> Swapped:
    """Exchange the occupants of two booths of the same type (or move one into an empty booth)."""
    if first.id == second.id:
        raise SameBooth()
    # Lock both rows in id order (no deadlock between two swaps) and re-read them.
    low, high = sorted((first.id, second.id))
    locked = {low: lock_booth(low), high: lock_booth(high)}
    first, second = locked[first.id], locked[second.id]
    if first.fair_id != second.fair_id:
        raise BoothOfAnotherFair()
    if first.booth_type_id != second.booth_type_id:
        raise BoothTypeMismatch(code=second.code)
    for booth in (first, second):
        if booth.blocked:
            raise BoothBlocked(code=booth.code)
    a, b = first.application, second.application
    if a is None and b is None:
        raise NothingToMove(a=first.code, b=second.code)
    before = {app.id: app.snapshot() for app in (a, b) if app}
    first.application_id = second.application_id = None
    db.session.flush()  # unique constraint: empty both before refilling
    first.application_id = b.id if b else None
    second.application_id = a.id if a else None
    db.session.flush()
    for app in (a, b):
        if app:
            db.session.refresh(app)
            audit_application("swapped", app, actor, before[app.id])
            notify(app, "moved")
    return Swapped(first, second, a, b)
