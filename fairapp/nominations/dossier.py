"""A nomination as a PDF dossier for offline reading: A4 portrait, Thai shaped and searchable.

Pages: a cover block (category, nominee and place, nominator, status, dates in B.E.), each narrative
section under its heading, wrapped at Thai word boundaries and flowing over pages; then the photos, two
to a page, scaled to fit, with captions; then the list of attached PDFs (name, pages, caption).
Every string goes through `core.pdf.draw_text` (HarfBuzz-shaped, with /ActualText), every long one
through `core.pdf.wrap_text`; this module never shapes or breaks Thai itself.
"""
from __future__ import annotations

import io

from flask import has_request_context
from flask_babel import force_locale
from flask_babel import gettext as _
from PIL import Image, UnidentifiedImageError
from reportlab.lib.colors import HexColor
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas

from ..core import pdf
from ..core.i18n import locale_code
from ..core.storage import storage
from ..core.thai import format_date, thai_digits
from ..core.time import utcnow
from .models import SECTION_LABELS, Nomination

BRAND = HexColor("#8a1c2b")
INK = HexColor("#1f1f24")
MUTED = HexColor("#5f6068")
RULE = HexColor("#d9d4c7")

PAGE_W, PAGE_H = A4
MARGIN = 20 * mm
TOP = PAGE_H - 18 * mm
BOTTOM = 22 * mm           # the footer sits below this line
INNER = PAGE_W - 2 * MARGIN
BODY = 12                  # body text size (pt)
LEADING = 1.6              # line height as a multiple of the size: room for stacked Thai marks
PHOTO_MAX_PX = 1800        # photos are downscaled to this many pixels on their long side


class _Flow:
    """A cursor running down A4 pages: lines of text that start a new page when the page is full."""

    def __init__(self, canvas: Canvas, footer: str, num):
        self.c = canvas
        self.footer = footer
        self.num = num
        self.page = 1
        self.y = TOP

    def new_page(self) -> None:
        self._draw_footer()
        self.c.showPage()
        self.page += 1
        self.y = TOP

    def finish(self) -> None:
        self._draw_footer()
        self.c.showPage()

    def _draw_footer(self) -> None:
        c = self.c
        c.setStrokeColor(RULE)
        c.setLineWidth(0.6)
        c.line(MARGIN, BOTTOM - 6 * mm, PAGE_W - MARGIN, BOTTOM - 6 * mm)
        c.setFillColor(MUTED)
        page = _("หน้า %(n)s", n=self.num(self.page))
        page_w = pdf.text_width(page, "Sarabun", 9)
        room = INNER - page_w - 8 * mm
        size = pdf.fit_text_size(self.footer, "Sarabun", room, 9, 7)
        text = self.footer if pdf.text_width(self.footer, "Sarabun", size) <= room else _ellipsize(
            self.footer, "Sarabun", size, room)
        pdf.draw_text(c, MARGIN, BOTTOM - 11 * mm, text, size=size)
        pdf.draw_text(c, PAGE_W - MARGIN, BOTTOM - 11 * mm, page, size=9, align="right")

    def room(self) -> float:
        return self.y - BOTTOM

    def ensure(self, height: float) -> None:
        """Start a new page unless `height` more points fit on this one."""
        if self.y - height < BOTTOM:
            self.new_page()

    def space(self, points: float) -> None:
        self.y -= points

    def lines(self, text: str, *, font: str = "Sarabun", size: float = BODY, color=INK, x: float = MARGIN,
              width: float = INNER, keep: int = 1) -> None:
        """The text wrapped to `width`, flowing over pages; the first `keep` lines stay together."""
        step = size * LEADING
        wrapped = pdf.wrap_text(text, font, size, width)
        self.ensure(step * min(keep, len(wrapped)))
        for line in wrapped:
            if self.y - step < BOTTOM:
                self.new_page()
            self.y -= step
            if line:
                self.c.setFillColor(color)
                pdf.draw_text(self.c, x, self.y + size * 0.35, line, font=font, size=size)

    def rule(self) -> None:
        self.ensure(8)
        self.y -= 4
        self.c.setStrokeColor(RULE)
        self.c.setLineWidth(0.8)
        self.c.line(MARGIN, self.y, PAGE_W - MARGIN, self.y)
        self.y -= 4


