"""Every person's home (/dashboard): panels the features add, each what one of the person's roles must
see and do next (an organization's booth applications and nominations, a judge's scoring, a fair's staff
work waiting). accounts knows none of those features (they depend on it): each registers a panel function
with `panel` when its blueprint is imported; the dashboard calls each with the signed-in user and shows
those that have something to say, in `order`. A panel reads what it shows in a fixed number of queries."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from sqlalchemy import func, select

from ..extensions import db
from .models import JoinRequest, Organization, User


@dataclass
class Panel:
    order: int        # where it goes on the page (lower first)
    template: str     # included by accounts/dashboard.html, with `panel` its context
    context: dict = field(default_factory=dict)


_PANELS: list[Callable[[User], Panel | None]] = []


def panel(func: Callable[[User], Panel | None]) -> Callable[[User], Panel | None]:
    """Register a panel function (once: re-importing a module does not add it twice)."""
    if func.__qualname__ not in {f.__qualname__ for f in _PANELS if f.__module__ == func.__module__}:
        _PANELS.append(func)
    return func


def panels_for(user: User) -> list[Panel]:
    found = [p for p in (make(user) for make in _PANELS) if p is not None]
    return sorted(found, key=lambda p: p.order)


# ---- accounts' own panel: join requests (accounts.joining) ----

@panel
def join_requests_panel(user: User) -> Panel | None:
    """The person's requests to join an organization still waiting for its managers, and for a manager the
    requests waiting at their organizations: one query, two when the person manages an organization."""
    mine = db.session.execute(
        select(JoinRequest.id, JoinRequest.created_at, Organization.name_th, Organization.name_en)
        .join(Organization, Organization.id == JoinRequest.organization_id)
        .where(JoinRequest.user_id == user.id, JoinRequest.state == "pending").order_by(JoinRequest.id)).all()
    owned = [m.organization_id for m in user.memberships if m.role == "owner"]
    waiting = db.session.execute(
        select(Organization.id, Organization.name_th, Organization.name_en, func.count(JoinRequest.id))
        .join(JoinRequest, JoinRequest.organization_id == Organization.id)
        .where(Organization.id.in_(owned), JoinRequest.state == "pending")
        .group_by(Organization.id, Organization.name_th, Organization.name_en).order_by(Organization.id)
    ).all() if owned else []
    if not (mine or waiting):
        return None
    return Panel(5, "accounts/_home_join.html", {"mine": mine, "waiting": waiting})
