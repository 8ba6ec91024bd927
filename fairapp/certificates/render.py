"""Certificate PDFs: Thai government layout, HarfBuzz-shaped Sarabun, a vector QR, one page each.

Pure: no database, no Flask. A `Design` (from a template, images as file paths) and a `Face` (one
certificate's facts) make a page. `render_one` makes the PDF whose SHA-256 is stored at issue;
`render_pages` puts many pages in one document for printing, drawing each design's fixed part
(background, logos, title, issuer, preamble, signatories) once as a Form XObject that every page reuses,
so images and static text are stored once in a merged file. Both are deterministic (`invariant`): the
same design and face give the same bytes, which is what makes a stored hash checkable.

Layout, top to bottom: logos, title (เกียรติบัตร), the issuing bodies, the preamble, the holder's name
(shrunk to fit, down to a limit, else wrapped onto two lines at a Thai word boundary), the holder's
organization, the reason (wrapped, up to three lines), the date given in B.E., then one to three
signatories across the foot; the QR and the serial in the bottom left corner.
"""
from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from reportlab.lib.colors import HexColor
from reportlab.lib.pagesizes import A4, A5, LETTER, landscape, portrait
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from ..core import pdf, qr
from ..core.thai import format_date, thai_digits

SIZES = {"A4": A4, "A5": A5, "LETTER": LETTER}
INK = HexColor("#1f1f24")
BRAND = HexColor("#8a1c2b")
MUTED = HexColor("#55565e")
BOLD = "Sarabun-Bold"
REGULAR = "Sarabun"
PLACEHOLDERS = ("[หน่วยงาน]", "[ชื่อ]", "[เหตุ]", "[วันที่]", "[งาน]", "[ประเภทรางวัล]", "[ระดับ]", "[องค์กร]",
                "[บูธ]")


@dataclass(frozen=True)
class Signatory:
    name: str
    position: str
    signature: str | None = None  # an image file path


@dataclass(frozen=True)
class Design:
    """What a template draws on every certificate. Image fields are file paths (JPEG or PNG)."""

    key: str  # distinguishes designs inside one document (the template's id and its update time)
    page_size: str = "A4"
    orientation: str = "landscape"
    title: str = "เกียรติบัตร"
    issuer: str = ""
    preamble: str = "ขอมอบเกียรติบัตรฉบับนี้ไว้เพื่อแสดงว่า"
    date_line: str = "ให้ไว้ ณ วันที่ [วันที่]"
    background: str | None = None
    logos: tuple[str, ...] = ()
    signatories: tuple[Signatory, ...] = ()
    thai_numerals: bool = False
    verify_hint: str = ""  # e.g. "ตรวจสอบได้ที่ fair.example.org/verify"

    @property
    def pagesize(self) -> tuple[float, float]:
        size = SIZES[self.page_size]
        return landscape(size) if self.orientation == "landscape" else portrait(size)


@dataclass(frozen=True)
class Face:
    """One certificate's own text: holder, organization line, reason, date, serial and QR content."""

    serial: str  # grouped, as printed
    holder: str
    holder_org: str = ""
    reason: str = ""
    given_on: date | None = None
    qr: str = ""
    title: str = ""  # the PDF's document title


@dataclass
class _Box:
    left: float
    right: float

    @property
    def width(self) -> float:
        return self.right - self.left

    @property
    def center(self) -> float:
        return (self.left + self.right) / 2


def _num(design: Design, text: str) -> str:
    return thai_digits(text) if design.thai_numerals else text


def date_text(design: Design, given_on: date | None) -> str:
    """The date line with [วันที่] filled in: "ให้ไว้ ณ วันที่ 13 พฤศจิกายน พ.ศ. 2568"."""
    when = format_date(given_on, "long", "th", design.thai_numerals) if given_on else ""
    return design.date_line.replace("[วันที่]", when)


def fit_lines(text: str, font: str, width: float, size: float, min_size: float, max_lines: int,
              wrap_size: float | None = None) -> tuple[list[str], float]:
    """One line shrunk to fit (not below min_size), else lines wrapped at Thai word boundaries.

    Wrapping starts at wrap_size (default min_size) and goes down in half points until the text fits in
    max_lines; if even min_size needs more lines, the last line ends with an ellipsis, so nothing ever runs
    off the page or over the next block.
    """
    if not text:
        return [], size
    fitted = pdf.fit_text_size(text, font, width, size, min_size)
    if pdf.text_width(text, font, fitted) <= width:
        return [text], fitted
    wrap = wrap_size or min_size
    while True:
        lines = pdf.wrap_text(text, font, wrap, width)
        if len(lines) <= max_lines or wrap <= min_size:
            break
        wrap = max(min_size, wrap - 0.5)
    if len(lines) > max_lines:
        last = " ".join(lines[max_lines - 1:])
        while last and pdf.text_width(last + "…", font, wrap) > width:
            last = last[:-1]
        lines = lines[:max_lines - 1] + [last.rstrip() + "…"]
    return lines, wrap


