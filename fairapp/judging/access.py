"""Reaching judging things from a URL or a form, and who may do what.

Loaders answer 404 for what does not exist or belongs elsewhere (`get_or_404`); the chair's pages then
answer 403 to the fair's other role holders (its judges; its staff on actions) and 404 to people with no
role in the fair, as if the category did not exist (`fairs.access.require_fair_role`). A
judge reaches only their own assignments of a fair they judge and that are not conflicted; everyone else
gets 404, as if the assignment did not exist. Policies (`can_...`) are what templates receive; they never
re-derive a rule. Presentation settings (Thai numerals) are the views' own explicit call.
"""
from __future__ import annotations

from flask import abort
from flask_login import current_user
from sqlalchemy import select

from ..core.http import safe_id
from ..extensions import db
from ..fairs.access import require_fair_role
from ..fairs.models import Fair
from ..nominations.models import Category, Nomination
from .models import Assignment, Criterion, Rubric
from .queries import visible_nominations
from ..core.access import get_in, get_or_404  # noqa: F401  (the one loader; views use it through here)

# ---- policies ----

def can_chair(fair_id: int) -> bool:
    """The fair's chair and admins act on its judging."""
    return bool(current_user.is_authenticated and (current_user.is_admin or "chair" in current_user.roles_in(fair_id)))


def can_read_chair_pages(fair_id: int) -> bool:
    """The chair, admins and the fair's staff read the chair's pages."""
    return can_chair(fair_id) or bool(current_user.is_authenticated and current_user.has_fair_role(fair_id, "staff"))


def can_score(rubric: Rubric | None) -> bool:
    """A judge may score (and declare a conflict) while the category has a rubric and is not finalized."""
    return rubric is not None and not rubric.finalized


def chair_actions(fair_id: int, rubric: Rubric | None) -> dict[str, bool]:
    """What the chair's pages offer: booleans for the templates."""
    chair = can_chair(fair_id)
    open_ = rubric is not None and not rubric.finalized
    return {"can_chair": chair, "can_edit_rubric": chair and (rubric is None or not rubric.finalized),
            "can_assign": chair and open_, "can_remind": chair and open_,
            "can_open_scores": chair and open_ and not rubric.scores_open,
            "can_finalize": chair and open_, "can_reopen": chair and rubric is not None and rubric.finalized}


# ---- the chair's pages ----

def _require_chair(fair_id: int, change: bool) -> None:
    """The chair and admins (and, to read, the fair's staff) pass; the fair's other role holders get 403,
    everyone else 404."""
    if not (can_chair(fair_id) if change else can_read_chair_pages(fair_id)):
        require_fair_role(fair_id)  # 403 or 404: no role named passes


def chair_category_or_404(category_id: int, *, change: bool = False) -> Category:
    """The category, for its fair's chair and admins (and, to read, its staff); 403 for the fair's other
    role holders, 404 for anyone else."""
    category = get_or_404(Category, category_id)
    _require_chair(category.fair_id, change)
    return category


def chair_fair_or_404(fair_id: int, *, change: bool = False) -> Fair:
    fair = get_or_404(Fair, fair_id)
    _require_chair(fair.id, change)
    return fair


def chair_assignment_or_404(assignment_id: int) -> tuple[Assignment, Category]:
    """An assignment and its category, for the category's chair and admins."""
    assignment = get_or_404(Assignment, assignment_id)
    return assignment, chair_category_or_404(assignment.nomination.category_id, change=True)


def rubric_of(category: Category) -> Rubric | None:
    return db.session.scalar(select(Rubric).where(Rubric.category_id == category.id))


def rubric_or_404(category: Category) -> Rubric:
    rubric = rubric_of(category)
    if rubric is None:
        abort(404)
    return rubric


# ---- the judges' pages ----

def judge_fair_or_404(fair_id: int) -> Fair:
    """A fair the current user judges."""
    fair = get_or_404(Fair, fair_id)
    if not current_user.has_fair_role(fair.id, "judge"):
        abort(404)
    return fair


def assignment_or_404(assignment_id: int) -> Assignment:
    """The current user's own assignment, still a judge of the fair, and not conflicted; else 404."""
    assignment = get_or_404(Assignment, assignment_id)
    if assignment.judge_id != current_user.id:
        abort(404)
    nomination = assignment.nomination
    if not current_user.has_fair_role(nomination.fair_id, "judge"):
        abort(404)
    visible = visible_nominations(current_user).where(Nomination.id == nomination.id)
    if db.session.scalar(visible.with_only_columns(Nomination.id, maintain_column_froms=True)) is None:
        abort(404)
    return assignment


def criterion_of(assignment: Assignment, criterion_id) -> Criterion | None:
    """A criterion of the assignment's category's rubric, or None."""
    ident = safe_id(criterion_id) if isinstance(criterion_id, int) and not isinstance(criterion_id, bool) else None
    criterion = db.session.get(Criterion, ident) if ident is not None else None
    if criterion is None or criterion.rubric.category_id != assignment.nomination.category_id:
        return None
    return criterion
