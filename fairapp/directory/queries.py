"""What the directory reads: the fair's confirmed exhibitors, filtered and searched, a page at a time, in a
fixed number of queries whatever their number (no N+1); the provinces they come from; whether a photo
may be shown (no writes, no rules).

Search: what was typed and the names are compared as the certificate kiosk compares them
(`search_norm`: no spaces, tone marks, ็ ์ or punctuation, case folded), so "ชุมชนบานนา" finds
"ชุมชน บ้านนา". The names of the fair's exhibitors (after the other filters) are read in one query and
matched here; the page's rows are then read by id in one more.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, func, select
from sqlalchemy.orm import contains_eager

from ..accounts.models import Organization, Sector
from ..booths.models import ACTIVITIES, Application, Booth, Status
from ..booths.plan_ops import code_key
from ..certificates.candidates import search_norm
from ..core.geo import province_name
from ..core.pagination import Page, list_page, paginate, thai_order
from ..core.thai import sort_thai
from ..extensions import db
from ..fairs.models import Fair
from ..privacy.consents import consenting

ACTIVITY_TEXT = {"show": Application.show_text, "share": Application.share_text,
                 "help": Application.help_text, "connect": Application.connect_text}
ACTIVITY_KEYS = tuple(key for key, _label in ACTIVITIES)
SECTORS = tuple(s.value for s in Sector)


@dataclass(frozen=True)
class Filters:
    """The directory's filters as the URL gives them; a value that is not offered counts as none."""

    q: str = ""
    sector: str = ""
    province: str = ""
    activity: str = ""

    @classmethod
    def from_args(cls, args) -> "Filters":
        sector = args.get("sector", "")
        activity = args.get("activity", "")
        province = args.get("province", "")
        return cls(q=args.get("q", "")[:100].strip(),
                   sector=sector if sector in SECTORS else "",
                   province=province if province_name(province) else "",
                   activity=activity if activity in ACTIVITY_KEYS else "")

    @property
    def any(self) -> bool:
        return bool(self.q or self.sector or self.province or self.activity)


@dataclass
class Exhibitor:
    """One row of the directory: the application (its booth and organization loaded) and whether its
    photo may be shown to the public."""

    application: Application
    photo: bool

    @property
    def booth(self) -> Booth:
        return self.application.booth

    @property
    def organization(self) -> Organization:
        return self.application.organization


def _photo_shown():
    """True for an application with a photo whose maker consents now to public pages (privacy.consents)."""
    return and_(Application.photo_key.is_not(None),
                Application.created_by_id.in_(consenting("public_pages"))).label("photo_shown")


def _confirmed(fair: Fair, *columns):
    """The fair's confirmed exhibitors (approved, with a booth), joined to their booth and organization."""
    return (select(*columns).select_from(Application)
            .join(Booth, Booth.application_id == Application.id)
            .join(Organization, Organization.id == Application.organization_id)
            .where(Application.fair_id == fair.id, Application.status == Status.approved))


def _filtered(query, filters: Filters):
    if filters.sector:
        query = query.where(Organization.sector == Sector(filters.sector))
    if filters.province:
        query = query.where(Organization.province_code == filters.province)
    if filters.activity:
        query = query.where(func.length(func.trim(ACTIVITY_TEXT[filters.activity])) > 0)
    return query


def _name_order(lang: str):
    name = func.coalesce(Organization.name_en, Organization.name_th) if lang == "en" else Organization.name_th
    return (thai_order(name), Application.id)


def _loaded(query):
    """Each row's booth and organization from the join, not a query each."""
    return query.options(contains_eager(Application.booth), contains_eager(Application.organization))


def directory_page(fair: Fair, filters: Filters, lang: str = "th") -> Page:
    """One page (core.pagination, 50 a page, ?page=N, the filters kept) of the fair's confirmed exhibitors
    that match, by name in the page's language: two queries, or two with a search (names, then the page)."""
    rows = _loaded(_filtered(_confirmed(fair, Application, _photo_shown()), filters))
    needle = search_norm(filters.q)
    if not needle:
        page = paginate(rows.order_by(*_name_order(lang)), scalars=False)
        page.items = [Exhibitor(application, bool(photo)) for application, photo in page.items]
        return page
    names = db.session.execute(_filtered(_confirmed(fair, Application.id, Organization.name_th,
                                                    Organization.name_en), filters)
                               .order_by(*_name_order(lang))).all()
    found = [i for i, th, en in names if needle in search_norm(th) or (en and needle in search_norm(en))]
    page = list_page(len(found))
    wanted = found[(page.number - 1) * page.size:page.number * page.size]
    by_id = {application.id: Exhibitor(application, bool(photo)) for application, photo
             in db.session.execute(rows.where(Application.id.in_(wanted)))} if wanted else {}
    page.items = [by_id[i] for i in wanted if i in by_id]
    return page


def provinces(fair: Fair, lang: str = "th") -> list[tuple[str, str]]:
    """(code, name) of the provinces the fair's confirmed exhibitors come from, in Thai dictionary order."""
    codes = db.session.scalars(_confirmed(fair, Organization.province_code).distinct()).all()
    return sort_thai([(code, province_name(code, lang)) for code in codes if code], key=lambda p: p[1])


def photo_shown(application: Application) -> bool:
    """May the public see this application's photo (a photo, and its maker's consent now)? One query."""
    if not application.photo_key or application.created_by_id is None:
        return False
    consent = consenting("public_pages").subquery()
    return bool(db.session.scalar(select(func.count()).select_from(consent)
                                  .where(consent.c.user_id == application.created_by_id)))


def signs(fair: Fair) -> list[Application]:
    """Every confirmed exhibitor of the fair, booth and organization loaded (one query), by booth code."""
    rows = db.session.scalars(_loaded(_confirmed(fair, Application))).all()
    return sorted(rows, key=lambda a: code_key(a.booth.code))
