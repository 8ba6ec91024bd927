"""The booth signs as one PDF (A5, one page per confirmed booth, a QR to each exhibitor's page), for the
fair's staff and admins: to anyone else signed in it answers as the fair's other staff pages do (403 for
the fair's judges and chair, 404 for no role in it); anonymous people go to the login page."""
from __future__ import annotations

from flask_login import login_required

from ..core.i18n import locale_code
from ..core.responses import send_bytes
from ..core.urls import external_url
from . import queries
from .access import staff_fair_or_404
from .blueprint import bp
from .signs import render_signs_pdf


@bp.get("/fairs/<int:fair_id>/exhibitors/signs.pdf")
@login_required
def signs_pdf(fair_id: int):
    fair = staff_fair_or_404(fair_id)
    exhibitors = queries.signs(fair)
    pdf = render_signs_pdf(fair, exhibitors, lambda a: external_url("directory.exhibitor", fair_id=fair.id,
                                                                    application_id=a.id), locale_code())
    return send_bytes(pdf, f"booth-signs-{fair.id}.pdf")
