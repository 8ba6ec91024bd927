"""A category's results as people read them: tie-break notes in Thai, the result rows (frozen when the
category is finalized, the live ranking otherwise), the CSV/XLSX table, and the signed minutes as a PDF.

Every PDF string goes through `core.pdf` (HarfBuzz-shaped, /ActualText, Thai line breaking).
"""
from __future__ import annotations

import io
from dataclasses import dataclass

from flask_babel import gettext as _
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from ..core import pdf
from ..core.gc_pause import paused_gc
from ..core.tables import Table
from ..core.thai import format_date, sort_key
from ..extensions import db
from ..fairs.models import FairRole
from ..nominations.models import Nomination
from .finalizing import problem_text, ranking
from .models import JudgeProfile, Result, Rubric
from .queries import finalize_record, nominations_by_id, scoring_inputs
from .scoring import award_level, panel_totals


def tie_note_text(note, rubric: Rubric) -> str:
    """What settled a tie, in plain Thai; "" when the row was not tied."""
    if not note:
        return ""
    kind, value = note[0], note[1]
    if kind == "criterion":
        names = {c.id: c.name_th for c in rubric.criteria}
        return _("เสมอกัน ตัดสินด้วยคะแนนเกณฑ์ \"%(name)s\" ที่สูงกว่า", name=names.get(value, str(value)))
    if kind == "judges_above":
        return _("เสมอกัน ตัดสินด้วยจำนวนกรรมการที่ให้คะแนนรวมตั้งแต่ %(t)s ขึ้นไปที่มากกว่า", t=f"{value:g}")
    if kind == "chair":
        reasons = [r.chair_reason for r in rubric.tie_rules if r.kind == "chair" and r.chair_reason]
        return _("เสมอกัน ประธานกรรมการตัดสิน เหตุผล: %(reason)s", reason=reasons[0] if reasons else "-")
    return _("เสมอกัน ไม่มีกฎใดแยกได้ เรียงตามลำดับที่ยื่นการเสนอชื่อ")


@dataclass
class Row:
    position: int | None
    nomination: Nomination
    score: float | None
    raw: float | None
    z: float | None
    level: str | None
    note: str


def result_rows(rubric: Rubric, inputs=None, window: tuple[int, int] | None = None, ranked=None) -> list[Row]:
    """The frozen results of a finalized category; otherwise what finalizing would freeze now.

    `inputs`: (criteria, sheets, totals) when the caller has them already (not read and summed twice);
    `ranked`: (rows, raw, z) of finalizing.ranking when the caller has it (judging.standings);
    `window`: (offset, size) of the rows wanted (the ranking is of the whole category, but only these rows'
    nominations are loaded)."""
    start, stop = (0, None) if window is None else (window[0], window[0] + window[1])
    if rubric.finalized:
        query = select(Result).where(Result.rubric_id == rubric.id).order_by(Result.position)
        if window is not None:
            query = query.offset(start).limit(window[1])
        results = db.session.scalars(query).all()
        noms = nominations_by_id(r.nomination_id for r in results)
        return [Row(r.position, noms[r.nomination_id], r.score, r.raw_mean, r.z_mean, r.level_th,
                    tie_note_text(r.tie_note, rubric)) for r in results]
    rows, raw, z = ranked if ranked is not None else ranking(rubric, inputs)
    rows = rows[start:stop]
    levels = [(level.min_score, level.name_th) for level in rubric.levels]
    noms = nominations_by_id(r.nomination for r in rows)
    return [Row(r.position, noms[r.nomination], r.score, raw.get(r.nomination), z.get(r.nomination),
                award_level(r.score, levels), tie_note_text(r.tie_note, rubric)) for r in rows]


def result_count(rubric: Rubric, inputs=None) -> int:
    """How many rows result_rows gives (the category's assigned nominations, or its frozen results)."""
    if rubric.finalized:
        return db.session.scalar(select(func.count(Result.id)).where(Result.rubric_id == rubric.id)) or 0
    sheets = inputs[1] if inputs is not None else scoring_inputs(rubric)[1]
    return len({n for _j, n in sheets})


def judges_of(fair_id: int) -> list[tuple[int, str, str]]:
    """(user id, name, affiliation) of the fair's judges, in Thai order."""
    from ..accounts.models import User

    rows = db.session.execute(select(User, JudgeProfile).join(FairRole, FairRole.user_id == User.id)
                              .outerjoin(JudgeProfile, (JudgeProfile.user_id == User.id)
                                         & (JudgeProfile.fair_id == fair_id))
                              .where(FairRole.fair_id == fair_id, FairRole.role == "judge")
                              .options(joinedload(JudgeProfile.affiliation))).all()
    out = [(u.id, u.full_name, p.affiliation.name_th if p is not None and p.affiliation else "") for u, p in rows]
    return sorted(out, key=lambda r: (sort_key(r[1]), r[0]))


