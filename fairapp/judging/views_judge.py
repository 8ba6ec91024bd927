"""Judges' pages: the dashboard, the scoring page (autosave, offline queue, plain-form fallback), the
nomination's evidence, and declaring a conflict of interest.

Who gets in: a judge of the fair (FairRole "judge") reaches only the nominations assigned to them and not
conflicted (operations.visible_nominations). Everyone else, staff and admins included (they do not
score), gets 404, as if the assignment did not exist.
"""
from __future__ import annotations

import re

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload
from wtforms import TextAreaField

from ..accounts.models import Organization, User
from ..core.errors import DomainError
from ..core.forms import BaseForm, form_csrf, length, required
from ..core.i18n import locale_code, use_thai_digits
from ..core.time import today_local
from ..core.transaction import commit, rollback
from ..extensions import db
from ..fairs.models import Fair
from ..nominations.models import SECTION_LABELS, Category, Evidence, Nomination
from ..nominations.views_evidence import send_evidence, send_thumb
from . import operations as ops
from .blueprint import bp
from .models import Assignment, Criterion, Rubric, Score
from .scoring import Criterion as ScoringCriterion
from .scoring import judge_total

CLIENT_ID = re.compile(r"[A-Za-z0-9_-]{8,64}")
COMMENT_MAX = 2000


class ScoresForm(BaseForm):
    """The plain (no JavaScript) scoring form: its criteria are read from request.form by name
    (score-<criterion id>, comment-<criterion id>); the form itself checks the CSRF token."""


class ConflictForm(BaseForm):
    reason = TextAreaField(_l("เหตุผลที่มีส่วนได้เสีย"), [required(_l("กรุณาระบุเหตุผล")), length(1000)],
                           description=_l("เช่น เคยเป็นที่ปรึกษาขององค์กรนี้ หรือสังกัดเดียวกับผู้ถูกเสนอชื่อ"))


# ---- loading and access ----

def judge_fair_or_404(fair_id: int) -> Fair:
    fair = db.session.get(Fair, fair_id)
    if fair is None or not current_user.has_fair_role(fair.id, "judge"):
        abort(404)
    use_thai_digits(fair.thai_numerals)
    return fair


def assignment_or_404(assignment_id: int) -> Assignment:
    """The current user's own assignment, still a judge of the fair, and not conflicted; else 404."""
    assignment = db.session.get(Assignment, assignment_id)
    if assignment is None or assignment.judge_id != current_user.id:
        abort(404)
    nomination = assignment.nomination
    if not current_user.has_fair_role(nomination.fair_id, "judge"):
        abort(404)
    visible = ops.visible_nominations(current_user).where(Nomination.id == nomination.id)
    if db.session.scalar(visible.with_only_columns(Nomination.id, maintain_column_froms=True)) is None:
        abort(404)
    use_thai_digits(nomination.category.fair.thai_numerals)
    return assignment


def _rubric(nomination: Nomination) -> Rubric | None:
    return db.session.scalar(select(Rubric).where(Rubric.category_id == nomination.category_id)
                             .options(selectinload(Rubric.criteria)))


def _scoring_criteria(criteria) -> list[ScoringCriterion]:
    return [ScoringCriterion(c.id, c.weight, c.scale_min, c.scale_max) for c in criteria]


def running_total(criteria, sheet: dict[int, int]) -> float:
    """The weighted total of what is scored so far (0..100): sum weight * (v - min) / (max - min)."""
    total = 0.0
    for c in criteria:
        value = sheet.get(c.id)
        if value is not None:
            total += c.weight * (value - c.scale_min) / (c.scale_max - c.scale_min)
    return round(total, 2)


# ---- the dashboard ----

