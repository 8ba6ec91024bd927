"""The stage-desk kiosk: find a certificate by name (Thai or English, forgiving spaces and tone marks) or
serial, and print it in two clicks (static/js/certificates.js; printing again asks first).

Who gets what: the fair's staff and admins; anyone else signed in gets 403, anonymous users the login
page; a fair that does not exist is 404.
"""
from __future__ import annotations

from flask import render_template, request
from flask_login import login_required

from ..core.http import safe_id
from ..core.i18n import use_thai_digits
from ..fairs.access import staff_fair_or_404
from . import access, printing, queries
from .blueprint import bp
from .forms import PrintForm


@bp.route("/fairs/<int:fair_id>/kiosk")
@login_required
def kiosk(fair_id: int):
    fair = staff_fair_or_404(fair_id)
    use_thai_digits(fair.thai_numerals)
    q = request.args.get("q", "")[:100]
    rows = queries.kiosk_search(fair, q)
    pick = safe_id(request.args.get("pick"))
    picked = next((c for c in rows if c.id == pick), rows[0] if len(rows) == 1 else None)
    prints = queries.last_prints([c.id for c in rows])
    reprint = access.reprint_warning(printing.print_problem([picked])) if picked else None
    return render_template("certificates/kiosk.html", fair=fair, q=q, rows=rows, picked=picked, prints=prints,
                           reprint=reprint, form=PrintForm())
