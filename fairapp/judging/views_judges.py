"""The fair's judges and their affiliations (for institutional conflicts): the chair and admins set them,
the fair's staff read them."""
from __future__ import annotations

import re

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..core.http import safe_id
from ..core.i18n import locale_code, use_thai_digits
from ..core.transaction import attempt
from . import access, queries
from . import operations as ops
from .blueprint import bp


_CHOSEN = re.compile(r"#\s*(\d+)\s*$")  # "ชื่อองค์กร · #123" (the list's choice) or "#123"


def _affiliations_sent(fair_id: int) -> dict[int, int | None]:
    """judge id -> organization id (None: left empty) from the form: a choice of the list ("name · #id"),
    "#id" or a bare id; 400 for anything else (a name typed but not chosen is not guessed).

    Only the judges whose field the form sent (the page's judges: the list comes in pages) change; the
    others keep their affiliation. A field naming someone who is not a judge of the fair is refused by
    set_affiliations."""
    sent = {}
    for name in request.form:
        if not name.startswith("affiliation-"):
            continue
        user_id = safe_id(name.removeprefix("affiliation-"))
        if user_id is None:
            abort(400)
        value = request.form.get(name, "").strip()
        chosen = _CHOSEN.search(value)
        org_id = safe_id(chosen.group(1) if chosen else value)
        if value and org_id is None:
            abort(400)
        sent[user_id] = org_id
    return sent


def _query() -> str:
    return (request.args.get("q") or "").strip()[:100]


@bp.route("/judging/fairs/<int:fair_id>/judges", methods=["GET", "POST"])
@login_required
def judges(fair_id: int):
    """The fair's judges and their affiliations (for institutional conflicts), 50 to a page (?page=N),
    searched by name or email (?q=); a save comes back to the same page and search."""
    fair = access.chair_fair_or_404(fair_id, change=request.method == "POST")
    use_thai_digits(fair.thai_numerals)
    if request.method == "POST":
        affiliations = _affiliations_sent(fair.id)
        with attempt() as done:
            changed = ops.set_affiliations(fair, affiliations, current_user)
        if done:
            flash(_("บันทึกสังกัดของกรรมการแล้ว (%(n)d ท่าน)", n=changed), "success")
        kept = {k: v for k, v in request.args.items() if k in ("q", "page") and v}
        return redirect(url_for("judging.judges", fair_id=fair.id, **kept))
    return render_judges(fair)


def render_judges(fair, invite_form=None) -> str:
    """The judges page: affiliations (one page, searched) and, for the chair and admins, the "invite a
    judge" form (kept as typed after an error) and the open invitations (views_invitations)."""
    from .invitations import open_invitations
    from .views_invitations import JudgeInviteForm

    can_change = access.can_chair(fair.id)
    page = queries.affiliation_page(fair.id, _query())
    page["people"].endpoint = "judging.judges"  # the pager's links, also under the invite form's address
    kept = {k: v for k, v in request.args.items() if k in ("q", "page") and v}
    return render_template("judging/chair_judges.html", fair=fair, can_change=can_change,
                           judges_url=url_for("judging.judges", fair_id=fair.id, **kept),
                           invite_form=invite_form or (JudgeInviteForm() if can_change else None),
                           invitations=open_invitations(fair.id) if can_change else [], **page)


@bp.get("/judging/fairs/<int:fair_id>/judges/search")
@login_required
def judge_search(fair_id: int):
    """The pickers' search: up to 20 of the fair's judges whose name or email holds ?q= (JSON)."""
    fair = access.chair_fair_or_404(fair_id)
    found = queries.judge_search(fair.id, _query())
    return jsonify({"ok": True, "results": [{"id": u.id, "label": f"{u.full_name} · #{u.id}"} for u in found]})


@bp.get("/judging/fairs/<int:fair_id>/organizations/search")
@login_required
def organization_search(fair_id: int):
    """The affiliation picker's search: up to 20 organizations whose name holds ?q= or numbered ?q=#id."""
    access.chair_fair_or_404(fair_id)
    lang = locale_code()
    found = queries.organization_search(_query())
    return jsonify({"ok": True, "results": [{"id": o.id, "label": f"{o.name(lang)} · #{o.id}"} for o in found]})


from . import views_invitations  # noqa: E402,F401  (its routes: the chair's invitations and the link)
