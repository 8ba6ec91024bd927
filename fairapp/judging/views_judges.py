"""The fair's judges and their affiliations (for institutional conflicts): the chair and admins set them,
the fair's staff read them."""
from __future__ import annotations

import re

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..core.http import safe_id
from ..core.i18n import use_thai_digits
from ..core.transaction import attempt
from . import access, queries
from . import operations as ops
from .blueprint import bp


_CHOSEN = re.compile(r"#\s*(\d+)\s*$")  # "ชื่อองค์กร · #123" (the list's choice) or "#123"


def _affiliations_sent(fair_id: int) -> dict[int, int | None]:
    """judge id -> organization id (None: left empty) from the form: a choice of the list ("name · #id"),
    "#id" or a bare id; 400 for anything else (a name typed but not chosen is not guessed)."""
    sent = {}
    for user in queries.judges(fair_id):
        value = request.form.get(f"affiliation-{user.id}", "").strip()
        chosen = _CHOSEN.search(value)
        org_id = safe_id(chosen.group(1) if chosen else value)
        if value and org_id is None:
            abort(400)
        sent[user.id] = org_id
    return sent


@bp.route("/judging/fairs/<int:fair_id>/judges", methods=["GET", "POST"])
@login_required
def judges(fair_id: int):
    """The fair's judges and their affiliations (for institutional conflicts)."""
    fair = access.chair_fair_or_404(fair_id, change=request.method == "POST")
    use_thai_digits(fair.thai_numerals)
    if request.method == "POST":
        affiliations = _affiliations_sent(fair.id)
        with attempt() as done:
            changed = ops.set_affiliations(fair, affiliations, current_user)
        if done:
            flash(_("บันทึกสังกัดของกรรมการแล้ว (%(n)d ท่าน)", n=changed), "success")
        return redirect(url_for("judging.judges", fair_id=fair.id))
    return render_template("judging/chair_judges.html", fair=fair, can_change=access.can_chair(fair.id),
                           **queries.affiliation_page(fair.id))
