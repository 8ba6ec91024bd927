"""Join requests: a person whose sign-up found their organization already registered asks to join it, and
its managers (its owners; admins too) accept, making them a member (not a manager), or refuse.

Operations flush but never commit (the request's unit of work commits once); every step is audited and
mailed (core.mail queue, in each recipient's language) after the commit.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..core import audit
from ..core.errors import DomainError
from ..core.mail import queue_mail
from ..core.time import utcnow
from ..core.transaction import savepoint
from ..core.urls import external_url
from ..extensions import db
from .models import JoinRequest, Membership, Organization, User
from .operations import AlreadyMember, _queue_confirmation, create_user
from .queries import matching_organizations

MESSAGE_MAX = 500


class JoinChoiceGone(DomainError):
    message = _l("องค์กรที่เลือกไม่ตรงกับชื่อ จังหวัด หรือเลขประจำตัวที่กรอกไว้แล้ว กรุณาตรวจข้อมูลแล้วเลือกอีกครั้ง")


class JoinRequestPending(DomainError):
    message = _l("คุณขอเข้าร่วมองค์กรนี้ไว้แล้ว กำลังรอผู้ดูแลองค์กรตอบ")


class JoinRequestDecided(DomainError):
    message = _l("คำขอนี้ได้รับการตอบแล้ว")


def managers(org: Organization) -> list[User]:
    """Who decides the organization's join requests (and is mailed about them): its owners; an
    organization without one (made before owners, or whose owner was erased): its members."""
    rows = db.session.execute(select(User, Membership.role).join(Membership, Membership.user_id == User.id)
                              .where(Membership.organization_id == org.id, User.active.is_(True))
                              .order_by(User.id)).all()
    owners = [user for user, role in rows if role == "owner"]
    return owners or [user for user, _role in rows]


def ask_to_join(org: Organization, user: User, message: str = "") -> JoinRequest:
    """A pending request from `user` to join `org`; its managers are mailed. One pending request per person
    and organization (checked here; the partial unique index decides between two at the same moment)."""
    if user.is_member_of(org.id):
        raise AlreadyMember()
    if db.session.scalar(select(JoinRequest.id).where(JoinRequest.organization_id == org.id,
                                                      JoinRequest.user_id == user.id,
                                                      JoinRequest.state == "pending")):
        raise JoinRequestPending()
    join = JoinRequest(organization=org, user=user, message=(message or "").strip()[:MESSAGE_MAX],
                       state="pending")
    try:
        with savepoint():
            db.session.add(join)
            db.session.flush()
    except IntegrityError:
        raise JoinRequestPending() from None
    audit.record("organization.join_requested", join, actor=user,
                 after={"organization_id": org.id, "email": user.email})
    link = external_url("accounts.organization", org_id=org.id) + "#join-requests"
    for manager in managers(org):
        queue_mail(manager.email, _l("คำขอเข้าร่วม %(org)s", org=org.name_th), "join_request",
                   locale=manager.locale, org=org, requester=user, message=join.message, link=link)
    return join


def sign_up_to_join(*, org: dict, join_org_id: int, message: str, person: dict, password: str,
                    locale: str = "th") -> tuple[User, JoinRequest]:
    """Sign-up that found its organization: the account (with no membership yet) and its request to join
    the organization chosen, which must still be one that what was typed matches (JoinChoiceGone)."""
    matches = matching_organizations(org["name_th"], org["province_code"], org.get("tax_id"))
    if join_org_id not in {m.id for m in matches}:
        raise JoinChoiceGone()
    user = create_user(password=password, locale=locale, **person)
    join = ask_to_join(db.session.get(Organization, join_org_id), user, message)
    _queue_confirmation(user)
    return user, join


def ask_to_join_found(*, org: dict, join_org_id: int, message: str, user: User) -> JoinRequest:
    """A signed-in person's /orgs/new found the organization: their request to join the one chosen, which
    must still be one that what was typed matches (JoinChoiceGone)."""
    matches = matching_organizations(org["name_th"], org["province_code"], org.get("tax_id"))
    if join_org_id not in {m.id for m in matches}:
        raise JoinChoiceGone()
    return ask_to_join(db.session.get(Organization, join_org_id), user, message)


def decide(join: JoinRequest, actor: User, accept: bool) -> None:
    """Accept (the person becomes a member, not a manager) or refuse; once (two managers at the same moment:
    the second is told it was answered). The person is mailed either way."""
    db.session.refresh(join, with_for_update=True)  # under its row lock: two clicks at once decide once
    if join.state != "pending":
        raise JoinRequestDecided()
    join.state, join.decided_by_id, join.decided_at = ("accepted" if accept else "refused"), actor.id, utcnow()
    user, org = join.user, join.organization
    if accept and not user.is_member_of(org.id):
        db.session.add(Membership(user=user, organization=org, role="member"))
    db.session.flush()
    audit.record(f"organization.join_{join.state}", join, actor=actor, before={"state": "pending"},
                 after={"state": join.state, "organization_id": org.id, "email": user.email})
    subject = (_l("คุณเป็นสมาชิกของ %(org)s แล้ว", org=org.name_th) if accept
               else _l("คำขอเข้าร่วม %(org)s ไม่ได้รับการตอบรับ", org=org.name_th))
    queue_mail(user.email, subject, "join_decided", locale=user.locale, org=org, user=user, accepted=accept,
               link=external_url("accounts.dashboard"))
