"""Read-only queries of the accounts pages (lists in Thai dictionary order)."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..core.thai import sort_thai
from ..extensions import db
from .models import Invitation, Membership, Organization, Sector, User


def dashboard_user(user_id: int) -> User:
    """The user with their organizations and fair roles loaded in a fixed number of queries."""
    return db.session.scalar(
        select(User).where(User.id == user_id).options(
            selectinload(User.memberships).selectinload(Membership.organization),
            selectinload(User.fair_roles)))


def organizations_of(user: User) -> list[Organization]:
    return sort_thai(user.organizations, key=lambda o: o.name_th)


def parse_sector(value: str | None) -> Sector | None:
    """The sector a filter names, or None for "all" (and for anything that is not a sector)."""
    return Sector(value) if value in {s.value for s in Sector} else None


def organizations(sector: Sector | None = None) -> list[Organization]:
    """Every organization (of one sector, if given), in Thai dictionary order."""
    query = select(Organization)
    if sector is not None:
        query = query.where(Organization.sector == sector)
    return sort_thai(db.session.scalars(query), key=lambda o: o.name_th)


def members(org: Organization) -> list[Membership]:
    """The organization's memberships with their users, by first name in Thai order."""
    rows = db.session.scalars(select(Membership).where(Membership.organization_id == org.id)
                              .options(selectinload(Membership.user))).all()
    return sort_thai(rows, key=lambda m: m.user.first_name)


def open_invitations(org: Organization) -> list[Invitation]:
    """Invitations not yet accepted, cancelled or expired, oldest first."""
    return [i for i in org.invitations if i.is_open]
