"""The booths' panel of a person's home (accounts.home): their organizations' booth applications in the
fairs still to come, each with where it stands and what to do next (the waiting-list place, an offer's
deadline, the booth with links to it on the plan and to the pass), the fairs open for applications; for
fair staff, the applications waiting for review. Three queries whatever the number of applications."""
from __future__ import annotations

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
from .models import Application, Booth, Status

LIMIT = 30


def _ahead():
    """How many wait before an application on its booth type's list (1 + this is its place)."""
    other = aliased(Application)
    return (select(func.count(other.id))
            .where(other.booth_type_id == Application.booth_type_id, other.status == Status.waitlisted,
                   or_(other.waitlisted_at < Application.waitlisted_at,
                       and_(other.waitlisted_at == Application.waitlisted_at, other.id < Application.id)))
            .correlate(Application).scalar_subquery())


def _applications(org_ids: list[int], today) -> list:
    return db.session.execute(
        select(Application.id, Application.status, Application.offer_expires_at, Application.fair_id,
               Fair.name_th, Fair.name_en, Fair.booth_closes, Fair.booth_opens, Organization.id.label("org_id"),
               Organization.name_th.label("org_th"), Organization.name_en.label("org_en"), Booth.code,
               _ahead().label("ahead"))
        .join(Fair, Fair.id == Application.fair_id)
        .join(Organization, Organization.id == Application.organization_id)
        .outerjoin(Booth, Booth.application_id == Application.id)
        .where(Application.organization_id.in_(org_ids), Fair.ends_on >= today)
        .order_by(Fair.starts_on, Fair.id, Organization.id, Application.id.desc()).limit(LIMIT)).all()


def _open_fairs(today) -> list[Fair]:
    return list(db.session.scalars(select(Fair).where(Fair.booth_opens <= today, Fair.booth_closes >= today)
                                   .order_by(Fair.booth_closes, Fair.id).limit(LIMIT)))


def _waiting_review(user: User, today) -> list:
    """(fair id, Thai name, English name, applications sent and not decided) per fair the user staffs."""
    return waiting_per_staffed_fair(user, Application, Application.status == Status.submitted, today, LIMIT)


@panel
def booths_panel(user: User) -> Panel | None:
    today = today_local()
    org_ids = [m.organization_id for m in user.memberships]
    applications = _applications(org_ids, today) if org_ids else []
    open_fairs = _open_fairs(today) if org_ids else []
    applied = {(a.fair_id, a.org_id) for a in applications if a.status != Status.withdrawn}
    can_apply = [f for f in open_fairs if any((f.id, org_id) not in applied for org_id in org_ids)]
    staff = _waiting_review(user, today) if user.is_staff_anywhere else []
    if not (applications or can_apply or staff):
        return None
    return Panel(20, "booths/_home.html", {"applications": applications, "can_apply": can_apply, "staff": staff,
                                            "today": today, "Status": Status})


@source
def booth_work(fair: Fair) -> list[Work]:
    """The fair page's booth work: applications to review, approved ones without a booth, check-in."""
    row = db.session.execute(
        select(func.count(Application.id).filter(Application.status == Status.submitted),
               func.count(Application.id).filter(Application.status == Status.approved),
               func.count(Application.id).filter(Application.status == Status.approved, Booth.id.is_(None)),
               func.count(Application.id).filter(Application.status == Status.approved,
                                                 Application.checked_in_at.is_not(None)))
        .select_from(Application).outerjoin(Booth, Booth.application_id == Application.id)
        .where(Application.fair_id == fair.id)).one()
    submitted, approved, unplaced, arrived = row
    return [Work(10, _("ตรวจใบสมัครบูธ"), url_for("booths.review", fair_id=fair.id), submitted),
            Work(20, _("ผังบูธ: จัดบูธให้ใบสมัครที่อนุมัติ"), url_for("booths.plan", fair_id=fair.id), unplaced),
            Work(30, _("เช็กอินบูธ"), url_for("booths.checkin_dashboard", fair_id=fair.id), 0,
                 _("มาถึงแล้ว %(n)s จาก %(total)s บูธ", n=arrived, total=approved))]
