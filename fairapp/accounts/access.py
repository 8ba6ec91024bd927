"""Reaching accounts' objects from a URL, and who may do what with them.

`get_or_404(Model, id, parent=...)` is the one loader: 404 when the row is missing or belongs to another
parent (another organization's invitation, another fair's role): existence is private. The policies
answer yes or no; views pass their answers to templates as `can_...` booleans.
"""
from __future__ import annotations

from dataclasses import dataclass

from flask import abort
from flask_login import current_user

from .models import Invitation, JoinRequest, Organization
from ..core.access import get_in, get_or_404  # noqa: F401  (the one loader; views use it through here)


# ---- organizations ----

def can_view_organization(user, org: Organization) -> bool:
    """Its members, fair staff and admins."""
    return org.can_view(user)


def can_manage_organization(user, org: Organization) -> bool:
    """Its members (invite colleagues, cancel invitations) and admins."""
    return org.can_manage(user)


def organization_or_404(org_id: int) -> Organization:
    """The organization, for those who may see it; to anyone else it does not exist (404)."""
    org = get_or_404(Organization, org_id)
    if not can_view_organization(current_user, org):
        abort(404)
    return org


def managed_organization_or_404(org_id: int) -> Organization:
    """The organization, for those who manage it; those who may only look get 403, others 404."""
    org = organization_or_404(org_id)
    if not can_manage_organization(current_user, org):
        abort(403)
    return org


def invitation_or_404(org: Organization, invitation_id: int) -> Invitation:
    return get_or_404(Invitation, invitation_id, parent=org)


def can_decide_join_requests(user, org: Organization) -> bool:
    """Its managers (its owners: who registered it) and admins; a member who joined is not a manager."""
    if not user.is_authenticated:
        return False
    return user.is_admin or any(m.organization_id == org.id and m.role == "owner" for m in user.memberships)


def join_request_or_404(org_id: int, request_id: int) -> JoinRequest:
    """A join request of the organization, for those who decide them; to anyone else (its other members and
    fair staff included) neither it nor the organization's requests exist (404)."""
    org = get_or_404(Organization, org_id)
    if not can_decide_join_requests(current_user, org):
        abort(404)
    return get_or_404(JoinRequest, request_id, parent=org)


# ---- the site's menu: what the signed-in user may reach ----

@dataclass
class Menu:
    """The links of the main menu the user may follow (base.html reads these, never the rules)."""

    user: object

    @property
    def can_see_organizations(self) -> bool:  # the same rule as core.access.staff_required
        return bool(self.user.is_authenticated and self.user.is_staff_anywhere)

    @property
    def can_administer(self) -> bool:  # core.access.admin_required
        return bool(self.user.is_authenticated and self.user.is_admin)
