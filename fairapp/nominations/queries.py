"""Read queries of the nomination pages (lists, counts, the review list with its filters, history,
possible duplicates): a fixed number of queries per page, whatever the number of rows."""
from __future__ import annotations

from sqlalchemy import and_, case, exists, func, or_, select
from sqlalchemy.orm import aliased, selectinload

from ..accounts.models import Organization, Sector, User
from ..certificates.folding import matches, province_codes, search_needle
from ..core.pagination import Page, paginate, thai_order
from ..core.thai import sort_thai
from ..extensions import db
from .models import Category, Evidence, Nomination, NominationEvent, NominationStatus

# The review list's order: what needs a decision first.
REVIEW_STATUSES = (NominationStatus.submitted, NominationStatus.returned, NominationStatus.eligible,
                   NominationStatus.ineligible)
FILTERS = ("q", "category", "status", "sector", "province")


def categories_of(fair_id: int) -> list[Category]:
    return db.session.scalars(select(Category).where(Category.fair_id == fair_id)
                              .order_by(Category.sort_order, Category.id)).all()


def my_nominations(user, fair_id: int) -> list[Nomination]:
    """The fair's nominations made by the user's organizations."""
    org_ids = [m.organization_id for m in user.memberships] if user.is_authenticated else []
    if not org_ids:
        return []
    return db.session.scalars(select(Nomination).where(
        Nomination.fair_id == fair_id, Nomination.nominator_org_id.in_(org_ids))
        .options(selectinload(Nomination.category), selectinload(Nomination.nominee_org))
        .order_by(Nomination.id)).all()


def other_organizations(nominator: Organization) -> list[Organization]:
    """Whom a provincial office may pick as a nominee, in Thai order."""
    return sort_thai(db.session.scalars(select(Organization).where(Organization.id != nominator.id)),
                     key=lambda o: o.name_th)


def organization(org_id: str | None) -> Organization | None:
    """The organization a form names by id (None when the id is not a number or names nothing)."""
    return db.session.get(Organization, int(org_id)) if org_id and org_id.isdigit() else None


def submitted_counts(fair_id: int) -> dict[int, int]:
    """{category id: nominations past the draft stage}."""
    return dict(db.session.execute(
        select(Nomination.category_id, func.count(Nomination.id)).where(
            Nomination.fair_id == fair_id, Nomination.status != NominationStatus.draft)
        .group_by(Nomination.category_id)).all())


def evidence_counts(nomination_ids) -> dict[int, dict[str, int]]:
    """{nomination id: {"photo": n, "pdf": n}} in one query."""
    counts: dict[int, dict[str, int]] = {}
    ids = list(nomination_ids)
    if not ids:
        return counts
    rows = db.session.execute(select(Evidence.nomination_id, Evidence.kind, func.count(Evidence.id))
                              .where(Evidence.nomination_id.in_(ids))
                              .group_by(Evidence.nomination_id, Evidence.kind)).all()
    for nomination_id, kind, n in rows:
        counts.setdefault(nomination_id, {})[kind] = n
    return counts


def _nominee_key(n: Nomination) -> tuple:
    """Who a nomination names: an organization, or a community by name and district."""
    if n.nominee_org_id:
        return ("org", n.nominee_org_id)
    return ("community", "".join((n.community_name or "").split()).lower(), n.community_district_code or "",
            n.community_province_code or "")


def duplicate_groups(category_id: int) -> list[list[Nomination]]:
    """Nominations of one category that name the same nominee (an organization, or a community by name
    and district), drafts aside: each group has two or more."""
    rows = db.session.scalars(select(Nomination).where(
        Nomination.category_id == category_id, Nomination.status != NominationStatus.draft)).all()
    groups: dict[tuple, list[Nomination]] = {}
    for n in rows:
        groups.setdefault(_nominee_key(n), []).append(n)
    return [g for g in groups.values() if len(g) > 1]


def duplicate_ids(nominations) -> dict[int, list[int]]:
    """{nomination id: ids of the other nominations naming the same nominee in its category} for the
    nominations given (one page of a list): one query, reading only the nominations that could match."""
    nominations = list(nominations)
    if not nominations:
        return {}
    categories = {n.category_id for n in nominations}
    org_ids = {n.nominee_org_id for n in nominations if n.nominee_org_id}
    districts = {n.community_district_code or "" for n in nominations if not n.nominee_org_id}
    could = [Nomination.nominee_org_id.in_(org_ids)] if org_ids else []
    if districts:
        could.append(and_(Nomination.nominee_org_id.is_(None),
                          func.coalesce(Nomination.community_district_code, "").in_(districts)))
    rows = db.session.execute(select(Nomination.id, Nomination.category_id, Nomination.nominee_org_id,
                                     Nomination.community_name, Nomination.community_district_code,
                                     Nomination.community_province_code)
                              .where(Nomination.category_id.in_(categories),
                                     Nomination.status != NominationStatus.draft, or_(*could))).all()
    groups: dict[tuple, list[int]] = {}
    for row in rows:
        groups.setdefault((row.category_id, _nominee_key(row)), []).append(row.id)
    return {n.id: [i for i in group if i != n.id] for n in nominations
            if len(group := groups.get((n.category_id, _nominee_key(n)), [])) > 1}


