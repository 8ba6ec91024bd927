"""The chair's judging pages: a category's rubric, assignments and conflicts, judges' affiliations, the
chair's page (progress, reminders, the spread with its plot, raw and normalized means, the ranking that
finalizing would freeze, the audit chain), finalize/reopen, the minutes PDF, results exports, and the
public results page.

Who gets what (404 for a category or fair that does not exist; anonymous users go to the login page):
- the chair of the category's fair and admins: everything.
- the fair's staff: every page to read (rubric, assignments, chair page, minutes, exports), and 403 on
  every change (rubric, assignments, conflicts, reminders, open scores, finalize, reopen, affiliations).
- anyone else signed in (judges, organization members, another fair's chair): 403.
- the public results page: anyone, finalized categories only.
"""
from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..accounts.models import Organization, User
from ..core import audit
from ..core.http import safe_id
from ..core.errors import DomainError
from ..core.forms import form_csrf
from ..core.i18n import use_thai_digits
from ..core.mail import queue_mail
from ..core.tables import to_csv, to_xlsx
from ..core.thai import sort_key
from ..core.time import today_local
from ..core.transaction import commit, rollback
from ..extensions import db
from ..fairs.models import Fair, FairRole
from ..nominations.models import Category, Nomination, NominationStatus
from . import operations as ops
from .blueprint import bp
from .forms_chair import BLANK_ROWS, RubricForm, descriptors_text, parse_descriptors
from .minutes import nominations_by_id, render_minutes, result_rows, results_table
from .models import Assignment, AwardLevel, Conflict, Criterion, JudgeProfile, Rubric, TieBreakRule
from .scoring import panel_totals, spread

WHY = {"nominee": _("สังกัดของกรรมการคือผู้ถูกเสนอชื่อ"), "nominator": _("สังกัดของกรรมการคือผู้เสนอชื่อ")}


# ---- access ----

def is_chair(fair_id: int) -> bool:
    return bool(current_user.is_admin or "chair" in current_user.roles_in(fair_id))


def may_view(fair_id: int) -> bool:
    return is_chair(fair_id) or current_user.has_fair_role(fair_id, "staff")


def category_or_404(category_id: int, *, change: bool = False) -> Category:
    """The category, for its fair's chair and admins (and, to read, its staff); 403 for anyone else."""
    category = db.session.get(Category, category_id)
    if category is None:
        abort(404)
    if not (is_chair(category.fair_id) if change else may_view(category.fair_id)):
        abort(403)
    use_thai_digits(category.fair.thai_numerals)
    return category


def rubric_of(category: Category, create: bool = False) -> Rubric | None:
    rubric = db.session.scalar(select(Rubric).where(Rubric.category_id == category.id))
    if rubric is None and create:
        rubric = Rubric(category_id=category.id, judges_per_nomination=3, ranking="raw")
        db.session.add(rubric)
        db.session.flush()
    return rubric


def rubric_or_redirect(category: Category):
    rubric = rubric_of(category)
    if rubric is None:
        flash(_("ประเภทรางวัลนี้ยังไม่มีเกณฑ์การตัดสิน กรุณาตั้งเกณฑ์ก่อน"), "warning")
    return rubric


def _done(message: str, category_id: int, endpoint: str = "judging.chair", kind: str = "success"):
    commit()
    flash(message, kind)
    return redirect(url_for(endpoint, category_id=category_id))


def _refused(error: DomainError, category_id: int, endpoint: str = "judging.chair"):
    rollback()
    flash(str(error), "error")
    return redirect(url_for(endpoint, category_id=category_id))


# ---- the rubric ----

def rubric_snapshot(rubric: Rubric) -> dict:
    return {"judges_per_nomination": rubric.judges_per_nomination, "ranking": rubric.ranking,
            "criteria": [{"id": c.id, "name": c.name_th, "weight": c.weight, "min": c.scale_min,
                          "max": c.scale_max, "descriptors": c.descriptors} for c in rubric.criteria],
            "levels": [[lv.min_score, lv.name_th] for lv in rubric.levels],
            "tie_rules": [{"kind": r.kind, "criterion": r.criterion_id, "threshold": r.threshold,
                           "chair_order": r.chair_order, "chair_reason": r.chair_reason} for r in rubric.tie_rules]}


