"""Judges' pages: the dashboard, the scoring page (autosave, offline queue, plain-form fallback), the
nomination's evidence, and declaring a conflict of interest.

Who gets in (access.py): a judge of the fair reaches only the nominations assigned to them and not
conflicted. Everyone else, staff and admins included (they do not score), gets 404, as if the assignment
did not exist.
"""
from __future__ import annotations

import re

from flask import flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..core.errors import envelope
from ..core.forms import form_csrf
from ..core.i18n import locale_code, use_thai_digits
from ..core.time import today_local
from ..core.transaction import attempt
from ..nominations.models import SECTION_LABELS, Evidence
from ..nominations.views_evidence import send_evidence, send_thumb
from . import access, queries
from . import operations as ops
from .blueprint import bp
from .forms_judge import COMMENT_MAX, ConflictForm, ScoresForm
from .models import Assignment
from .scoring import running_total

CLIENT_ID = re.compile(r"[A-Za-z0-9_-]{8,64}")


@bp.get("/fairs/<int:fair_id>/judging")
@login_required
def judge_dashboard(fair_id: int):
    """My assignments per category, how many are scored, and the days left before judging closes.

    Five queries whatever the number of assignments.
    """
    fair = access.judge_fair_or_404(fair_id)
    use_thai_digits(fair.thai_numerals)
    groups, total, scored = queries.judge_dashboard(current_user, fair.id, locale_code())
    return render_template("judging/judge_dashboard.html", fair=fair, groups=groups, total=total, scored=scored,
                           days_left=(fair.judging_closes - today_local()).days)


# ---- the scoring page ----

def _render_scoring(assignment: Assignment, *, form: ScoresForm, values: dict | None = None,
                    errors: dict | None = None, status: int = 200):
    nomination = assignment.nomination
    category = nomination.category
    rubric = queries.rubric_with_criteria(category.id)
    criteria = list(rubric.criteria) if rubric else []
    if values is None:
        scores = queries.scores_of(assignment)
        values = {c.id: {"value": scores[c.id].value if c.id in scores else None,
                         "comment": scores[c.id].comment if c.id in scores else ""} for c in criteria}
    sheet = {cid: v["value"] for cid, v in values.items() if v["value"] is not None}
    previous_id, next_id, position, count = queries.neighbours(current_user, assignment)
    can_score = access.can_score(rubric)
    panel = queries.panel(nomination, criteria, current_user.id) if rubric is not None and rubric.scores_open \
        else None
    sections = [(key, SECTION_LABELS.get(key, key), (nomination.narratives or {}).get(key) or "")
                for key in category.sections]
    in_scale = {c.id: sheet[c.id] for c in criteria if c.scale_min <= sheet.get(c.id, c.scale_min - 1) <= c.scale_max}
    total = running_total(in_scale, queries.scoring_criteria(criteria))  # what the form would save
    body = render_template(
        "judging/judge_score.html", assignment=assignment, nomination=nomination, category=category,
        fair=category.fair, rubric=rubric, criteria=criteria, values=values, errors=errors or {}, form=form,
        total=total, complete=bool(criteria) and len(sheet) == len(criteria), scored=len(sheet),
        evidence=queries.evidence_of(nomination), previous_id=previous_id, next_id=next_id, position=position,
        count=count, read_only=not can_score, can_score=can_score, panel=panel, sections=sections)
    return body, status


@bp.route("/judging/assignments/<int:assignment_id>", methods=["GET", "POST"])
@login_required
@form_csrf
def score_page(assignment_id: int):
    """The nomination beside the rubric. POST (no JavaScript): every criterion at once, all or nothing."""
    assignment = access.assignment_or_404(assignment_id)
    use_thai_digits(assignment.nomination.category.fair.thai_numerals)
    form = ScoresForm()
    if request.method == "GET":
        return _render_scoring(assignment, form=form)
    rubric = queries.rubric_with_criteria(assignment.nomination.category_id)
    values, unreadable = form.sheet(rubric.criteria if rubric else [])
    if not form.validate():
        return _render_scoring(assignment, form=form, values=values, errors=unreadable, status=400)
    with attempt(form) as done:
        changed = ops.record_scores(assignment, values, current_user, unreadable=unreadable)
    if done:
        flash(_("บันทึกคะแนนแล้ว") if changed else _("ไม่มีคะแนนที่เปลี่ยน"), "success")
        return redirect(url_for("judging.score_page", assignment_id=assignment.id), code=303)
    return _render_scoring(assignment, form=form, values=values, errors=getattr(done.error, "errors", {}),
                           status=400)