def _fmt(value) -> str:
    return "" if value is None else f"{value:.2f}"


def results_table(rubric: Rubric) -> Table:
    rows = result_rows(rubric)
    return Table(title=rubric.category.name_th,
                 header=[_("ลำดับ"), _("เลขที่การเสนอชื่อ"), _("ผู้ถูกเสนอชื่อ"), _("คะแนน"), _("ค่าเฉลี่ยดิบ"),
                         _("ค่าเฉลี่ยปรับมาตรฐาน"), _("ระดับรางวัล"), _("หมายเหตุการตัดสินเมื่อเสมอ")],
                 rows=[[r.position, r.nomination.id, r.nomination.nominee_name(),
                        None if r.score is None else round(r.score, 2),
                        None if r.raw is None else round(r.raw, 2), None if r.z is None else round(r.z, 2),
                        r.level or "", r.note] for r in rows])


# ---- the minutes (PDF) ----

PAGE_W, PAGE_H = A4
MARGIN = 18 * mm
WIDTH = PAGE_W - 2 * MARGIN


class _Doc:
    def __init__(self, title: str):
        self.buf = io.BytesIO()
        self.c = Canvas(self.buf, pagesize=A4, pageCompression=1)
        self.c.setTitle(title)
        self.c.setAuthor("fairapp")
        self.page = 1
        self.title = title
        self.y = PAGE_H - MARGIN

    def footer(self):
        pdf.draw_text(self.c, MARGIN, 10 * mm, self.title, size=8)
        pdf.draw_text(self.c, PAGE_W - MARGIN, 10 * mm, _("หน้า %(n)d", n=self.page), size=8, align="right")

    def need(self, height: float):
        if self.y - height < MARGIN + 6 * mm:
            self.footer()
            self.c.showPage()
            self.page += 1
            self.y = PAGE_H - MARGIN

    def line(self, text: str, size: float = 11, font: str = "Sarabun", x: float = MARGIN,
             width: float = WIDTH, gap: float = 1.45):
        for part in pdf.wrap_text(text, font, size, width) or [""]:
            self.need(size * gap)
            self.y -= size * gap
            pdf.draw_text(self.c, x, self.y, part, font=font, size=size)

    def cells(self, cols: list[tuple[float, str, str]], size: float = 10, font: str = "Sarabun"):
        """One table row: (width, text, align) cells, each wrapped within its width."""
        wrapped = [pdf.wrap_text(text or "", font, size, w - 4) or [""] for w, text, _a in cols]
        height = max(len(w) for w in wrapped) * size * 1.35 + 3
        self.need(height)
        x, top = MARGIN, self.y
        for (w, _t, align), lines in zip(cols, wrapped):
            y = top
            for part in lines:
                y -= size * 1.35
                tx = x + 2 if align == "left" else x + w - 2
                pdf.draw_text(self.c, tx, y, part, font=font, size=size, align=align)
            x += w
        self.y = top - height
        self.c.setStrokeColorRGB(0.75, 0.75, 0.75)
        self.c.setLineWidth(0.4)
        self.c.line(MARGIN, self.y + 1, MARGIN + WIDTH, self.y + 1)

    def finish(self) -> bytes:
        self.footer()
        self.c.save()
        return self.buf.getvalue()


def _confirmation(doc: "_Doc", rubric: Rubric) -> None:
    """When the chair finalized with something missing: their written reason and what was missing."""
    entry = finalize_record(rubric)
    after = (entry.after or {}) if entry is not None else {}
    if not after.get("reason"):
        return
    doc.y -= 4
    doc.line(_("ประธานยืนยันสรุปผลทั้งที่ยังไม่ครบ เหตุผล: %(reason)s", reason=after["reason"]), size=11,
             font="Sarabun-Bold")
    for problem in after.get("problems") or []:
        doc.line("• " + problem_text(problem), size=10)


def render_minutes(rubric: Rubric) -> bytes:
    """The category's minutes, A4 portrait, in Thai: the ranked list with scores and levels, each judge's
    totals per nomination, tie-break notes, and signature lines for the chair and the judges.

    With the garbage collector paused (core.gc_pause): shaping every line makes many short-lived objects
    without cycles (national category at 10x: 1.69 -> 1.36 ms a row, first render)."""
    with paused_gc():
        return _render_minutes(rubric)


