"""Read queries of the booth pages: booth types and places left, an organization's applications, the
review queue, the check-in dashboard's figures. They read, never write; rules live in `operations`."""
from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import case, exists, func, literal, or_, select, union_all
from sqlalchemy.orm import selectinload

from ..accounts.models import Organization, Sector, User
from ..certificates.folding import matches, province_codes, search_needle
from ..core.http import safe_id
from ..core.i18n import locale_code
from ..core.pagination import Page, paginate, seek_condition, seek_fetch, seek_page, thai_order
from ..core.thai import format_date, thai_digits
from ..core.time import to_local, utcnow
from ..extensions import db
from ..fairs.models import Fair
from .models import HOLDS_PLACE, LIVE, Application, Booth, BoothPerson, BoothType, CheckInScan, Status

# The review queue's statuses, in the order it shows them: what needs a decision first.
REVIEW_STATUSES = (Status.submitted, Status.approved, Status.waitlisted, Status.offered, Status.rejected,
                   Status.withdrawn, Status.lapsed)
REVIEW_FILTERS = ("q", "sector", "province", "type", "status")


def _application_search(needle: str):
    """An application matches a search by its organization's name (Thai or English), the person who
    applied, a person named on it, its booth's code or its organization's province."""
    person = exists().where(BoothPerson.application_id == Application.id,
                            matches(needle, BoothPerson.first_name + BoothPerson.last_name))
    applicant = exists().where(User.id == Application.created_by_id, matches(needle, User.first_name + User.last_name))
    booth = exists().where(Booth.application_id == Application.id, matches(needle, Booth.code))
    conditions = [matches(needle, Organization.name_th, Organization.name_en), applicant, person, booth]
    codes = province_codes(needle)
    if codes:
        conditions.append(Organization.province_code.in_(codes))
    return or_(*conditions)


# ---- booth types and places ----

def booth_types(fair: Fair) -> list[BoothType]:
    return db.session.scalars(select(BoothType).where(BoothType.fair_id == fair.id)
                              .order_by(BoothType.sort_order, BoothType.id)).all()


def places_held(booth_type_id: int) -> int:
    """Applications that hold a place of the type (approved, or offered a freed place)."""
    return db.session.scalar(select(func.count(Application.id)).where(
        Application.booth_type_id == booth_type_id, Application.status.in_(HOLDS_PLACE))) or 0


def remaining_by_type(fair_id: int) -> dict[int, int]:
    """Places left per booth type of a fair, in one query."""
    held = dict(db.session.execute(
        select(Application.booth_type_id, func.count(Application.id))
        .where(Application.fair_id == fair_id, Application.status.in_(HOLDS_PLACE))
        .group_by(Application.booth_type_id)).all())
    types = db.session.scalars(select(BoothType).where(BoothType.fair_id == fair_id)).all()
    return {t.id: max(t.capacity - held.get(t.id, 0), 0) for t in types}


# ---- applications ----

def live_applications(fair_id: int, org_id: int) -> int:
    """Applications of an organization in a fair that count against the per-organization limit."""
    return db.session.scalar(select(func.count(Application.id)).where(
        Application.fair_id == fair_id, Application.organization_id == org_id,
        Application.status.in_(LIVE))) or 0


def applications_of(user, fair: Fair) -> list[Application]:
    """The applications of the user's organizations in a fair (none for the signed out)."""
    if not user.is_authenticated:
        return []
    org_ids = [m.organization_id for m in user.memberships]
    if not org_ids:
        return []
    return db.session.scalars(select(Application).where(
        Application.fair_id == fair.id, Application.organization_id.in_(org_ids))
        .options(selectinload(Application.booth_type), selectinload(Application.organization),
                 selectinload(Application.booth))
        .order_by(Application.id)).all()


def applications_in(fair: Fair, ids) -> list[Application]:
    """The applications of this fair among `ids` (ids of another fair, or none at all, are left out)."""
    ids = [i for i in (safe_id(v) for v in ids) if i]
    if not ids:
        return []
    return db.session.scalars(select(Application).where(Application.fair_id == fair.id,
                                                        Application.id.in_(ids))).all()


