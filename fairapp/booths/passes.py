"""Exhibitor passes: a signed QR token naming the fair and the application, and the printable pass.

The token is what the check-in page scans. It is signed with the app's SECRET_KEY (itsdangerous,
its own salt), so a QR made up by anyone else is refused; it carries the fair id, so a pass of another
fair is told apart from a forgery. It does not expire: a pass is good for as long as the application
holds its booth, which the check-in operation checks at scan time.
"""
from __future__ import annotations

import io

import qrcode
from flask import current_app, has_request_context
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, URLSafeSerializer
from markupsafe import Markup
from reportlab.lib.colors import HexColor, white
from reportlab.lib.pagesizes import A6
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas

from ..core import pdf, qr
from ..core.errors import DomainError
from ..core.i18n import locale_code
from ..core.thai import format_date, thai_digits
from ..extensions import db
from ..fairs.models import Fair
from .models import Application

SALT = "fairapp.booth-pass"
BRAND = HexColor("#8a1c2b")
INK = HexColor("#1f1f24")
MUTED = HexColor("#5f6068")


class PassForged(DomainError):
    message = _l("QR นี้ไม่ใช่บัตรของงาน หรือถูกปลอมแปลง")
    status = 404  # no pass of ours says this


class PassOtherFair(DomainError):
    message = _l("บัตรนี้เป็นของงานอื่น: %(name)s")


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def make_pass_token(application: Application) -> str:
    """A short URL-safe token for the application's pass: [fair id, application id], signed."""
    return _serializer().dumps([application.fair_id, application.id])


def read_pass_token(token: str, fair: Fair) -> Application:
    """The application a pass token names, for a scan at `fair`.

    Raises PassForged when the token is not ours (or names nothing any more), PassOtherFair when it is
    a genuine pass of another fair.
    """
    try:
        payload = _serializer().loads((token or "").strip())
    except (BadSignature, UnicodeError, ValueError):
        raise PassForged() from None
    if not (isinstance(payload, list) and len(payload) == 2
            and all(isinstance(v, int) and not isinstance(v, bool) for v in payload)):
        raise PassForged()
    fair_id, application_id = payload
    if fair_id != fair.id:
        other = db.session.get(Fair, fair_id)
        raise PassOtherFair(name=other.name(_lang()) if other else "#%d" % fair_id)
    application = db.session.get(Application, application_id)
    if application is None or application.fair_id != fair.id:
        raise PassForged()
    return application


def _lang() -> str:
    """The request's language; Thai outside a request (a batch job)."""
    return locale_code() if has_request_context() else "th"


def qr_matrix(data: str) -> list[list[bool]]:
    """The QR code's modules (True is dark), with a quiet zone of 4 modules."""
    return qr.matrix(data)


def qr_svg(data: str, label: str = "") -> Markup:
    """The QR code as an inline SVG (no style attributes, so the CSP allows it), one path of row runs."""
    matrix = qr_matrix(data)
    size = len(matrix)
    runs = [f"M{x},{y}h{n}v1h-{n}z" for y, x, n in qr.runs(matrix)]
    label_attr = Markup(' aria-label="%s"') % label if label else ""
    title = Markup("<title>%s</title>") % label if label else ""
    return Markup(
        f'<svg class="qr" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {size} {size}" role="img" '
        f'shape-rendering="crispEdges"{label_attr}>{title}<rect width="{size}" height="{size}" fill="#fff"/>'
        f'<path fill="#000" d="{"".join(runs)}"/></svg>')


def qr_png(data: str, box: int = 8) -> bytes:
    """The QR code as a PNG (box pixels a module): drawn into PDFs with drawImage, the fast way."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=0, box_size=box)
    code.add_data(data)
    code.make(fit=True)
    out = io.BytesIO()
    code.make_image(fill_color="black", back_color="white").save(out, format="PNG")
    return out.getvalue()


def fair_dates(fair: Fair, lang: str = "th") -> str:
    """The fair's days in B.E., short: "12 พ.ย. 2568" or "12 พ.ย. 2568 – 13 พ.ย. 2568"."""
    digits = fair.thai_numerals and lang == "th"
    start = format_date(fair.starts_on, "short", lang, digits)
    if fair.ends_on == fair.starts_on:
        return start
    return f"{start} – {format_date(fair.ends_on, 'short', lang, digits)}"


def _lines(text: str, font: str, width: float, size: float, min_size: float, max_lines: int,
           wrap_size: float) -> tuple[list[str], float]:
    """One line shrunk to fit, or else wrapped lines at wrap_size (the last one cut short with …)."""
    fitted = pdf.fit_text_size(text, font, width, size, min_size)
    if pdf.text_width(text, font, fitted) <= width:
        return [text], fitted
    lines = pdf.wrap_text(text, font, wrap_size, width)
    if len(lines) > max_lines:
        last = lines[max_lines - 1]
        while last and pdf.text_width(last + "…", font, wrap_size) > width:
            last = last[:-1]
        lines = lines[:max_lines - 1] + [last.rstrip() + "…"]
    return lines, wrap_size