def _render_minutes(rubric: Rubric) -> bytes:
    pdf.register_fonts()
    category = rubric.category
    fair = category.fair
    rows = result_rows(rubric)
    criteria, sheets = scoring_inputs(rubric)
    totals = panel_totals(sheets, criteria)
    judges = judges_of(fair.id)
    number = {j: i + 1 for i, (j, _n, _a) in enumerate(judges)}

    doc = _Doc(_("บันทึกผลการตัดสิน %(category)s", category=category.name_th))
    doc.line(_("บันทึกผลการตัดสินรางวัล"), size=18, font="Sarabun-Bold")
    doc.line(category.name_th, size=15, font="Sarabun-Bold")
    doc.line(_("งาน %(fair)s ณ %(venue)s", fair=fair.name_th, venue=fair.venue_th), size=11)
    if rubric.finalized:
        doc.line(_("สรุปผลเมื่อ %(date)s", date=format_date(rubric.finalized_at, style="datetime", locale="th")),
                 size=11)
        _confirmation(doc, rubric)
    else:
        doc.line(_("ฉบับร่าง: ประเภทรางวัลนี้ยังไม่สรุปผล อันดับอาจเปลี่ยนได้"), size=11, font="Sarabun-Bold")
    basis = _("ค่าเฉลี่ยที่ปรับมาตรฐาน (z-score)") if rubric.ranking == "z" else _("ค่าเฉลี่ยคะแนนดิบ")
    doc.line(_("จัดอันดับด้วย%(basis)s · กรรมการ %(k)d ท่านต่อการเสนอชื่อ", basis=basis,
               k=rubric.judges_per_nomination), size=10)

    doc.y -= 6
    doc.line(_("ผลการจัดอันดับ"), size=13, font="Sarabun-Bold")
    cols = [14 * mm, 70 * mm, 18 * mm, 26 * mm, WIDTH - 128 * mm]
    doc.cells(list(zip(cols, [_("ลำดับ"), _("ผู้ถูกเสนอชื่อ"), _("คะแนน"), _("ระดับรางวัล"),
                              _("หมายเหตุ")], ["left", "left", "right", "left", "left"])), size=10,
              font="Sarabun-Bold")
    for r in rows:
        doc.cells([(cols[0], "" if r.position is None else str(r.position), "left"),
                   (cols[1], f"{r.nomination.nominee_name()} (#{r.nomination.id})", "left"),
                   (cols[2], _fmt(r.score), "right"), (cols[3], r.level or "-", "left"),
                   (cols[4], r.note, "left")], size=10)

    tied = [r for r in rows if r.note]
    if tied:
        doc.y -= 6
        doc.line(_("หมายเหตุการตัดสินเมื่อคะแนนเท่ากัน"), size=12, font="Sarabun-Bold")
        for r in tied:
            doc.line(_("ลำดับ %(p)s %(name)s: %(note)s", p=r.position, name=r.nomination.nominee_name(),
                       note=r.note), size=10)

    doc.y -= 8
    doc.line(_("คะแนนรวมของกรรมการแต่ละท่าน (เต็ม 100)"), size=13, font="Sarabun-Bold")
    for j, name, aff in judges:
        doc.line(_("กรรมการ %(n)d: %(name)s", n=number[j], name=name) + (f" ({aff})" if aff else ""), size=9.5)
    parts: dict[int, list[str]] = {}  # per nomination, by judge number: sorted once (not once per row)
    for (j, n), t in sorted(totals.items(), key=lambda kv: number.get(kv[0][0], 0)):
        parts.setdefault(n, []).append(_("กรรมการ %(n)d: %(t)s", n=number.get(j, 0),
                                         t=_fmt(t) if t is not None else _("ยังไม่ครบ")))
    for r in rows:
        doc.line(f"{r.nomination.nominee_name()} (#{r.nomination.id}) — " + " · ".join(parts.get(r.nomination.id, [])),
                 size=9.5)

    doc.y -= 8
    doc.line(_("ลงนามรับรองผลการตัดสิน"), size=13, font="Sarabun-Bold")
    chairs = db.session.scalars(select(FairRole).where(FairRole.fair_id == fair.id, FairRole.role == "chair")
                                .options(joinedload(FairRole.user))).all()
    signers = [(c.user.full_name, _("ประธานกรรมการ")) for c in chairs]
    signers += [(name, _("กรรมการ") + (f" {aff}" if aff else "")) for _j, name, aff in judges]
    col_w = WIDTH / 2
    for i in range(0, len(signers), 2):
        doc.need(60)
        top = doc.y - 30
        for k, (name, position) in enumerate(signers[i:i + 2]):
            x = MARGIN + k * col_w + col_w / 2
            pdf.draw_text(doc.c, x, top, _("ลงชื่อ") + " " + "." * 50, size=10, align="center")
            size = pdf.fit_text_size(f"({name})", "Sarabun", col_w - 12, 10, 7)
            pdf.draw_text(doc.c, x, top - 15, f"({name})", size=size, align="center")
            size = pdf.fit_text_size(position, "Sarabun", col_w - 12, 10, 7)
            pdf.draw_text(doc.c, x, top - 29, position, size=size, align="center")
        doc.y = top - 40
    return doc.finish()
