"""The stage's pages, fair staff only (staff_fair_or_404: 403 for the fair's judges and chair, 404 for
anyone with no role in it and for a fair that does not exist; anonymous people go to the login page):

- the projector page: every slide in the page, the current one shown; static/js/stage.js polls the state
  every 700 ms and shows the slide it names without reloading (a lost network changes nothing shown);
- the state (JSON): the current index and the number of slides;
- the control page (the master of ceremonies' phone): Next / Back, every slide to jump to, and beside each
  awardee whether its certificate is printed, with the way to its page; its POST moves the shared position
  (a script's POST asking for JSON gets the new state instead of the page); stage.js polls the state and
  moves the highlighted slide when another phone moved it;
- printing the next N awardee certificates not printed yet (the stage desk): the certificates package's
  print operation (printing.print_certificates, its reprint confirmation included) and one PDF of them;
- an awardee's photo (its booth application's, with its maker's consent to public pages).
"""
from __future__ import annotations

import io
from functools import partial

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..certificates import printing
from ..certificates.batch_render import merge_pdfs
from ..core.errors import wants_json
from ..core.i18n import locale_code, use_thai_digits
from ..core.responses import send_bytes
from ..core.storage import storage
from ..fairs.access import staff_fair_or_404
from . import operations, queries
from .blueprint import bp

NO_STORE = {"Cache-Control": "no-store"}
PRINT_DEFAULT, PRINT_MAX = 5, 50  # awardee certificates printed at once from the stage desk


@bp.get("/fairs/<int:fair_id>/stage")
@login_required
def projector(fair_id: int):
    fair = staff_fair_or_404(fair_id)
    use_thai_digits(fair.thai_numerals)
    slides = queries.slides(fair)
    return render_template("stage/projector.html", fair=fair, slides=slides, lang=locale_code(),
                           index=queries.current_index(fair, len(slides)))


@bp.get("/fairs/<int:fair_id>/stage/state")
@login_required
def state(fair_id: int):
    fair = staff_fair_or_404(fair_id)
    count = len(queries.slides(fair, photos=False))
    return jsonify(ok=True, index=queries.current_index(fair, count), count=count), 200, NO_STORE


@bp.route("/fairs/<int:fair_id>/stage/control", methods=["GET", "POST"])
@login_required
def control(fair_id: int):
    fair = staff_fair_or_404(fair_id)
    if request.method == "POST":
        action = request.form.get("action", "")
        if action not in operations.ACTIONS:
            abort(400)
        to = request.form.get("to", type=int)
        if action == "jump" and to is None:
            abort(400)
        count = len(queries.slides(fair, photos=False))
        index = operations.move(fair, action, count, to)
        if wants_json():
            return jsonify(ok=True, index=index, count=count), 200, NO_STORE
        return redirect(url_for(".control", fair_id=fair.id, _anchor="now"), 303)
    return _control_page(fair)


def _control_page(fair, *, reprint=None, reprint_ids=(), n: int = PRINT_DEFAULT, status: int = 200):
    use_thai_digits(fair.thai_numerals)
    slides = queries.slides(fair, photos=False, prints=True)
    waiting = sum(1 for s in slides if s.certificate_id and not s.printed)
    return render_template("stage/control.html", fair=fair, slides=slides, lang=locale_code(),
                           index=queries.current_index(fair, len(slides)), waiting=waiting, n=n,
                           reprint=reprint, reprint_ids=list(reprint_ids), print_max=PRINT_MAX), status



@bp.post("/fairs/<int:fair_id>/stage/print")
@login_required
def print_next(fair_id: int):
    """Print the next `n` awardee certificates not printed yet, in stage order (issued, valid, not withheld),
    and give their PDF. With `ids` (the reprint confirmation's round): exactly those of this fair's awardee
    certificates, printed again once `confirm` is ticked. Printed before and not confirmed: the control
    page again with the certificates package's "printed before" warning and the confirmation (409)."""
    fair = staff_fair_or_404(fair_id)
    n = request.form.get("n", type=int)
    if n is None or not 1 <= n <= PRINT_MAX:
        n = PRINT_DEFAULT
    slides = queries.slides(fair, photos=False, prints=True)
    ids = [int(i) for i in request.form.getlist("ids") if i.isdigit()]
    if ids:
        chosen = [i for i in ids if i in {s.certificate_id for s in slides}]
    else:
        chosen = [s.certificate_id for s in slides if s.certificate_id and not s.printed]
    certificates = [c for c in queries.certificates(chosen) if c.status == "valid" and c.holder_withheld_at is None]
    certificates = certificates[:len(ids) if ids else n]
    if not certificates:
        flash(_("ไม่มีเกียรติบัตรที่ยังไม่พิมพ์ให้พิมพ์"), "info")
        return redirect(url_for(".control", fair_id=fair.id, _anchor="print-next"), 303)
    confirmed = request.form.get("confirm") == "y"
    problem = printing.print_problem(certificates, confirmed=confirmed, batch=True)
    if problem is not None:
        return _control_page(fair, reprint=problem, reprint_ids=[c.id for c in certificates], n=n, status=409)
    printed = printing.print_certificates(certificates, current_user, "single", confirmed=confirmed)
    out = io.BytesIO()
    merge_pdfs([partial(printing.certificate_pdf, c) for c in printed], out, _("เกียรติบัตรผู้ได้รับรางวัล"))
    return send_bytes(out.getvalue(), f"awardees-{fair.id}-{len(printed)}.pdf")


@bp.get("/fairs/<int:fair_id>/stage/photo/<int:application_id>")
@login_required
def photo(fair_id: int, application_id: int):
    fair = staff_fair_or_404(fair_id)
    key = queries.photo_key(fair, application_id)
    if key is None:
        abort(404)
    return storage().send(key, f"awardee-{application_id}.{key.rsplit('.', 1)[1]}")