def render_pass_pdf(application: Application, lang: str | None = None) -> bytes:
    """The exhibitor's pass as a one-page A6 PDF: fair, organization, booth code, staff names, QR.

    The application must have a booth. `lang` defaults to the request's language (Thai outside a
    request; an app context is enough, for the secret key). Pure: the same data gives the same bytes.
    """
    if application.booth is None:
        raise ValueError("render_pass_pdf needs an application with a booth")
    lang = lang or _lang()
    with force_locale(lang):
        return _render(application, lang)


def _render(application: Application, lang: str) -> bytes:
    booth = application.booth
    fair = application.fair
    digits = fair.thai_numerals and lang == "th"
    num = thai_digits if digits else str
    pdf.register_fonts()
    out = io.BytesIO()
    width, height = A6
    margin = 8 * mm
    inner = width - 2 * margin
    c = Canvas(out, pagesize=A6, invariant=True, pageCompression=1)
    c.setTitle(_("บัตรผู้ออกบูธ %(code)s", code=booth.code))
    c.setAuthor(fair.name(lang))
    c.setCreator("fairapp")

    # The band: the fair's name, its days and venue.
    band = 30 * mm
    c.setFillColor(BRAND)
    c.rect(0, height - band, width, band, stroke=0, fill=1)
    c.setFillColor(white)
    y = height - 9 * mm
    lines, size = _lines(fair.name(lang), "Sarabun-Bold", inner, 14, 10, 2, 11)
    for line in lines:
        pdf.draw_text(c, margin, y, line, font="Sarabun-Bold", size=size)
        y -= size * 1.3
    pdf.draw_text(c, margin, y, fair_dates(fair, lang), size=9)
    y -= 11
    venue, vsize = _lines(fair.venue(lang), "Sarabun", inner, 9, 7, 1, 7)
    pdf.draw_text(c, margin, y, venue[0], size=vsize)

    # What this is, the booth code big, the zone and type.
    c.setFillColor(MUTED)
    y = height - band - 8 * mm
    pdf.draw_text(c, margin, y, _("บัตรผู้ออกบูธ"), size=10)
    c.setFillColor(INK)
    code_size = pdf.fit_text_size(booth.code, "Sarabun-Bold", inner * 0.55, 54, 24)
    y -= code_size * 0.95
    pdf.draw_text(c, margin, y, booth.code, font="Sarabun-Bold", size=code_size)
    side_x = margin + pdf.text_width(booth.code, "Sarabun-Bold", code_size) + 5 * mm
    side_w = width - margin - side_x
    if booth.zone:
        zone, zsize = _lines(_("โซน %(zone)s", zone=booth.zone), "Sarabun-Bold", side_w, 16, 8, 1, 8)
        pdf.draw_text(c, side_x, y + code_size * 0.42, zone[0], font="Sarabun-Bold", size=zsize)
    kind, ksize = _lines(application.booth_type.name(lang), "Sarabun", side_w, 10, 7, 1, 7)
    pdf.draw_text(c, side_x, y + 2, kind[0], size=ksize)

    # The organization, shrunk to one line or wrapped onto three.
    y -= 9 * mm
    org_lines, osize = _lines(application.organization.name(lang), "Sarabun-Bold", inner, 15, 11, 3, 11)
    for line in org_lines:
        pdf.draw_text(c, margin, y, line, font="Sarabun-Bold", size=osize)
        y -= osize * 1.35

    # The QR in the bottom right; the booth's people on its left.
    qr_size = 38 * mm
    qr_x, qr_y = width - margin - qr_size, 14 * mm
    c.drawImage(ImageReader(io.BytesIO(qr_png(make_pass_token(application)))), qr_x, qr_y,
                qr_size, qr_size)
    names_w = qr_x - margin - 4 * mm
    ny = qr_y + qr_size - 8
    c.setFillColor(MUTED)
    pdf.draw_text(c, margin, ny, _("ผู้ประจำบูธ"), size=9)
    c.setFillColor(INK)
    ny -= 13
    people = application.people
    shown = people[:5] if len(people) <= 5 else people[:4]
    for person in shown:
        name, nsize = _lines(person.full_name, "Sarabun", names_w, 10, 7, 1, 7)
        pdf.draw_text(c, margin, ny, name[0], size=nsize)
        ny -= 14
    if len(people) > len(shown):
        pdf.draw_text(c, margin, ny, _("และอีก %(n)s คน", n=num(len(people) - len(shown))), size=9)

    # How to use it, and the application's number for the help desk.
    c.setFillColor(MUTED)
    footer, fsize = _lines(_("แสดง QR นี้ต่อเจ้าหน้าที่ที่จุดลงทะเบียน เพื่อเช็กอิน"), "Sarabun", inner, 8, 6, 1, 6)
    pdf.draw_text(c, margin, 8 * mm, footer[0], size=fsize)
    pdf.draw_text(c, margin, 5 * mm, _("ใบสมัครเลขที่ %(n)s", n=num(application.id)), size=7)
    c.showPage()
    c.save()
    return out.getvalue()
