"""Users, the organizations they belong to, and invitations to join one."""
from __future__ import annotations

import enum
import hashlib
import secrets
from datetime import datetime

from flask_babel import lazy_gettext as _l
from flask_login import UserMixin
from sqlalchemy import (Boolean, CheckConstraint, ForeignKey, Index, Integer, String, Text, UniqueConstraint, false,
                        text)
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from ..core.geo import district_name, province_name
from ..core.thai import org_name_form
from ..core.time import UTCDateTime, utcnow
from ..extensions import db


class Sector(str, enum.Enum):
    """The six ภาคี (partner sectors) of the national moral promotion plan."""

    government = "government"
    religion = "religion"
    education = "education"
    business = "business"
    media = "media"
    civil = "civil"

    @property
    def label(self) -> str:
        return str(SECTOR_LABELS[self])


SECTOR_LABELS = {
    Sector.government: _l("ภาครัฐ"),
    Sector.religion: _l("ภาคศาสนา"),
    Sector.education: _l("ภาคการศึกษา"),
    Sector.business: _l("ภาคธุรกิจ"),
    Sector.media: _l("ภาคสื่อมวลชน"),
    Sector.civil: _l("ภาคประชาสังคม ชุมชน ครอบครัว และเยาวชน"),
}

TITLE_SUGGESTIONS = ("นาย", "นาง", "นางสาว", "ดร.", "ผศ.", "ผศ.ดร.", "รศ.", "รศ.ดร.", "ศ.",
                     "ศ.ดร.", "พระ", "พระครู", "พระมหา", "ว่าที่ร้อยตรี")


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    title: Mapped[str] = mapped_column(String(60), default="")
    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100), default="")
    phone: Mapped[str | None] = mapped_column(String(20))
    locale: Mapped[str] = mapped_column(String(5), default="th")
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    # The data protection officer (PDPA s.41): the record of processing, the breach register, people's
    # requests. A role of its own, granted with `flask privacy dpo EMAIL`; an admin is not a DPO by being one.
    is_dpo: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    email_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Carried by every session and remember cookie (get_id); raising it ends them all (end_sessions).
    session_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # PDPA erasure: pseudonymized then
    religion_consent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # s.26: a monastic title kept

    memberships: Mapped[list["Membership"]] = relationship(
        back_populates="user", cascade="all, delete-orphan")
    # Declared by name so accounts does not import fairs (fairs depends on accounts).
    fair_roles: Mapped[list["FairRole"]] = relationship(  # noqa: F821
        "FairRole", back_populates="user", cascade="all, delete-orphan",
        foreign_keys="FairRole.user_id")

    # The signed-in session this request belongs to (its random nonce), set by the user loader or by
    # start_session(); not a column.
    session_nonce = None

    def start_session(self) -> None:
        """A new signed-in session (login): a new nonce, so its logout ends it alone."""
        self.session_nonce = secrets.token_urlsafe(12)

    def get_id(self) -> str:
        """Flask-Login's identity, kept in the session and the remember cookie:
        "<id>:<session version>:<session nonce>". A session or cookie made before the version last
        changed, or whose nonce was logged out (EndedSession), no longer loads the user."""
        if self.session_nonce is None:
            self.start_session()
        return f"{self.id}:{self.session_version or 0}:{self.session_nonce}"

    def session_matches(self, version: int) -> bool:
        return (self.session_version or 0) == version

    @property
    def is_active(self) -> bool:  # Flask-Login: a deactivated user cannot sign in
        return self.active

    @property
    def full_name(self) -> str:
        """Title, first and last name as Thais write them (no space after the title)."""
        return f"{self.title}{self.first_name} {self.last_name}".strip()

    @property
    def email_confirmed(self) -> bool:
        return self.email_confirmed_at is not None

    @property
    def organizations(self) -> list["Organization"]:
        return [m.organization for m in self.memberships]

    def roles_in(self, fair_id: int) -> set[str]:
        """This user's roles (staff, judge, chair) in one fair."""
        return {r.role for r in self.fair_roles if r.fair_id == fair_id}

    def has_fair_role(self, fair_id: int, *roles: str) -> bool:
        """True when the user holds one of `roles` in the fair (admins count as staff)."""
        if self.is_admin and "staff" in roles:
            return True
        return bool(self.roles_in(fair_id) & set(roles))

    @property
    def is_staff_anywhere(self) -> bool:
        """Admins and anyone who is fair staff in some fair."""
        return self.is_admin or any(r.role == "staff" for r in self.fair_roles)

    def acting_organization(self, org_id: int | None) -> "Organization | None":
        """The organization the user acts for: the one named (if a member), or their only one."""
        orgs = self.organizations
        if org_id is None:
            return orgs[0] if len(orgs) == 1 else None
        return next((o for o in orgs if o.id == org_id), None)

    def is_member_of(self, org_id: int) -> bool:
        return any(m.organization_id == org_id for m in self.memberships)

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email}>"


