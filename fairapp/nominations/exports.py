"""Nomination exports for fair staff: every nomination of a fair past the draft stage, as CSV or XLSX.

Read in one query whatever the number of rows (nominations with their category, both organizations and
their evidence counts joined in), in batches while a CSV streams. Dates are B.E. text
(`core.thai.format_date`); text that a spreadsheet would run as a formula is neutralized by the
writers shared with the booth exports.
"""
from __future__ import annotations

from datetime import date, datetime

from flask_babel import gettext as _
from sqlalchemy import case, func, select
from sqlalchemy.orm import aliased

from ..accounts.models import Organization
# The writers (CSV with a byte-order mark, XLSX with text cells, formula neutralization) are the
# booths' ones; they belong in core, imported here rather than copied.
from ..core.tables import Table, to_csv, to_xlsx  # noqa: F401  (the writers, re-exported for the views)
from ..core.geo import district_name, province_name
from ..core.i18n import locale_code
from ..core.pagination import rows_on_own_session, thai_order
from ..core.thai import format_date
from ..fairs.models import Fair
from .models import Category, Evidence, Nomination, NominationStatus

BATCH = 500  # rows fetched at a time by a streamed export
STATUS_ORDER = (NominationStatus.submitted, NominationStatus.returned, NominationStatus.eligible,
                NominationStatus.ineligible)


def _when(value: date | datetime | None, lang: str) -> str:
    return format_date(value, "datetime" if isinstance(value, datetime) else "short", locale=lang)


def nominations_table(fair: Fair) -> Table:
    """One row per nomination of the fair (drafts left out), by category, status and nominee (in SQL,
    Thai order). The rows are a generator read on a session of its own while a CSV streams: one query
    (evidence counted per nomination in a subquery), fetched in batches."""
    lang = locale_code()
    nominee = aliased(Organization)
    nominator = aliased(Organization)
    evidence = (select(Evidence.nomination_id,
                       func.sum(case((Evidence.kind == "photo", 1), else_=0)).label("photos"),
                       func.sum(case((Evidence.kind == "pdf", 1), else_=0)).label("pdfs"))
                .group_by(Evidence.nomination_id).subquery())
    rank = case({s: i for i, s in enumerate(STATUS_ORDER)}, value=Nomination.status, else_=99)
    query = (select(Nomination, Category, nominee, nominator, evidence.c.photos, evidence.c.pdfs)
             .join(Category, Nomination.category_id == Category.id)
             .join(nominator, Nomination.nominator_org_id == nominator.id)
             .outerjoin(nominee, Nomination.nominee_org_id == nominee.id)
             .outerjoin(evidence, evidence.c.nomination_id == Nomination.id)
             .where(Nomination.fair_id == fair.id, Nomination.status != NominationStatus.draft)
             .order_by(Category.sort_order, Category.id, rank,
                       thai_order(func.coalesce(nominee.name_th, Nomination.community_name, "")), Nomination.id)
             .execution_options(yield_per=BATCH))
    status_label = {s: s.label for s in NominationStatus}
    kinds = {"organization": _("องค์กร"), "community": _("ชุมชน")}

    def rows(session):
        with session.execute(query) as result:  # closed (its server-side cursor too) if the download stops
            yield from (row(*r) for r in result)

    def row(n, category, org, by, photos, pdfs):
        if org is not None:
            kind, sector = kinds["organization"], org.sector.label
            district, province = org.district_name(lang), org.province_name(lang)
        else:
            kind, sector = kinds["community"], ""
            district = district_name(n.community_district_code, lang)
            province = province_name(n.community_province_code, lang)
        return [n.id, category.name(lang), org.name(lang) if org is not None else (n.community_name or ""),
                kind, sector, district, province, by.name(lang), status_label[n.status],
                _when(n.submitted_at, lang), _when(n.decided_at, lang), int(photos or 0), int(pdfs or 0),
                n.review_note or ""]

    return Table(_("การเสนอชื่อ"), [
        _("เลขที่"), _("ประเภทรางวัล"), _("ผู้ถูกเสนอชื่อ"), _("ประเภทผู้ถูกเสนอชื่อ"), _("ภาคี"), _("อำเภอ"),
        _("จังหวัด"), _("ผู้เสนอชื่อ"), _("สถานะ"), _("ส่งเมื่อ"), _("พิจารณาเมื่อ"), _("จำนวนรูปภาพ"),
        _("จำนวนไฟล์ PDF"), _("หมายเหตุการพิจารณา")], rows_on_own_session(rows))