def _ellipsize(text: str, font: str, size: float, width: float) -> str:
    """The start of the text that fits `width` together with "…" (cut at a Thai word boundary)."""
    lines = pdf.wrap_text(text, font, size, max(width - pdf.text_width("…", font, size), 1))
    return (lines[0].rstrip() if lines else "") + "…"


def _photo(data: bytes) -> tuple[ImageReader, int, int]:
    """The photo, downscaled and as RGB JPEG (what the PDF embeds), with its pixel size."""
    with Image.open(io.BytesIO(data)) as img:
        img.load()
        if img.mode not in ("RGB", "L"):
            background = Image.new("RGB", img.size, "white")
            background.paste(img.convert("RGBA"), mask=img.convert("RGBA").getchannel("A"))
            img = background
        img.thumbnail((PHOTO_MAX_PX, PHOTO_MAX_PX))
        out = io.BytesIO()
        img.convert("RGB").save(out, format="JPEG", quality=85)
        width, height = img.size
    return ImageReader(io.BytesIO(out.getvalue())), width, height


def render_dossier(nomination: Nomination, lang: str | None = None) -> bytes:
    """The nomination's dossier as PDF bytes (A4 portrait), in `lang` (the request's, else Thai).

    Pure apart from reading the photos from storage: the same nomination and files give the same bytes
    on the same day (the generation date is printed).
    """
    lang = lang or (locale_code() if has_request_context() else "th")
    with force_locale(lang):
        return _render(nomination, lang)