class EndedSession(db.Model):
    """A session that was logged out: its nonce no longer loads the user, whatever copy of its session
    or remember cookie comes back. Rows go when the user's session version moves (ops.end_sessions)."""
    __tablename__ = "ended_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    nonce: Mapped[str] = mapped_column(String(32), index=True)
    ended_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class OrgNames:
    """An organization's name and place in a language, from its name_th, name_en, province_code and
    district_code (the model's rows and sign-up's matches share it)."""

    def name(self, locale: str = "th") -> str:
        return (self.name_en or self.name_th) if locale == "en" else self.name_th

    def province_name(self, locale: str = "th") -> str:
        return province_name(self.province_code, locale)

    def district_name(self, locale: str = "th") -> str:
        return district_name(self.district_code, locale)


class Organization(OrgNames, db.Model):
    __tablename__ = "organizations"

    id: Mapped[int] = mapped_column(primary_key=True)
    name_th: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str | None] = mapped_column(String(200))
    sector: Mapped[Sector] = mapped_column(db.Enum(Sector, native_enum=False, length=20))
    province_code: Mapped[str] = mapped_column(String(2), index=True)
    district_code: Mapped[str] = mapped_column(String(4))
    tax_id: Mapped[str | None] = mapped_column(String(13), unique=True)
    # name_th spelled one way (org_name_key), kept with the name: sign-up finds an organization already here.
    name_key: Mapped[str] = mapped_column(String(400), index=True, default="", server_default="")
    # A provincial office (e.g. a provincial culture office) may nominate other organizations and communities.
    is_provincial_office: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    memberships: Mapped[list["Membership"]] = relationship(
        back_populates="organization", cascade="all, delete-orphan")
    invitations: Mapped[list["Invitation"]] = relationship(
        back_populates="organization", cascade="all, delete-orphan")

    @validates("name_th")
    def _keep_name_key(self, _key, value):
        """Every create and rename keeps the comparing key with the name (sign-up, the demo, an admin)."""
        self.name_key = org_name_key(value)
        return value

    def can_view(self, user) -> bool:
        """Members of the organization, fair staff and admins."""
        return bool(user.is_authenticated and (user.is_member_of(self.id) or user.is_staff_anywhere))

    def can_manage(self, user) -> bool:
        """Members may invite colleagues; admins may too."""
        return bool(user.is_authenticated and (user.is_member_of(self.id) or user.is_admin))


class Membership(db.Model):
    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("user_id", "organization_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(20), default="member")  # owner | member
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship(back_populates="memberships")
    organization: Mapped[Organization] = relationship(back_populates="memberships")


def org_name_key(name: str | None) -> str:
    """What two organization names are compared by: written out (core.thai.org_name_form: abbreviations,
    ๆ, ำ, digits), then folded as the kiosk and the directory search fold names (no spaces, tone marks or
    punctuation). "มทร. ล้านนา" and "มหาวิทยาลัยเทคโนโลยีราชมงคลล้านนา" have the same key."""
    from ..certificates.candidates import search_norm  # certificates depends on accounts: imported when used
    return search_norm(org_name_form(name))[:400]


def token_digest(token: str) -> str:
    """Invitation tokens are stored hashed, so a leaked database does not leak usable links."""
    return hashlib.sha256(token.encode()).hexdigest()


class Invitation(db.Model):
    __tablename__ = "invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True)
    email: Mapped[str] = mapped_column(String(254))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    organization: Mapped[Organization] = relationship(back_populates="invitations")
    invited_by: Mapped[User | None] = relationship(foreign_keys=[invited_by_id])

    @property
    def is_open(self) -> bool:
        """Neither accepted, cancelled nor expired."""
        return (self.accepted_at is None and self.cancelled_at is None
                and self.expires_at > utcnow())


JOIN_STATES = ("pending", "accepted", "refused")


class JoinRequest(db.Model):
    """A person asks to join an organization that was already registered (found at sign-up); its managers
    accept (a member, not a manager) or refuse. One pending request per person and organization."""
    __tablename__ = "join_requests"
    __table_args__ = (
        CheckConstraint("state IN ('pending', 'accepted', 'refused')", name="known_state"),
        Index("uq_join_requests_pending", "organization_id", "user_id", unique=True,
              sqlite_where=text("state = 'pending'"), postgresql_where=text("state = 'pending'")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    message: Mapped[str] = mapped_column(Text, default="")
    state: Mapped[str] = mapped_column(String(10), default="pending")
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    organization: Mapped[Organization] = relationship()
    user: Mapped[User] = relationship(foreign_keys=[user_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])
