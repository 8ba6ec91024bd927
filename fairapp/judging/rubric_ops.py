"""The rubric editor's operation: a category's criteria, award levels and tie-break rules.

Rules (under the rubric's row lock): nothing changes once the category is finalized; the weights sum to
100; once a criterion has recorded scores it can neither be removed nor have its scale changed (that would
delete or invalidate the scores), while its wording, descriptors and weight may still be edited. Every
change is audited with the rubric before and after.
"""
from __future__ import annotations

from sqlalchemy import select

from ..accounts.models import User
from ..extensions import db
from ..nominations.models import Category
from .models import AwardLevel, Criterion, Rubric, TieBreakRule
from .queries import scored_criteria
from .rules import (CategoryFinalized, ScoredCriterionRemoved, ScoredScaleChanged, WeightsInvalid,
                    insert_or_existing, lock_rubric, record)


def rubric_snapshot(rubric: Rubric) -> dict:
    return {"judges_per_nomination": rubric.judges_per_nomination, "ranking": rubric.ranking,
            "criteria": [{"id": c.id, "name": c.name_th, "weight": c.weight, "min": c.scale_min,
                          "max": c.scale_max, "descriptors": c.descriptors} for c in rubric.criteria],
            "levels": [[lv.min_score, lv.name_th] for lv in rubric.levels],
            "tie_rules": [{"kind": r.kind, "criterion": r.criterion_id, "threshold": r.threshold,
                           "chair_order": r.chair_order, "chair_reason": r.chair_reason} for r in rubric.tie_rules]}


def _check(rubric: Rubric | None, values: dict) -> None:
    total = sum(c["weight"] for c in values["criteria"])
    if total != 100:
        raise WeightsInvalid(total=total)
    if rubric is None:
        return
    if rubric.finalized:
        raise CategoryFinalized()
    scored = scored_criteria(rubric)
    if not scored:
        return
    sent = {c["id"]: c for c in values["criteria"] if c.get("id") is not None}
    for criterion in rubric.criteria:
        if criterion.id not in scored:
            continue
        new = sent.get(criterion.id)
        if new is None:
            raise ScoredCriterionRemoved(criterion=criterion.name_th)
        if (new["scale_min"], new["scale_max"]) != (criterion.scale_min, criterion.scale_max):
            raise ScoredScaleChanged(criterion=criterion.name_th)


def save_rubric(category: Category, values: dict, actor: User) -> Rubric:
    """Create or change the category's rubric from plain values:

    {"judges_per_nomination": int, "ranking": "raw" | "z",
     "criteria": [{"id": existing id or None, "name_th", "weight", "scale_min", "scale_max", "descriptors"}],
     "levels": [{"min_score", "name_th"}],
     "tie_rules": [{"kind": "criterion", "criterion": index in criteria} | {"kind": "judges_above",
                   "threshold"} | {"kind": "chair", "chair_order": [nomination ids], "chair_reason"}]}

    Raises CategoryFinalized, WeightsInvalid, ScoredCriterionRemoved, ScoredScaleChanged.
    """

    def existing() -> Rubric | None:
        return db.session.scalar(select(Rubric).where(Rubric.category_id == category.id))

    rubric, created = existing(), False
    if rubric is None:  # the first save; another chair's first save may be under way at the same moment
        _check(None, values)
        rubric, created = insert_or_existing(Rubric(category_id=category.id), existing)
    if not created:  # changed as it stands (and as the other first save left it)
        rubric = lock_rubric(rubric)
        _check(rubric, values)
    before = None if created else rubric_snapshot(rubric)
    rubric.tie_rules = []  # rebuilt below; cleared first, as they may name a criterion that goes
    db.session.flush()
    rubric.judges_per_nomination = values["judges_per_nomination"]
    rubric.ranking = values["ranking"]
    existing = {c.id: c for c in rubric.criteria} if rubric.id else {}
    kept = []
    for row in values["criteria"]:
        criterion = existing.get(row.get("id")) or Criterion()
        criterion.name_th = row["name_th"]
        criterion.weight = row["weight"]
        criterion.scale_min, criterion.scale_max = row["scale_min"], row["scale_max"]
        criterion.descriptors = row.get("descriptors") or {}
        criterion.position = len(kept)
        kept.append(criterion)
    rubric.criteria = kept  # a criterion left out goes (delete-orphan): only ones without scores reach here
    rubric.levels = [AwardLevel(min_score=row["min_score"], name_th=row["name_th"]) for row in values["levels"]]
    db.session.flush()
    rules = []
    for row in values["tie_rules"]:
        rule = TieBreakRule(kind=row["kind"], position=len(rules))
        if row["kind"] == "criterion":
            rule.criterion_id = kept[row["criterion"]].id
        elif row["kind"] == "judges_above":
            rule.threshold = row["threshold"]
        else:
            rule.chair_order = {str(n): i + 1 for i, n in enumerate(row["chair_order"])}
            rule.chair_reason = row["chair_reason"]
        rules.append(rule)
    rubric.tie_rules = rules
    db.session.flush()
    after = rubric_snapshot(rubric)
    if after != before:
        record("rubric_changed", rubric, actor, category.fair_id, before=before, after=after)
    return rubric
