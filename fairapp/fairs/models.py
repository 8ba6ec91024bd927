"""A fair and the per-fair roles (staff, judge, chair) granted to users."""
from __future__ import annotations

from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import Boolean, CheckConstraint, Date, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..accounts.models import User
from ..core.geo import province_label, province_name
from ..core.time import UTCDateTime, today_local, utcnow
from ..extensions import db

FAIR_ROLES = ("staff", "judge", "chair")
ROLE_LABELS = {"staff": _l("เจ้าหน้าที่งาน"), "judge": _l("กรรมการ"), "chair": _l("ประธานกรรมการ")}

# The windows of a fair: (attribute prefix, label). Each has <prefix>_opens and <prefix>_closes.
WINDOWS = (
    ("booth", _l("รับสมัครบูธ")),
    ("nomination", _l("รับการเสนอชื่อ")),
    ("judging", _l("การตัดสิน")),
)


class Fair(db.Model):
    __tablename__ = "fairs"
    __table_args__ = (
        CheckConstraint("ends_on >= starts_on", name="dates_in_order"),
        CheckConstraint("booth_closes >= booth_opens", name="booth_window_in_order"),
        CheckConstraint("nomination_closes >= nomination_opens", name="nomination_window_in_order"),
        CheckConstraint("judging_closes >= judging_opens", name="judging_window_in_order"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name_th: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str | None] = mapped_column(String(200))
    venue_th: Mapped[str] = mapped_column(String(300))
    venue_en: Mapped[str | None] = mapped_column(String(300))
    province_code: Mapped[str] = mapped_column(String(2))
    organizer_th: Mapped[str] = mapped_column(String(300), default="ศูนย์คุณธรรม (องค์การมหาชน)")
    description_th: Mapped[str] = mapped_column(Text, default="")
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    booth_opens: Mapped[date] = mapped_column(Date)
    booth_closes: Mapped[date] = mapped_column(Date)
    nomination_opens: Mapped[date] = mapped_column(Date)
    nomination_closes: Mapped[date] = mapped_column(Date)
    judging_opens: Mapped[date] = mapped_column(Date)
    judging_closes: Mapped[date] = mapped_column(Date)
    thai_numerals: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    roles: Mapped[list["FairRole"]] = relationship(
        back_populates="fair", cascade="all, delete-orphan")

    def name(self, locale: str = "th") -> str:
        return (self.name_en or self.name_th) if locale == "en" else self.name_th

    def venue(self, locale: str = "th") -> str:
        return (self.venue_en or self.venue_th) if locale == "en" else self.venue_th

    def province_name(self, locale: str = "th") -> str:
        return province_name(self.province_code, locale)

    def province_label(self, locale: str = "th") -> str:
        return province_label(self.province_code, locale)

    def window_open(self, kind: str, today: date | None = None) -> bool:
        """True while the window ("booth", "nomination", "judging") is open, dates inclusive."""
        today = today or today_local()
        return getattr(self, f"{kind}_opens") <= today <= getattr(self, f"{kind}_closes")

    def window_state(self, kind: str, today: date | None = None) -> str:
        """"upcoming", "open" or "closed" for a window."""
        today = today or today_local()
        if today < getattr(self, f"{kind}_opens"):
            return "upcoming"
        return "open" if today <= getattr(self, f"{kind}_closes") else "closed"

    def windows(self) -> list[tuple[str, object, date, date, str]]:
        """(kind, label, opens, closes, state) for each window, for display."""
        today = today_local()
        return [(kind, label, getattr(self, f"{kind}_opens"), getattr(self, f"{kind}_closes"),
                 self.window_state(kind, today)) for kind, label in WINDOWS]

    def snapshot(self) -> dict:
        """The audited fields, for before/after audit entries."""
        cols = [c.key for c in self.__table__.columns if c.key not in ("created_at",)]
        return {c: getattr(self, c) for c in cols}


class FairRole(db.Model):
    __tablename__ = "fair_roles"
    __table_args__ = (
        UniqueConstraint("fair_id", "user_id", "role"),
        CheckConstraint("role IN ('staff', 'judge', 'chair')", name="known_role"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    fair_id: Mapped[int] = mapped_column(ForeignKey("fairs.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(20))
    granted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    fair: Mapped[Fair] = relationship(back_populates="roles")
    user: Mapped[User] = relationship(back_populates="fair_roles", foreign_keys=[user_id])

    @property
    def label(self) -> str:
        return str(ROLE_LABELS[self.role])  # the role_label template filter reads the same table
