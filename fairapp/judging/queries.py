"""Read queries of the judging pages and operations: what a judge may see, their dashboard and scoring
page, the chair's assignment overview, score sheets for ranking, progress, and the finalize record."""
from __future__ import annotations

from sqlalchemy import case, func, select
from sqlalchemy.orm import joinedload, selectinload

from ..accounts.models import Organization, User
from ..core.audit import AuditEntry
from ..core.pagination import paginate, thai_order
from ..core.thai import sort_key
from ..extensions import db
from ..fairs.models import FairRole
from ..nominations.models import Category, Evidence, Nomination, NominationStatus
from .models import Assignment, Conflict, Criterion, JudgeProfile, Rubric, Score
from .scoring import Criterion as ScoringCriterion
from .scoring import judge_total


# ---- what a judge may see ----

def visible_nominations(judge: User, category_id: int | None = None):
    """The query of nominations a judge may see: assigned to them and not conflicted."""
    query = (select(Nomination).join(Assignment, Assignment.nomination_id == Nomination.id)
             .where(Assignment.judge_id == judge.id,
                    ~select(Conflict.id).where(Conflict.judge_id == judge.id,
                                               Conflict.nomination_id == Nomination.id,
                                               Conflict.confirmed.is_(True)).exists()))
    if category_id is not None:
        query = query.where(Nomination.category_id == category_id)
    return query


def conflicted(judge_id: int, nomination_id: int) -> bool:
    """A declared or confirmed conflict between the judge and the nomination."""
    return db.session.scalar(select(Conflict.id).where(
        Conflict.judge_id == judge_id, Conflict.nomination_id == nomination_id,
        Conflict.confirmed.is_(True))) is not None


def detected_conflicts(fair_id: int, category_id: int | None = None) -> list[tuple[int, int, str]]:
    """(judge, nomination, why) where a judge's affiliation is the nominee or the nominator of an eligible
    nomination (of the category when given) and no conflict is recorded for the pair: found in SQL (one
    query), not by pairing every profile with every nomination.

    Shown to the chair to confirm; nothing is recorded until they do.
    """
    aff = JudgeProfile.affiliation_org_id
    query = (select(JudgeProfile.user_id, Nomination.id,
                    case((Nomination.nominee_org_id == aff, "nominee"), else_="nominator"))
             .join(Nomination, (Nomination.fair_id == JudgeProfile.fair_id)
                   & ((Nomination.nominee_org_id == aff) | (Nomination.nominator_org_id == aff)))
             .where(JudgeProfile.fair_id == fair_id, aff.is_not(None),
                    Nomination.status == NominationStatus.eligible,
                    ~select(Conflict.id).where(Conflict.judge_id == JudgeProfile.user_id,
                                               Conflict.nomination_id == Nomination.id).exists())
             .order_by(JudgeProfile.id, Nomination.id))
    if category_id is not None:
        query = query.where(Nomination.category_id == category_id)
    return [tuple(r) for r in db.session.execute(query).all()]


# ---- people ----

def judges(fair_id: int) -> list[User]:
    """The fair's judges in Thai order."""
    users = db.session.scalars(select(User).join(FairRole, FairRole.user_id == User.id)
                               .where(FairRole.fair_id == fair_id, FairRole.role == "judge")).all()
    return sorted(users, key=lambda u: (sort_key(u.full_name), u.id))


def judge_names(fair_id: int, also: set[int] = frozenset()) -> dict[int, str]:
    """Names of the fair's judges, and of `also` (assigned once, no longer a judge of the fair)."""
    names = {u.id: u.full_name for u in judges(fair_id)}
    extra = set(also) - set(names)
    if extra:
        names.update({u.id: u.full_name for u in db.session.scalars(select(User).where(User.id.in_(extra)))})
    return names


def user_names(ids) -> dict[int, str]:
    """id -> full name of these users (one query; nothing for no ids)."""
    ids = sorted(set(ids))
    if not ids:
        return {}
    return {u.id: u.full_name for u in db.session.scalars(select(User).where(User.id.in_(ids)))}


