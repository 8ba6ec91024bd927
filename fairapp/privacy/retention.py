"""A fair's own retention periods: an admin may set a shorter period than the registry's default for the
data kept per fair (check-in scans, drafts never submitted, evidence of nominations not awarded); the purge
reads `days_for`. Never longer than the default: the notice promises that at most."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..accounts.models import User
from ..core import audit
from ..core.errors import DomainError
from ..extensions import db
from ..fairs.models import Fair
from .models import RetentionSetting
from .registry import retention_days

PER_FAIR = ("checkin", "draft", "evidence")  # the categories kept per fair


class LongerThanDefault(DomainError):
    message = _l("ระยะเวลาต้องไม่เกินที่ประกาศความเป็นส่วนตัวกำหนด (%(days)s วัน)")
    status = 400


def settings(fair: Fair) -> dict[str, int]:
    """This fair's periods: its own where set, else the registry's default (days)."""
    own = dict(db.session.execute(select(RetentionSetting.category, RetentionSetting.days)
                                  .where(RetentionSetting.fair_id == fair.id)).all())
    return {key: own.get(key, retention_days(key)) for key in PER_FAIR}


def days_for_fairs(category: str) -> tuple[dict[int, int], int]:
    """The fairs with their own period for `category` ({fair id: days}), and the default for the rest."""
    own = dict(db.session.execute(select(RetentionSetting.fair_id, RetentionSetting.days)
                                  .where(RetentionSetting.category == category)).all())
    return own, retention_days(category)


def set_periods(fair: Fair, periods: dict[str, int | None], actor: User) -> list[str]:
    """Set the fair's periods (None or the default: back to the default); the categories that changed."""
    before = settings(fair)
    rows = {r.category: r for r in db.session.scalars(select(RetentionSetting).where(RetentionSetting.fair_id == fair.id))}
    changed = []
    for key in PER_FAIR:
        default, days = retention_days(key), periods.get(key)
        if days is not None and days > default:
            raise LongerThanDefault(field=key, days=default)
        if days is None or days == default:
            if key in rows:
                db.session.delete(rows[key])
        elif key in rows:
            rows[key].days, rows[key].set_by_id = days, actor.id
        else:
            db.session.add(RetentionSetting(fair_id=fair.id, category=key, days=days, set_by_id=actor.id))
        if (days or default) != before[key]:
            changed.append(key)
    if changed:
        audit.record("privacy.retention_set", fair, actor=actor, fair_id=fair.id,
                     before={k: before[k] for k in changed}, after={k: periods.get(k) or retention_days(k) for k in changed})
    return changed
