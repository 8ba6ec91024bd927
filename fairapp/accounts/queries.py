"""Read-only queries of the accounts pages (lists in Thai dictionary order)."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import selectinload

from ..core.counting import page_of_all
from ..core.pagination import Page, paginate, thai_order
from ..core.thai import sort_thai
from ..extensions import db
from .models import Invitation, JoinRequest, Membership, Organization, OrgNames, Sector, User, org_name_key

DASHBOARD_FAIRS = 100  # a window: the newest first (the national calendar has about 78 a year)


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


def organizations(sector: Sector | None = None) -> tuple[Page, dict]:
    """One page of every organization (of one sector, if given), in Thai dictionary order (in SQL), and
    how many there are ({"total", "about"}): all of them are not counted once they are many (PostgreSQL's
    estimate, "about", and the page read without a count: core.counting); one sector's are counted."""
    query = select(Organization)
    if sector is None:
        return page_of_all(query.order_by(thai_order(Organization.name_th), Organization.id), Organization)
    page = paginate(query.where(Organization.sector == sector)
                    .order_by(thai_order(Organization.name_th), Organization.id))
    return page, {"total": page.total, "about": False}


def dashboard_fairs(user: User) -> list[tuple]:
    """(fair, this user's roles) for the fairs the user has a role in and the fairs still to come, the
    latest start first: chosen in SQL (one query), the roles looked up once (was: every fair read, and
    every role scanned for each fair)."""
    from ..core.time import today_local
    from ..fairs.models import Fair  # fairs depends on accounts, not the reverse: imported when used

    roles: dict[int, set[str]] = {}
    for r in user.fair_roles:
        roles.setdefault(r.fair_id, set()).add(r.role)
    wanted = Fair.ends_on >= today_local()
    if roles:
        wanted = or_(wanted, Fair.id.in_(roles))
    fairs = db.session.scalars(select(Fair).where(wanted).order_by(Fair.starts_on.desc(), Fair.id.desc())
                               .limit(DASHBOARD_FAIRS)).all()
    return [(fair, roles.get(fair.id, set())) for fair in fairs]


def members(org: Organization) -> list[Membership]:
    """The organization's memberships with their users, by first name in Thai order."""
    rows = db.session.scalars(select(Membership).where(Membership.organization_id == org.id)
                              .options(selectinload(Membership.user))).all()
    return sort_thai(rows, key=lambda m: m.user.first_name)


def open_invitations(org: Organization) -> list[Invitation]:
    """Invitations not yet accepted, cancelled or expired, oldest first."""
    return [i for i in org.invitations if i.is_open]


# ---- sign-up meets an organization already registered ----

MATCHES_SHOWN = 5


@dataclass(frozen=True)
class Match(OrgNames):
    """An organization sign-up found: what the person may see of it (its name and where; nothing private)."""

    id: int
    name_th: str
    name_en: str | None
    province_code: str
    district_code: str
    same_tax_id: bool


def matching_organizations(name_th: str, province_code: str, tax_id: str | None) -> list[Match]:
    """The organizations a sign-up is taken to be (one query, on the indexed tax ID and name key):
    - the one with the same tax ID: a tax ID names one organization;
    - those with the same name after Thai normalization (accounts.models.org_name_key) in the same
      province, unless both tax IDs are known and differ (another organization of the same name).
    The same name in another province is another organization (ชุมชนบ้านใหม่, วัดศรีสุข: many of them)."""
    key = org_name_key(name_th)
    wanted = []
    if tax_id:
        wanted.append(Organization.tax_id == tax_id)
    if key:
        wanted.append(and_(Organization.name_key == key, Organization.province_code == province_code,
                           *([Organization.tax_id.is_(None)] if tax_id else [])))
    if not wanted:
        return []
    rows = db.session.execute(
        select(Organization.id, Organization.name_th, Organization.name_en, Organization.province_code,
               Organization.district_code, Organization.tax_id)
        .where(or_(*wanted)).order_by(Organization.id).limit(MATCHES_SHOWN)).all()
    found = [Match(r.id, r.name_th, r.name_en, r.province_code, r.district_code,
                   bool(tax_id) and r.tax_id == tax_id) for r in rows]
    return sorted(found, key=lambda m: not m.same_tax_id)  # the same tax ID first


def pending_join_requests(org: Organization) -> list[JoinRequest]:
    """The organization's requests waiting for its managers, oldest first, with who asked (one query)."""
    return db.session.scalars(select(JoinRequest).where(JoinRequest.organization_id == org.id,
                                                        JoinRequest.state == "pending")
                              .options(selectinload(JoinRequest.user)).order_by(JoinRequest.id)).all()