def _like(q: str) -> str:
    """A LIKE pattern for `q` anywhere (its own % and _ taken literally)."""
    return "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def judges_query(fair_id: int, q: str = ""):
    """The fair's judges in Thai order (in SQL), those whose name or email holds `q` when given."""
    query = (select(User).join(FairRole, FairRole.user_id == User.id)
             .where(FairRole.fair_id == fair_id, FairRole.role == "judge"))
    q = (q or "").strip()
    if q:
        pattern = _like(q)
        query = query.where((User.first_name + " " + User.last_name).ilike(pattern, escape="\\")
                            | User.email.ilike(pattern, escape="\\"))
    return query.order_by(thai_order(User.first_name), thai_order(User.last_name), User.id)


def judge_search(fair_id: int, q: str, limit: int = 20) -> list[User]:
    """Up to `limit` of the fair's judges matching `q` (the pickers' search)."""
    if not (q or "").strip():
        return []
    return db.session.scalars(judges_query(fair_id, q).limit(limit)).all()


def organization_search(q: str, limit: int = 20) -> list[Organization]:
    """Up to `limit` organizations whose Thai or English name holds `q`, or the one numbered `q` ("#12").
    In number order, not Thai order: a common word matches most of the country's organizations, and sorting
    them all to keep 20 would read every one; the chair types more to narrow the list."""
    q = (q or "").strip()
    if not q:
        return []
    number = q.lstrip("#").strip()
    if number.isdigit() and len(number) < 10:
        return db.session.scalars(select(Organization).where(Organization.id == int(number))).all()
    pattern = _like(q)
    return db.session.scalars(select(Organization).where(Organization.name_th.ilike(pattern, escape="\\")
                                                         | Organization.name_en.ilike(pattern, escape="\\"))
                              .order_by(Organization.id).limit(limit)).all()  # by number: stops at `limit`


def affiliation_page(fair_id: int, q: str = "") -> dict:
    """One page of the judges (?page=N, ?q= searches names and emails), their profiles and affiliations,
    and the fair's categories. The organizations are not listed: the page's picker asks
    organization_search as the chair types (the fair's organizations grow with the country)."""
    page = paginate(judges_query(fair_id, q))
    ids = [u.id for u in page]
    profiles = {p.user_id: p for p in db.session.scalars(
        select(JudgeProfile).where(JudgeProfile.fair_id == fair_id, JudgeProfile.user_id.in_(ids))
        .options(selectinload(JudgeProfile.affiliation)))} if ids else {}
    return {"people": page,
            "profiles": profiles,
            "q": (q or "").strip(),
            "categories": db.session.scalars(select(Category).where(Category.fair_id == fair_id)
                                             .order_by(Category.sort_order, Category.id)).all()}


# ---- score sheets ----

def scoring_criteria(criteria) -> list[ScoringCriterion]:
    return [ScoringCriterion(c.id, c.weight, c.scale_min, c.scale_max) for c in criteria]


def scoring_inputs(rubric: Rubric):
    """(criteria, sheets): the rubric's criteria for scoring.py, and every (judge, nomination) sheet of
    the category (an assigned pair without scores is an empty sheet)."""
    criteria = scoring_criteria(rubric.criteria)
    sheets: dict[tuple[int, int], dict[int, int]] = {}
    rows = db.session.execute(
        select(Assignment.judge_id, Assignment.nomination_id, Score.criterion_id, Score.value)
        .join(Score, Score.assignment_id == Assignment.id)
        .join(Nomination, Nomination.id == Assignment.nomination_id)
        .where(Nomination.category_id == rubric.category_id)).all()
    assigned = db.session.execute(select(Assignment.judge_id, Assignment.nomination_id)
                                  .join(Nomination, Nomination.id == Assignment.nomination_id)
                                  .where(Nomination.category_id == rubric.category_id)).all()
    for judge_id, nomination_id in assigned:
        sheets.setdefault((judge_id, nomination_id), {})
    for judge_id, nomination_id, criterion_id, value in rows:
        sheets[(judge_id, nomination_id)][criterion_id] = value
    return criteria, sheets