@lru_cache(maxsize=256)  # a batch draws each certificate's QR twice: its own PDF and the print page
def qr_ops(data: str, x: float, y: float, size: float) -> str:
    """PDF path operators drawing the QR as rectangles (row runs), filled black, bottom-left at x, y.

    A vector QR stays sharp at any printer resolution and costs a few hundred operators. The mask is
    fixed (pattern 2): choosing the "best" of eight masks costs qrcode ~15 ms a page for a signed
    payload, and every mask decodes the same.
    """
    matrix = qr.matrix(data, border=0, mask=2)
    n = len(matrix)
    cell = size / n
    side = f"{cell:.3f} re"
    ops, row_at, top = ["q 0 g"], -1, ""
    for row, col, length in qr.runs(matrix):
        if row != row_at:  # each row's height written once: the same operators, faster
            row_at, top = row, f" {y + size - (row + 1) * cell:.3f} "
        ops.append(f"{x + col * cell:.3f}{top}{length * cell:.3f} {side}")
    ops.append("f Q")
    return "\n".join(ops)


class _Layout:
    """Where things go on a page of this design (computed once per design)."""

    def __init__(self, design: Design):
        self.width, self.height = design.pagesize
        self.landscape = self.width > self.height
        scale = min(self.width, self.height) / A4[0]  # 1 on A4, smaller on A5
        self.scale = scale
        self.margin = 19 * mm * scale
        side = 28 * mm * scale if self.landscape else 16 * mm * scale
        self.text = _Box(self.margin + side, self.width - self.margin - side)
        self.qr_size = 26 * mm * scale
        self.left_col = 44 * mm * scale  # the QR, the serial under it and the verify hint
        self.foot = self.margin + 4 * mm * scale  # baseline of the signatories' positions
        self.sign_block = 34 * mm * scale           # height of the signatures' area


def _static(c: Canvas, design: Design, lay: _Layout) -> float:
    """Draw the design's fixed part; return the y where the variable text starts."""
    s = lay.scale
    if design.background:
        pdf.draw_image(c, design.background, 0, 0, lay.width, lay.height)
    y = lay.height - lay.margin
    if design.logos:
        logo_h = 22 * mm * s
        gap = 6 * mm * s
        slot = logo_h * 1.6
        total = len(design.logos) * slot + (len(design.logos) - 1) * gap
        x = lay.width / 2 - total / 2
        for path in design.logos:
            pdf.draw_image(c, path, x, y - logo_h, slot, logo_h, mask="auto", preserve_aspect=True)
            x += slot + gap
        y -= logo_h + 6 * mm * s
    else:
        y -= 6 * mm * s
    c.setFillColor(BRAND)
    lines, size = fit_lines(design.title, BOLD, lay.text.width, 40 * s, 24 * s, 1)
    y -= size * 0.9
    for line in lines:
        pdf.draw_text(c, lay.text.center, y, line, BOLD, size, "center")
    c.setFillColor(INK)
    y -= 10 * mm * s
    lines, size = fit_lines(design.issuer, BOLD, lay.text.width, 20 * s, 14 * s, 2, 16 * s)
    for line in lines:
        pdf.draw_text(c, lay.text.center, y, line, BOLD, size, "center")
        y -= size * 1.35
    y -= 1 * mm * s
    lines, size = fit_lines(design.preamble, REGULAR, lay.text.width, 18 * s, 13 * s, 2, 14 * s)
    for line in lines:
        pdf.draw_text(c, lay.text.center, y, line, REGULAR, size, "center")
        y -= size * 1.35
    _signatories(c, design, lay)
    if design.verify_hint:
        c.setFillColor(MUTED)
        hint, hsize = fit_lines(design.verify_hint, REGULAR, lay.left_col, 7.5 * s, 5.5 * s, 2, 6 * s)
        for index, line in enumerate(hint):
            pdf.draw_text(c, lay.margin, lay.margin + 0.5 * mm * s + (len(hint) - 1 - index) * hsize * 1.2, line,
                          REGULAR, hsize)
        c.setFillColor(INK)
    return y