@bp.get("/fairs/<int:fair_id>/judging")
@login_required
def judge_dashboard(fair_id: int):
    """My assignments per category, how many are scored, and the days left before judging closes.

    Five queries whatever the number of assignments.
    """
    fair = judge_fair_or_404(fair_id)
    lang = locale_code()
    rows = db.session.execute(
        ops.visible_nominations(current_user)
        .with_only_columns(Assignment.id, Nomination.id, Nomination.category_id, Nomination.community_name,
                           Organization.name_th, Organization.name_en, maintain_column_froms=True)
        .outerjoin(Organization, Organization.id == Nomination.nominee_org_id)
        .where(Nomination.fair_id == fair.id)
        .order_by(Nomination.category_id, Nomination.id)).all()
    category_ids = sorted({r[2] for r in rows})
    categories = {c.id: c for c in db.session.scalars(select(Category).where(Category.id.in_(category_ids)))}
    rubric_rows = db.session.execute(
        select(Rubric.category_id, Rubric.finalized_at, func.count(Criterion.id))
        .outerjoin(Criterion, Criterion.rubric_id == Rubric.id)
        .where(Rubric.category_id.in_(category_ids)).group_by(Rubric.id)).all()
    criteria_count = {cat: n for cat, _f, n in rubric_rows}
    finalized = {cat for cat, f, _n in rubric_rows if f is not None}
    scored_counts = dict(db.session.execute(
        select(Score.assignment_id, func.count(Score.id)).join(Assignment, Assignment.id == Score.assignment_id)
        .where(Assignment.judge_id == current_user.id, Assignment.id.in_([r[0] for r in rows]))
        .group_by(Score.assignment_id)).all())

    groups = []
    by_category: dict[int, dict] = {}
    for assignment_id, nomination_id, category_id, community, org_th, org_en in rows:
        group = by_category.get(category_id)
        if group is None:
            category = categories[category_id]
            group = {"category": category, "name": category.name(lang), "items": [], "scored": 0,
                     "criteria": criteria_count.get(category_id, 0), "finalized": category_id in finalized}
            by_category[category_id] = group
            groups.append(group)
        done = scored_counts.get(assignment_id, 0)
        complete = group["criteria"] > 0 and done >= group["criteria"]
        name = ((org_en or org_th) if lang == "en" else org_th) if org_th else (community or "")
        group["items"].append({"assignment_id": assignment_id, "nomination_id": nomination_id, "name": name,
                               "done": done, "complete": complete})
        group["scored"] += complete
    total = sum(len(g["items"]) for g in groups)
    scored = sum(g["scored"] for g in groups)
    days_left = (fair.judging_closes - today_local()).days
    return render_template("judging/judge_dashboard.html", fair=fair, groups=groups, total=total, scored=scored,
                           days_left=days_left)


# ---- the scoring page ----

def _neighbours(assignment: Assignment) -> tuple[int | None, int | None, int, int]:
    """(previous assignment id, next assignment id, position, count) in the judge's list for the category."""
    ids = db.session.scalars(
        ops.visible_nominations(current_user, assignment.nomination.category_id)
        .with_only_columns(Assignment.id, maintain_column_froms=True).order_by(Nomination.id)).all()
    try:
        i = ids.index(assignment.id)
    except ValueError:
        return None, None, 0, len(ids)
    return (ids[i - 1] if i > 0 else None, ids[i + 1] if i + 1 < len(ids) else None, i + 1, len(ids))


def _panel(nomination: Nomination, criteria) -> list[dict]:
    """Each judge's total for the nomination (only once the chair has opened the scores)."""
    rows = db.session.execute(
        select(Assignment.judge_id, User.title, User.first_name, User.last_name, Score.criterion_id, Score.value)
        .join(User, User.id == Assignment.judge_id)
        .outerjoin(Score, Score.assignment_id == Assignment.id)
        .where(Assignment.nomination_id == nomination.id)
        .order_by(Assignment.judge_id)).all()
    sheets: dict[int, dict] = {}
    for judge_id, title, first, last, criterion_id, value in rows:
        entry = sheets.setdefault(judge_id, {"name": f"{title or ''}{first or ''} {last or ''}".strip(),
                                             "sheet": {}, "me": judge_id == current_user.id})
        if criterion_id is not None:
            entry["sheet"][criterion_id] = value
    scoring = _scoring_criteria(criteria)
    return [{"name": e["name"], "me": e["me"], "total": judge_total(e["sheet"], scoring)} for e in sheets.values()]


