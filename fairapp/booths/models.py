"""Booth types, applications (with the people who staff the booth), booths on the floor plan, check-in."""
from __future__ import annotations

import enum
import re
from datetime import datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import (Boolean, CheckConstraint, ForeignKey, Integer, String, Text, UniqueConstraint,
                        func, select)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..accounts.models import Organization, User
from ..core.time import UTCDateTime, utcnow
from ..extensions import db
from ..fairs.models import Fair


class Status(str, enum.Enum):
    """The life of an application. approved and offered hold a place of the booth type."""

    draft = "draft"
    submitted = "submitted"
    approved = "approved"
    waitlisted = "waitlisted"
    offered = "offered"        # a place freed up; the organization may accept until offer_expires_at
    rejected = "rejected"
    withdrawn = "withdrawn"
    lapsed = "lapsed"          # an offer that was not accepted in time

    @property
    def label(self) -> str:
        return str(STATUS_LABELS[self])


STATUS_LABELS = {
    Status.draft: _l("ฉบับร่าง"),
    Status.submitted: _l("ส่งแล้ว รอพิจารณา"),
    Status.approved: _l("อนุมัติแล้ว"),
    Status.waitlisted: _l("อยู่ในรายชื่อสำรอง"),
    Status.offered: _l("ได้รับข้อเสนอที่ว่าง"),
    Status.rejected: _l("ไม่อนุมัติ"),
    Status.withdrawn: _l("ถอนใบสมัครแล้ว"),
    Status.lapsed: _l("ข้อเสนอหมดอายุ"),
}
HOLDS_PLACE = (Status.approved, Status.offered)
LIVE = (Status.draft, Status.submitted, Status.approved, Status.waitlisted, Status.offered)
ACTIVITIES = (("show", _l("โชว์")), ("share", _l("แชร์")), ("help", _l("ช่วย")), ("connect", _l("เชื่อม")))


# A size as people type it: "3 x 3", "3x3 ม.", "2.5 × 4 m", "3 x 3 เมตร" (metres, width x depth).
_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*[xX×*]\s*(\d+(?:\.\d+)?)\s*(?:ม\.?|เมตร|m\.?|metres?|meters?)?\s*$")


def parse_size(text: str | None) -> tuple[str, str] | None:
    """(width, depth) in metres when the text is a size, else None (a size said in words)."""
    match = _SIZE.match(text or "")
    return (match.group(1), match.group(2)) if match else None


def canonical_size(text: str | None) -> str:
    """What is stored: "3 x 3" (numbers only; the unit is shown in the page's language), or the words."""
    size = parse_size(text)
    return f"{size[0]} x {size[1]}" if size else (text or "").strip()


class BoothType(db.Model):
    __tablename__ = "booth_types"
    __table_args__ = (CheckConstraint("capacity >= 0", name="capacity_not_negative"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    fair_id: Mapped[int] = mapped_column(ForeignKey("fairs.id", ondelete="CASCADE"), index=True)
    name_th: Mapped[str] = mapped_column(String(120))
    name_en: Mapped[str | None] = mapped_column(String(120))
    size_label: Mapped[str] = mapped_column(String(60))          # "3 x 3" (metres), or words
    includes_th: Mapped[str] = mapped_column(String(300), default="")  # "โต๊ะ 1 ตัว เก้าอี้ 2 ตัว ปลั๊กไฟ"
    capacity: Mapped[int] = mapped_column(Integer)
    sort_order: Mapped[int] = mapped_column(Integer, default=0)

    fair: Mapped[Fair] = relationship()

    def name(self, locale: str = "th") -> str:
        return (self.name_en or self.name_th) if locale == "en" else self.name_th

    @property
    def size_text(self) -> str:
        """The size in the page's language ("3 x 3 ม." / "3 x 3 m"); a size said in words as it was typed."""
        size = parse_size(self.size_label)
        return _("%(w)s x %(d)s ม.", w=size[0], d=size[1]) if size else self.size_label


class Application(db.Model):
    __tablename__ = "booth_applications"

    id: Mapped[int] = mapped_column(primary_key=True)
    fair_id: Mapped[int] = mapped_column(ForeignKey("fairs.id", ondelete="CASCADE"), index=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), index=True)
    booth_type_id: Mapped[int] = mapped_column(ForeignKey("booth_types.id"), index=True)
    status: Mapped[Status] = mapped_column(db.Enum(Status, native_enum=False, length=20), default=Status.draft,
                                           index=True)
    show_text: Mapped[str] = mapped_column(Text, default="")
    share_text: Mapped[str] = mapped_column(Text, default="")
    help_text: Mapped[str] = mapped_column(Text, default="")
    connect_text: Mapped[str] = mapped_column(Text, default="")
    needs_power: Mapped[bool] = mapped_column(Boolean, default=False)
    needs_water: Mapped[bool] = mapped_column(Boolean, default=False)
    needs_wheelchair: Mapped[bool] = mapped_column(Boolean, default=False)
    needs_note: Mapped[str] = mapped_column(String(500), default="")
    # PDPA s.26: when the organization gave explicit consent to keep the ramp need (someone's disability)
    access_consent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # PDPA s.26: when explicit consent was given to keep a monastic title of one of its people
    religion_consent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    photo_key: Mapped[str | None] = mapped_column(String(80))
    rejection_reason: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    waitlisted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # the waiting list's order
    offer_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    checked_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    checked_in_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    fair: Mapped[Fair] = relationship()
    organization: Mapped[Organization] = relationship()
    booth_type: Mapped[BoothType] = relationship()
    people: Mapped[list["BoothPerson"]] = relationship(
        back_populates="application", cascade="all, delete-orphan", order_by="BoothPerson.position")
    booth: Mapped["Booth | None"] = relationship(back_populates="application", uselist=False)
    checked_in_by: Mapped[User | None] = relationship(foreign_keys=[checked_in_by_id])

    @property
    def access_consent(self) -> bool:
        """The form's consent box, ticked when consent was given (PDPA s.26)."""
        return self.access_consent_at is not None

    @property
    def religion_consent(self) -> bool:
        """The form's box (shown ticked when the consent is on record)."""
        return self.religion_consent_at is not None

    def can_view(self, user) -> bool:
        """The organization's members, fair staff of this fair, and admins."""
        return bool(user.is_authenticated and (user.is_member_of(self.organization_id)
                                               or user.has_fair_role(self.fair_id, "staff")))

    def can_edit(self, user) -> bool:
        """Members of the organization (the window and status are the operations' business)."""
        return bool(user.is_authenticated and user.is_member_of(self.organization_id))

    @property
    def holds_place(self) -> bool:
        return self.status in HOLDS_PLACE

    def waitlist_position(self) -> int | None:
        """1 for the first on the waiting list of its booth type; None when not waitlisted."""
        if self.status != Status.waitlisted or self.waitlisted_at is None:
            return None
        ahead = db.session.scalar(select(func.count(Application.id)).where(
            Application.booth_type_id == self.booth_type_id, Application.status == Status.waitlisted,
            (Application.waitlisted_at < self.waitlisted_at)
            | ((Application.waitlisted_at == self.waitlisted_at) & (Application.id < self.id))))
        return (ahead or 0) + 1

    def snapshot(self) -> dict:
        """The audited fields, for before/after audit entries."""
        return {"status": self.status.value, "booth_type_id": self.booth_type_id,
                "rejection_reason": self.rejection_reason,
                "offer_expires_at": self.offer_expires_at,
                "booth": self.booth.code if self.booth else None,
                "checked_in_at": self.checked_in_at}


class BoothPerson(db.Model):
    """Someone who will staff the booth; the names feed exhibitor certificates."""

    __tablename__ = "booth_people"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("booth_applications.id", ondelete="CASCADE"),
                                                index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    title: Mapped[str] = mapped_column(String(60), default="")
    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100), default="")

    application: Mapped[Application] = relationship(back_populates="people")

    @property
    def full_name(self) -> str:
        return f"{self.title}{self.first_name} {self.last_name}".strip()


