"""Rubrics (weighted criteria, award levels, tie-break rules), judges' affiliations, assignments,
conflicts of interest, scores, and the results frozen when a category is finalized."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import (JSON, Boolean, CheckConstraint, Float, ForeignKey, Integer, String, Text,
                        UniqueConstraint)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..accounts.models import Organization, User
from ..core.time import UTCDateTime, utcnow
from ..extensions import db
from ..nominations.models import Category, Nomination


class Rubric(db.Model):
    """How one award category is judged: its criteria, judges per nomination, levels, tie-breaks, state."""

    __tablename__ = "rubrics"
    __table_args__ = (CheckConstraint("judges_per_nomination >= 1", name="at_least_one_judge"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    category_id: Mapped[int] = mapped_column(ForeignKey("award_categories.id", ondelete="CASCADE"), unique=True)
    judges_per_nomination: Mapped[int] = mapped_column(Integer, default=3)
    ranking: Mapped[str] = mapped_column(String(10), default="raw")  # raw | z (which mean ranks)
    scores_open: Mapped[bool] = mapped_column(Boolean, default=False)  # judges see each other's scores
    finalized_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finalized_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    category: Mapped[Category] = relationship()
    criteria: Mapped[list["Criterion"]] = relationship(back_populates="rubric", cascade="all, delete-orphan",
                                                      order_by="Criterion.position")
    levels: Mapped[list["AwardLevel"]] = relationship(back_populates="rubric", cascade="all, delete-orphan",
                                                      order_by="AwardLevel.min_score.desc()")
    tie_rules: Mapped[list["TieBreakRule"]] = relationship(back_populates="rubric", cascade="all, delete-orphan",
                                                           order_by="TieBreakRule.position")

    @property
    def finalized(self) -> bool:
        return self.finalized_at is not None

    @property
    def weights_ok(self) -> bool:
        return sum(c.weight for c in self.criteria) == 100


class Criterion(db.Model):
    """A criterion with its weight and scale (2/1/0 like the government's tools, 1-5, 0-10), and what each
    level means, so two judges mean the same thing by a 4."""

    __tablename__ = "rubric_criteria"
    __table_args__ = (CheckConstraint("scale_max > scale_min", name="scale_in_order"),
                      CheckConstraint("weight > 0 AND weight <= 100", name="weight_in_range"))

    id: Mapped[int] = mapped_column(primary_key=True)
    rubric_id: Mapped[int] = mapped_column(ForeignKey("rubrics.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    name_th: Mapped[str] = mapped_column(String(300))
    name_en: Mapped[str | None] = mapped_column(String(300))
    weight: Mapped[int] = mapped_column(Integer)
    scale_min: Mapped[int] = mapped_column(Integer, default=1)
    scale_max: Mapped[int] = mapped_column(Integer, default=5)
    descriptors: Mapped[dict] = mapped_column(JSON, default=dict)  # "4" -> what a 4 means

    rubric: Mapped[Rubric] = relationship(back_populates="criteria")

    def name(self, locale: str = "th") -> str:
        return (self.name_en or self.name_th) if locale == "en" else self.name_th


class AwardLevel(db.Model):
    """An award level by final score, e.g. >= 80 ต้นแบบ."""

    __tablename__ = "award_levels"

    id: Mapped[int] = mapped_column(primary_key=True)
    rubric_id: Mapped[int] = mapped_column(ForeignKey("rubrics.id", ondelete="CASCADE"), index=True)
    min_score: Mapped[float] = mapped_column(Float)
    name_th: Mapped[str] = mapped_column(String(120))
    name_en: Mapped[str | None] = mapped_column(String(120))

    rubric: Mapped[Rubric] = relationship(back_populates="levels")


class TieBreakRule(db.Model):
    """One of the category's written tie-break rules, applied in order."""

    __tablename__ = "tie_break_rules"
    __table_args__ = (CheckConstraint("kind IN ('criterion', 'judges_above', 'chair')", name="known_kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    rubric_id: Mapped[int] = mapped_column(ForeignKey("rubrics.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    kind: Mapped[str] = mapped_column(String(20))
    criterion_id: Mapped[int | None] = mapped_column(ForeignKey("rubric_criteria.id", ondelete="CASCADE"))
    threshold: Mapped[float | None] = mapped_column(Float)
    chair_order: Mapped[dict | None] = mapped_column(JSON)  # nomination id -> order, with the chair's reason
    chair_reason: Mapped[str | None] = mapped_column(Text)

    rubric: Mapped[Rubric] = relationship(back_populates="tie_rules")


class JudgeProfile(db.Model):
    """A judge of a fair and the organization they belong to (for institutional conflicts)."""

    __tablename__ = "judge_profiles"
    __table_args__ = (UniqueConstraint("fair_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    fair_id: Mapped[int] = mapped_column(ForeignKey("fairs.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    affiliation_org_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id", ondelete="SET NULL"))

    user: Mapped[User] = relationship()
    affiliation: Mapped[Organization | None] = relationship()


class Assignment(db.Model):
    """A judge scores a nomination."""

    __tablename__ = "judge_assignments"
    __table_args__ = (UniqueConstraint("nomination_id", "judge_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    nomination_id: Mapped[int] = mapped_column(ForeignKey("nominations.id", ondelete="CASCADE"), index=True)
    judge_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    nomination: Mapped[Nomination] = relationship()
    judge: Mapped[User] = relationship(foreign_keys=[judge_id])
    scores: Mapped[list["Score"]] = relationship(back_populates="assignment", cascade="all, delete-orphan")


class JudgeLoad(db.Model):
    """How many nominations of a category a judge is assigned: kept by the database itself (triggers on
    judge_assignments, migration 0030), so that the assignment page reads the fair's loads from one row per
    judge and category instead of counting every assignment of the fair. Never written by the app."""

    __tablename__ = "judge_loads"

    category_id: Mapped[int] = mapped_column(ForeignKey("award_categories.id", ondelete="CASCADE"), primary_key=True)
    judge_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    fair_id: Mapped[int] = mapped_column(ForeignKey("fairs.id", ondelete="CASCADE"), index=True)
    assignments: Mapped[int] = mapped_column(Integer, server_default="0")


class Conflict(db.Model):
    """A conflict of interest: declared by the judge, or detected and confirmed by the chair."""

    __tablename__ = "judge_conflicts"
    __table_args__ = (UniqueConstraint("nomination_id", "judge_id"),
                      CheckConstraint("source IN ('declared', 'detected')", name="known_source"))

    id: Mapped[int] = mapped_column(primary_key=True)
    nomination_id: Mapped[int] = mapped_column(ForeignKey("nominations.id", ondelete="CASCADE"), index=True)
    judge_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    source: Mapped[str] = mapped_column(String(10))
    reason: Mapped[str] = mapped_column(Text)
    confirmed: Mapped[bool] = mapped_column(Boolean, default=True)  # detected ones wait for the chair
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Score(db.Model):
    """One judge's score on one criterion of one nomination, with a comment (required at the bottom)."""

    __tablename__ = "judge_scores"
    __table_args__ = (UniqueConstraint("assignment_id", "criterion_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("judge_assignments.id", ondelete="CASCADE"), index=True)
    criterion_id: Mapped[int] = mapped_column(ForeignKey("rubric_criteria.id", ondelete="CASCADE"))
    value: Mapped[int] = mapped_column(Integer)
    comment: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    assignment: Mapped[Assignment] = relationship(back_populates="scores")


class Result(db.Model):
    """A nomination's place in its category, frozen when the chair finalizes."""

    __tablename__ = "judging_results"
    __table_args__ = (UniqueConstraint("rubric_id", "nomination_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    rubric_id: Mapped[int] = mapped_column(ForeignKey("rubrics.id", ondelete="CASCADE"), index=True)
    nomination_id: Mapped[int] = mapped_column(ForeignKey("nominations.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    score: Mapped[float] = mapped_column(Float)
    raw_mean: Mapped[float | None] = mapped_column(Float)
    z_mean: Mapped[float | None] = mapped_column(Float)
    level_th: Mapped[str | None] = mapped_column(String(120))
    tie_note: Mapped[list | None] = mapped_column(JSON)