def _render_scoring(assignment: Assignment, *, form: ScoresForm, values: dict | None = None,
                    errors: dict | None = None, status: int = 200):
    nomination = assignment.nomination
    category = nomination.category
    rubric = _rubric(nomination)
    criteria = list(rubric.criteria) if rubric else []
    scores = {s.criterion_id: s for s in db.session.scalars(
        select(Score).where(Score.assignment_id == assignment.id))}
    if values is None:
        values = {c.id: {"value": scores[c.id].value if c.id in scores else None,
                         "comment": scores[c.id].comment if c.id in scores else ""} for c in criteria}
    sheet = {cid: v["value"] for cid, v in values.items() if v["value"] is not None}
    evidence = db.session.scalars(select(Evidence).where(Evidence.nomination_id == nomination.id)
                                  .order_by(Evidence.id)).all()
    previous_id, next_id, position, count = _neighbours(assignment)
    read_only = rubric is None or rubric.finalized
    panel = _panel(nomination, criteria) if rubric is not None and rubric.scores_open else None
    sections = [(key, SECTION_LABELS.get(key, key), (nomination.narratives or {}).get(key) or "")
                for key in category.sections]
    body = render_template(
        "judging/judge_score.html", assignment=assignment, nomination=nomination, category=category,
        fair=category.fair, rubric=rubric, criteria=criteria, values=values, errors=errors or {}, form=form,
        total=running_total(criteria, sheet), complete=bool(criteria) and len(sheet) == len(criteria),
        scored=len(sheet), evidence=evidence, previous_id=previous_id, next_id=next_id, position=position,
        count=count, read_only=read_only, panel=panel, sections=sections)
    return body, status


def _parse_form(criteria) -> tuple[dict, dict]:
    """What the plain form sent per criterion ({value, comment}), and the errors of its shape."""
    values, errors = {}, {}
    for c in criteria:
        raw = (request.form.get(f"score-{c.id}") or "").strip()
        comment = (request.form.get(f"comment-{c.id}") or "")[:COMMENT_MAX]
        value = None
        if raw:
            try:
                value = int(raw)
            except ValueError:
                errors[c.id] = str(ops.ScoreOutOfScale(min=c.scale_min, max=c.scale_max))
        values[c.id] = {"value": value, "comment": comment}
    return values, errors


@bp.route("/judging/assignments/<int:assignment_id>", methods=["GET", "POST"])
@login_required
@form_csrf
def score_page(assignment_id: int):
    """The nomination beside the rubric. POST (no JavaScript): every criterion at once, all or nothing."""
    assignment = assignment_or_404(assignment_id)
    form = ScoresForm()
    if request.method == "GET":
        return _render_scoring(assignment, form=form)

    rubric = _rubric(assignment.nomination)
    criteria = list(rubric.criteria) if rubric else []
    values, errors = _parse_form(criteria)
    if not form.validate():
        return _render_scoring(assignment, form=form, values=values, errors=errors, status=400)
    if rubric is None or rubric.finalized:
        flash(str(ops.CategoryFinalized()), "error")
        return redirect(url_for("judging.score_page", assignment_id=assignment.id), code=303)
    existing = {s.criterion_id: s for s in assignment.scores}
    changed = 0
    for c in criteria:
        v = values[c.id]
        if c.id in errors or v["value"] is None:
            continue
        old = existing.get(c.id)
        if old is not None and old.value == v["value"] and (old.comment or "") == v["comment"].strip():
            continue
        try:
            ops.record_score(assignment, c, v["value"], v["comment"], current_user)
            changed += 1
        except DomainError as exc:
            errors[c.id] = str(exc)
    if errors:
        rollback()
        form.form_errors.append(_("ยังไม่ได้บันทึก: กรุณาแก้ไขเกณฑ์ที่มีข้อความแจ้งด้านล่าง แล้วบันทึกอีกครั้ง"))
        assignment = assignment_or_404(assignment_id)
        return _render_scoring(assignment, form=form, values=values, errors=errors, status=400)
    commit()
    flash(_("บันทึกคะแนนแล้ว") if changed else _("ไม่มีคะแนนที่เปลี่ยน"), "success")
    return redirect(url_for("judging.score_page", assignment_id=assignment.id), code=303)


def _json_error(message: str, status: int, **extra):
    return jsonify(ok=False, message=message, **extra), status


