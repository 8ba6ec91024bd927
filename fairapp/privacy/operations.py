"""Privacy operations: the DPO role and the breach register. Each checks its rules and records an audit
entry; none commits (the request's unit of work does)."""
from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l

from ..accounts.models import User
from ..core import audit
from ..core.errors import DomainError
from ..core.time import utcnow
from ..extensions import db
from . import registry
from .models import RISKS, Breach

FIELDS = ("title", "description", "found_at", "occurred_at", "categories", "people_affected", "risk", "measures",
          "office_notified_at", "people_notified_at")


class BreachTimeInFuture(DomainError):
    message = _l("เวลานี้ยังมาไม่ถึง กรุณาตรวจสอบวันและเวลาอีกครั้ง")
    status = 400


class BreachTimesOutOfOrder(DomainError):
    message = _l("เวลานี้ต้องไม่ก่อนเวลาที่พบเหตุ")
    status = 400


class BreachOccurredAfterFound(DomainError):
    message = _l("เวลาที่เกิดเหตุต้องไม่หลังเวลาที่พบเหตุ")
    status = 400


class UnknownDataCategory(DomainError):
    message = _l("ประเภทข้อมูลนี้ไม่มีในทะเบียนการประมวลผล")
    status = 400


def _check(values: dict) -> None:
    now = utcnow()
    for name in ("found_at", "occurred_at", "office_notified_at", "people_notified_at"):
        if values.get(name) is not None and values[name] > now:
            raise BreachTimeInFuture(field=name)
    found = values["found_at"]
    if values.get("occurred_at") is not None and values["occurred_at"] > found:
        raise BreachOccurredAfterFound(field="occurred_at")
    for name in ("office_notified_at", "people_notified_at"):
        if values.get(name) is not None and values[name] < found:
            raise BreachTimesOutOfOrder(field=name)
    if not set(values.get("categories") or ()) <= set(registry.CATEGORY):
        raise UnknownDataCategory(field="categories")
    if values.get("risk") not in RISKS:
        raise DomainError(field="risk")


def _plain(breach: Breach) -> dict:
    return {name: (value.isoformat() if isinstance(value, datetime) else value)
            for name in FIELDS for value in [getattr(breach, name)]}


def record_breach(values: dict, actor: User) -> Breach:
    """A breach entered in the register; the 72 hours run from found_at."""
    _check(values)
    breach = Breach(**{name: values.get(name) for name in FIELDS}, created_by=actor)
    breach.categories = list(values.get("categories") or [])
    db.session.add(breach)
    audit.record("privacy.breach_recorded", breach, actor=actor, after=_plain(breach))
    return breach


def update_breach(breach: Breach, values: dict, actor: User) -> bool:
    """Change what the register says of a breach; False when nothing changed."""
    _check(values)
    before = _plain(breach)
    for name in FIELDS:
        setattr(breach, name, list(values.get(name) or []) if name == "categories" else values.get(name))
    after = _plain(breach)
    if after == before:
        return False
    changed = [name for name in FIELDS if before[name] != after[name]]
    audit.record("privacy.breach_updated", breach, actor=actor, before={k: before[k] for k in changed},
                 after={k: after[k] for k in changed})
    return True


def set_dpo(user: User, on: bool, actor: User | None) -> bool:
    """Make a person the data protection officer (or no longer); False when they already were (not)."""
    if bool(user.is_dpo) == on:
        return False
    user.is_dpo = on
    audit.record("privacy.dpo_granted" if on else "privacy.dpo_revoked", user, actor=actor,
                 before={"is_dpo": not on}, after={"is_dpo": on})
    return True
