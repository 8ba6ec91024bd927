"""The breach register (PDPA s.37(4)): what happened, when it was found, what data and how many people,
the risk, and when the Office and the people were told. People's requests under their rights (s.30-36),
each with its 30-day clock and a decision with a reason."""
from __future__ import annotations

from datetime import date, datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, Boolean, CheckConstraint, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..accounts.models import User
from ..core.time import UTCDateTime, utcnow
from ..extensions import db
from .registry import BREACH_HOURS, REQUEST_DAYS

# s.37(4): a breach "unlikely to result in a risk" needs no notice; otherwise the Office within 72 hours,
# and the people affected too when the risk to them is high.
RISKS = {
    "unlikely": _l("ไม่น่าจะมีความเสี่ยงต่อสิทธิและเสรีภาพของบุคคล"),
    "risk": _l("มีความเสี่ยงต่อสิทธิและเสรีภาพของบุคคล: แจ้งสำนักงานฯ ภายใน 72 ชั่วโมง"),
    "high": _l("มีความเสี่ยงสูง: แจ้งสำนักงานฯ ภายใน 72 ชั่วโมง และแจ้งเจ้าของข้อมูลโดยไม่ชักช้า"),
}


class Breach(db.Model):
    __tablename__ = "privacy_breaches"
    __table_args__ = (CheckConstraint("risk IN ('unlikely', 'risk', 'high')", name="risk_known"),
                      CheckConstraint("people_affected IS NULL OR people_affected >= 0", name="people_count"))

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    found_at: Mapped[datetime] = mapped_column(UTCDateTime)            # the 72 hours run from here
    occurred_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    categories: Mapped[list] = mapped_column(JSON, default=list)        # keys of registry.CATEGORY
    people_affected: Mapped[int | None] = mapped_column(Integer)
    risk: Mapped[str] = mapped_column(String(10), default="risk")
    measures: Mapped[str] = mapped_column(Text, default="")
    office_notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    people_notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    created_by: Mapped[User | None] = relationship()

    @property
    def office_due_at(self) -> datetime:
        return self.found_at + timedelta(hours=BREACH_HOURS)

    @property
    def office_notice_needed(self) -> bool:
        return self.risk != "unlikely"

    @property
    def people_notice_needed(self) -> bool:
        return self.risk == "high"

    def hours_left(self, now: datetime | None = None) -> float:
        """Hours until the Office must be told (negative: late)."""
        return ((self.office_due_at - (now or utcnow())).total_seconds()) / 3600

    @property
    def risk_label(self) -> str:
        return str(RISKS[self.risk])


# People's rights (s.30-36, s.19 withdrawal): what a request may ask for.
REQUEST_KINDS = {
    "access": _l("ขอเข้าถึงและขอรับสำเนาข้อมูล (มาตรา 30)"),
    "portability": _l("ขอรับหรือโอนข้อมูลในรูปแบบที่อ่านด้วยเครื่องได้ (มาตรา 31)"),
    "objection": _l("คัดค้านการเก็บ ใช้ หรือเปิดเผยข้อมูล (มาตรา 32)"),
    "erasure": _l("ขอให้ลบหรือทำให้ข้อมูลไม่สามารถระบุตัวตนได้ (มาตรา 33)"),
    "restriction": _l("ขอให้ระงับการใช้ข้อมูล (มาตรา 34)"),
    "correction": _l("ขอให้แก้ไขข้อมูลให้ถูกต้อง (มาตรา 35 และ 36)"),
}
CHANNELS = {"web": _l("ทางเว็บไซต์ (ผู้ขอเอง)"), "in_person": _l("ยื่นด้วยตนเอง"), "post": _l("ทางไปรษณีย์"),
            "email": _l("ทางอีเมล")}
DECISIONS = {"granted": _l("ดำเนินการตามคำขอ"), "partly": _l("ดำเนินการบางส่วน"), "refused": _l("ปฏิเสธคำขอ")}


class PrivacyRequest(db.Model):
    """A person's request under their rights, with its 30-day clock (s.30 para. 3) and the decision."""

    __tablename__ = "privacy_requests"
    __table_args__ = (CheckConstraint("status IN ('open', 'granted', 'partly', 'refused')", name="status_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    subject_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    subject_name: Mapped[str] = mapped_column(String(300))
    subject_contact: Mapped[str] = mapped_column(String(300), default="")
    channel: Mapped[str] = mapped_column(String(20))
    received_on: Mapped[date] = mapped_column(Date)
    details: Mapped[str] = mapped_column(Text, default="")
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    status: Mapped[str] = mapped_column(String(10), default="open", index=True)
    decision_reason: Mapped[str] = mapped_column(Text, default="")
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    subject_user: Mapped[User | None] = relationship(foreign_keys=[subject_user_id])
    entered_by: Mapped[User | None] = relationship(foreign_keys=[entered_by_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])

    @property
    def due_on(self) -> date:
        return self.received_on + timedelta(days=REQUEST_DAYS)

    def days_left(self, today: date) -> int:
        return (self.due_on - today).days

    @property
    def kind_label(self) -> str:
        return str(REQUEST_KINDS[self.kind])

    @property
    def channel_label(self) -> str:
        return str(CHANNELS[self.channel])

    @property
    def status_label(self) -> str:
        return str(DECISIONS.get(self.status, _l("รอดำเนินการ")))


class NoticeReceipt(db.Model):
    """Which version of a notice at collection (registry.VERSION) a person saw, at which form, and when
    (first seen; the form was sent with the notice above its button)."""

    __tablename__ = "privacy_notice_receipts"
    __table_args__ = (UniqueConstraint("user_id", "version", "form", name="once"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    form: Mapped[str] = mapped_column(String(40))
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ConsentChange(db.Model):
    """A person gave or withdrew consent for an optional purpose (a registry purpose whose basis is consent).
    Rows are only added: the latest row of a person and purpose is the current state, the rest its history
    (when, under which notice version). No row: not given (every choice starts un-ticked)."""

    __tablename__ = "privacy_consents"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[str] = mapped_column(String(40))
    given: Mapped[bool] = mapped_column(Boolean)
    version: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class RetentionSetting(db.Model):
    """A fair's own retention period for a data category, shorter than the registry's default (set by an
    admin; the purge uses it for that fair's check-in scans, drafts and evidence)."""

    __tablename__ = "privacy_retention"
    __table_args__ = (UniqueConstraint("fair_id", "category", name="once"),
                      CheckConstraint("days > 0", name="days_positive"))

    id: Mapped[int] = mapped_column(primary_key=True)
    fair_id: Mapped[int] = mapped_column(ForeignKey("fairs.id", ondelete="CASCADE"), index=True)
    category: Mapped[str] = mapped_column(String(40))
    days: Mapped[int] = mapped_column(Integer)
    set_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    set_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