def _rubric_data(rubric: Rubric | None) -> dict:
    if rubric is None:
        return {"judges_per_nomination": 3, "ranking": "raw",
                "criteria": [{"scale_min": 1, "scale_max": 5}] * (BLANK_ROWS + 1),
                "levels": [{}] * (BLANK_ROWS + 1), "tie_rules": [{}] * (BLANK_ROWS + 1)}
    numbers = {c.id: str(i + 1) for i, c in enumerate(rubric.criteria)}
    criteria = [{"id": str(c.id), "name_th": c.name_th, "weight": c.weight, "scale_min": c.scale_min,
                 "scale_max": c.scale_max, "descriptors": descriptors_text(c.descriptors)} for c in rubric.criteria]
    rules = []
    for r in rubric.tie_rules:
        order = sorted((r.chair_order or {}).items(), key=lambda kv: kv[1])
        rules.append({"kind": r.kind, "criterion": numbers.get(r.criterion_id, ""), "threshold": r.threshold,
                      "chair_order": ", ".join(k for k, _v in order), "chair_reason": r.chair_reason or ""})
    return {"judges_per_nomination": rubric.judges_per_nomination, "ranking": rubric.ranking,
            "criteria": criteria + [{}] * BLANK_ROWS,
            "levels": [{"min_score": lv.min_score, "name_th": lv.name_th} for lv in rubric.levels] + [{}] * BLANK_ROWS,
            "tie_rules": rules + [{}] * BLANK_ROWS}


def _save_rubric(rubric: Rubric, form: RubricForm) -> None:
    rubric.judges_per_nomination = form.judges_per_nomination.data
    rubric.ranking = form.ranking.data
    existing = {c.id: c for c in rubric.criteria}
    kept, by_number = [], {}
    for i, row in enumerate(form.criteria):
        if not (row.name_th.data or "").strip():
            continue
        cid = int(row.form.id.data) if (row.form.id.data or "").isdigit() else None
        criterion = existing.get(cid) or Criterion()
        descriptors, _bad = parse_descriptors(row.descriptors.data)
        criterion.name_th = row.name_th.data.strip()
        criterion.weight = row.weight.data
        criterion.scale_min, criterion.scale_max = row.scale_min.data, row.scale_max.data
        criterion.descriptors = descriptors
        criterion.position = len(kept)
        kept.append(criterion)
        by_number[str(i + 1)] = criterion
    rubric.criteria = kept  # a criterion left out goes (delete-orphan), with its scores
    rubric.levels = [AwardLevel(min_score=row.min_score.data, name_th=row.name_th.data.strip())
                     for row in form.levels if (row.name_th.data or "").strip()]
    db.session.flush()
    rules = []
    for row in form.tie_rules:
        kind = row.kind.data
        if not kind:
            continue
        rule = TieBreakRule(kind=kind, position=len(rules))
        if kind == "criterion":
            rule.criterion_id = by_number[row.criterion.data].id
        elif kind == "judges_above":
            rule.threshold = row.threshold.data
        else:
            rule.chair_order = {str(n): i + 1 for i, n in enumerate(form.chair_order(row))}
            rule.chair_reason = row.chair_reason.data.strip()
        rules.append(rule)
    rubric.tie_rules = rules
    db.session.flush()


@bp.route("/judging/categories/<int:category_id>/rubric", methods=["GET", "POST"])
@login_required
@form_csrf
def rubric(category_id: int):
    """The category's rubric: the chair and admins edit it; the fair's staff read it."""
    category = category_or_404(category_id, change=request.method == "POST")
    rubric = rubric_of(category)
    nomination_ids = set(db.session.scalars(select(Nomination.id).where(Nomination.category_id == category.id)))
    form = RubricForm(data=None if request.method == "POST" else _rubric_data(rubric), nomination_ids=nomination_ids)
    if request.method == "POST" and rubric is not None and rubric.finalized:
        flash(str(ops.CategoryFinalized()), "error")
    elif form.validate_on_submit():
        rubric = rubric or rubric_of(category, create=True)
        before = rubric_snapshot(rubric)
        _save_rubric(rubric, form)
        after = rubric_snapshot(rubric)
        if after != before:
            audit.record("judging.rubric_changed", rubric, actor=current_user, fair_id=category.fair_id,
                         before=before, after=after)
        commit()
        flash(_("บันทึกเกณฑ์การตัดสินแล้ว"), "success")
        return redirect(url_for("judging.rubric", category_id=category.id))
    return render_template("judging/chair_rubric.html", category=category, fair=category.fair, rubric=rubric,
                           form=form, can_change=is_chair(category.fair_id)), \
        (400 if request.method == "POST" else 200)


