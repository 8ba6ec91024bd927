"""The nominations' panel of a person's home (accounts.home): the nominations their organizations made
(with where each stands, and a link to finish a draft or fix a returned one), the nominations of their
organizations by others (told when nominated and when found eligible; awards: judging.home), and for fair
staff the nominations waiting for the eligibility check. Three queries."""
from __future__ import annotations

from datetime import timedelta

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import aliased

from ..accounts.home import Panel, panel
from ..accounts.models import Organization, User
from ..core.time import today_local
from ..extensions import db
from ..fairs.models import Fair
from ..fairs.queries import waiting_per_staffed_fair
from ..fairs.work import Work, source
from .models import Category, Nomination, NominationStatus

LIMIT = 30
KEEP_DAYS = 365  # a fair's nominations stay on the home page for a year after it


def _rows(org_ids: list[int], since):
    nominee = aliased(Organization)
    return db.session.execute(
        select(Nomination.id, Nomination.status, Nomination.nominator_org_id, Nomination.nominee_org_id,
               Nomination.community_name, nominee.name_th.label("nominee_th"), nominee.name_en.label("nominee_en"),
               Category.name_th.label("category_th"), Category.name_en.label("category_en"), Category.closes_on,
               Fair.id.label("fair_id"), Fair.name_th.label("fair_th"), Fair.name_en.label("fair_en"))
        .join(Category, Category.id == Nomination.category_id).join(Fair, Fair.id == Nomination.fair_id)
        .outerjoin(nominee, nominee.id == Nomination.nominee_org_id)
        .where(Fair.ends_on >= since, or_(
            Nomination.nominator_org_id.in_(org_ids),
            and_(Nomination.nominee_org_id.in_(org_ids), Nomination.status != NominationStatus.draft)))
        .order_by(Fair.starts_on.desc(), Nomination.id.desc()).limit(LIMIT)).all()


def _waiting_check(user: User, today) -> list:
    return waiting_per_staffed_fair(user, Nomination, Nomination.status == NominationStatus.submitted, today, LIMIT)


@panel
def nominations_panel(user: User) -> Panel | None:
    today = today_local()
    org_ids = [m.organization_id for m in user.memberships]
    rows = _rows(org_ids, today - timedelta(days=KEEP_DAYS)) if org_ids else []
    made = [r for r in rows if r.nominator_org_id in org_ids]
    of_us = [r for r in rows if r.nominator_org_id not in org_ids]
    staff = _waiting_check(user, today) if user.is_staff_anywhere else []
    if not (made or of_us or staff):
        return None
    return Panel(30, "nominations/_home.html", {"made": made, "of_us": of_us, "staff": staff,
                                                 "Status": NominationStatus, "today": today})


@source
def nomination_work(fair: Fair) -> list[Work]:
    """The fair page's nomination work: nominations waiting for the eligibility check."""
    waiting = db.session.scalar(select(func.count(Nomination.id)).where(
        Nomination.fair_id == fair.id, Nomination.status == NominationStatus.submitted)) or 0
    return [Work(40, _("ตรวจคุณสมบัติการเสนอชื่อ"), url_for("nominations.review", fair_id=fair.id), waiting)]