@bp.post("/judging/assignments/<int:assignment_id>/scores")
@login_required
def save_score(assignment_id: int):
    """Autosave one score: JSON {criterion_id, value, comment, client_id} -> {ok, total, message}.

    400 for what can never succeed as sent (out of scale, missing comment, unreadable); 409 when the
    category is finalized or the judge is conflicted. Sending the same score again changes nothing (no
    new audit entry), so a queue resent after a network drop is harmless.
    """
    assignment = assignment_or_404(assignment_id)
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        return _json_error(_("ข้อมูลคะแนนอ่านไม่ได้"), 400)
    criterion_id, value = data.get("criterion_id"), data.get("value")
    comment, client_id = data.get("comment") or "", data.get("client_id")
    if client_id is not None and (not isinstance(client_id, str) or not CLIENT_ID.fullmatch(client_id)):
        return _json_error(_("ข้อมูลคะแนนอ่านไม่ได้"), 400)
    extra = {"client_id": client_id, "criterion_id": criterion_id}
    if (not isinstance(criterion_id, int) or isinstance(criterion_id, bool) or not isinstance(comment, str)
            or len(comment) > COMMENT_MAX):
        return _json_error(_("ข้อมูลคะแนนอ่านไม่ได้"), 400, **extra)
    nomination = assignment.nomination
    criterion = db.session.get(Criterion, criterion_id)
    if criterion is None or criterion.rubric.category_id != nomination.category_id:
        return _json_error(_("ไม่พบเกณฑ์นี้ในแบบประเมินของประเภทรางวัลนี้"), 400, **extra)
    if isinstance(value, bool) or not isinstance(value, int):
        return _json_error(str(ops.ScoreOutOfScale(min=criterion.scale_min, max=criterion.scale_max)), 400,
                           **extra)
    rubric = criterion.rubric
    old = db.session.scalar(select(Score).where(Score.assignment_id == assignment.id,
                                                Score.criterion_id == criterion.id))
    try:
        ops.ensure_open(rubric)
        if old is None or old.value != value or (old.comment or "") != comment.strip():
            ops.record_score(assignment, criterion, value, comment, current_user)
        commit()
    except (ops.CategoryFinalized, ops.ConflictOfInterest, ops.NotAssigned) as exc:
        rollback()
        return _json_error(str(exc), 409, **extra)
    except DomainError as exc:
        rollback()
        return _json_error(str(exc), 400, **extra)
    sheet = dict(db.session.execute(select(Score.criterion_id, Score.value)
                                    .where(Score.assignment_id == assignment.id)).all())
    criteria = rubric.criteria
    return jsonify(ok=True, total=running_total(criteria, sheet), scored=len(sheet), criteria=len(criteria),
                   message=_("บันทึกแล้ว"), **extra)


# ---- evidence ----

def _evidence_or_404(assignment: Assignment, evidence_id: int) -> Evidence:
    evidence = db.session.get(Evidence, evidence_id)
    if evidence is None or evidence.nomination_id != assignment.nomination_id:
        abort(404)
    return evidence


@bp.get("/judging/assignments/<int:assignment_id>/evidence/<int:evidence_id>")
@login_required
def evidence_file(assignment_id: int, evidence_id: int):
    """A photo or PDF of the nomination, for its judge only (same safe headers as the nominators' route)."""
    assignment = assignment_or_404(assignment_id)
    return send_evidence(_evidence_or_404(assignment, evidence_id))


@bp.get("/judging/assignments/<int:assignment_id>/evidence/<int:evidence_id>/thumb")
@login_required
def evidence_thumb(assignment_id: int, evidence_id: int):
    assignment = assignment_or_404(assignment_id)
    return send_thumb(_evidence_or_404(assignment, evidence_id))


# ---- conflict of interest ----

@bp.route("/judging/assignments/<int:assignment_id>/conflict", methods=["GET", "POST"])
@login_required
@form_csrf
def declare_conflict(assignment_id: int):
    """Confirm, with a reason, that the judge has a conflict: the nomination leaves their list."""
    assignment = assignment_or_404(assignment_id)
    nomination = assignment.nomination
    fair_id = nomination.fair_id
    form = ConflictForm()
    if request.method == "POST" and form.validate():
        try:
            ops.declare_conflict(current_user, nomination, form.reason.data, current_user)
            commit()
        except DomainError as exc:
            rollback()
            form.form_errors.append(str(exc))
        else:
            flash(_("บันทึกการมีส่วนได้เสียแล้ว การเสนอชื่อนี้จะไม่แสดงในรายการของท่านอีก"), "success")
            return redirect(url_for("judging.judge_dashboard", fair_id=fair_id), code=303)
        assignment = assignment_or_404(assignment_id)
        nomination = assignment.nomination
    status = 400 if request.method == "POST" else 200
    return render_template("judging/judge_conflict.html", assignment=assignment, nomination=nomination,
                           form=form, fair=nomination.category.fair), status