# ---- assignments and conflicts ----

def _judges(fair_id: int) -> list[User]:
    users = db.session.scalars(select(User).join(FairRole, FairRole.user_id == User.id)
                               .where(FairRole.fair_id == fair_id, FairRole.role == "judge")).all()
    return sorted(users, key=lambda u: (sort_key(u.full_name), u.id))


@bp.get("/judging/categories/<int:category_id>/assignments")
@login_required
def assignments(category_id: int):
    category = category_or_404(category_id)
    fair = category.fair
    rubric = rubric_of(category)
    nominations = db.session.scalars(select(Nomination).where(
        Nomination.category_id == category.id, Nomination.status == NominationStatus.eligible)
        .options(selectinload(Nomination.nominee_org), selectinload(Nomination.nominator))
        .order_by(Nomination.id)).all()
    judges = _judges(fair.id)
    names = {u.id: u.full_name for u in judges}
    rows = db.session.scalars(select(Assignment).join(Nomination, Nomination.id == Assignment.nomination_id)
                              .where(Nomination.fair_id == fair.id)).all()
    per_nomination: dict[int, list[Assignment]] = {}
    load_here = dict.fromkeys(names, 0)
    load_fair = dict.fromkeys(names, 0)
    for a in rows:
        load_fair[a.judge_id] = load_fair.get(a.judge_id, 0) + 1
        if a.nomination.category_id == category.id:
            per_nomination.setdefault(a.nomination_id, []).append(a)
            load_here[a.judge_id] = load_here.get(a.judge_id, 0) + 1
    by_id = {n.id: n for n in nominations}
    detected = [(j, n, why) for j, n, why in ops.detected_conflicts(fair.id) if n in by_id]
    confirmed = db.session.scalars(select(Conflict).join(Nomination, Nomination.id == Conflict.nomination_id)
                                   .where(Nomination.category_id == category.id)).all()
    loads = list(load_fair.values())
    return render_template("judging/chair_assignments.html", category=category, fair=fair, rubric=rubric,
                           nominations=nominations, per_nomination=per_nomination, judges=judges, names=names,
                           load_here=load_here, load_fair=load_fair, detected=detected, why=WHY, by_id=by_id,
                           confirmed=confirmed, load_min=min(loads, default=0), load_max=max(loads, default=0),
                           can_change=is_chair(fair.id))


def _form_int(name: str) -> int:
    value = safe_id(request.form.get(name))
    if value is None:
        abort(400)
    return value


@bp.post("/judging/categories/<int:category_id>/assign")
@login_required
def auto_assign(category_id: int):
    category = category_or_404(category_id, change=True)
    rubric = rubric_of(category)
    if rubric is None:
        flash(_("ประเภทรางวัลนี้ยังไม่มีเกณฑ์การตัดสิน กรุณาตั้งเกณฑ์ก่อน"), "warning")
        return redirect(url_for("judging.rubric", category_id=category.id))
    try:
        result = ops.auto_assign(rubric, current_user)
    except DomainError as e:
        return _refused(e, category.id, "judging.assignments")
    commit()
    loads = list(result.loads.values())
    flash(_("มอบหมายเพิ่ม %(n)d คู่ ภาระงานของกรรมการอยู่ระหว่าง %(lo)d ถึง %(hi)d เรื่อง",
            n=len(result.pairs), lo=min(loads, default=0), hi=max(loads, default=0)), "success")
    if result.uncovered:
        noms = nominations_by_id(result.uncovered)
        for nid, (needed, available) in sorted(result.uncovered.items()):
            flash(_("%(name)s (#%(id)d) ต้องการกรรมการ %(needed)d ท่าน แต่มีกรรมการที่ไม่มีส่วนได้เสียเพียง "
                    "%(available)d ท่าน กรุณาเชิญกรรมการเพิ่มหรือลดจำนวนกรรมการต่อเรื่อง",
                    name=noms[nid].nominee_name() if nid in noms else "", id=nid, needed=needed,
                    available=available), "warning")
    return redirect(url_for("judging.assignments", category_id=category.id))


