"""Account rules: sign-up, confirmation and reset tokens, authentication, invitations.

Operations flush but never commit (the request's unit of work commits once, so a failure saves nothing
half-written); the mail they announce is queued (core.mail.queue_mail) and goes out after the commit.
"""
from __future__ import annotations

import secrets
import zlib
from datetime import timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import delete, func, select, text
from sqlalchemy.exc import IntegrityError
from werkzeug.security import check_password_hash, generate_password_hash

from ..core import audit
from ..core.errors import DomainError
from ..core.mail import queue_mail
from ..core.time import utcnow
from ..core.transaction import savepoint
from ..core.urls import external_url
from ..extensions import db
from ..privacy.sensitive import ReligionConsentNeeded, is_monastic
from .models import EndedSession, Invitation, Membership, Organization, User, org_name_key, token_digest
from .queries import matching_organizations


class EmailTaken(DomainError):
    message = _l("อีเมลนี้มีบัญชีอยู่แล้ว กรุณาเข้าสู่ระบบ หรือใช้ลิงก์ลืมรหัสผ่าน")
    field = "email"


class OrganizationExists(DomainError):
    """Sign-up found the organization already registered (queries.matching_organizations): no second one;
    the person may ask to join it. `matches` are what the page shows."""
    message = _l("มีองค์กรชื่อนี้ในจังหวัดนี้ลงทะเบียนไว้แล้ว ระบบจะไม่สร้างซ้ำ ขอเข้าร่วมองค์กรนั้นได้ที่ท้ายแบบฟอร์ม")
    field = "org_name_th"

    def __init__(self, matches=()):
        super().__init__()
        self.matches = list(matches)

    @staticmethod
    def of(matches) -> "OrganizationExists":
        return TaxIdTaken(matches) if any(m.same_tax_id for m in matches) else OrganizationExists(matches)


class TaxIdTaken(OrganizationExists):
    """The same tax ID: it is that organization (also when another sign-up took it at the same moment)."""
    message = _l("มีองค์กรที่ใช้เลขประจำตัว 13 หลักนี้ลงทะเบียนไว้แล้ว ระบบจะไม่สร้างซ้ำ ขอเข้าร่วมองค์กรนั้นได้ที่ท้ายแบบฟอร์ม")
    field = "tax_id"


class TokenInvalid(DomainError):
    message = _l("ลิงก์นี้ไม่ถูกต้อง กรุณาใช้ลิงก์ล่าสุดจากอีเมล หรือขอลิงก์ใหม่")
    status = 400


class TokenExpired(DomainError):
    message = _l("ลิงก์นี้หมดอายุแล้ว กรุณาขอลิงก์ใหม่")
    status = 400


class AlreadyMember(DomainError):
    message = _l("ผู้ใช้นี้เป็นสมาชิกขององค์กรอยู่แล้ว")
    field = "email"


class InvitationClosed(DomainError):
    message = _l("คำเชิญนี้ใช้ไม่ได้แล้ว (ถูกใช้ ยกเลิก หรือหมดอายุ) กรุณาขอคำเชิญใหม่")
    status = 400


class InvitationForOtherEmail(DomainError):
    message = _l("คำเชิญนี้ส่งถึงอีเมลอื่น กรุณาออกจากระบบแล้วเปิดลิงก์อีกครั้ง หรือขอคำเชิญถึงอีเมลของคุณ")


def hash_password(password: str) -> str:
    """The password hashed with the configured method (scrypt in production)."""
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))


