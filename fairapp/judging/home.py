"""The judging panel of a person's home (accounts.home): for a judge, each fair's scoring (how many of
their nominations are fully scored, the days left) with a link to the judging page; for a chair, their
categories' chair pages; for an organization, the awards its nominations received once results are final.
Five queries whatever the number of assignments."""
from __future__ import annotations

from datetime import timedelta

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import func, select

from ..accounts.home import Panel, panel
from ..accounts.models import User
from ..core.time import today_local
from ..extensions import db
from ..fairs.models import Fair
from ..fairs.work import Work, source
from ..nominations.models import Category, Nomination
from .models import Assignment, Criterion, Result, Rubric, Score
from .queries import visible_nominations

KEEP_DAYS = 365


def _scoring(user: User, today) -> list[dict]:
    """Each fair where the user judges and judging has not closed (with nothing assigned yet, too)."""
    judged = {r.fair_id for r in user.fair_roles if r.role == "judge"}
    rows = db.session.execute(
        visible_nominations(user).with_only_columns(Assignment.id, Nomination.fair_id, Nomination.category_id,
                                                    maintain_column_froms=True)
        .join(Fair, Fair.id == Nomination.fair_id).where(Fair.judging_closes >= today)).all()
    categories = {r[2] for r in rows} or {0}
    criteria = dict(db.session.execute(
        select(Rubric.category_id, func.count(Criterion.id)).join(Criterion, Criterion.rubric_id == Rubric.id)
        .where(Rubric.category_id.in_(categories)).group_by(Rubric.category_id)).all())
    scored = dict(db.session.execute(
        select(Score.assignment_id, func.count(Score.id)).join(Assignment, Assignment.id == Score.assignment_id)
        .where(Assignment.judge_id == user.id, Assignment.id.in_([r[0] for r in rows]))
        .group_by(Score.assignment_id)).all())
    fairs = {f.id: f for f in db.session.scalars(select(Fair).where(
        Fair.id.in_(judged | {r[1] for r in rows}), Fair.judging_closes >= today))}
    out: dict[int, dict] = {fair_id: {"fair": fair, "total": 0, "complete": 0} for fair_id, fair in fairs.items()}
    for assignment_id, fair_id, category_id in rows:
        item = out.setdefault(fair_id, {"fair": fairs[fair_id], "total": 0, "complete": 0})
        item["total"] += 1
        need = criteria.get(category_id, 0)
        item["complete"] += need > 0 and scored.get(assignment_id, 0) >= need
    for item in out.values():
        item["days_left"] = (item["fair"].judging_closes - today).days
    return sorted(out.values(), key=lambda i: i["fair"].judging_closes)


def _chaired(user: User, today) -> list:
    fairs = [r.fair_id for r in user.fair_roles if r.role == "chair"]
    if not fairs:
        return []
    return db.session.execute(
        select(Category.id, Category.name_th, Category.name_en, Fair.name_th, Fair.name_en, Rubric.finalized_at)
        .join(Fair, Fair.id == Category.fair_id).outerjoin(Rubric, Rubric.category_id == Category.id)
        .where(Category.fair_id.in_(fairs), Fair.ends_on >= today - timedelta(days=KEEP_DAYS))
        .order_by(Fair.starts_on.desc(), Category.id)).all()


def _awards(org_ids: list[int], today) -> list:
    return db.session.execute(
        select(Result.level_th, Category.name_th, Category.name_en, Fair.name_th, Fair.name_en, Nomination.id)
        .join(Rubric, Rubric.id == Result.rubric_id).join(Nomination, Nomination.id == Result.nomination_id)
        .join(Category, Category.id == Nomination.category_id).join(Fair, Fair.id == Nomination.fair_id)
        .where(Rubric.finalized_at.is_not(None), Result.level_th.is_not(None),
               Nomination.nominee_org_id.in_(org_ids), Fair.ends_on >= today - timedelta(days=KEEP_DAYS))
        .order_by(Fair.starts_on.desc(), Result.position)).all()


@panel
def judging_panel(user: User) -> Panel | None:
    today = today_local()
    org_ids = [m.organization_id for m in user.memberships]
    judging = _scoring(user, today) if any(r.role == "judge" for r in user.fair_roles) else []
    chaired = _chaired(user, today)
    awards = _awards(org_ids, today) if org_ids else []
    if not (judging or chaired or awards):
        return None
    return Panel(10, "judging/_home.html", {"judging": judging, "chaired": chaired, "awards": awards})


@source
def judging_work(fair: Fair) -> list[Work]:
    """The fair page's judging progress: categories finalized of those with a rubric."""
    total, final = db.session.execute(
        select(func.count(Rubric.id), func.count(Rubric.finalized_at)).join(Category, Category.id == Rubric.category_id)
        .where(Category.fair_id == fair.id)).one()
    if not total:
        return []
    return [Work(50, _("การตัดสินรางวัล"), url_for("nominations.fair_nominations", fair_id=fair.id), 0,
                 _("สรุปผลแล้ว %(n)s จาก %(total)s ประเภท", n=final, total=total))]
