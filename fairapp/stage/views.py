"""The stage's pages, fair staff only (staff_fair_or_404: 403 for the fair's judges and chair, 404 for
anyone with no role in it and for a fair that does not exist; anonymous people go to the login page):

- the projector page: every slide in the page, the current one shown; static/js/stage.js polls the state
  every 700 ms and shows the slide it names without reloading (a lost network changes nothing shown);
- the state (JSON): the current index and the number of slides;
- the control page (the master of ceremonies' phone): Next / Back, every slide to jump to, and beside each
  awardee whether its certificate is printed, with the way to its page; its POST moves the shared position;
- an awardee's photo (its booth application's, with its maker's consent to public pages).
"""
from __future__ import annotations

from flask import abort, jsonify, redirect, render_template, request, url_for
from flask_login import login_required

from ..core.i18n import locale_code, use_thai_digits
from ..core.storage import storage
from ..fairs.access import staff_fair_or_404
from . import operations, queries
from .blueprint import bp

NO_STORE = {"Cache-Control": "no-store"}


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
        operations.move(fair, action, len(queries.slides(fair, photos=False)), to)
        return redirect(url_for(".control", fair_id=fair.id, _anchor="now"), 303)
    use_thai_digits(fair.thai_numerals)
    slides = queries.slides(fair, photos=False, prints=True)
    return render_template("stage/control.html", fair=fair, slides=slides, lang=locale_code(),
                           index=queries.current_index(fair, len(slides)))


@bp.get("/fairs/<int:fair_id>/stage/photo/<int:application_id>")
@login_required
def photo(fair_id: int, application_id: int):
    fair = staff_fair_or_404(fair_id)
    key = queries.photo_key(fair, application_id)
    if key is None:
        abort(404)
    return storage().send(key, f"awardee-{application_id}.{key.rsplit('.', 1)[1]}")
