"""Reaching accounts' objects from a URL, and who may do what with them.

`get_or_404(Model, id, parent=...)` is the one loader: 404 when the row is missing or belongs to another
parent (another organization's invitation, another fair's role): existence is private. The policies
answer yes or no; views pass their answers to templates as `can_...` booleans.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TypeVar

from flask import abort
from flask_login import current_user
from sqlalchemy import inspect
from sqlalchemy.orm import RelationshipDirection

from ..extensions import db
from .models import Invitation, Organization

T = TypeVar("T")


def _parent_keys(model: type, parent: object, via: str | None) -> list[tuple[str, str]]:
    """(child attribute, parent attribute) pairs of the many-to-one link from `model` to `parent`."""
    links = [rel for rel in inspect(model).relationships
             if rel.direction is RelationshipDirection.MANYTOONE and isinstance(parent, rel.mapper.class_)
             and (via is None or rel.key == via)]
    if len(links) != 1:
        raise TypeError(f"{model.__name__} has {len(links)} links to {type(parent).__name__}; name one with via=")
    rel = links[0]
    child = inspect(model)
    parent_mapper = inspect(type(parent))
    return [(child.get_property_by_column(local).key, parent_mapper.get_property_by_column(remote).key)
            for local, remote in rel.local_remote_pairs]


def get_or_404(model: type[T], ident, parent: object | None = None, *, via: str | None = None,
               lock: bool = False) -> T:
    """The row of `model` with this primary key; 404 when missing, or when `parent` is given and the row
    is not one of its children (`via` names the relationship when there are several). `lock` takes the
    row lock (SELECT ... FOR UPDATE on PostgreSQL) for an operation that changes it."""
    row = db.session.get(model, ident, with_for_update=lock or None)
    if row is None:
        abort(404)
    if parent is not None:
        for child_key, parent_key in _parent_keys(model, parent, via):
            if getattr(row, child_key) != getattr(parent, parent_key):
                abort(404)
    return row


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