def progress(sheets, totals) -> dict[int, tuple[int, int]]:
    """Per judge: (complete sheets, assigned sheets)."""
    out: dict[int, list[int]] = {}
    for (j, n) in sheets:
        row = out.setdefault(j, [0, 0])
        row[0] += int(totals.get((j, n)) is not None)
        row[1] += 1
    return {j: (a, b) for j, (a, b) in out.items()}


def scored_criteria(rubric: Rubric) -> set[int]:
    """Ids of the rubric's criteria that have at least one recorded score."""
    return set(db.session.scalars(select(Score.criterion_id).join(Criterion, Criterion.id == Score.criterion_id)
                                  .where(Criterion.rubric_id == rubric.id).distinct()))


def eligible_nominations(category_id: int) -> list[Nomination]:
    return db.session.scalars(select(Nomination).where(
        Nomination.category_id == category_id, Nomination.status == NominationStatus.eligible)
        .options(selectinload(Nomination.nominee_org), selectinload(Nomination.nominator))
        .order_by(Nomination.id)).all()


def eligible_nomination_ids(category_id: int) -> set[int]:
    return set(db.session.scalars(select(Nomination.id).where(
        Nomination.category_id == category_id, Nomination.status == NominationStatus.eligible)))


def nominations_by_id(ids) -> dict[int, Nomination]:
    ids = sorted(set(ids))
    if not ids:
        return {}
    return {n.id: n for n in db.session.scalars(select(Nomination).where(Nomination.id.in_(ids))
                                                .options(joinedload(Nomination.nominee_org)))}


def nomination_ids(category_id: int) -> set[int]:
    return set(db.session.scalars(select(Nomination.id).where(Nomination.category_id == category_id)))


def finalize_record(rubric: Rubric) -> AuditEntry | None:
    """The audit entry of the rubric's latest finalizing (its reason and what was missing)."""
    return db.session.scalar(select(AuditEntry).where(
        AuditEntry.action == "judging.finalized", AuditEntry.object_type == Rubric.__tablename__,
        AuditEntry.object_id == rubric.id).order_by(AuditEntry.id.desc()).limit(1))


# ---- the judge's pages ----

def judge_dashboard(judge: User, fair_id: int, lang: str) -> tuple[list[dict], int, int]:
    """(groups per category, assignments, complete ones) for the judge's dashboard; five queries."""
    rows = db.session.execute(
        visible_nominations(judge)
        .with_only_columns(Assignment.id, Nomination.id, Nomination.category_id, Nomination.community_name,
                           Organization.name_th, Organization.name_en, maintain_column_froms=True)
        .outerjoin(Organization, Organization.id == Nomination.nominee_org_id)
        .where(Nomination.fair_id == fair_id)
        .order_by(Nomination.category_id, Nomination.id)).all()
    category_ids = sorted({r[2] for r in rows})
    categories = {c.id: c for c in db.session.scalars(select(Category).where(Category.id.in_(category_ids)))}
    rubric_rows = db.session.execute(
        select(Rubric.category_id, Rubric.finalized_at, func.count(Criterion.id))
        .outerjoin(Criterion, Criterion.rubric_id == Rubric.id)
        .where(Rubric.category_id.in_(category_ids)).group_by(Rubric.id)).all()
    criteria_count = {cat: n for cat, _f, n in rubric_rows}
    finalized = {cat for cat, f, _n in rubric_rows if f is not None}
    scored_counts = dict(db.session.execute(
        select(Score.assignment_id, func.count(Score.id)).join(Assignment, Assignment.id == Score.assignment_id)
        .where(Assignment.judge_id == judge.id, Assignment.id.in_([r[0] for r in rows]))
        .group_by(Score.assignment_id)).all())
    groups: list[dict] = []
    by_category: dict[int, dict] = {}
    for assignment_id, nomination_id, category_id, community, org_th, org_en in rows:
        group = by_category.get(category_id)
        if group is None:
            category = categories[category_id]
            group = {"category": category, "name": category.name(lang), "items": [], "scored": 0,
                     "criteria": criteria_count.get(category_id, 0), "finalized": category_id in finalized}
            by_category[category_id] = group
            groups.append(group)
        done = scored_counts.get(assignment_id, 0)
        complete = group["criteria"] > 0 and done >= group["criteria"]
        name = ((org_en or org_th) if lang == "en" else org_th) if org_th else (community or "")
        group["items"].append({"assignment_id": assignment_id, "nomination_id": nomination_id, "name": name,
                               "done": done, "complete": complete})
        group["scored"] += complete
    return groups, sum(len(g["items"]) for g in groups), sum(g["scored"] for g in groups)


