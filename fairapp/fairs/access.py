"""Reaching a fair and its roles from a URL, and what a user may do in a fair.

`fair_or_404` loads (404 when the fair does not exist); `staff_fair_or_404` also checks the user is its
staff (admins count as staff). `require_fair_role` is the one answer for a fair's back office (its staff
and chair pages, and the objects under them): 403 to a user with some role in the fair, whose role does not
reach; 404 to anyone with none, as for a fair that does not exist (existence is private, so an id of
another fair's object tells an outsider nothing). Loading sets nothing: a page that shows the fair's numbers
the way the fair asks (Thai numerals or not) says so itself, `use_thai_digits(fair.thai_numerals)`.
"""
from __future__ import annotations

from dataclasses import dataclass

from flask import abort
from flask_login import current_user

from ..accounts.access import get_or_404
from .models import Fair, FairRole


def fair_or_404(fair_id: int) -> Fair:
    return get_or_404(Fair, fair_id)


def require_fair_role(fair_id: int, *roles: str, user=None) -> None:
    """Return when the user holds one of `roles` in the fair (admins count as staff); else abort: 403 for
    one with another role in it, 404 for one with none (the fair's back office is not theirs to find)."""
    user = user or current_user
    if user.has_fair_role(fair_id, *roles):
        return
    abort(403 if user.is_admin or user.roles_in(fair_id) else 404)


def staff_fair_or_404(fair_id: int) -> Fair:
    """The fair, for its staff (and admins) only: 403 for its judges and chair, 404 for anyone else."""
    fair = fair_or_404(fair_id)
    require_fair_role(fair.id, "staff")
    return fair


def grant_or_404(fair: Fair, grant_id: int) -> FairRole:
    """A role granted in this fair; a role of another fair is not found here."""
    return get_or_404(FairRole, grant_id, parent=fair)


@dataclass(frozen=True)
class FairPolicy:
    """What the user may reach from a fair's page (the template reads these, never the roles)."""

    can_judge: bool      # the judge's dashboard
    can_chair: bool      # judges' affiliations, categories: criteria, assignments, finalize
    can_staff: bool      # eligibility review, categories, certificates, the printing desk
    can_set_up: bool     # edit the fair, grant roles


def fair_policy(fair: Fair, user) -> FairPolicy:
    if not user.is_authenticated:
        return FairPolicy(False, False, False, False)
    return FairPolicy(can_judge=user.has_fair_role(fair.id, "judge"),
                      can_chair=user.is_admin or user.has_fair_role(fair.id, "chair"),
                      can_staff=user.has_fair_role(fair.id, "staff"),
                      can_set_up=user.is_admin)
