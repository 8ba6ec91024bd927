"""The chair invites judges (issue 16): by email, with the affiliation the chair chose.

A registered address becomes a judge of the fair at once (fairs.operations.grant_role: its rules and its
audit entry) and is told by mail, with a link to its judging page. Any other address gets a judge
invitation (models_invitations.JudgeInvitation: token stored hashed, INVITATION_DAYS to accept, once): the
link /judging/invitations/<token>, opened signed in with the invited address, grants the role. The chair
resends (a new token: the old link stops working) or cancels open invitations. Operations flush, never
commit; mail goes through core.mail's queue after the commit.
"""
from __future__ import annotations

import secrets
from datetime import timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..accounts.models import Organization, User, token_digest
from ..accounts.operations import find_user_by_email
from ..core.errors import DomainError
from ..core.mail import queue_mail
from ..core.time import utcnow
from ..core.urls import external_url
from ..extensions import db
from ..fairs.models import Fair, FairRole
from ..fairs.operations import RoleAlreadyGranted, grant_role
from .models_invitations import JudgeInvitation
from .operations import set_affiliations
from .rules import record


class AlreadyJudge(DomainError):
    message = _l("ผู้ใช้นี้เป็นกรรมการของงานนี้อยู่แล้ว")
    field = "email"


class UnknownAffiliation(DomainError):
    message = _l("ไม่พบองค์กรนี้ กรุณาพิมพ์ชื่อแล้วเลือกจากรายการ หรือเว้นว่างไว้")
    field = "affiliation"


class InvitationUnknown(DomainError):
    message = _l("ลิงก์คำเชิญนี้ไม่ถูกต้อง กรุณาใช้ลิงก์ล่าสุดจากอีเมล หรือขอคำเชิญใหม่จากประธานกรรมการ")
    status = 400


class InvitationUsed(DomainError):
    message = _l("คำเชิญนี้ถูกตอบรับไปแล้ว ใช้ได้เพียงครั้งเดียว")
    status = 400


class InvitationCancelled(DomainError):
    message = _l("ประธานกรรมการยกเลิกคำเชิญนี้แล้ว กรุณาติดต่อประธานกรรมการหากต้องการคำเชิญใหม่")
    status = 400


class InvitationExpired(DomainError):
    message = _l("คำเชิญนี้หมดอายุแล้ว กรุณาขอคำเชิญใหม่จากประธานกรรมการ")
    status = 400


class InvitationForOtherEmail(DomainError):
    message = _l("คำเชิญนี้ส่งถึงอีเมลอื่น กรุณาออกจากระบบแล้วเข้าสู่ระบบด้วยอีเมลที่ได้รับคำเชิญ "
                 "หรือขอให้ประธานกรรมการเชิญอีเมลของคุณ")
    status = 403


def _closed(invitation: JudgeInvitation) -> DomainError | None:
    """Why the invitation can no longer be used (None: it is open)."""
    if invitation.accepted_at is not None:
        return InvitationUsed()
    if invitation.cancelled_at is not None:
        return InvitationCancelled()
    if invitation.expires_at <= utcnow():
        return InvitationExpired()
    return None


def _is_judge(fair_id: int, user_id: int) -> bool:
    return db.session.scalar(select(FairRole.id).where(
        FairRole.fair_id == fair_id, FairRole.user_id == user_id, FairRole.role == "judge")) is not None


def _affiliation(org_id: int | None) -> int | None:
    if org_id is None:
        return None
    if db.session.get(Organization, org_id) is None:
        raise UnknownAffiliation()
    return org_id


def judging_link(fair: Fair) -> str:
    return external_url("judging.judge_dashboard", fair_id=fair.id)


def invite_judge(fair: Fair, email: str, actor: User, *, name: str = "", affiliation_org_id: int | None = None,
                 locale: str = "th") -> tuple[str, User | JudgeInvitation]:
    """("granted", user) when the address has an account (judge at once, mailed in their language), else
    ("invited", invitation) mailed in `locale`; inviting an address again replaces its open invitation."""
    email = email.strip().lower()
    org_id = _affiliation(affiliation_org_id)
    # Under the fair's row lock: two invitations to one address sent at once leave one open.
    db.session.scalars(select(Fair.id).where(Fair.id == fair.id).with_for_update()).one()
    user = find_user_by_email(email)
    if user is not None:
        if _is_judge(fair.id, user.id):
            raise AlreadyJudge()
        try:
            grant_role(fair, user.email, "judge", actor)
        except RoleAlreadyGranted:
            raise AlreadyJudge() from None
        if org_id is not None:
            set_affiliations(fair, {user.id: org_id}, actor)
        mail_locale = user.locale or "th"
        queue_mail(user.email, _l("คุณได้รับแต่งตั้งเป็นกรรมการของ %(fair)s", fair=fair.name(mail_locale)),
                   "judge_invitation_granted", locale=mail_locale, fair_name=fair.name(mail_locale),
                   inviter=actor, user=user, link=judging_link(fair))
        return "granted", user
    now = utcnow()
    for old in db.session.scalars(select(JudgeInvitation).where(
            JudgeInvitation.fair_id == fair.id, JudgeInvitation.email == email,
            JudgeInvitation.accepted_at.is_(None), JudgeInvitation.cancelled_at.is_(None))):
        old.cancelled_at = now
    invitation = JudgeInvitation(fair_id=fair.id, email=email, name=(name or "").strip()[:200],
                                 invited_by_id=actor.id, affiliation_org_id=org_id, token_hash="")
    db.session.add(invitation)
    _send(invitation, fair, actor, locale)
    record("judge_invited", invitation, actor, fair.id,
           after={"email": email, "affiliation": org_id})
    return "invited", invitation