@bp.post("/judging/categories/<int:category_id>/assignments/add")
@login_required
def add_assignment(category_id: int):
    category = category_or_404(category_id, change=True)
    judge = db.session.get(User, _form_int("judge_id"))
    nomination = db.session.get(Nomination, _form_int("nomination_id"))
    if judge is None or nomination is None or nomination.category_id != category.id \
            or "judge" not in judge.roles_in(category.fair_id):
        abort(400)
    try:
        ops.add_assignment(judge, nomination, current_user)
    except DomainError as e:
        return _refused(e, category.id, "judging.assignments")
    return _done(_("มอบหมาย %(judge)s ให้ตัดสิน %(name)s แล้ว", judge=judge.full_name,
                   name=nomination.nominee_name()), category.id, "judging.assignments")


@bp.post("/judging/assignments/<int:assignment_id>/remove")
@login_required
def remove_assignment(assignment_id: int):
    assignment = db.session.get(Assignment, assignment_id)
    if assignment is None:
        abort(404)
    category = category_or_404(assignment.nomination.category_id, change=True)
    try:
        ops.remove_assignment(assignment, current_user)
    except DomainError as e:
        return _refused(e, category.id, "judging.assignments")
    return _done(_("ยกเลิกการมอบหมายแล้ว"), category.id, "judging.assignments")


@bp.post("/judging/categories/<int:category_id>/conflicts/confirm")
@login_required
def confirm_conflict(category_id: int):
    category = category_or_404(category_id, change=True)
    judge = db.session.get(User, _form_int("judge_id"))
    nomination = db.session.get(Nomination, _form_int("nomination_id"))
    if judge is None or nomination is None or nomination.category_id != category.id:
        abort(400)
    found = {(j, n): why for j, n, why in ops.detected_conflicts(category.fair_id)}
    why = found.get((judge.id, nomination.id))
    if why is None:
        flash(_("ไม่พบส่วนได้เสียนี้แล้ว อาจยืนยันไปแล้ว"), "warning")
        return redirect(url_for("judging.assignments", category_id=category.id))
    try:
        ops.declare_conflict(judge, nomination, str(WHY[why]), current_user, source="detected")
    except DomainError as e:
        return _refused(e, category.id, "judging.assignments")
    return _done(_("ยืนยันส่วนได้เสียแล้ว %(judge)s จะไม่เห็นและไม่ให้คะแนน %(name)s",
                   judge=judge.full_name, name=nomination.nominee_name()), category.id, "judging.assignments")


@bp.route("/judging/fairs/<int:fair_id>/judges", methods=["GET", "POST"])
@login_required
def judges(fair_id: int):
    """The fair's judges and their affiliations (for institutional conflicts)."""
    fair = db.session.get(Fair, fair_id)
    if fair is None:
        abort(404)
    if not (is_chair(fair.id) if request.method == "POST" else may_view(fair.id)):
        abort(403)
    use_thai_digits(fair.thai_numerals)
    people = _judges(fair.id)
    profiles = {p.user_id: p for p in db.session.scalars(select(JudgeProfile).where(JudgeProfile.fair_id == fair.id))}
    orgs = sorted(db.session.scalars(select(Organization)).all(), key=lambda o: (sort_key(o.name_th), o.id))
    org_ids = {o.id for o in orgs}
    if request.method == "POST":
        changed = 0
        for user in people:
            value = request.form.get(f"affiliation-{user.id}", "")
            new = int(value) if value.isdigit() and int(value) in org_ids else None
            if value and new is None:
                abort(400)
            profile = profiles.get(user.id)
            old = profile.affiliation_org_id if profile else None
            if new == old:
                continue
            if profile is None:
                profile = JudgeProfile(fair_id=fair.id, user_id=user.id)
                db.session.add(profile)
            profile.affiliation_org_id = new
            db.session.flush()
            audit.record("judging.affiliation_changed", profile, actor=current_user, fair_id=fair.id,
                         before={"judge": user.id, "affiliation": old}, after={"judge": user.id, "affiliation": new})
            changed += 1
        commit()
        flash(_("บันทึกสังกัดของกรรมการแล้ว (%(n)d ท่าน)", n=changed), "success")
        return redirect(url_for("judging.judges", fair_id=fair.id))
    categories = db.session.scalars(select(Category).where(Category.fair_id == fair.id)
                                    .order_by(Category.sort_order, Category.id)).all()
    return render_template("judging/chair_judges.html", fair=fair, people=people, profiles=profiles, orgs=orgs,
                           categories=categories, can_change=is_chair(fair.id))


