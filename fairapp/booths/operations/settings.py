"""A fair's booth types (size, what comes with them, capacity) and its booth settings, audited.

A capacity change takes the type's row lock, like every approval: a capacity never drops below the
places held (approved or offered), however many approvals run at the same moment, and places it adds
go to the waiting list first.
"""
from __future__ import annotations

from sqlalchemy import func, select

from ...accounts.models import User
from ...core import audit
from ...extensions import db
from ...fairs.models import Fair
from ..models import BoothSetup, BoothType, canonical_size
from ..queries import places_held
from .errors import CapacityBelowHeld
from .support import lock_fair, lock_type
from .waitlist import offer_next

TYPE_FIELDS = ("name_th", "name_en", "size_label", "includes_th", "capacity")
SETUP_FIELDS = ("per_org_limit", "offer_hours")


def type_snapshot(booth_type: BoothType) -> dict:
    return {c: getattr(booth_type, c) for c in TYPE_FIELDS}


def _apply(booth_type: BoothType, values: dict) -> None:
    for key in TYPE_FIELDS:
        if key in values:
            setattr(booth_type, key, values[key])
    booth_type.name_th = (booth_type.name_th or "").strip()
    booth_type.name_en = (booth_type.name_en or "").strip() or None
    booth_type.includes_th = (booth_type.includes_th or "").strip()
    booth_type.size_label = canonical_size(booth_type.size_label)


def create_booth_type(fair: Fair, values: dict, actor: User) -> BoothType:
    """A new booth type of the fair, listed after the others."""
    lock_fair(fair.id)  # the sort order counts the types there are
    count = db.session.scalar(select(func.count(BoothType.id)).where(BoothType.fair_id == fair.id)) or 0
    booth_type = BoothType(fair_id=fair.id, sort_order=count, includes_th="")
    _apply(booth_type, values)
    db.session.add(booth_type)
    db.session.flush()
    audit.record("booth.type_created", booth_type, actor=actor, fair_id=fair.id, after=type_snapshot(booth_type))
    return booth_type


def update_booth_type(booth_type: BoothType, values: dict, actor: User) -> BoothType:
    """Change a booth type; its capacity never below the places held; new places offered to the waiting list."""
    booth_type = lock_type(booth_type.id)
    held = places_held(booth_type.id)
    if "capacity" in values and values["capacity"] < held:
        raise CapacityBelowHeld(n=held)
    before = type_snapshot(booth_type)
    _apply(booth_type, values)
    if type_snapshot(booth_type) == before:
        return booth_type
    db.session.flush()
    audit.record("booth.type_changed", booth_type, actor=actor, fair_id=booth_type.fair_id, before=before,
                 after=type_snapshot(booth_type))
    if booth_type.capacity > held:
        offer_next(booth_type.id, actor)  # new places go to the waiting list first
    return booth_type


def setup_snapshot(setup: BoothSetup) -> dict:
    return {c: getattr(setup, c) for c in SETUP_FIELDS}


def update_booth_setup(fair: Fair, values: dict, actor: User) -> BoothSetup:
    """The fair's per-organization limit and how long an offer from the waiting list stands."""
    lock_fair(fair.id)  # the settings row may not exist yet: two first saves must not both insert it
    setup = BoothSetup.for_fair(fair.id)
    before = setup_snapshot(setup)
    for key in SETUP_FIELDS:
        if key in values:
            setattr(setup, key, values[key])
    db.session.add(setup)
    db.session.flush()
    if setup_snapshot(setup) != before:
        audit.record("booth.setup_changed", actor=actor, fair_id=fair.id, object_type="booth_setups",
                     object_id=fair.id, before=before, after=setup_snapshot(setup))
    return setup
