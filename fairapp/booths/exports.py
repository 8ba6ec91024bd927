"""Booth exports for fair staff: the applications and the allocations of a fair, as CSV or XLSX.

Each table is read with one query (people joined in, never loaded per row) and comes back as a `Table`:
a header and rows of plain values, in the language of the request. Dates are B.E. text made by
`core.thai.format_date` (a spreadsheet's own date cells would show C.E.). Digits stay Arabic, so the
numbers sort and sum in a spreadsheet whatever the fair shows on its pages.
"""
from __future__ import annotations

import re
from datetime import date, datetime
from itertools import groupby

from flask_babel import gettext as _
from sqlalchemy import case, select

from ..accounts.models import Organization, Sector
from ..core.gc_pause import paused_gc
from ..core.i18n import locale_code
from ..core.tables import Table
from ..core.pagination import rows_on_own_session, thai_order
from ..core.thai import format_date
from ..extensions import db
from ..fairs.models import Fair
from .models import Application, Booth, BoothPerson, BoothType, Status

BATCH = 500  # rows fetched at a time by a streamed export

# The order of the review queue: what needs a decision first.
STATUS_ORDER = (Status.submitted, Status.offered, Status.approved, Status.waitlisted, Status.rejected,
                Status.withdrawn, Status.lapsed)


def _when(value: date | datetime | None, lang: str) -> str:
    return format_date(value, "datetime" if isinstance(value, datetime) else "short", locale=lang)


def _labels() -> tuple[dict, dict]:
    """Status and sector labels translated once per export, not once per row."""
    return {s: s.label for s in Status}, {s: s.label for s in Sector}


def _people(rows) -> dict[int, list[str]]:
    """Names of the people of each application, in their order, from the joined rows."""
    names: dict[int, list[str]] = {}
    for owner_id, title, first, last in rows:
        names.setdefault(owner_id, [])
        if first:
            names[owner_id].append(f"{title or ''}{first} {last or ''}".strip())
    return names


def _code_key(code: str) -> tuple:
    """A07 before A10 (numbers inside codes compared as numbers)."""
    return tuple(int(part) if part.isdigit() else part for part in re.split(r"(\d+)", code or ""))


def applications_rows(fair: Fair) -> Table:
    """Every application of the fair past the draft stage, with its organization, booth and people, in
    the review queue's order (status, then organization in Thai order: in SQL). The rows are a generator
    read while they are written (a streamed CSV holds one batch at a time): two queries, the waiting
    list's positions first, then the applications with their people joined in, fetched in batches."""
    lang = locale_code()
    # The waiting list's order per booth type, as Application.waitlist_position counts it.
    position: dict[int, int] = {}
    per_type: dict[int, int] = {}
    for app_id, type_id in db.session.execute(
            select(Application.id, Application.booth_type_id)
            .where(Application.fair_id == fair.id, Application.status == Status.waitlisted,
                   Application.waitlisted_at.is_not(None))
            .order_by(Application.waitlisted_at, Application.id)):
        per_type[type_id] = per_type.get(type_id, 0) + 1
        position[app_id] = per_type[type_id]
    rank = case({s: i for i, s in enumerate(STATUS_ORDER)}, value=Application.status, else_=99)
    query = (select(Application, Organization, BoothType, Booth.code, BoothPerson.title, BoothPerson.first_name,
                    BoothPerson.last_name)
             .join(Organization, Application.organization_id == Organization.id)
             .join(BoothType, Application.booth_type_id == BoothType.id)
             .outerjoin(Booth, Booth.application_id == Application.id)
             .outerjoin(BoothPerson, BoothPerson.application_id == Application.id)
             .where(Application.fair_id == fair.id, Application.status != Status.draft)
             .order_by(rank, thai_order(Organization.name_th), Application.id, BoothPerson.position, BoothPerson.id)
             .execution_options(yield_per=BATCH))
    status_label, sector_label = _labels()
    yes = _("ใช่")

    def rows(session):
        with session.execute(query) as result:  # closed (its server-side cursor too) if the download stops
            yield from (row(list(group)) for _id, group in groupby(result, key=lambda r: r[0].id))

    def row(group):
        a, org, booth_type, code = group[0][:4]
        names = _people((a.id, *r[4:]) for r in group).get(a.id, [])
        return [
            a.id, org.name(lang), sector_label[org.sector], org.province_name(lang), org.district_name(lang),
            booth_type.name(lang), status_label[a.status], position.get(a.id, ""), code or "",
            _when(a.submitted_at, lang), _when(a.decided_at, lang),
            _when(a.offer_expires_at, lang) if a.status == Status.offered else "", _when(a.checked_in_at, lang),
            a.show_text, a.share_text, a.help_text, a.connect_text, yes if a.needs_power else "",
            yes if a.needs_water else "", yes if _ramp(a) else "", a.needs_note, len(names),
            ", ".join(names), (a.rejection_reason or "") if a.status == Status.rejected else ""]

    return Table(_("ใบสมัครบูธ"), [
        _("เลขที่ใบสมัคร"), _("องค์กร"), _("ภาคี"), _("จังหวัด"), _("อำเภอ"), _("ประเภทบูธ"), _("สถานะ"),
        _("ลำดับสำรอง"), _("บูธ"), _("ส่งเมื่อ"), _("พิจารณาเมื่อ"), _("ตอบรับภายใน"), _("เช็กอินเมื่อ"),
        _("โชว์"), _("แชร์"), _("ช่วย"), _("เชื่อม"), _("ไฟฟ้าเพิ่ม"), _("น้ำประปา"), _("ทางลาดรถเข็น"),
        _("ความต้องการอื่น ๆ"), _("จำนวนผู้ประจำบูธ"), _("ผู้ประจำบูธ"), _("เหตุผลที่ไม่อนุมัติ")],
        rows_on_own_session(rows))