def _render(nomination: Nomination, lang: str) -> bytes:
    category = nomination.category
    fair = category.fair
    digits = bool(fair.thai_numerals) and lang == "th"
    num = thai_digits if digits else str

    def when(value, style="long"):
        return format_date(value, style, lang, digits)

    pdf.register_fonts()
    out = io.BytesIO()
    c = Canvas(out, pagesize=A4, invariant=True, pageCompression=1)
    nominee = nomination.nominee_name(lang)
    c.setTitle(_("การเสนอชื่อ: %(name)s", name=nominee))
    c.setSubject(category.name(lang))
    c.setAuthor(fair.name(lang))
    c.setCreator("fairapp")
    flow = _Flow(c, f"{nominee} · {category.name(lang)} · {fair.name(lang)}", num)

    # ---- the cover block ----
    flow.lines(fair.name(lang), size=10, color=MUTED)
    flow.lines(_("แฟ้มข้อมูลการเสนอชื่อ เลขที่ %(n)s", n=num(nomination.id)), font="Sarabun-Bold", size=11,
               color=BRAND)
    flow.lines(category.name(lang), font="Sarabun-Bold", size=14)
    flow.space(4)
    name_size = pdf.fit_text_size(nominee, "Sarabun-Bold", INNER, 22, 16)
    flow.lines(nominee, font="Sarabun-Bold", size=name_size)
    place = nomination.nominee_place(lang)
    if place.strip(" ,"):
        flow.lines(place, size=12, color=MUTED)
    flow.space(6)
    flow.rule()
    photos = [e for e in nomination.evidence if e.kind == "photo"]
    pdfs = [e for e in nomination.evidence if e.kind == "pdf"]
    kind = _("องค์กร") if nomination.nominee_org is not None else _("ชุมชน")
    if nomination.nominee_org is not None:
        kind = f"{kind} · {nomination.nominee_org.sector.label}"
    facts = [
        (_("ผู้ถูกเสนอชื่อเป็น"), kind),
        (_("ผู้เสนอชื่อ"), nomination.nominator.name(lang)),
        (_("สถานะ"), nomination.status.label),
        (_("ส่งเมื่อ"), when(nomination.submitted_at, "datetime")),
        (_("พิจารณาเมื่อ"), when(nomination.decided_at, "datetime")),
        (_("หมายเหตุการพิจารณา"), nomination.review_note or ""),
        (_("หลักฐาน"), _("รูปภาพ %(p)s รูป · ไฟล์ PDF %(d)s ไฟล์", p=num(len(photos)), d=num(len(pdfs)))),
        (_("จัดทำเอกสารนี้เมื่อ"), when(utcnow().date())),
    ]
    label_w = 38 * mm
    for label, value in facts:
        if not value:
            continue
        flow.ensure(BODY * LEADING)
        top = flow.y
        c.setFillColor(MUTED)
        pdf.draw_text(c, MARGIN, top - BODY * LEADING + BODY * 0.35, label, size=10.5)
        flow.lines(value, x=MARGIN + label_w, width=INNER - label_w)
    flow.space(4)
    flow.rule()

    # ---- the narratives ----
    narratives = nomination.narratives or {}
    keys = list(category.sections) + [k for k in narratives if k not in category.sections and narratives[k]]
    for key in keys:
        text = (narratives.get(key) or "").strip()
        flow.space(8)
        # A heading never ends a page: it stays with the first two lines of its text.
        flow.ensure(15 * LEADING + 2 * BODY * LEADING)
        flow.lines(str(SECTION_LABELS.get(key, key)), font="Sarabun-Bold", size=15, color=BRAND)
        if text:
            for paragraph in text.replace("\r\n", "\n").split("\n"):
                if paragraph.strip():
                    flow.lines(paragraph)
                else:
                    flow.space(BODY * 0.6)
        else:
            flow.lines(_("(ไม่ได้เขียน)"), color=MUTED)

    # ---- the photos, two to a page ----
    if photos:
        store = storage()
        slot_h = (TOP - BOTTOM - 14 * mm) / 2
        caption_h = 3 * 10 * LEADING
        for i, evidence in enumerate(photos):
            if i % 2 == 0:
                flow.new_page()
                c.setFillColor(BRAND)
                pdf.draw_text(c, MARGIN, TOP - 14, _("ภาพประกอบ"), font="Sarabun-Bold", size=15)
                flow.y = TOP - 14 * mm
            box_top = flow.y
            box_h = slot_h - caption_h - 4 * mm
            try:
                image, w, h = _photo(store.read(evidence.storage_key))
            except (OSError, ValueError, UnidentifiedImageError, Image.DecompressionBombError):
                image, w, h = None, 0, 0
            if image is not None and w and h:
                scale = min(INNER / w, box_h / h)
                dw, dh = w * scale, h * scale
                left = MARGIN + (INNER - dw) / 2
                c.drawImage(image, left, box_top - dh, dw, dh)
                bottom = box_top - dh
            else:
                c.setStrokeColor(RULE)
                c.rect(MARGIN, box_top - box_h, INNER, box_h, stroke=1, fill=0)
                c.setFillColor(MUTED)
                pdf.draw_text(c, PAGE_W / 2, box_top - box_h / 2, _("อ่านไฟล์รูปภาพนี้ไม่ได้"), size=11,
                              align="center")
                bottom = box_top - box_h
                left = MARGIN
            caption = _("รูปที่ %(n)s", n=num(i + 1)) + (f": {evidence.caption}" if evidence.caption else "")
            # The caption starts under the photo's left edge (a narrow photo keeps at least half the column).
            left = min(left, MARGIN + INNER / 4)
            cap_w = INNER - 2 * (left - MARGIN)
            lines = pdf.wrap_text(caption, "Sarabun", 10, cap_w)
            if len(lines) > 3:
                lines = lines[:2] + [_ellipsize("".join(lines[2:]), "Sarabun", 10, cap_w)]
            y = bottom - 4 * mm
            c.setFillColor(MUTED)
            for line in lines:
                pdf.draw_text(c, left, y, line, size=10)
                y -= 10 * LEADING
            flow.y = box_top - slot_h - 6 * mm

    # ---- the attached PDFs ----
    if pdfs:
        if photos:
            flow.new_page()
        else:
            flow.space(10)
        flow.ensure(15 * LEADING + 2 * BODY * LEADING)
        flow.lines(_("เอกสาร PDF ที่แนบ"), font="Sarabun-Bold", size=15, color=BRAND)
        for i, evidence in enumerate(pdfs, start=1):
            pages = _("%(n)s หน้า", n=num(evidence.pages)) if evidence.pages else _("ไม่ทราบจำนวนหน้า")
            flow.lines(f"{num(i)}. {evidence.original_name} ({pages})", keep=2)
            if evidence.caption:
                flow.lines(evidence.caption, color=MUTED, x=MARGIN + 6 * mm, width=INNER - 6 * mm)
            if evidence.flagged:
                flow.lines(_("ข้อสังเกต: %(note)s", note=evidence.flag_note or _("เจ้าหน้าที่ควรตรวจดู")),
                           color=BRAND, x=MARGIN + 6 * mm, width=INNER - 6 * mm)
        flow.space(6)
        flow.lines(_("ไฟล์ PDF ไม่ได้รวมอยู่ในเอกสารนี้ เปิดอ่านได้จากหน้าการเสนอชื่อในระบบ"), size=10, color=MUTED)

    flow.finish()
    c.save()
    return out.getvalue()
