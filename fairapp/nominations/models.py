"""Award categories, nominations (with narratives per virtue), evidence files, and their history."""
from __future__ import annotations

import enum
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, Boolean, Date, ForeignKey, Integer, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..accounts.models import Organization, User
from ..core.geo import district_name, province_label
from ..core.time import UTCDateTime, today_local, utcnow
from ..extensions import db
from ..fairs.models import Fair

# Phase 2 of the national plan (2566-2570): five virtues, then the outcomes.
VIRTUES = (("sufficiency", _l("พอเพียง")), ("discipline", _l("วินัย")), ("integrity", _l("สุจริต")),
           ("volunteer", _l("จิตอาสา")), ("gratitude", _l("กตัญญู")))
SECTIONS = VIRTUES + (("outcomes", _l("ผลลัพธ์ที่เกิดขึ้น")),)
SECTION_LABELS = dict(SECTIONS)


class NominatorKind(str, enum.Enum):
    """Who may nominate in a category: the organization itself, a provincial office, or both."""

    self = "self"
    office = "office"
    both = "both"


class NominationStatus(str, enum.Enum):
    draft = "draft"
    submitted = "submitted"
    returned = "returned"      # sent back for correction; the nominator fixes and resubmits
    eligible = "eligible"
    ineligible = "ineligible"

    @property
    def label(self) -> str:
        return str(NOMINATION_STATUS_LABELS[self])


NOMINATION_STATUS_LABELS = {
    NominationStatus.draft: _l("ฉบับร่าง"),
    NominationStatus.submitted: _l("ส่งแล้ว รอตรวจคุณสมบัติ"),
    NominationStatus.returned: _l("ส่งกลับให้แก้ไข"),
    NominationStatus.eligible: _l("ผ่านการตรวจคุณสมบัติ"),
    NominationStatus.ineligible: _l("ไม่ผ่านการตรวจคุณสมบัติ"),
}
EDITABLE = (NominationStatus.draft, NominationStatus.returned)
EVENT_LABELS = {
    "created": _l("เริ่มการเสนอชื่อ"), "saved": _l("บันทึกเรื่องเล่า"), "edited": _l("แก้ไขเรื่องเล่า (บันทึกอัตโนมัติ)"),
    "submitted": _l("ส่งการเสนอชื่อ"),
    "resubmitted": _l("ส่งฉบับแก้ไข"), "returned": _l("เจ้าหน้าที่ส่งกลับให้แก้ไข"),
    "eligible": _l("ผ่านการตรวจคุณสมบัติ"), "ineligible": _l("ไม่ผ่านการตรวจคุณสมบัติ"),
    "publication": _l("เปลี่ยนส่วนที่ให้เผยแพร่บนหน้าสาธารณะ"),
}


class Category(db.Model):
    """An award category of a fair, e.g. องค์กรคุณธรรมต้นแบบ ภาครัฐ, ชุมชนคุณธรรมต้นแบบ, อำเภอคุณธรรม."""

    __tablename__ = "award_categories"

    id: Mapped[int] = mapped_column(primary_key=True)
    fair_id: Mapped[int] = mapped_column(ForeignKey("fairs.id", ondelete="CASCADE"), index=True)
    name_th: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str | None] = mapped_column(String(200))
    description_th: Mapped[str] = mapped_column(Text, default="")
    nominee_kind: Mapped[str] = mapped_column(String(20), default="organization")  # organization | community
    eligible_sectors: Mapped[list] = mapped_column(JSON, default=list)    # [] = every sector
    eligible_provinces: Mapped[list] = mapped_column(JSON, default=list)  # [] = every province
    opens_on: Mapped[date] = mapped_column(Date)
    closes_on: Mapped[date] = mapped_column(Date)
    nominator_kind: Mapped[NominatorKind] = mapped_column(db.Enum(NominatorKind, native_enum=False, length=10),
                                                          default=NominatorKind.both)
    max_per_nominator: Mapped[int] = mapped_column(Integer, default=3)
    sections: Mapped[list] = mapped_column(JSON, default=lambda: [key for key, _ in SECTIONS])
    narrative_max_chars: Mapped[int] = mapped_column(Integer, default=3000)
    min_photos: Mapped[int] = mapped_column(Integer, default=3)
    min_pdfs: Mapped[int] = mapped_column(Integer, default=1)
    max_files: Mapped[int] = mapped_column(Integer, default=20)
    sort_order: Mapped[int] = mapped_column(Integer, default=0)

    fair: Mapped[Fair] = relationship()

    def name(self, locale: str = "th") -> str:
        return (self.name_en or self.name_th) if locale == "en" else self.name_th

    def window_open(self, today: date | None = None) -> bool:
        today = today or today_local()
        return self.opens_on <= today <= self.closes_on


