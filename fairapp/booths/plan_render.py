"""What a floor plan shows: the plan's booths and states (`load_plan`), booth labels that fit their
rectangle (`fit_label`, shared by the web pages and the PDF) and the printable PDF (`render_floorplan_pdf`;
Thai shaped and extractable through core.pdf).
"""
from __future__ import annotations

import io
from dataclasses import dataclass, field
from functools import lru_cache

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..core.pdf import draw_text, fit_text_size, register_fonts, text_width, wrap_text
from ..core.thai import format_date, sort_key, thai_digits
from ..core.time import today_local
from ..extensions import db
from ..fairs.models import Fair
from .models import Application, Booth, BoothSetup, BoothType, Status
from .plan_ops import code_key

# ---- what a plan page shows ----

STATES = ("available", "reserved", "assigned", "blocked")
STATE_LABELS = {"available": _l("ว่าง"), "reserved": _l("ว่าง มีผู้รอจัดสรร"), "assigned": _l("จัดสรรแล้ว"),
                "blocked": _l("ปิด ไม่ใช้งาน")}
PUBLIC_STATE_LABELS = {"assigned": _l("มีองค์กรออกบูธ"), "available": _l("บูธว่าง"), "blocked": _l("ไม่เปิดใช้")}


@dataclass
class Plan:
    """A fair's plan, loaded in a fixed number of queries whatever the number of booths."""

    setup: BoothSetup
    booths: list[Booth]
    types: list[BoothType]
    waiting: list[Application] = field(default_factory=list)   # approved, without a booth
    states: dict[int, str] = field(default_factory=dict)         # booth id -> one of STATES

    @property
    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(STATES, 0)
        for state in self.states.values():
            counts[state] += 1
        return counts

    def assigned(self) -> list[Booth]:
        """Booths with an organization, by code."""
        return [b for b in self.booths if b.application is not None]


def load_plan(fair: Fair, *, waiting: bool = True) -> Plan:
    """The booths (with their organizations and types), the booth types, and for staff the
    approved applications still waiting for a booth.

    A free booth is "reserved" when an approved application of its type waits for a booth: staff can
    place someone there now. The public plan shows it as available.
    """
    setup = BoothSetup.for_fair(fair.id)
    # The types first: booth.booth_type and application.booth_type then come from the session's
    # identity map, without a query.
    types = db.session.scalars(select(BoothType).where(BoothType.fair_id == fair.id)
                               .order_by(BoothType.sort_order, BoothType.id)).all()
    booths = db.session.scalars(select(Booth).where(Booth.fair_id == fair.id).options(
        selectinload(Booth.application).selectinload(Application.organization))).all()
    booths = sorted(booths, key=lambda b: code_key(b.code))
    plan = Plan(setup=setup, booths=booths, types=types)
    if waiting:
        rows = db.session.scalars(select(Application).where(
            Application.fair_id == fair.id, Application.status == Status.approved, ~Application.booth.has())
            .options(selectinload(Application.organization))).all()
        plan.waiting = sorted(rows, key=lambda a: (a.booth_type.sort_order, a.booth_type_id,
                                                   sort_key(a.organization.name_th)))
    waiting_types = {a.booth_type_id for a in plan.waiting}
    for booth in booths:
        state = booth.state
        if state == "available" and booth.booth_type_id in waiting_types:
            state = "reserved"
        plan.states[booth.id] = state
    return plan


def cells(plan: Plan, lang: str, public: bool) -> list[dict]:
    """What the SVG draws for each booth: state, label lines fitted to the rectangle, hover title."""
    out = []
    for booth in plan.booths:
        state = public_state(plan, booth) if public else plan.states[booth.id]
        org = booth.application.organization if booth.application else None
        name = org.name(lang) if org else ""
        state_label = (PUBLIC_STATE_LABELS if public else STATE_LABELS)[state]
        out.append({"booth": booth, "state": state, "label": fit_label(booth.code, name, booth.w, booth.h),
                    "name": name, "state_label": state_label,
                    "title": " · ".join(p for p in (booth.code, name or str(state_label),
                                                    booth.booth_type.name(lang)) if p)})
    return out


# ---- labels that fit their booth (web and PDF alike: Sarabun, HarfBuzz widths, Thai word breaks) ----

LINE = 1.3         # line height, as a multiple of the font size: room for stacked Thai marks
_SCALE = 100.0     # measure in "points" at 100 per grid unit; layouts are in grid units