def create_user(*, email: str, password: str, first_name: str, last_name: str = "",
                title: str = "", phone: str | None = None, locale: str = "th",
                religion_consent: bool = False) -> User:
    """A new user; raises EmailTaken when the address already has an account (also when another
    request takes it at the same moment: the unique constraint decides, inside a savepoint), and
    ReligionConsentNeeded for a monastic title without explicit consent (PDPA s.26)."""
    if is_monastic(title) and not religion_consent:
        raise ReligionConsentNeeded()
    if find_user_by_email(email):
        raise EmailTaken()
    user = User(email=email.strip().lower(), password_hash=hash_password(password), title=title.strip(),
                first_name=first_name.strip(), last_name=last_name.strip(), phone=phone,
                locale=locale if locale in ("th", "en") else "th",
                religion_consent_at=utcnow() if is_monastic(title) else None)
    try:
        with savepoint():
            db.session.add(user)
            db.session.flush()
    except IntegrityError:
        raise EmailTaken() from None
    return user


def register_organization(*, org: dict, person: dict, password: str, locale: str = "th") -> User:
    """Sign-up: the organization, its first member (owner) and the membership, all or nothing; the
    confirmation mail goes out once they are saved. OrganizationExists when it is already registered (the
    same tax ID, or the same normalized name in the province: queries.matching_organizations)."""
    _lock_name(org["name_th"], org["province_code"])
    matches = matching_organizations(org["name_th"], org["province_code"], org.get("tax_id"))
    if matches:
        raise OrganizationExists.of(matches)
    user = create_user(password=password, locale=locale, **person)
    _create_organization(org, user)
    _queue_confirmation(user)
    return user


def add_organization(user: User, org: dict) -> Organization:
    """A signed-in person registers an organization they represent (one whose join request was refused, or
    who works for a second one): the same checks as sign-up (OrganizationExists: ask to join it instead);
    they become its owner."""
    _lock_name(org["name_th"], org["province_code"])
    matches = matching_organizations(org["name_th"], org["province_code"], org.get("tax_id"))
    if matches:
        raise OrganizationExists.of(matches)
    return _create_organization(org, user)


def _create_organization(org: dict, owner: User) -> Organization:
    organization = Organization(**org)
    try:
        with savepoint():
            db.session.add(organization)
            db.session.flush()
    except IntegrityError:  # another sign-up took the tax ID at the same moment
        raise TaxIdTaken() from None
    db.session.add(Membership(user=owner, organization=organization, role="owner"))
    db.session.flush()
    audit.record("organization.registered", organization, actor=owner,
                 after={"name_th": organization.name_th, "sector": organization.sector.value,
                        "province_code": organization.province_code, "owner": owner.email})
    return organization


_NAME_LOCK = 72_2564  # PostgreSQL advisory lock (key, name) held while a sign-up checks and creates


def _lock_name(name_th: str, province_code: str) -> None:
    """Two sign-ups of one organization at the same moment: the second waits for the first to commit, then
    finds it (a name has no unique constraint: the same name in another province is another organization).
    PostgreSQL: a transaction advisory lock on the normalized name in the province; SQLite: a writing request
    already holds the database's lock (BEGIN IMMEDIATE)."""
    if db.session.get_bind().dialect.name == "postgresql":
        name = zlib.crc32(f"{province_code}|{org_name_key(name_th)}".encode()) - 2 ** 31  # an int4
        db.session.execute(text("SELECT pg_advisory_xact_lock(:k, :n)"), {"k": _NAME_LOCK, "n": name})


def authenticate(email: str, password: str) -> User | None:
    """The user when email and password match and the account is active, else None."""
    user = find_user_by_email(email or "")
    if user is None:
        # Spend the same time as a real check, so timing does not reveal which emails exist.
        check_password_hash(_DUMMY_HASH(), password or "")
        return None
    if not check_password_hash(user.password_hash, password or "") or not user.is_active:
        return None
    user.last_login_at = utcnow()
    return user


def _DUMMY_HASH() -> str:
    cache = current_app.extensions.setdefault("fairapp_dummy_hash", {})
    method = current_app.config["PASSWORD_HASH_METHOD"]
    if method not in cache:
        cache[method] = generate_password_hash(secrets.token_hex(8), method=method)
    return cache[method]


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"fairapp.{purpose}")