def _review_filtered(fair: Fair, filters: dict, query, *, organizations: bool = True):
    """The queue's filters on `query`; joined to the organizations when it reads them or a filter needs
    them (the counts per status without a sector or province read the index on (fair, status) alone)."""
    needle = search_needle(filters.get("q"))
    if organizations or filters["sector"] or filters["province"] or needle:
        query = query.join(Organization, Application.organization_id == Organization.id)
    query = query.where(Application.fair_id == fair.id, Application.status != Status.draft)
    if needle:
        query = query.where(_application_search(needle))
    if filters["sector"] in {s.value for s in Sector}:
        query = query.where(Organization.sector == Sector(filters["sector"]))
    if filters["province"]:
        query = query.where(Organization.province_code == filters["province"])
    if safe_id(filters["type"]):
        query = query.where(Application.booth_type_id == safe_id(filters["type"]))
    if filters["status"] in {s.value for s in REVIEW_STATUSES}:
        query = query.where(Application.status == Status(filters["status"]))
    return query


def _review_when():
    """When an application joined the queue: the waiting list's time, else when it was sent (migration
    0022 indexes it per fair and status)."""
    return func.coalesce(Application.waitlisted_at, Application.submitted_at, Application.created_at)


REVIEW_KEY = (str, datetime, str, int)  # a row's place in the queue: status, when, organization, id


def _review_fetch(fair: Fair, filters: dict, statuses: list[Status]):
    """seek_page's fetch for the queue: one query, a branch per status (each read from the index on
    (fair, status, when) from the key on, at most `limit` rows), merged in the queue's order."""
    ranks = {s: i for i, s in enumerate(REVIEW_STATUSES)}
    when = _review_when()

    def fetch(direction: str, key: list | None, limit: int) -> list:
        at = ranks.get(Status(key[0])) if key and key[0] in {s.value for s in Status} else None
        branches = []
        for status in statuses:
            rank = ranks[status]
            order = [when, thai_order(Organization.name_th), Application.id]
            branch = _review_filtered(fair, filters, select(
                Application.id.label("id"), literal(rank).label("rank"), when.label("w"),
                Organization.name_th.label("n"))).where(Application.status == status)
            if at is not None:
                if (rank < at) if direction == "after" else (rank > at):
                    continue
                if rank == at:
                    branch = branch.where(seek_condition(order, key[1:], direction))
            branch = branch.order_by(*(order if direction == "after" else [c.desc() for c in order]))
            branches.append(select(branch.limit(limit).subquery()))
        if not branches:
            return []
        merged = union_all(*branches).subquery()
        order = [merged.c.rank, merged.c.w, thai_order(merged.c.n), merged.c.id]
        return db.session.execute(select(merged).order_by(
            *(order if direction == "after" else [c.desc() for c in order])).limit(limit)).all()

    def offset(start: int, limit: int) -> list:  # a bare ?page=N
        rank = case({s: i for i, s in enumerate(REVIEW_STATUSES)}, value=Application.status,
                    else_=len(REVIEW_STATUSES))
        return db.session.execute(_review_filtered(fair, filters, select(
            Application.id.label("id"), rank.label("rank"), when.label("w"), Organization.name_th.label("n")))
            .order_by(rank, when, thai_order(Organization.name_th), Application.id)
            .offset(start).limit(limit)).all()

    return fetch, offset


def review_query(fair: Fair, args) -> tuple[Page, dict, dict[Status, int]]:
    """One page of a fair's review queue, searched (?q=: `_application_search`, folded as the kiosk folds)
    and filtered by sector, province, booth type and status, and the
    count per status of the filtered queue, in a constant number of queries whatever the queue's length.
    Order (in SQL): submitted first (oldest first), then by status, then by organization in Thai order.
    Pages are read by key (core.pagination.seek_page: ?after= / ?before= in the pager's links): the page
    after the row K reads from the index on (fair, status, when) at K, never the rows before it."""
    filters = {k: args.get(k) or "" for k in REVIEW_FILTERS}
    counts = {Status(status) if not isinstance(status, Status) else status: n for status, n in db.session.execute(
        _review_filtered(fair, filters, select(Application.status, func.count(Application.id)), organizations=False)
        .group_by(Application.status)).all()}
    counts = {s: counts[s] for s in REVIEW_STATUSES if counts.get(s)}
    ranks = list(REVIEW_STATUSES)
    fetch, offset = _review_fetch(fair, filters, list(counts))
    page = seek_page(fetch, lambda row: [ranks[row.rank].value, row.w, row.n, row.id], REVIEW_KEY,
                     total=sum(counts.values()), offset=offset)
    ids = [row.id for row in page.items]
    loaded = {a.id: a for a in db.session.scalars(
        select(Application).where(Application.id.in_(ids))
        .options(selectinload(Application.organization), selectinload(Application.booth_type),
                 selectinload(Application.booth)))} if ids else {}
    page.items = [loaded[i] for i in ids if i in loaded]
    return page, filters, counts