@dataclass(frozen=True)
class Label:
    """Where a booth's code and name go, in grid units relative to the booth's top left corner."""

    code_size: float
    code_y: float                      # baseline of the code
    name_size: float
    name_lines: tuple[str, ...]
    name_y: tuple[float, ...]          # baseline of each name line


def _ellipsize(line: str, size: float, width: float) -> str:
    while line and text_width(line + "…", "Sarabun", size) > width:
        line = line[:-1]
        while line and not line[-1].isalnum() and line[-1] not in " )":
            line = line[:-1]   # never end on a lone combining mark
    return line.rstrip() + "…"


@lru_cache(maxsize=8192)
def fit_label(code: str, name: str, w: float, h: float, max_size: float = 0.42, min_size: float = 0.2) -> Label:
    """Code and (optionally) a name inside a w x h booth: the name wrapped at Thai word boundaries at
    the largest size that fits, else at min_size with the last line cut short (…)."""
    pad = min(0.12, w * 0.08)
    inner_w = max(w - 2 * pad, 0.1)
    code_size = max(0.28, min(0.6, min(w, h) * 0.3))
    code_w = text_width(code, "Sarabun-Bold", _SCALE) / _SCALE  # at size 1
    if code_w > 0:
        code_size = min(code_size, inner_w / code_w)
    room = h - 2 * pad - code_size * 1.1
    lines: list[str] = []
    size = min_size
    if name and room >= min_size * LINE:
        sizes = [round(max_size - 0.02 * i, 3) for i in range(int((max_size - min_size) / 0.02 + 1e-9) + 1)]
        if sizes[-1] > min_size:
            sizes.append(min_size)

        def wrapped(i: int) -> list[str] | None:
            found = wrap_text(name, "Sarabun", sizes[i] * _SCALE, inner_w * _SCALE)
            return found if len(found) * sizes[i] * LINE <= room else None

        # Shaping is the cost: start where the name's length says it should fit (a tenth spare for
        # the ends of lines), then step to the largest size that really does: two or three wraps.
        unit = text_width(name, "Sarabun", _SCALE) / _SCALE
        i = next((k for k, s in enumerate(sizes)
                  if -(-unit * s * 1.1 // inner_w) * s * LINE <= room), len(sizes) - 1)
        lines = wrapped(i)
        while lines is not None and i > 0 and (bigger := wrapped(i - 1)) is not None:
            i, lines = i - 1, bigger
        while lines is None and i < len(sizes) - 1:
            i += 1
            lines = wrapped(i)
        size = sizes[i]
        if lines is None:
            lines = wrap_text(name, "Sarabun", size * _SCALE, inner_w * _SCALE)
        fit = int(room // (size * LINE))
        if len(lines) > fit:
            kept, pos = lines[:fit - 1] if fit else [], 0
            for line in kept:  # the lines are pieces of the name: find where the cut-short one starts
                pos = name.find(line, pos) + len(line)
            rest = name[pos:].strip()
            lines = kept + ([_ellipsize(rest, size * _SCALE, inner_w * _SCALE)] if fit else [])
        lines = [ln for ln in lines if ln]
    block = code_size * 1.1 + len(lines) * size * LINE
    top = (h - block) / 2
    code_y = top + code_size * 0.95
    name_y = tuple(top + code_size * 1.1 + size * LINE * i + size * 1.05 for i in range(len(lines)))
    return Label(code_size=round(code_size, 3), code_y=round(code_y, 3), name_size=round(size, 3),
                 name_lines=tuple(lines), name_y=tuple(round(v, 3) for v in name_y))


# ---- the printed plan: A4 landscape, the plan on page 1, the index by booth code after it ----

STATE_COLORS = {  # fill, stroke: the SVG's presentation attributes and the PDF use the same colours
    "available": ("#ffffff", "#1d6b3a"),
    "reserved": ("#fff1cc", "#8a5a00"),
    "assigned": ("#dce8f8", "#1f4e8c"),
    "blocked": ("#e4e1db", "#8d8a84"),
}
PUBLIC_STATES = ("assigned", "available", "blocked")


def public_state(plan: Plan, booth: Booth) -> str:
    """Visitors see a booth kept for a waiting application as simply available."""
    state = plan.states[booth.id]
    return "available" if state == "reserved" else state


def render_floorplan_pdf(fair: Fair, plan: Plan, lang: str = "th", *, image: bytes | None = None) -> bytes:
    """The public floor plan as PDF bytes: booths with their codes and organizations (shrunk and wrapped
    to fit), a legend, then the index of organizations by booth code. Thai is shaped (core.pdf).

    Labels are translated with Flask-Babel, so call it inside a request (or test_request_context).
    """
    from reportlab.lib.colors import HexColor, white
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen.canvas import Canvas

    register_fonts()
    labels = {state: str(label) for state, label in PUBLIC_STATE_LABELS.items()}
    digits = bool(fair.thai_numerals) and lang == "th"
    num = thai_digits if digits else str
    page_w, page_h = landscape(A4)
    margin = 28.0
    out = io.BytesIO()
    c = Canvas(out, pagesize=(page_w, page_h), pageCompression=1)
    title = _("ผังบูธ %(fair)s", fair=fair.name(lang))
    c.setTitle(title)
    c.setAuthor(fair.organizer_th)
    c.setCreator("fairapp")

    # The index, laid out first so every page can say "page n of N".
    col_gap = 24.0
    col_w = (page_w - 2 * margin - col_gap) / 2
    code_w, zone_w = 46.0, 64.0
    name_w = col_w - code_w - zone_w - 8
    rows = []
    for booth in plan.assigned():
        name = booth.application.organization.name(lang)
        lines = wrap_text(name, "Sarabun", 10, name_w) or [""]
        rows.append((booth.code, lines, booth.zone or "", 13.0 * len(lines) + 5))
    index_top, index_bottom = page_h - margin - 58, margin + 22
    pages: list[list[list[tuple]]] = []
    column: list[tuple] = []
    used = 0.0
    for row in rows:
        if column and used + row[3] > index_top - index_bottom:
            if not pages or len(pages[-1]) == 2:
                pages.append([])
            pages[-1].append(column)
            column, used = [], 0.0
        column.append(row)
        used += row[3]
    if column:
        if not pages or len(pages[-1]) == 2:
            pages.append([])
        pages[-1].append(column)
    total = 1 + len(pages)
    printed = format_date(today_local(), "long", lang, digits)

    def footer(n: int) -> None:
        c.setFillColor(HexColor("#5f6068"))
        draw_text(c, margin, margin - 12, _("ตลาดนัดคุณธรรม · พิมพ์เมื่อ %(date)s", date=printed), size=8)
        draw_text(c, page_w - margin, margin - 12, _("หน้า %(n)s จาก %(total)s", n=num(n), total=num(total)),
                  size=8, align="right")

    # Page 1: title, dates and venue, legend, the plan.
    ink = HexColor("#1f1f24")
    c.setFillColor(ink)
    legend_w = 0.0
    for state in PUBLIC_STATES:
        legend_w += 14 + text_width(labels[state], "Sarabun", 9) + 12
    title_size = fit_text_size(title, "Sarabun-Bold", page_w - 2 * margin - legend_w - 12, 16, 9)
    draw_text(c, margin, page_h - margin - 12, title, "Sarabun-Bold", title_size)
    when = format_date(fair.starts_on, "long", lang, digits)
    if fair.ends_on != fair.starts_on:
        when += " – " + format_date(fair.ends_on, "long", lang, digits)
    sub = f"{when} · {fair.venue(lang)}"
    draw_text(c, margin, page_h - margin - 30, sub, size=fit_text_size(sub, "Sarabun", page_w - 2 * margin, 10, 7))
    x = page_w - margin - legend_w
    for state in PUBLIC_STATES:
        fill, stroke = STATE_COLORS[state]
        c.setFillColor(HexColor(fill))
        c.setStrokeColor(HexColor(stroke))
        c.setLineWidth(1)
        c.rect(x, page_h - margin - 14, 10, 10, stroke=1, fill=1)
        c.setFillColor(ink)
        x += 14 + draw_text(c, x + 14, page_h - margin - 12, labels[state], size=9) + 12

    cols, rows_n = plan.setup.plan_cols, plan.setup.plan_rows
    top, bottom = page_h - margin - 44, margin + 6
    unit = min((page_w - 2 * margin) / cols, (top - bottom) / rows_n)
    ox = margin + (page_w - 2 * margin - cols * unit) / 2
    c.setFillColor(white)
    c.setStrokeColor(HexColor("#b9b5ad"))
    c.setLineWidth(0.8)
    c.rect(ox, top - rows_n * unit, cols * unit, rows_n * unit, stroke=1, fill=1)
    if image:
        c.drawImage(ImageReader(io.BytesIO(image)), ox, top - rows_n * unit, cols * unit, rows_n * unit,
                    preserveAspectRatio=True, anchor="c", mask="auto")
        c.setFillColor(white)
        c.setFillAlpha(0.55)  # fade the venue's picture so the booths and names stand out
        c.rect(ox, top - rows_n * unit, cols * unit, rows_n * unit, stroke=0, fill=1)
        c.setFillAlpha(1)
    c.setStrokeColor(HexColor("#ece8e0"))
    c.setLineWidth(0.3)
    for i in range(1, cols):
        c.line(ox + i * unit, top, ox + i * unit, top - rows_n * unit)
    for j in range(1, rows_n):
        c.line(ox, top - j * unit, ox + cols * unit, top - j * unit)
    for booth in plan.booths:
        state = public_state(plan, booth)
        fill, stroke = STATE_COLORS[state]
        x0, y_top = ox + booth.x * unit, top - booth.y * unit
        c.setFillColor(HexColor(fill))
        c.setStrokeColor(HexColor(stroke))
        c.setLineWidth(1.2)
        c.roundRect(x0, y_top - booth.h * unit, booth.w * unit, booth.h * unit, min(3, unit * 0.08),
                    stroke=1, fill=1)
        name = booth.application.organization.name(lang) if booth.application else ""
        # Names smaller than 4.5 pt help nobody on paper: then the booth shows its code, the index the name.
        min_name = max(0.2, 4.5 / unit)
        label = fit_label(booth.code, name if min_name <= 0.42 else "", booth.w, booth.h, 0.42, min_name)
        cx = x0 + booth.w * unit / 2
        c.setFillColor(HexColor("#5f6068") if state == "blocked" else ink)
        draw_text(c, cx, y_top - label.code_y * unit, booth.code, "Sarabun-Bold", label.code_size * unit, "center")
        for line, y in zip(label.name_lines, label.name_y):
            draw_text(c, cx, y_top - y * unit, line, "Sarabun", label.name_size * unit, "center")
    if not plan.booths:
        c.setFillColor(HexColor("#5f6068"))
        draw_text(c, ox + cols * unit / 2, top - rows_n * unit / 2, _("ยังไม่ได้วางผังบูธ"), size=14, align="center")
    footer(1)
    c.showPage()

    # The index: code, organization, zone; two columns a page.
    for n, page in enumerate(pages, start=2):
        c.setFillColor(ink)
        heading = _("รายชื่อองค์กรตามรหัสบูธ · %(fair)s", fair=fair.name(lang))
        draw_text(c, margin, page_h - margin - 12, heading, "Sarabun-Bold",
                  fit_text_size(heading, "Sarabun-Bold", page_w - 2 * margin, 14, 8))
        for i, column in enumerate(page):
            x = margin + i * (col_w + col_gap)
            y = page_h - margin - 40
            c.setFillColor(HexColor("#5f6068"))
            draw_text(c, x, y, _("รหัสบูธ"), "Sarabun-Bold", 9)
            draw_text(c, x + code_w, y, _("ชื่อองค์กร"), "Sarabun-Bold", 9)
            draw_text(c, x + col_w, y, _("โซน"), "Sarabun-Bold", 9, align="right")
            c.setStrokeColor(HexColor("#b9b5ad"))
            c.setLineWidth(0.6)
            c.line(x, y - 5, x + col_w, y - 5)
            y = index_top
            c.setFillColor(ink)
            for code, lines, zone, height in column:
                draw_text(c, x, y - 11, code, "Sarabun-Bold", 10)
                for k, line in enumerate(lines):
                    draw_text(c, x + code_w, y - 11 - 13 * k, line, "Sarabun", 10)
                if zone:
                    draw_text(c, x + col_w, y - 11, zone, "Sarabun", 10, align="right")
                y -= height
                c.setStrokeColor(HexColor("#e3dfd6"))
                c.setLineWidth(0.4)
                c.line(x, y + 1, x + col_w, y + 1)
        footer(n)
        c.showPage()
    c.save()
    return out.getvalue()