def make_confirm_token(user: User) -> str:
    """A signed link token that confirms this user's current email address."""
    return _serializer("confirm").dumps({"uid": user.id, "email": user.email})


def make_reset_token(user: User) -> str:
    """A signed reset token, void once the password changes (it carries part of the hash)."""
    return _serializer("reset").dumps({"uid": user.id, "ph": user.password_hash[-16:]})


def _load(purpose: str, token: str, max_age: int) -> dict:
    try:
        data = _serializer(purpose).loads(token, max_age=max_age)
    except SignatureExpired:
        raise TokenExpired()
    except BadSignature:
        raise TokenInvalid()
    if not isinstance(data, dict):
        raise TokenInvalid()
    return data


def _queue_confirmation(user: User) -> None:
    link = external_url("accounts.confirm", token=make_confirm_token(user))
    queue_mail(user.email, _l("ยืนยันอีเมลของคุณ — ตลาดนัดคุณธรรม"), "confirm", locale=user.locale,
               user=user, link=link)


def request_confirmation(user: User) -> bool:
    """Send a fresh confirmation link; False (nothing sent) when the address is already confirmed."""
    if user.email_confirmed:
        return False
    _queue_confirmation(user)
    return True


def request_password_reset(email: str) -> None:
    """Mail a reset link when the address belongs to an active account; the caller answers the same
    either way, so the answer does not reveal which addresses have accounts."""
    user = find_user_by_email(email)
    if user is None or not user.is_active:
        return
    link = external_url("accounts.reset_password", token=make_reset_token(user))
    queue_mail(user.email, _l("ตั้งรหัสผ่านใหม่ — ตลาดนัดคุณธรรม"), "reset", locale=user.locale,
               user=user, link=link)


def confirm_email(token: str) -> User:
    """Mark the user's email confirmed; raises TokenExpired or TokenInvalid."""
    data = _load("confirm", token, current_app.config["CONFIRM_TOKEN_MAX_AGE"])
    user = db.session.get(User, data.get("uid"))
    if user is None or user.email != data.get("email"):
        raise TokenInvalid()
    # Read it again under its row lock (the signed-in user was loaded before it): two clicks at once
    # confirm once.
    db.session.refresh(user, with_for_update=True)
    if user.email_confirmed_at is None:
        user.email_confirmed_at = utcnow()
        audit.record("user.email_confirmed", user, actor=user)
    return user


def user_for_reset(token: str) -> User:
    """The user a reset token belongs to; raises when it is expired, forged or already used."""
    data = _load("reset", token, current_app.config["RESET_TOKEN_MAX_AGE"])
    user = db.session.get(User, data.get("uid"))
    if user is None or user.password_hash[-16:] != data.get("ph"):
        raise TokenInvalid()
    return user


def end_sessions(user: User) -> int:
    """End every session and remember cookie of this user: their identity carries the session version,
    which moves on here (in SQL, so two requests at once both count). Returns the new version; the
    caller signs the current browser in again (login_user) when it is to stay signed in."""
    user.session_version = User.session_version + 1
    db.session.flush()
    db.session.refresh(user, ["session_version"])
    # The sessions logged out one by one are ended by the version now: their rows are no longer needed.
    db.session.execute(delete(EndedSession).where(EndedSession.user_id == user.id))
    return user.session_version


def end_session(user: User) -> None:
    """Logout: end this session (its nonce, from User.get_id) for good; the user's other sessions stay.
    A session without a nonce (made before nonces existed) can only be ended with all the others."""
    if user.session_nonce is None:
        end_sessions(user)
    else:
        db.session.add(EndedSession(user_id=user.id, nonce=user.session_nonce))
        db.session.flush()


def set_password(user: User, password: str) -> None:
    """The one way a password changes: every session and remember cookie made with the old one ends."""
    user.password_hash = hash_password(password)
    end_sessions(user)


def sign_out_everywhere(user: User) -> None:
    """The user's own "sign out everywhere": other browsers and devices lose their session (audited)."""
    end_sessions(user)
    audit.record("user.sessions_ended", user, actor=user)


