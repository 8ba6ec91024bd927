"""Fair rules: create and edit a fair, grant and revoke per-fair roles (all audited)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..accounts.models import User
from ..accounts.operations import find_user_by_email
from ..core import audit
from ..core.errors import DomainError
from ..core.transaction import savepoint
from ..extensions import db
from .models import FAIR_ROLES, Fair, FairRole

FAIR_FIELDS = ("name_th", "name_en", "venue_th", "venue_en", "province_code", "organizer_th",
               "description_th", "starts_on", "ends_on", "booth_opens", "booth_closes",
               "nomination_opens", "nomination_closes", "judging_opens", "judging_closes",
               "thai_numerals")


class UnknownUser(DomainError):
    message = _l("ไม่พบผู้ใช้ที่ใช้อีเมลนี้ ผู้ใช้ต้องลงทะเบียนก่อนจึงจะให้บทบาทได้")
    field = "email"


class RoleAlreadyGranted(DomainError):
    message = _l("ผู้ใช้นี้มีบทบาทนี้ในงานนี้อยู่แล้ว")
    field = "email"


class UnknownRole(DomainError):
    message = _l("ไม่มีบทบาทนี้ในงาน กรุณาเลือกเจ้าหน้าที่งาน กรรมการ หรือประธานกรรมการ")
    status = 400
    field = "role"


def create_fair(data: dict, actor: User) -> Fair:
    """A new fair from validated data."""
    fair = Fair(created_by_id=actor.id, **{k: data[k] for k in FAIR_FIELDS if k in data})
    db.session.add(fair)
    db.session.flush()
    audit.record("fair.created", fair, actor=actor, fair_id=fair.id, after=fair.snapshot())
    return fair


def update_fair(fair: Fair, data: dict, actor: User) -> Fair:
    """Change a fair's details and windows; before/after go to the audit log."""
    before = fair.snapshot()
    for key in FAIR_FIELDS:
        if key in data:
            setattr(fair, key, data[key])
    after = fair.snapshot()
    changed = {k for k in after if before[k] != after[k]}
    if changed:
        audit.record("fair.updated", fair, actor=actor, fair_id=fair.id,
                     before={k: before[k] for k in changed}, after={k: after[k] for k in changed})
    return fair


def grant_role(fair: Fair, email: str, role: str, actor: User) -> FairRole:
    """Give a registered user a role (staff, judge, chair) in one fair."""
    if role not in FAIR_ROLES:
        raise UnknownRole()
    user = find_user_by_email(email)
    if user is None:
        raise UnknownUser()
    exists = db.session.scalar(select(FairRole.id).where(
        FairRole.fair_id == fair.id, FairRole.user_id == user.id, FairRole.role == role))
    if exists:
        raise RoleAlreadyGranted()
    # By ids, not relationships: the row must not join the session before the savepoint begins.
    grant = FairRole(fair_id=fair.id, user_id=user.id, role=role, granted_by_id=actor.id)
    try:
        with savepoint():  # two admins granting the same role at once: the unique constraint decides
            db.session.add(grant)
            db.session.flush()
    except IntegrityError:
        raise RoleAlreadyGranted() from None
    audit.record("fair.role_granted", grant, actor=actor, fair_id=fair.id,
                 after={"user": user.email, "role": role})
    return grant


def revoke_role(grant: FairRole, actor: User) -> None:
    """Take a per-fair role away."""
    audit.record("fair.role_revoked", grant, actor=actor, fair_id=grant.fair_id,
                 before={"user": grant.user.email, "role": grant.role})
    db.session.delete(grant)
    db.session.flush()
