"""The exhibitor's pass: on screen (the QR to show at the gate) and as a PDF to print."""
from __future__ import annotations

import re

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import login_required

from ..core.i18n import locale_code, use_thai_digits
from ..core.responses import send_bytes
from .blueprint import bp
from .access import application_or_404
from .models import Application, Status
from .passes import fair_dates, make_pass_token, qr_svg, render_pass_pdf


def has_pass(application: Application) -> bool:
    """A pass exists once the application is approved and has a booth."""
    return application.booth is not None and application.status == Status.approved


@bp.get("/booths/<int:application_id>/pass")
@login_required
def pass_page(application_id: int):
    """The exhibitor's pass on screen (QR to show at the gate), for the organization, staff and admins."""
    application = application_or_404(application_id)
    use_thai_digits(application.fair.thai_numerals)
    allocated = has_pass(application)
    qr = qr_svg(make_pass_token(application), _("QR บัตรผู้ออกบูธ %(code)s", code=application.booth.code)) \
        if allocated else None
    return render_template("booths/pass.html", application=application, fair=application.fair,
                           allocated=allocated, qr=qr, dates=fair_dates(application.fair, locale_code()))


@bp.get("/booths/<int:application_id>/pass.pdf")
@login_required
def pass_pdf(application_id: int):
    """The pass as an A6 PDF to print; back to the pass page with a message when there is no booth yet."""
    application = application_or_404(application_id)
    if not has_pass(application):
        flash(_("ยังไม่ได้รับการจัดสรรบูธ จึงยังไม่มีบัตรผู้ออกบูธ"), "error")
        return redirect(url_for("booths.pass_page", application_id=application.id))
    name = re.sub(r"[^A-Za-z0-9_-]", "", application.booth.code) or str(application.id)
    # private, no-store (send_bytes' default): the QR in it is the exhibitor's pass.
    return send_bytes(render_pass_pdf(application), f"pass-{name}.pdf")