def reset_password(user: User, password: str) -> None:
    """Set a new password (ending every session); clicking the reset link also proves the email address."""
    set_password(user, password)
    if user.email_confirmed_at is None:
        user.email_confirmed_at = utcnow()
    audit.record("user.password_reset", user, actor=user)


def invite_member(org: Organization, email: str, actor: User, locale: str = "th") -> tuple[Invitation, str]:
    """An invitation to join `org` and its secret token (mailed in `locale`, stored only hashed).

    Inviting the same address again replaces the earlier open invitation.
    """
    email = email.strip().lower()
    # Under the organization's row lock: two invitations to one address sent at once leave one open.
    db.session.refresh(org, with_for_update=True)
    existing = find_user_by_email(email)
    if existing and existing.is_member_of(org.id):
        raise AlreadyMember()
    now = utcnow()
    open_ones = db.session.scalars(select(Invitation).where(
        Invitation.organization_id == org.id, Invitation.email == email,
        Invitation.accepted_at.is_(None), Invitation.cancelled_at.is_(None)))
    for old in open_ones:
        if old.is_open:
            old.cancelled_at = now
    token = secrets.token_urlsafe(32)
    invitation = Invitation(organization=org, email=email, token_hash=token_digest(token),
                            invited_by_id=actor.id,
                            expires_at=now + timedelta(days=current_app.config["INVITATION_DAYS"]))
    db.session.add(invitation)
    db.session.flush()
    audit.record("organization.member_invited", invitation, actor=actor,
                 after={"organization_id": org.id, "email": email})
    queue_mail(email, _l("คำเชิญเข้าร่วม %(org)s ในระบบตลาดนัดคุณธรรม", org=org.name_th), "invite",
               locale=locale, org=org, inviter=actor,
               link=external_url("accounts.join", token=token))
    return invitation, token


def find_invitation(token: str) -> Invitation | None:
    return db.session.scalar(select(Invitation).where(Invitation.token_hash == token_digest(token)))


def open_invitation(token: str) -> Invitation:
    """The invitation a link carries; InvitationClosed when there is none or it is used, cancelled or expired."""
    invitation = find_invitation(token)
    if invitation is None or not invitation.is_open:
        raise InvitationClosed()
    return invitation


def _lock(invitation: Invitation) -> None:
    # Read it again under its row lock: two clicks at once use it once.
    db.session.refresh(invitation, with_for_update=True)


def cancel_invitation(invitation: Invitation, actor: User) -> None:
    _lock(invitation)
    if not invitation.is_open:
        raise InvitationClosed()
    invitation.cancelled_at = utcnow()
    audit.record("organization.invitation_cancelled", invitation, actor=actor,
                 before={"email": invitation.email})


def accept_invitation(invitation: Invitation, user: User) -> Membership:
    """Join the organization; the invitation can be used once, by the address it was sent to."""
    _lock(invitation)
    if not invitation.is_open:
        raise InvitationClosed()
    if user.email != invitation.email:
        raise InvitationForOtherEmail()
    if user.is_member_of(invitation.organization_id):
        raise AlreadyMember()
    invitation.accepted_at = utcnow()
    if user.email_confirmed_at is None:
        user.email_confirmed_at = invitation.accepted_at  # the link came to this address
    membership = Membership(user=user, organization_id=invitation.organization_id, role="member")
    db.session.add(membership)
    db.session.flush()
    audit.record("organization.member_joined", membership, actor=user,
                 after={"organization_id": invitation.organization_id, "email": user.email})
    return membership


def join_by_invitation(invitation: Invitation, *, person: dict, password: str, locale: str = "th") -> User:
    """A new account for the invited address, member of the inviting organization (all or nothing)."""
    user = create_user(email=invitation.email, password=password, locale=locale, **person)
    accept_invitation(invitation, user)
    return user
