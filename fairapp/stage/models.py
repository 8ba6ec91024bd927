"""The slide each fair's stage shows: one row per fair, shared by every app server."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer
from sqlalchemy.orm import Mapped, mapped_column

from ..core.time import UTCDateTime, utcnow
from ..extensions import db


class StagePosition(db.Model):
    """The stage's current slide (0 is the cover); no row is the cover."""

    __tablename__ = "stage_positions"

    fair_id: Mapped[int] = mapped_column(ForeignKey("fairs.id", ondelete="CASCADE"), primary_key=True)
    index: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