# ---- the chair's page ----

PLOT_W, PLOT_LEFT, PLOT_RIGHT, ROW_H = 640, 150, 20, 22


def _plot(spread_data, names_by_nom: dict[int, str], order: list[int]) -> dict:
    """Coordinates for the server-rendered SVG: a row per nomination, a dot per judge total, a mean bar."""
    width = PLOT_W - PLOT_LEFT - PLOT_RIGHT

    def x(v):
        return round(PLOT_LEFT + max(0.0, min(100.0, v)) / 100 * width, 1)

    rows = []
    for i, nid in enumerate(n for n in order if n in spread_data.nominations):
        s = spread_data.nominations[nid]
        y = 30 + i * ROW_H
        label = names_by_nom.get(nid, str(nid))
        rows.append({"y": y, "label": label if len(label) <= 22 else label[:21] + "…", "mean_x": x(s.mean),
                     "dots": [(x(t), j, round(t, 2)) for j, t in s.totals], "lo": x(min(t for _j, t in s.totals)),
                     "hi": x(max(t for _j, t in s.totals)), "mean": round(s.mean, 2)})
    ticks = [(x(v), v) for v in range(0, 101, 20)]
    return {"rows": rows, "ticks": ticks, "width": PLOT_W, "height": 40 + len(rows) * ROW_H, "left": PLOT_LEFT,
            "right": PLOT_W - PLOT_RIGHT}


def _progress(sheets, totals) -> dict[int, tuple[int, int]]:
    out: dict[int, list[int]] = {}
    for (j, n) in sheets:
        done = totals.get((j, n)) is not None
        row = out.setdefault(j, [0, 0])
        row[0] += int(done)
        row[1] += 1
    return {j: (a, b) for j, (a, b) in out.items()}


@bp.get("/judging/categories/<int:category_id>/chair")
@login_required
def chair(category_id: int):
    category = category_or_404(category_id)
    fair = category.fair
    rubric = rubric_or_redirect(category)
    if rubric is None:
        return redirect(url_for("judging.rubric", category_id=category.id))
    criteria, sheets = ops._scoring_inputs(rubric)
    totals = panel_totals(sheets, criteria) if criteria else {}
    progress = _progress(sheets, totals)
    data = spread(totals)
    rows = result_rows(rubric) if criteria else []
    names = {u.id: u.full_name for u in _judges(fair.id)}
    extra = set(progress) - set(names)
    if extra:  # assigned but no longer a judge of the fair
        names.update({u.id: u.full_name for u in db.session.scalars(select(User).where(User.id.in_(extra)))})
    nom_names = {r.nomination.id: r.nomination.nominee_name() for r in rows}
    order = [r.nomination.id for r in rows]
    broken = audit.verify_chain()
    return render_template("judging/chair_page.html", category=category, fair=fair, rubric=rubric,
                           progress=progress, names=names, spread=data, rows=rows, nom_names=nom_names,
                           plot=_plot(data, nom_names, order), broken=broken, can_change=is_chair(fair.id),
                           judge_order=sorted(progress, key=lambda j: (sort_key(names.get(j, "")), j)))


def _judging_link(fair: Fair) -> str:
    for rule in current_app.url_map.iter_rules():
        if rule.rule == "/fairs/<int:fair_id>/judging":
            return url_for(rule.endpoint, fair_id=fair.id, _external=True)
    return url_for("fairs.fair", fair_id=fair.id, _external=True)