class Nomination(db.Model):
    __tablename__ = "nominations"
    # public_sections has the database's default only: inserts neither name nor return it (an insert works
    # on a schema from before it, as the data migrations' tests run; it is read when first used).
    __mapper_args__ = {"eager_defaults": False}

    id: Mapped[int] = mapped_column(primary_key=True)
    fair_id: Mapped[int] = mapped_column(ForeignKey("fairs.id", ondelete="CASCADE"), index=True)
    category_id: Mapped[int] = mapped_column(ForeignKey("award_categories.id", ondelete="CASCADE"), index=True)
    nominator_org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), index=True)
    # The nominee: an organization in the system, or a community described here.
    nominee_org_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"),
                                                       index=True)
    community_name: Mapped[str | None] = mapped_column(String(200))
    community_village: Mapped[str | None] = mapped_column(String(200))
    community_subdistrict: Mapped[str | None] = mapped_column(String(100))
    community_district_code: Mapped[str | None] = mapped_column(String(4))
    community_province_code: Mapped[str | None] = mapped_column(String(2))
    status: Mapped[NominationStatus] = mapped_column(
        db.Enum(NominationStatus, native_enum=False, length=20), default=NominationStatus.draft, index=True)
    narratives: Mapped[dict] = mapped_column(JSON, default=dict)  # section key -> text
    # The sections the nominator lets the fair publish on the awardee's public page if it is awarded
    # (none until ticked; changed at any time, audited: operations.publication).
    public_sections: Mapped[list] = mapped_column(JSON, server_default="[]")
    review_note: Mapped[str | None] = mapped_column(Text)         # the latest return comment or reason
    # How many judges are assigned: kept by the database (triggers on judge_assignments, migration 0030),
    # never written by the app; the chair's "short of judges" is read from it.
    judges_assigned: Mapped[int] = mapped_column(Integer, server_default="0")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    category: Mapped[Category] = relationship()
    nominator: Mapped[Organization] = relationship(foreign_keys=[nominator_org_id])
    nominee_org: Mapped[Organization | None] = relationship(foreign_keys=[nominee_org_id])
    evidence: Mapped[list["Evidence"]] = relationship(back_populates="nomination", cascade="all, delete-orphan",
                                                      order_by="Evidence.id")
    events: Mapped[list["NominationEvent"]] = relationship(back_populates="nomination",
                                                           cascade="all, delete-orphan",
                                                           order_by="NominationEvent.id")

    def nominee_name(self, locale: str = "th") -> str:
        if self.nominee_org is not None:
            return self.nominee_org.name(locale)
        return self.community_name or ""

    def nominee_place(self, locale: str = "th") -> str:
        if self.nominee_org is not None:
            return f"{self.nominee_org.district_name(locale)} {province_label(self.nominee_org.province_code, locale)}"
        parts = [self.community_village, self.community_subdistrict,
                 district_name(self.community_district_code, locale),
                 province_label(self.community_province_code, locale)]
        return " ".join(p for p in parts if p)

    def can_view(self, user) -> bool:
        """The nominator's members, fair staff and admins (judges get their own route later)."""
        return bool(user.is_authenticated and (user.is_member_of(self.nominator_org_id)
                                               or user.has_fair_role(self.fair_id, "staff")))

    def can_edit(self, user) -> bool:
        """Members of the nominating organization (status and window are the operations' business)."""
        return bool(user.is_authenticated and user.is_member_of(self.nominator_org_id))

    @property
    def editable(self) -> bool:
        return self.status in EDITABLE

    def snapshot(self) -> dict:
        return {"status": self.status.value, "review_note": self.review_note,
                "nominee_org_id": self.nominee_org_id, "community_name": self.community_name,
                "evidence": len(self.evidence)}


class Evidence(db.Model):
    """A photo or PDF attached to a nomination; the bytes live in core.storage under a random key."""

    __tablename__ = "nomination_evidence"

    id: Mapped[int] = mapped_column(primary_key=True)
    nomination_id: Mapped[int] = mapped_column(ForeignKey("nominations.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(10))          # photo | pdf
    storage_key: Mapped[str] = mapped_column(String(80), unique=True)
    thumb_key: Mapped[str | None] = mapped_column(String(80))
    original_name: Mapped[str] = mapped_column(String(255))
    caption: Mapped[str] = mapped_column(String(300), default="")
    size_bytes: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    width: Mapped[int | None] = mapped_column(Integer)
    height: Mapped[int | None] = mapped_column(Integer)
    pages: Mapped[int | None] = mapped_column(Integer)
    flagged: Mapped[bool] = mapped_column(Boolean, default=False)  # accepted, but staff should look
    # A photo the nominator lets the fair publish on the awardee's public page if it is awarded.
    public: Mapped[bool] = mapped_column(Boolean, server_default=false())
    flag_note: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    nomination: Mapped[Nomination] = relationship(back_populates="evidence")

    @property
    def mimetype(self) -> str:
        return "application/pdf" if self.kind == "pdf" else {
            "jpg": "image/jpeg", "png": "image/png", "webp": "image/webp"}[self.storage_key.rsplit(".", 1)[1]]


class NominationEvent(db.Model):
    """The history a nominator and staff read: submitted, returned with comments, resubmitted, decided."""

    __tablename__ = "nomination_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    nomination_id: Mapped[int] = mapped_column(ForeignKey("nominations.id", ondelete="CASCADE"), index=True)
    action: Mapped[str] = mapped_column(String(30))
    comment: Mapped[str | None] = mapped_column(Text)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    nomination: Mapped[Nomination] = relationship(back_populates="events")
    actor: Mapped[User | None] = relationship()