def _send(invitation: JudgeInvitation, fair: Fair, actor: User, locale: str) -> str:
    """A new token (and INVITATION_DAYS from now), mailed; only its digest is kept."""
    token = secrets.token_urlsafe(32)
    invitation.token_hash = token_digest(token)
    invitation.expires_at = utcnow() + timedelta(days=current_app.config["INVITATION_DAYS"])
    db.session.flush()
    queue_mail(invitation.email, _l("คำเชิญเป็นกรรมการของ %(fair)s", fair=fair.name(locale)), "judge_invitation",
               locale=locale, fair_name=fair.name(locale), inviter=actor, name=invitation.name,
               link=external_url("judging.judge_invitation", token=token))
    return token


def _lock(invitation: JudgeInvitation) -> None:
    # Read it again under its row lock: two clicks at once use it once.
    db.session.refresh(invitation, with_for_update=True)


def resend_invitation(invitation: JudgeInvitation, actor: User, locale: str = "th") -> str:
    """Mail the invitation again with a new link (the old one stops working) and a new expiry; an accepted
    or cancelled one cannot be resent (an expired one can: it opens again)."""
    _lock(invitation)
    if invitation.accepted_at is not None:
        raise InvitationUsed()
    if invitation.cancelled_at is not None:
        raise InvitationCancelled()
    token = _send(invitation, invitation.fair, actor, locale)
    record("judge_invitation_resent", invitation, actor, invitation.fair_id, after={"email": invitation.email})
    return token


def cancel_invitation(invitation: JudgeInvitation, actor: User) -> None:
    _lock(invitation)
    if invitation.accepted_at is not None:
        raise InvitationUsed()
    if invitation.cancelled_at is not None:
        raise InvitationCancelled()
    invitation.cancelled_at = utcnow()
    record("judge_invitation_cancelled", invitation, actor, invitation.fair_id, before={"email": invitation.email})


def find_invitation(token: str) -> JudgeInvitation:
    """The invitation a link carries (whatever its state); InvitationUnknown when there is none."""
    invitation = db.session.scalar(select(JudgeInvitation).where(JudgeInvitation.token_hash == token_digest(token)))
    if invitation is None:
        raise InvitationUnknown()
    return invitation


def check_open(invitation: JudgeInvitation) -> None:
    problem = _closed(invitation)
    if problem is not None:
        raise problem


def for_this_user(invitation: JudgeInvitation, user: User) -> bool:
    return (user.email or "").strip().lower() == invitation.email


def accept_invitation(invitation: JudgeInvitation, user: User) -> None:
    """Judge of the fair (and the chair's affiliation), once, by the address it was sent to."""
    _lock(invitation)
    check_open(invitation)
    if not for_this_user(invitation, user):
        raise InvitationForOtherEmail()
    invitation.accepted_at = utcnow()
    if user.email_confirmed_at is None:
        user.email_confirmed_at = invitation.accepted_at  # the link came to this address
    fair = invitation.fair
    db.session.scalars(select(Fair.id).where(Fair.id == fair.id).with_for_update()).one()
    if not _is_judge(fair.id, user.id):  # an admin may have granted it meanwhile: accepting still closes it
        grant_role(fair, user.email, "judge", invitation.invited_by or user)
    if invitation.affiliation_org_id is not None:
        set_affiliations(fair, {user.id: invitation.affiliation_org_id}, user)
    record("judge_invitation_accepted", invitation, user, fair.id, after={"email": invitation.email})


def open_invitations(fair_id: int) -> list[JudgeInvitation]:
    """The fair's invitations not yet accepted nor cancelled (expired ones too: the chair may resend them),
    newest first, with their affiliation: two queries whatever their number."""
    return list(db.session.scalars(
        select(JudgeInvitation).where(JudgeInvitation.fair_id == fair_id, JudgeInvitation.accepted_at.is_(None),
                                      JudgeInvitation.cancelled_at.is_(None))
        .options(selectinload(JudgeInvitation.affiliation))
        .order_by(JudgeInvitation.created_at.desc(), JudgeInvitation.id.desc())))