@bp.post("/judging/categories/<int:category_id>/remind")
@login_required
def remind(category_id: int):
    category = category_or_404(category_id, change=True)
    fair = category.fair
    rubric = rubric_of(category)
    if rubric is None:
        abort(404)
    criteria, sheets = ops._scoring_inputs(rubric)
    progress = _progress(sheets, panel_totals(sheets, criteria))
    behind = [j for j, (done, assigned) in progress.items() if done < assigned]
    users = db.session.scalars(select(User).where(User.id.in_(behind))).all() if behind else []
    link = _judging_link(fair)
    for user in users:
        done, assigned = progress[user.id]
        queue_mail(user.email, _("เตือน: ยังให้คะแนน %(category)s ไม่ครบ", category=category.name_th),
                   "judging_reminder", locale=user.locale or "th", user=user, fair=fair, category=category,
                   done=done, assigned=assigned, link=link)
    audit.record("judging.reminded", rubric, actor=current_user, fair_id=fair.id,
                 after={"judges": sorted(u.id for u in users)})
    return _done(_("ส่งอีเมลเตือนกรรมการ %(n)d ท่านแล้ว", n=len(users)), category.id)


@bp.post("/judging/categories/<int:category_id>/open-scores")
@login_required
def open_scores(category_id: int):
    category = category_or_404(category_id, change=True)
    rubric = rubric_of(category) or abort(404)
    ops.open_scores(rubric, current_user)
    return _done(_("เปิดให้กรรมการเห็นคะแนนของกันและกันแล้ว"), category.id)


@bp.post("/judging/categories/<int:category_id>/finalize")
@login_required
def finalize(category_id: int):
    category = category_or_404(category_id, change=True)
    rubric = rubric_of(category) or abort(404)
    try:
        ops.finalize(rubric, current_user)
    except DomainError as e:
        return _refused(e, category.id)
    return _done(_("สรุปผลแล้ว อันดับ ระดับรางวัล และคะแนนถูกล็อกไว้"), category.id)


@bp.post("/judging/categories/<int:category_id>/reopen")
@login_required
def reopen(category_id: int):
    category = category_or_404(category_id, change=True)
    rubric = rubric_of(category) or abort(404)
    try:
        ops.reopen(rubric, request.form.get("reason", ""), current_user)
    except ops.ReasonRequired:
        rollback()
        flash(_("การเปิดการตัดสินใหม่ต้องระบุเหตุผล"), "error")
        return redirect(url_for("judging.chair", category_id=category.id))
    return _done(_("เปิดการตัดสินใหม่แล้ว กรรมการแก้คะแนนได้อีกครั้ง"), category.id)


# ---- minutes, exports, public results ----

def _file(data: bytes, mimetype: str, name: str, disposition: str = "attachment"):
    response = current_app.response_class(data, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'{disposition}; filename="{name}"'
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.get("/judging/categories/<int:category_id>/minutes.pdf")
@login_required
def minutes(category_id: int):
    category = category_or_404(category_id)
    rubric = rubric_of(category) or abort(404)
    return _file(render_minutes(rubric), "application/pdf", f"minutes-{category.id}.pdf", "inline")


@bp.get("/judging/categories/<int:category_id>/results.<any(csv, xlsx):fmt>")
@login_required
def results_export(category_id: int, fmt: str):
    category = category_or_404(category_id)
    rubric = rubric_of(category) or abort(404)
    table = results_table(rubric)
    data = to_csv(table) if fmt == "csv" else to_xlsx(table)
    mimetype = "text/csv; charset=utf-8" if fmt == "csv" else \
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return _file(data, mimetype, f"results-{category.id}-{today_local():%Y%m%d}.{fmt}")


@bp.get("/fairs/<int:fair_id>/results")
def results(fair_id: int):
    """The fair's announced results: finalized categories only; anyone may read them."""
    fair = db.session.get(Fair, fair_id)
    if fair is None:
        abort(404)
    use_thai_digits(fair.thai_numerals)
    rubrics = db.session.scalars(select(Rubric).join(Category, Category.id == Rubric.category_id)
                                 .where(Category.fair_id == fair.id, Rubric.finalized_at.is_not(None))
                                 .options(selectinload(Rubric.category), selectinload(Rubric.criteria),
                                          selectinload(Rubric.tie_rules), selectinload(Rubric.levels))
                                 .order_by(Category.sort_order, Category.id)).all()
    sections = [(r, result_rows(r)) for r in rubrics]
    return render_template("judging/results.html", fair=fair, sections=sections)


@bp.app_template_filter("judging_score")
def judging_score(value) -> str:
    return "" if value is None else f"{value:.2f}"