def _signatories(c: Canvas, design: Design, lay: _Layout) -> None:
    people = design.signatories[:3]
    if not people:
        return
    s = lay.scale
    left = lay.margin + lay.left_col + 3 * mm * s
    right = lay.width - lay.margin
    if len(people) == 1:
        left = lay.width / 2 - (right - lay.width / 2)  # one signatory: centred on the page
    slot = (right - left) / len(people)
    for index, person in enumerate(people):
        box = _Box(left + index * slot + 2 * mm * s, left + (index + 1) * slot - 2 * mm * s)
        y = lay.foot
        positions, psize = fit_lines(person.position, REGULAR, box.width, 13 * s, 9 * s, 2, 10 * s)
        y += (len(positions) - 1) * psize * 1.25
        base = y
        for line in positions:
            pdf.draw_text(c, box.center, y, line, REGULAR, psize, "center")
            y -= psize * 1.25
        name = f"({person.name})"
        nlines, nsize = fit_lines(name, REGULAR, box.width, 14 * s, 9 * s, 1)
        name_y = base + psize * 1.25 + 1 * mm * s
        pdf.draw_text(c, box.center, name_y, nlines[0], REGULAR, nsize, "center")
        sig_bottom = name_y + nsize + 1 * mm * s
        sig_h = 15 * mm * s
        if person.signature:
            pdf.draw_image(c, person.signature, box.center - sig_h * 1.5, sig_bottom, sig_h * 3, sig_h,
                           mask="auto", preserve_aspect=True)
        else:
            c.setStrokeColor(MUTED)
            c.setLineWidth(0.5)
            c.setDash(1, 2)
            c.line(box.center - 25 * mm * s, sig_bottom + 2 * mm * s, box.center + 25 * mm * s, sig_bottom + 2 * mm * s)
            c.setDash()


def _face(c: Canvas, design: Design, lay: _Layout, face: Face, y: float) -> None:
    """The certificate's own text, centred in the band between the preamble and the signatures."""
    s = lay.scale
    width = lay.text.width
    blocks: list[tuple[list[str], str, float, float]] = []  # (lines, font, size, space before)
    # The holder: the biggest line; shrunk down to 20 pt, else two lines from 24 pt down.
    lines, size = fit_lines(face.holder, BOLD, width, 32 * s, 20 * s, 2, 24 * s)
    blocks.append((lines, BOLD, size, 0))
    if face.holder_org:
        lines, size = fit_lines(face.holder_org, REGULAR, width, 18 * s, 13 * s, 2, 14 * s)
        blocks.append((lines, REGULAR, size, 2 * mm * s))
    if face.reason:
        lines, size = fit_lines(face.reason, REGULAR, width, 18 * s, 12 * s, 3, 15 * s)
        blocks.append((lines, REGULAR, size, 5 * mm * s))
    lines, size = fit_lines(date_text(design, face.given_on), REGULAR, width, 16 * s, 11 * s, 1)
    blocks.append((lines, REGULAR, size, 5 * mm * s))
    leading = 1.3
    height = sum(gap + len(lines) * size * leading for lines, _, size, gap in blocks)
    bottom = lay.foot + lay.sign_block + (6 * mm * s if design.signatories else 0)
    room = y - bottom
    top = y - max(0.0, (room - height) / 2) if room > height else y
    c.setFillColor(INK)
    cursor = top
    for lines, font, size, gap in blocks:
        cursor -= gap
        for line in lines:
            cursor -= size * leading
            pdf.draw_text(c, lay.text.center, cursor + size * (leading - 1) + size * 0.1, line, font, size,
                          "center")
    # The QR and the serial, bottom left.
    qx, qy = lay.margin, lay.margin + 8 * mm * s
    if face.qr:
        c.addLiteral(qr_ops(face.qr, qx, qy, lay.qr_size))
    c.setFillColor(INK)
    pdf.draw_text(c, qx, lay.margin + 4 * mm * s, "เลขที่ " + face.serial, BOLD, 9 * s)


def _canvas(out, design: Design, title: str) -> Canvas:
    pdf.register_fonts()
    c = Canvas(out, pagesize=design.pagesize, invariant=True, pageCompression=1)
    c.setTitle(title)
    c.setAuthor(design.issuer)
    c.setCreator("fairapp")
    pdf.prime(c)
    return c


def render_one(design: Design, face: Face) -> bytes:
    """One certificate as a one-page PDF (deterministic bytes: the stored SHA-256 is of these)."""
    out = io.BytesIO()
    c = _canvas(out, design, face.title or face.holder)
    lay = _Layout(design)
    y = _static(c, design, lay)
    _face(c, design, lay, face, y)
    c.showPage()
    c.save()
    return out.getvalue()


def render_pages(pages: list[tuple[Design, Face]], title: str = "") -> bytes:
    """Many certificates in one PDF for printing; each design's fixed part is a Form XObject drawn once."""
    if not pages:
        raise ValueError("render_pages needs at least one page")
    out = io.BytesIO()
    first = pages[0][0]
    c = _canvas(out, first, title or "fairapp")
    forms: dict[str, tuple[str, float, _Layout]] = {}
    for design, face in pages:
        c.setPageSize(design.pagesize)
        if design.key not in forms:
            lay = _Layout(design)
            name = f"static{len(forms)}"
            c.beginForm(name, 0, 0, lay.width, lay.height)
            y = _static(c, design, lay)
            c.endForm()
            forms[design.key] = (name, y, lay)
        name, y, lay = forms[design.key]
        c.doForm(name)
        _face(c, design, lay, face, y)
        c.showPage()
    c.save()
    return out.getvalue()