class Booth(db.Model):
    """A rectangle on the fair's floor plan (grid units), with a code like A07."""

    __tablename__ = "booths"
    __table_args__ = (
        UniqueConstraint("fair_id", "code"),
        CheckConstraint("w > 0 AND h > 0", name="positive_size"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    fair_id: Mapped[int] = mapped_column(ForeignKey("fairs.id", ondelete="CASCADE"), index=True)
    booth_type_id: Mapped[int] = mapped_column(ForeignKey("booth_types.id"))
    code: Mapped[str] = mapped_column(String(12))
    zone: Mapped[str] = mapped_column(String(40), default="")
    x: Mapped[int] = mapped_column(Integer)
    y: Mapped[int] = mapped_column(Integer)
    w: Mapped[int] = mapped_column(Integer, default=1)
    h: Mapped[int] = mapped_column(Integer, default=1)
    blocked: Mapped[bool] = mapped_column(Boolean, default=False)
    # One application per booth, one booth per application: unique, nullable.
    application_id: Mapped[int | None] = mapped_column(
        ForeignKey("booth_applications.id", ondelete="SET NULL"), unique=True)

    booth_type: Mapped[BoothType] = relationship()
    application: Mapped[Application | None] = relationship(back_populates="booth")

    @property
    def state(self) -> str:
        """available / assigned / blocked, for the plan's colours."""
        if self.blocked:
            return "blocked"
        return "assigned" if self.application_id else "available"


class CheckInScan(db.Model):
    """Every scan the check-in page sent, by its client-made id, so a retried scan is counted once."""

    __tablename__ = "booth_checkin_scans"

    id: Mapped[int] = mapped_column(primary_key=True)
    fair_id: Mapped[int] = mapped_column(ForeignKey("fairs.id", ondelete="CASCADE"), index=True)
    client_id: Mapped[str] = mapped_column(String(64), unique=True)
    application_id: Mapped[int | None] = mapped_column(ForeignKey("booth_applications.id", ondelete="CASCADE"))
    result: Mapped[str] = mapped_column(String(20))  # checked_in | already | refused
    scanned_at: Mapped[datetime] = mapped_column(UTCDateTime)  # when the phone scanned it
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class BoothSetup(db.Model):
    """A fair's booth settings: the per-organization limit, how long an offer stands, the plan's grid."""

    __tablename__ = "booth_setups"

    fair_id: Mapped[int] = mapped_column(ForeignKey("fairs.id", ondelete="CASCADE"), primary_key=True)
    per_org_limit: Mapped[int] = mapped_column(Integer, default=1)
    offer_hours: Mapped[int] = mapped_column(Integer, default=72)
    plan_cols: Mapped[int] = mapped_column(Integer, default=24)
    plan_rows: Mapped[int] = mapped_column(Integer, default=16)
    plan_image_key: Mapped[str | None] = mapped_column(String(80))

    @classmethod
    def for_fair(cls, fair_id: int) -> "BoothSetup":
        """The fair's settings; the defaults (not yet saved) when none were set."""
        setup = db.session.get(cls, fair_id)
        if setup is None:
            setup = cls(fair_id=fair_id, per_org_limit=1, offer_hours=72, plan_cols=24, plan_rows=16)
        return setup