def duplicates_of(nomination: Nomination) -> list[Nomination]:
    group = next((g for g in duplicate_groups(nomination.category_id) if nomination in g), [])
    return [n for n in group if n.id != nomination.id]


def _search(needle: str, nominee):
    """A nomination matches a search (folded as the kiosk folds: certificates.folding) by its nominee's
    name (an organization, Thai or English, or a community), the nominating organization's name, the
    person who nominated, or the nominee's province."""
    nominator = aliased(Organization)
    by_nominator = exists().where(nominator.id == Nomination.nominator_org_id,
                                  matches(needle, nominator.name_th, nominator.name_en))
    by_person = exists().where(User.id == Nomination.created_by_id, matches(needle, User.first_name + User.last_name))
    conditions = [matches(needle, nominee.name_th, nominee.name_en, Nomination.community_name), by_nominator,
                  by_person]
    codes = province_codes(needle)
    if codes:
        conditions += [nominee.province_code.in_(codes), Nomination.community_province_code.in_(codes)]
    return or_(*conditions)


def _review_filtered(fair_id: int, filters: dict, query, nominee):
    query = query.where(Nomination.fair_id == fair_id, Nomination.status != NominationStatus.draft)
    needle = search_needle(filters.get("q"))
    if needle:
        query = query.where(_search(needle, nominee))
    if filters["category"].isdigit():
        query = query.where(Nomination.category_id == int(filters["category"]))
    if filters["sector"] in {s.value for s in Sector}:
        query = query.where(nominee.sector == Sector(filters["sector"]))
    if filters["province"]:
        query = query.where(or_(nominee.province_code == filters["province"],
                                Nomination.community_province_code == filters["province"]))
    return query


def review_rows(fair_id: int, args) -> tuple[Page, dict, dict]:
    """One page of the fair's nominations past the draft stage, searched (?q=: `_search`) and filtered, and
    the count per status (every filter but the status applied): three queries whatever the number of
    nominations. Order (in SQL):
    by status (what needs a decision first), oldest first, nominee in Thai order."""
    filters = {k: args.get(k) or "" for k in FILTERS}
    nominee = aliased(Organization)
    counted = _review_filtered(
        fair_id, filters, select(Nomination.status, func.count(Nomination.id))
        .outerjoin(nominee, Nomination.nominee_org_id == nominee.id), nominee)
    counts = dict.fromkeys(REVIEW_STATUSES, 0)
    counts.update(db.session.execute(counted.group_by(Nomination.status)).all())
    query = _review_filtered(fair_id, filters, select(Nomination).outerjoin(
        nominee, Nomination.nominee_org_id == nominee.id), nominee)
    total = sum(counts.values())
    if filters["status"] in {s.value for s in REVIEW_STATUSES}:
        query = query.where(Nomination.status == NominationStatus(filters["status"]))
        total = counts[NominationStatus(filters["status"])]
    rank = case({s: i for i, s in enumerate(REVIEW_STATUSES)}, value=Nomination.status, else_=99)
    query = (query.options(selectinload(Nomination.nominator), selectinload(Nomination.nominee_org))
             .order_by(rank, func.coalesce(Nomination.submitted_at, Nomination.created_at),
                       thai_order(func.coalesce(nominee.name_th, Nomination.community_name, "")), Nomination.id))
    return paginate(query, total=total), filters, counts


def nominations_in(fair_id: int, ids) -> list[Nomination]:
    """The fair's nominations among `ids` (ids of another fair are left out)."""
    ids = [i for i in ids if i]
    if not ids:
        return []
    return db.session.scalars(select(Nomination).where(Nomination.fair_id == fair_id, Nomination.id.in_(ids))
                              .options(selectinload(Nomination.nominee_org))).all()


def review_matching(fair_id: int, args) -> list[Nomination]:
    """Every nomination of the fair the review list's search and filters (as `review_rows` reads them from
    `args`, the status too) match now, on every page: what "select all matching" decides on. One query."""
    filters = {k: args.get(k) or "" for k in FILTERS}
    nominee = aliased(Organization)
    ids = _review_filtered(fair_id, filters, select(Nomination.id).outerjoin(
        nominee, Nomination.nominee_org_id == nominee.id), nominee)
    if filters["status"] in {s.value for s in REVIEW_STATUSES}:
        ids = ids.where(Nomination.status == NominationStatus(filters["status"]))
    return db.session.scalars(select(Nomination).where(Nomination.id.in_(ids))
                              .options(selectinload(Nomination.nominee_org))).all()


def events_of(nomination: Nomination) -> list[NominationEvent]:
    """The nomination's history, oldest first, with who did each step."""
    return db.session.scalars(select(NominationEvent).where(NominationEvent.nomination_id == nomination.id)
                              .options(selectinload(NominationEvent.actor))
                              .order_by(NominationEvent.created_at, NominationEvent.id)).all()