def neighbours(judge: User, assignment: Assignment) -> tuple[int | None, int | None, int, int]:
    """(previous assignment id, next assignment id, position, count) in the judge's list for the category."""
    ids = db.session.scalars(
        visible_nominations(judge, assignment.nomination.category_id)
        .with_only_columns(Assignment.id, maintain_column_froms=True).order_by(Nomination.id)).all()
    if assignment.id not in ids:
        return None, None, 0, len(ids)
    i = ids.index(assignment.id)
    return (ids[i - 1] if i > 0 else None, ids[i + 1] if i + 1 < len(ids) else None, i + 1, len(ids))


def panel(nomination: Nomination, criteria, me_id: int) -> list[dict]:
    """Each judge's total for the nomination (shown only once the chair has opened the scores)."""
    rows = db.session.execute(
        select(Assignment.judge_id, User.title, User.first_name, User.last_name, Score.criterion_id, Score.value)
        .join(User, User.id == Assignment.judge_id)
        .outerjoin(Score, Score.assignment_id == Assignment.id)
        .where(Assignment.nomination_id == nomination.id)
        .order_by(Assignment.judge_id)).all()
    sheets: dict[int, dict] = {}
    for judge_id, title, first, last, criterion_id, value in rows:
        entry = sheets.setdefault(judge_id, {"name": f"{title or ''}{first or ''} {last or ''}".strip(),
                                             "sheet": {}, "me": judge_id == me_id})
        if criterion_id is not None:
            entry["sheet"][criterion_id] = value
    scoring = scoring_criteria(criteria)
    return [{"name": e["name"], "me": e["me"], "total": judge_total(e["sheet"], scoring)} for e in sheets.values()]


def rubric_with_criteria(category_id: int) -> Rubric | None:
    return db.session.scalar(select(Rubric).where(Rubric.category_id == category_id)
                             .options(selectinload(Rubric.criteria)))


def scores_of(assignment: Assignment) -> dict[int, Score]:
    return {s.criterion_id: s for s in db.session.scalars(
        select(Score).where(Score.assignment_id == assignment.id))}


def sheet(assignment: Assignment) -> dict[int, int]:
    """criterion id -> value of the assignment's recorded scores."""
    return dict(db.session.execute(select(Score.criterion_id, Score.value)
                                   .where(Score.assignment_id == assignment.id)).all())


def evidence_of(nomination: Nomination) -> list[Evidence]:
    return db.session.scalars(select(Evidence).where(Evidence.nomination_id == nomination.id)
                              .order_by(Evidence.id)).all()


# ---- results ----

def finalized_rubrics(fair_id: int) -> list[Rubric]:
    """The fair's finalized categories' rubrics, in the categories' order."""
    return db.session.scalars(select(Rubric).join(Category, Category.id == Rubric.category_id)
                              .where(Category.fair_id == fair_id, Rubric.finalized_at.is_not(None))
                              .options(selectinload(Rubric.category), selectinload(Rubric.criteria),
                                       selectinload(Rubric.tie_rules), selectinload(Rubric.levels))
                              .order_by(Category.sort_order, Category.id)).all()
