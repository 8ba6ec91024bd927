"""Read queries of the chair's assignment page (one page of it at a time: nominations or judges' loads,
totals and loads as SQL aggregates)."""
from __future__ import annotations

from sqlalchemy import case, func, select
from sqlalchemy.orm import selectinload

from ..accounts.models import Organization, User
from ..core.pagination import paginate
from ..extensions import db
from ..fairs.models import FairRole
from ..nominations.models import Category, Nomination, NominationStatus
from .models import Assignment, Conflict, JudgeLoad, Rubric
from .queries import _like, detected_conflicts, judges_query, nominations_by_id


def _loads(fair_id: int, category_id: int, judge_ids) -> tuple[dict[int, int], dict[int, int]]:
    """(load in the category, load in the fair) of each of `judge_ids`, from the judges' load counters
    (JudgeLoad: one row per category and judge, kept by the database)."""
    query = (select(JudgeLoad.judge_id, func.sum(JudgeLoad.assignments),
                    func.sum(case((JudgeLoad.category_id == category_id, JudgeLoad.assignments), else_=0)))
             .where(JudgeLoad.fair_id == fair_id, JudgeLoad.judge_id.in_(judge_ids))
             .group_by(JudgeLoad.judge_id))
    here, fair = {}, {}
    for judge_id, in_fair, in_category in db.session.execute(query):
        here[judge_id], fair[judge_id] = int(in_category or 0), int(in_fair or 0)
    return here, fair


def _short(rubric: Rubric | None):
    """SQL: the nomination has fewer judges assigned than the rubric's judges per nomination (its counter,
    Nomination.judges_assigned, kept by the database)."""
    needed = rubric.judges_per_nomination if rubric is not None else 0
    return Nomination.judges_assigned < needed


def assignment_overview(category: Category, rubric: Rubric | None, *, view: str = "nominations", q: str = "",
                        short: bool = False) -> dict:
    """The chair's assignment page, one page of it at a time (?page=N): the category's eligible
    nominations (?q= a name or #number, ?short=1 those still short of judges) with their judges, or
    (view="judges") the fair's judges with their loads here and across the fair. Totals (nominations,
    short ones, the fair's lowest and highest load) are SQL aggregates; detected conflicts are found in
    SQL; nothing is loaded for the rows of other pages. Loads and judge counts are read from the counters
    the database keeps (JudgeLoad, Nomination.judges_assigned), not counted from the fair's assignments."""
    fair_id = category.fair_id
    eligible = (Nomination.category_id == category.id) & (Nomination.status == NominationStatus.eligible)
    totals = db.session.execute(select(func.count(Nomination.id), func.coalesce(func.sum(case((_short(rubric), 1),
                                                                                                else_=0)), 0))
                                .where(eligible)).one()
    is_judge = (FairRole.user_id == JudgeLoad.judge_id) & (FairRole.fair_id == fair_id) & (FairRole.role == "judge")
    per_judge = (select(JudgeLoad.judge_id, func.sum(JudgeLoad.assignments).label("n"))
                 .where(JudgeLoad.fair_id == fair_id, select(FairRole.id).where(is_judge).exists())
                 .group_by(JudgeLoad.judge_id).subquery())
    n_judges = (select(func.count(FairRole.id)).where(FairRole.fair_id == fair_id, FairRole.role == "judge")
                .scalar_subquery())
    load_min, load_max, busy, judges_count = db.session.execute(
        select(func.min(per_judge.c.n), func.max(per_judge.c.n), func.count(), n_judges)).one()
    if busy < judges_count:  # a judge without any assignment in the fair
        load_min = 0
    out = {"view": view, "q": q, "short": short, "total_nominations": totals[0], "total_short": int(totals[1]),
           "load_min": load_min or 0, "load_max": load_max or 0,
           "detected": detected_conflicts(fair_id, category.id),
           "confirmed": db.session.scalars(select(Conflict).join(Nomination, Nomination.id == Conflict.nomination_id)
                                           .where(Nomination.category_id == category.id)
                                           .order_by(Conflict.id)).all()}
    if view == "judges":
        page = paginate(judges_query(fair_id, q))
        out["load_here"], out["load_fair"] = _loads(fair_id, category.id, [u.id for u in page])
        out["page"] = page
        out["nominations"], out["per_nomination"] = [], {}
    else:
        query = (select(Nomination).where(eligible)
                 .options(selectinload(Nomination.nominee_org)).order_by(Nomination.id))
        if q:
            number = q.lstrip("#").strip()
            if number.isdigit() and len(number) < 10:
                query = query.where(Nomination.id == int(number))
            else:
                pattern = _like(q)
                query = query.outerjoin(Organization, Organization.id == Nomination.nominee_org_id).where(
                    Organization.name_th.ilike(pattern, escape="\\") | Organization.name_en.ilike(pattern, escape="\\")
                    | Nomination.community_name.ilike(pattern, escape="\\"))
        if short:
            query = query.where(_short(rubric))
        page = paginate(query)
        ids = [n.id for n in page]
        rows = db.session.scalars(select(Assignment).where(Assignment.nomination_id.in_(ids))
                                  .order_by(Assignment.id)).all() if ids else []
        per_nomination: dict[int, list[Assignment]] = {}
        for a in rows:
            per_nomination.setdefault(a.nomination_id, []).append(a)
        out["page"] = page
        out["nominations"], out["per_nomination"] = list(page), per_nomination
        out["load_here"], out["load_fair"] = {}, {}
    names_needed = ({j for j, _n, _w in out["detected"]} | {c.judge_id for c in out["confirmed"]}
                    | {a.judge_id for rows in out["per_nomination"].values() for a in rows})
    out["names"] = {u.id: u.full_name for u in out["page"]} if view == "judges" else {}
    missing = names_needed - set(out["names"])
    if missing:
        out["names"].update({u.id: u.full_name for u in db.session.scalars(select(User).where(User.id.in_(missing)))})
    detected_noms = {n for _j, n, _w in out["detected"]} - {n.id for n in out["nominations"]}
    out["by_id"] = {n.id: n for n in out["nominations"]} | nominations_by_id(detected_noms)
    return out