@bp.post("/judging/assignments/<int:assignment_id>/scores")
@login_required
def save_score(assignment_id: int):
    """Autosave one score: JSON {criterion_id, value, comment, client_id} ->
    {ok: true, total, scored, criteria, message, client_id, criterion_id}.

    `total` is the server's weighted total of the sheet so far (scoring.running_total), which the page's
    live total must match. Failures are the one envelope {ok: false, code, message}: 400 for what can
    never succeed as sent (unreadable, unknown criterion, out of scale, missing comment), 409 for a rule
    (finalized, conflicted, not assigned); 401 (core) without a session. Sending the same score again
    changes nothing (no new audit entry), so a queue resent after a network drop is harmless.
    """
    assignment = access.assignment_or_404(assignment_id)
    data = request.get_json(silent=True)
    unreadable = _("ข้อมูลคะแนนอ่านไม่ได้")
    if not isinstance(data, dict):
        return envelope("unreadable", unreadable, 400)
    criterion_id, value = data.get("criterion_id"), data.get("value")
    comment, client_id = data.get("comment") or "", data.get("client_id")
    if client_id is not None and (not isinstance(client_id, str) or not CLIENT_ID.fullmatch(client_id)):
        return envelope("unreadable", unreadable, 400)
    extra = {"client_id": client_id, "criterion_id": criterion_id}
    if not isinstance(comment, str) or len(comment) > COMMENT_MAX:
        return envelope("unreadable", unreadable, 400, **extra)
    criterion = access.criterion_of(assignment, criterion_id)
    if criterion is None:
        return envelope("unknown_criterion", _("ไม่พบเกณฑ์นี้ในแบบประเมินของประเภทรางวัลนี้"), 400, **extra)
    ops.record_score(assignment, criterion, value, comment, current_user)
    sheet = queries.sheet(assignment)
    criteria = criterion.rubric.criteria
    return jsonify(ok=True, total=running_total(sheet, queries.scoring_criteria(criteria)), scored=len(sheet),
                   criteria=len(criteria), message=_("บันทึกแล้ว"), **extra)


# ---- evidence ----

@bp.get("/judging/assignments/<int:assignment_id>/evidence/<int:evidence_id>")
@login_required
def evidence_file(assignment_id: int, evidence_id: int):
    """A photo or PDF of the nomination, for its judge only (same safe headers as the nominators' route)."""
    assignment = access.assignment_or_404(assignment_id)
    return send_evidence(access.get_or_404(Evidence, evidence_id, parent=assignment.nomination))


@bp.get("/judging/assignments/<int:assignment_id>/evidence/<int:evidence_id>/thumb")
@login_required
def evidence_thumb(assignment_id: int, evidence_id: int):
    assignment = access.assignment_or_404(assignment_id)
    return send_thumb(access.get_or_404(Evidence, evidence_id, parent=assignment.nomination))


# ---- conflict of interest ----

@bp.route("/judging/assignments/<int:assignment_id>/conflict", methods=["GET", "POST"])
@login_required
@form_csrf
def declare_conflict(assignment_id: int):
    """Confirm, with a reason, that the judge has a conflict: the nomination leaves their list."""
    assignment = access.assignment_or_404(assignment_id)
    nomination = assignment.nomination
    use_thai_digits(nomination.category.fair.thai_numerals)
    form = ConflictForm()
    if form.validate_on_submit():
        with attempt(form) as done:
            ops.declare_conflict(current_user, nomination, form.reason.data, current_user)
        if done:
            flash(_("บันทึกการมีส่วนได้เสียแล้ว การเสนอชื่อนี้จะไม่แสดงในรายการของท่านอีก"), "success")
            return redirect(url_for("judging.judge_dashboard", fair_id=nomination.fair_id), code=303)
    status = 400 if request.method == "POST" else 200
    return render_template("judging/judge_conflict.html", assignment=assignment, nomination=nomination,
                           form=form, fair=nomination.category.fair), status