def _ramp(application: Application) -> bool:
    """The ramp need, leaving the fair's files only with its explicit consent on record (PDPA s.26: a need
    kept from before the form asked shows on the DPO's page until the next edit asks)."""
    return application.needs_wheelchair and application.access_consent_at is not None


def allocations_rows(fair: Fair) -> Table:
    """Every booth of the fair's plan, in zone and code order, with who is in it (read and sorted whole,
    with the garbage collector paused: core.gc_pause)."""
    with paused_gc():
        return _allocations(fair)


def _allocations(fair: Fair) -> Table:
    lang = locale_code()
    result = db.session.execute(
        select(Booth, BoothType, Application, Organization, BoothPerson.title, BoothPerson.first_name,
               BoothPerson.last_name)
        .join(BoothType, Booth.booth_type_id == BoothType.id)
        .outerjoin(Application, Booth.application_id == Application.id)
        .outerjoin(Organization, Application.organization_id == Organization.id)
        .outerjoin(BoothPerson, BoothPerson.application_id == Application.id)
        .where(Booth.fair_id == fair.id)
        .order_by(Booth.id, BoothPerson.position, BoothPerson.id)).all()
    booths: dict[int, tuple] = {}
    for booth, booth_type, application, org, *_person in result:
        booths.setdefault(booth.id, (booth, booth_type, application, org))
    people = _people((r[2].id, r[4], r[5], r[6]) for r in result if r[2] is not None)
    states = {"available": _("ว่าง"), "assigned": _("จัดสรรแล้ว"), "blocked": _("ปิดไว้")}
    sector_label = _labels()[1]
    need_labels = (_("ไฟฟ้าเพิ่ม"), _("น้ำประปา"), _("ทางลาดรถเข็น"))
    table = Table(_("การจัดสรรบูธ"), [
        _("บูธ"), _("โซน"), _("ประเภทบูธ"), _("สถานะบูธ"), _("องค์กร"), _("ภาคี"), _("จังหวัด"),
        _("เลขที่ใบสมัคร"), _("จำนวนผู้ประจำบูธ"), _("ผู้ประจำบูธ"), _("ความต้องการ"), _("เช็กอินเมื่อ")])
    for booth, booth_type, a, org in sorted(booths.values(), key=lambda r: (r[0].zone, _code_key(r[0].code))):
        names = people.get(a.id, []) if a else []
        needs = []
        if a is not None:
            flags = (a.needs_power, a.needs_water, _ramp(a))
            needs = [label for on, label in zip(flags, need_labels) if on]
            needs += [a.needs_note] if a.needs_note else []
        table.rows.append([
            booth.code, booth.zone, booth_type.name(lang), states[booth.state],
            org.name(lang) if org else "", sector_label[org.sector] if org else "",
            org.province_name(lang) if org else "",
            a.id if a else "", len(names) if a else "", ", ".join(names), ", ".join(needs),
            _when(a.checked_in_at, lang) if a else ""])
    return table
