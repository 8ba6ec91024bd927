"""Nomination exports for fair staff: every nomination of a fair past the draft stage, as CSV or XLSX.

Read in two queries whatever the number of rows (nominations with their category and both
organizations joined in; evidence counted per nomination and kind). Dates are B.E. text
(`core.thai.format_date`); text that a spreadsheet would run as a formula is neutralized by the
writers shared with the booth exports.
"""
from __future__ import annotations

from datetime import date, datetime

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from ..accounts.models import Organization
# The writers (CSV with a byte-order mark, XLSX with text cells, formula neutralization) are the
# booths' ones; they belong in core, imported here rather than copied.
from ..core.tables import Table, to_csv, to_xlsx  # noqa: F401  (the writers, re-exported for the views)
from ..core.geo import district_name, province_name
from ..core.i18n import locale_code
from ..core.thai import format_date, sort_key
from ..extensions import db
from ..fairs.models import Fair
from .models import Category, Evidence, Nomination, NominationStatus

STATUS_ORDER = (NominationStatus.submitted, NominationStatus.returned, NominationStatus.eligible,
                NominationStatus.ineligible)


def _when(value: date | datetime | None, lang: str) -> str:
    return format_date(value, "datetime" if isinstance(value, datetime) else "short", locale=lang)


def nominations_table(fair: Fair) -> Table:
    """One row per nomination of the fair (drafts left out), by category, status and nominee."""
    lang = locale_code()
    nominee = aliased(Organization)
    nominator = aliased(Organization)
    rows = db.session.execute(
        select(Nomination, Category, nominee, nominator)
        .join(Category, Nomination.category_id == Category.id)
        .join(nominator, Nomination.nominator_org_id == nominator.id)
        .outerjoin(nominee, Nomination.nominee_org_id == nominee.id)
        .where(Nomination.fair_id == fair.id, Nomination.status != NominationStatus.draft)).all()
    counts: dict[int, dict[str, int]] = {}
    for nomination_id, kind, n in db.session.execute(
            select(Evidence.nomination_id, Evidence.kind, func.count(Evidence.id))
            .join(Nomination, Evidence.nomination_id == Nomination.id)
            .where(Nomination.fair_id == fair.id, Nomination.status != NominationStatus.draft)
            .group_by(Evidence.nomination_id, Evidence.kind)):
        counts.setdefault(nomination_id, {})[kind] = n
    status_label = {s: s.label for s in NominationStatus}
    kinds = {"organization": _("องค์กร"), "community": _("ชุมชน")}
    order = {s: i for i, s in enumerate(STATUS_ORDER)}

    def name_of(n: Nomination, org) -> str:
        return org.name(lang) if org is not None else (n.community_name or "")

    rows = sorted(rows, key=lambda r: (r[1].sort_order, r[1].id, order.get(r[0].status, 99),
                                       sort_key(name_of(r[0], r[2])), r[0].id))
    table = Table(_("การเสนอชื่อ"), [
        _("เลขที่"), _("ประเภทรางวัล"), _("ผู้ถูกเสนอชื่อ"), _("ประเภทผู้ถูกเสนอชื่อ"), _("ภาคี"), _("อำเภอ"),
        _("จังหวัด"), _("ผู้เสนอชื่อ"), _("สถานะ"), _("ส่งเมื่อ"), _("พิจารณาเมื่อ"), _("จำนวนรูปภาพ"),
        _("จำนวนไฟล์ PDF"), _("หมายเหตุการพิจารณา")])
    for n, category, org, by in rows:
        if org is not None:
            kind, sector = kinds["organization"], org.sector.label
            district, province = org.district_name(lang), org.province_name(lang)
        else:
            kind, sector = kinds["community"], ""
            district = district_name(n.community_district_code, lang)
            province = province_name(n.community_province_code, lang)
        evidence = counts.get(n.id, {})
        table.rows.append([
            n.id, category.name(lang), name_of(n, org), kind, sector, district, province, by.name(lang),
            status_label[n.status], _when(n.submitted_at, lang), _when(n.decided_at, lang),
            evidence.get("photo", 0), evidence.get("pdf", 0), n.review_note or ""])
    return table