def review_matching(fair: Fair, args) -> list[Application]:
    """Every application of the fair the queue's search and filters (as `review_query` reads them from
    `args`) match now, on every page: what "select all matching" decides on. One query."""
    filters = {k: args.get(k) or "" for k in REVIEW_FILTERS}
    ids = _review_filtered(fair, filters, select(Application.id))
    return db.session.scalars(select(Application).where(Application.id.in_(ids))
                              .options(selectinload(Application.organization))).all()


# ---- check-in ----

def scan_by_client_id(client_id: str) -> CheckInScan | None:
    return db.session.scalar(select(CheckInScan).where(CheckInScan.client_id == client_id))


def booth_by_code(fair: Fair, code: str) -> Booth | None:
    return db.session.scalar(select(Booth).where(Booth.fair_id == fair.id, func.upper(Booth.code) == code))


def clock(moment: datetime) -> str:
    """08:12 น. (today, Bangkok) or the date and time (another day)."""
    lang = locale_code()
    local = to_local(moment)
    if local.date() != to_local(utcnow()).date():
        return format_date(moment, "datetime", lang)
    return f"{local:%H:%M} น." if lang == "th" else f"{local:%H:%M}"


MISSING_SHOWN = 20  # booths still missing listed per zone on the dashboard; the rest: checkin_missing's pages


def _expected(fair: Fair):
    """The approved exhibitors' booths of the fair, with their check-in time and organization's names (the
    fair named on both sides: each side's index starts at it)."""
    return (select(Booth.zone, Booth.code, Application.checked_in_at, Organization.name_th, Organization.name_en)
            .join(Application, Booth.application_id == Application.id)
            .join(Organization, Application.organization_id == Organization.id)
            .where(Booth.fair_id == fair.id, Application.fair_id == fair.id, Application.status == Status.approved))


MISSING_KEY = (str, str, int)  # a missing booth's place in the list: zone, code, id


def checkin_missing(fair: Fair, zone: str | None, total: int | None = None) -> Page:
    """One page of the booths not yet checked in (of one zone when given; "-": booths without a zone), by
    zone and code, read by key from the index on booths (fair, zone, code, id) (core.pagination.seek_page:
    the pager's links carry the key; a bare ?page=N is OFFSET)."""
    query = (select(Booth.zone, Booth.code, Application.checked_in_at, Organization.name_th,
                    Organization.name_en, Booth.id)
             .join(Application, Booth.application_id == Application.id)
             .join(Organization, Application.organization_id == Organization.id)
             .where(Booth.fair_id == fair.id, Application.fair_id == fair.id,
                    Application.status == Status.approved, Application.checked_in_at.is_(None)))
    if zone == "-":
        query = query.where(Booth.zone == "")
    elif zone:
        query = query.where(Booth.zone == zone)
    if total is None:
        total = missing_count(fair, zone)
    fetch, offset = seek_fetch(query, [Booth.zone, Booth.code, Booth.id])
    lang = locale_code()
    page = seek_page(fetch, lambda row: [row.zone, row.code, row.id], MISSING_KEY, total=total, offset=offset)
    page.items = [{"zone": z or "", "code": code, "organization": (en or th) if lang == "en" else th}
                  for z, code, _at, th, en, _id in page.items]
    return page


def missing_count(fair: Fair, zone: str | None) -> int:
    """How many approved exhibitors with a booth (of the zone) have not checked in: one count."""
    query = (select(func.count(Booth.id)).join(Application, Booth.application_id == Application.id)
             .where(Booth.fair_id == fair.id, Application.fair_id == fair.id,
                    Application.status == Status.approved, Application.checked_in_at.is_(None)))
    if zone == "-":
        query = query.where(Booth.zone == "")
    elif zone:
        query = query.where(Booth.zone == zone)
    return db.session.scalar(query) or 0


