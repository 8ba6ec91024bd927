"""The booth signs: one A5 portrait page per confirmed booth, to stand on the booth's table: the booth code
large, the zone, the organization's name (Thai shaped by core.pdf, wrapped at word boundaries, shrunk to
fit), its sector, and a QR (core.qr, drawn as vector runs) to the exhibitor's page in the directory.

Labels are translated with Flask-Babel: render inside a request (or test_request_context).
"""
from __future__ import annotations

import io
from collections.abc import Callable

from flask_babel import gettext as _
from reportlab.lib.colors import HexColor, white
from reportlab.lib.pagesizes import A5
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from ..booths.models import Application
from ..core import pdf, qr
from ..fairs.models import Fair

BRAND = HexColor("#8a1c2b")
INK = HexColor("#1f1f24")
MUTED = HexColor("#5f6068")


def _qr(c: Canvas, data: str, x: float, y: float, size: float) -> None:
    """The QR as filled rectangles, one per run of dark modules (sharp at any print size)."""
    modules = qr.matrix(data, border=0, mask=0)
    unit = size / len(modules)
    c.setFillColor(white)
    c.rect(x - 2 * unit, y - 2 * unit, size + 4 * unit, size + 4 * unit, stroke=0, fill=1)
    c.setFillColor(HexColor("#000000"))
    path = c.beginPath()
    for row, col, length in qr.runs(modules):
        path.rect(x + col * unit, y + size - (row + 1) * unit, length * unit, unit)
    c.drawPath(path, stroke=0, fill=1)


def _name_lines(name: str, width: float) -> tuple[list[str], float]:
    """The organization's name on one line as large as fits (26 down to 18 pt), else wrapped onto at most
    three lines at the largest size that holds them (the last cut short with … at 12 pt)."""
    size = pdf.fit_text_size(name, "Sarabun-Bold", width, 26, 18)
    if pdf.text_width(name, "Sarabun-Bold", size) <= width:
        return [name], size
    for size in (22, 20, 18, 16, 14, 12):
        lines = pdf.wrap_text(name, "Sarabun-Bold", size, width)
        if len(lines) <= 3:
            return lines, size
    lines = lines[:3]
    last = lines[2]
    while last and pdf.text_width(last + "…", "Sarabun-Bold", 12) > width:
        last = last[:-1]
    return lines[:2] + [last.rstrip() + "…"], 12


def render_signs_pdf(fair: Fair, exhibitors: list[Application], link: Callable[[Application], str],
                     lang: str = "th") -> bytes:
    """A5 pages, one per exhibitor (each with its booth and organization loaded); `link` gives the absolute
    address of the exhibitor's page for its QR. A page saying there is none when the list is empty."""
    pdf.register_fonts()
    out = io.BytesIO()
    width, height = A5
    margin = 14 * mm
    inner = width - 2 * margin
    c = Canvas(out, pagesize=A5, invariant=True, pageCompression=1)
    c.setTitle(_("ป้ายบูธ %(fair)s", fair=fair.name(lang)))
    c.setAuthor(fair.organizer_th)
    c.setCreator("fairapp")
    fair_name = fair.name(lang)
    fair_size = pdf.fit_text_size(fair_name, "Sarabun-Bold", inner, 13, 8)
    for application in exhibitors:
        booth, org = application.booth, application.organization
        # The band: the fair's name.
        band = 20 * mm
        c.setFillColor(BRAND)
        c.rect(0, height - band, width, band, stroke=0, fill=1)
        c.setFillColor(white)
        pdf.draw_text(c, width / 2, height - band / 2 - fair_size * 0.35, fair_name, "Sarabun-Bold", fair_size,
                      "center")
        # The booth code, as large as the page allows, and its zone.
        c.setFillColor(MUTED)
        y = height - band - 12 * mm
        pdf.draw_text(c, width / 2, y, _("บูธหมายเลข"), "Sarabun", 14, "center")
        code_size = pdf.fit_text_size(booth.code, "Sarabun-Bold", inner, 120, 40)
        y -= code_size * 0.9
        c.setFillColor(INK)
        pdf.draw_text(c, width / 2, y, booth.code, "Sarabun-Bold", code_size, "center")
        y -= 12 * mm
        if booth.zone:
            c.setFillColor(MUTED)
            zone = _("โซน %(zone)s", zone=booth.zone)
            pdf.draw_text(c, width / 2, y, zone, "Sarabun", pdf.fit_text_size(zone, "Sarabun", inner, 16, 9),
                          "center")
            y -= 12 * mm
        # The organization and its sector.
        c.setFillColor(INK)
        lines, size = _name_lines(org.name(lang), inner)
        for line in lines:
            y -= size
            pdf.draw_text(c, width / 2, y, line, "Sarabun-Bold", size, "center")
            y -= size * 0.4
        c.setFillColor(MUTED)
        sector = str(org.sector.label)
        pdf.draw_text(c, width / 2, y - 14, sector, "Sarabun", pdf.fit_text_size(sector, "Sarabun", inner, 12, 8),
                      "center")
        # The QR to the exhibitor's page, and what it is for.
        qr_size = 42 * mm
        qr_x, qr_y = (width - qr_size) / 2, 20 * mm
        _qr(c, link(application), qr_x, qr_y, qr_size)
        c.setFillColor(MUTED)
        hint = _("สแกนเพื่อดูว่าบูธนี้ โชว์ แชร์ ช่วย เชื่อม อะไร")
        pdf.draw_text(c, width / 2, 12 * mm, hint, "Sarabun", pdf.fit_text_size(hint, "Sarabun", inner, 11, 7),
                      "center")
        c.showPage()
    if not exhibitors:
        c.setFillColor(MUTED)
        pdf.draw_text(c, width / 2, height / 2, _("ยังไม่มีองค์กรที่ได้รับการจัดสรรบูธ"), "Sarabun", 14, "center")
        c.showPage()
    c.save()
    return out.getvalue()
