"""Judge invitations (issue 16): the chair of a fair invites someone who has no account yet to judge it. The
link's token is stored hashed (accounts.models.token_digest), as organization invitations are; accepting,
signed in with the invited address, grants the fair's judge role and the affiliation the chair chose."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..accounts.models import Organization, User
from ..core.time import UTCDateTime, utcnow
from ..extensions import db
from ..fairs.models import Fair


class JudgeInvitation(db.Model):
    __tablename__ = "judge_invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    fair_id: Mapped[int] = mapped_column(ForeignKey("fairs.id", ondelete="CASCADE"), index=True)
    email: Mapped[str] = mapped_column(String(254), index=True)  # stored lower-case
    name: Mapped[str] = mapped_column(String(200), default="")  # as the chair typed it (optional)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    affiliation_org_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    fair: Mapped[Fair] = relationship()
    invited_by: Mapped[User | None] = relationship(foreign_keys=[invited_by_id])
    affiliation: Mapped[Organization | None] = relationship()

    @property
    def is_open(self) -> bool:
        """Neither accepted, cancelled nor expired."""
        return self.accepted_at is None and self.cancelled_at is None and self.expires_at > utcnow()