def _first_missing(fair: Fair, zones: list[str]) -> list:
    """The first MISSING_SHOWN booths not yet checked in of each zone, by code: one query, a branch per
    zone read from the booths' index (fair, zone, code) and stopped at MISSING_SHOWN (no sort of the
    fair's missing booths)."""
    if not zones:
        return []
    branches = []
    for zone in zones:
        branch = (_expected(fair).add_columns(Booth.id)
                  .where(Application.checked_in_at.is_(None), Booth.zone == zone)
                  .order_by(Booth.code, Booth.id).limit(MISSING_SHOWN))
        branches.append(select(branch.subquery()))
    merged = union_all(*branches).subquery()
    return db.session.execute(select(merged.c.zone, merged.c.code, merged.c.checked_in_at, merged.c.name_th,
                                     merged.c.name_en).order_by(merged.c.zone, merged.c.code, merged.c.id)).all()


def checkin_stats(fair: Fair, recent: int = 8) -> dict:
    """Checked-in / expected per zone, the latest arrivals and who is still missing (the first
    MISSING_SHOWN of each zone, with how many there are and a link to all of them): three queries whose
    rows do not grow with the fair: the counts per zone (one aggregate, from the indexes of migration
    0022), the first missing of each zone (read from the booths' index, MISSING_SHOWN a zone), and the
    latest arrivals (from the arrivals' index)."""
    from flask import url_for

    lang = locale_code()
    num = thai_digits if fair.thai_numerals and lang == "th" else str
    zone_rows = db.session.execute(
        select(Booth.zone, func.count(Application.id), func.count(Application.checked_in_at))
        .join(Application, Booth.application_id == Application.id)
        .where(Booth.fair_id == fair.id, Application.fair_id == fair.id, Application.status == Status.approved)
        .group_by(Booth.zone).order_by(Booth.zone)).all()
    missing_rows = _first_missing(fair, [zone for zone, count, done in zone_rows if count > done])
    recent_rows = db.session.execute(
        select(Booth.code, Organization.name_th, Organization.name_en, Application.checked_in_at,
               User.title, User.first_name, User.last_name)
        .select_from(Application)
        .join(Booth, Booth.application_id == Application.id)
        .join(Organization, Application.organization_id == Organization.id)
        .outerjoin(User, Application.checked_in_by_id == User.id)
        .where(Application.fair_id == fair.id, Application.checked_in_at.is_not(None))
        .order_by(Application.checked_in_at.desc()).limit(recent)).all()

    def org_name(name_th, name_en):
        return (name_en or name_th) if lang == "en" else name_th

    missing: dict[str, list] = {}
    for zone, code, _at, name_th, name_en in missing_rows:
        missing.setdefault(zone or "", []).append({"code": code, "organization": org_name(name_th, name_en)})
    zones = [{"zone": zone or "", "label": _("โซน %(zone)s", zone=zone) if zone else _("ไม่ระบุโซน"),
              "expected": count, "checked_in": done, "text": f"{num(done)} / {num(count)}",
              "missing": missing.get(zone or "", []), "missing_count": count - done,
              "missing_url": url_for("booths.checkin_missing", fair_id=fair.id, zone=zone or "-")}
             for zone, count, done in zone_rows]
    total_expected = sum(z["expected"] for z in zones)
    total_done = sum(z["checked_in"] for z in zones)
    updated = f"{to_local(utcnow()):%H:%M:%S}"
    return {
        "expected": total_expected, "checked_in": total_done,
        "text": _("เช็กอินแล้ว %(done)s จาก %(expected)s บูธ", done=num(total_done), expected=num(total_expected)),
        "zones": zones,
        "recent": [{"code": code, "organization": org_name(name_th, name_en), "at": clock(at),
                    "by": f"{title or ''}{first or ''} {last or ''}".strip()}
                   for code, name_th, name_en, at, title, first, last in recent_rows],
        "updated": _("อัปเดตล่าสุด %(time)s", time=updated),
    }
