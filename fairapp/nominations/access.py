"""Reaching nominations from a URL, and who may do what (the `can_...` answers templates receive).

- `get_or_404(Model, id, parent=...)`: 404 when the row is missing or belongs to another parent (a
  category of another fair, a file of another nomination): existence is private.
- A nomination is found only by those who may view it (its nominating organization's members, the
  fair's staff, admins): anyone else gets 404, as if it did not exist. Changing it is for members
  (others who may view get 403); its staff pages are for the fair's staff (members who may view get 403).
No loader here sets how numbers are shown: the views say so (core.i18n.use_thai_digits).
"""
from __future__ import annotations

from flask import abort
from flask_login import current_user

from ..extensions import db
from .models import Category, Evidence, Nomination
from ..core.access import get_in, get_or_404  # noqa: F401  (the one loader; views use it through here)


def nomination_or_404(nomination_id: int) -> Nomination:
    """A nomination, for those who may view it; 404 for anyone else."""
    nomination = db.session.get(Nomination, nomination_id)
    if nomination is None or not nomination.can_view(current_user):
        abort(404)
    return nomination


def editable_nomination_or_404(nomination_id: int) -> Nomination:
    """A nomination its nominating organization's members change; 403 for others who may view it.
    (Whether it can change now — status, window — is the operations' answer: `ops.edit_problem`.)"""
    nomination = nomination_or_404(nomination_id)
    if not nomination.can_edit(current_user):
        abort(403)
    return nomination


def staff_nomination_or_404(nomination_id: int) -> Nomination:
    """A nomination, for the staff of its fair (and admins) only: 403 for its nominating members (who may
    view it), 404 for anyone else, as if it did not exist."""
    nomination = nomination_or_404(nomination_id)
    if not can_review(nomination.fair_id):
        abort(403)
    return nomination


def category_or_404(fair, category_id: int) -> Category:
    return get_or_404(Category, category_id, parent=fair)


def evidence_or_404(nomination: Nomination, evidence_id: int) -> Evidence:
    return get_or_404(Evidence, evidence_id, parent=nomination)


# ---- policies (for views and, as booleans, for templates) ----

def is_nominator(user=None) -> bool:
    """Signed in and a member of at least one organization (who nominates, acts for one of them)."""
    user = user or current_user
    return bool(user.is_authenticated and user.organizations)


def can_nominate(category: Category, user=None) -> bool:
    """Whether the page offers this user a "nominate" button for the category (the operation decides
    whom the chosen organization may nominate)."""
    return is_nominator(user) and category.window_open()


def can_review(fair_id: int, user=None) -> bool:
    """The fair's staff (admins count as staff): categories, the review list, decisions, exports."""
    user = user or current_user
    return bool(user.is_authenticated and user.has_fair_role(fair_id, "staff"))


def can_open_judging(fair_id: int, user=None) -> bool:
    """The fair's staff and chair reach the judging pages of a category (rubric, assignments, chair)."""
    user = user or current_user
    return bool(user.is_authenticated and user.has_fair_role(fair_id, "staff", "chair"))
