"""A category's assignments and conflicts: the overview (loads, detected and recorded conflicts), the
automatic assignment, assigning and unassigning by hand, confirming a detected conflict."""
from __future__ import annotations

import re

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..accounts.models import User
from ..core.i18n import use_thai_digits
from ..core.transaction import attempt
from ..nominations.models import Nomination
from . import access, queries, queries_assignments
from . import operations as ops
from .blueprint import bp


def _back(category_id: int):
    """Back to the page the form was on (its page and filters come as the form's `back`), else the first."""
    back = request.form.get("back", "")
    if back.startswith(f"/judging/categories/{category_id}/assignments") and "//" not in back and "\\" not in back:
        return redirect(back)
    return redirect(url_for("judging.assignments", category_id=category_id))


@bp.get("/judging/categories/<int:category_id>/assignments")
@login_required
def assignments(category_id: int):
    """The category's nominations and their judges 50 to a page (?q= a name or #number, ?short=1 only
    those still short of judges), or ?view=judges: the fair's judges and their loads (?q= name or email)."""
    category = access.chair_category_or_404(category_id)
    use_thai_digits(category.fair.thai_numerals)
    rubric = access.rubric_of(category)
    view = "judges" if request.args.get("view") == "judges" else "nominations"
    q = (request.args.get("q") or "").strip()[:100]
    return render_template("judging/chair_assignments.html", category=category, fair=category.fair, rubric=rubric,
                           why=ops.WHY, **queries_assignments.assignment_overview(category, rubric, view=view, q=q,
                                                                      short=request.args.get("short") == "1"),
                           **access.chair_actions(category.fair_id, rubric))


_CHOSEN = re.compile(r"#\s*(\d+)\s*$")  # "ชื่อกรรมการ · #12" (the picker's choice), "#12" or "12"


def _judge_sent():
    value = (request.form.get("judge_id") or "").strip()
    chosen = _CHOSEN.search(value)
    return access.get_or_404(User, chosen.group(1) if chosen else value, status=400)


@bp.post("/judging/categories/<int:category_id>/assign")
@login_required
def auto_assign(category_id: int):
    category = access.chair_category_or_404(category_id, change=True)
    rubric = access.rubric_of(category)
    if rubric is None:
        flash(_("ประเภทรางวัลนี้ยังไม่มีเกณฑ์การตัดสิน กรุณาตั้งเกณฑ์ก่อน"), "warning")
        return redirect(url_for("judging.rubric", category_id=category.id))
    with attempt() as done:
        result = ops.auto_assign(rubric, current_user)
    if done:
        loads = list(result.loads.values())
        flash(_("มอบหมายเพิ่ม %(n)d คู่ ภาระงานของกรรมการอยู่ระหว่าง %(lo)d ถึง %(hi)d เรื่อง",
                n=len(result.pairs), lo=min(loads, default=0), hi=max(loads, default=0)), "success")
        noms = queries.nominations_by_id(result.uncovered)
        for nid, (needed, available) in sorted(result.uncovered.items()):
            flash(_("%(name)s (#%(id)d) ต้องการกรรมการ %(needed)d ท่าน แต่มีกรรมการที่ไม่มีส่วนได้เสียเพียง "
                    "%(available)d ท่าน กรุณาเชิญกรรมการเพิ่มหรือลดจำนวนกรรมการต่อเรื่อง",
                    name=noms[nid].nominee_name() if nid in noms else "", id=nid, needed=needed,
                    available=available), "warning")
    return _back(category.id)


@bp.post("/judging/categories/<int:category_id>/assignments/add")
@login_required
def add_assignment(category_id: int):
    category = access.chair_category_or_404(category_id, change=True)
    judge = _judge_sent()
    nomination = access.get_or_404(Nomination, request.form.get("nomination_id"), parent=category, status=400)
    with attempt() as done:
        ops.add_assignment(judge, nomination, current_user)  # refuses one who is not a judge of the fair
    if done:
        flash(_("มอบหมาย %(judge)s ให้ตัดสิน %(name)s แล้ว", judge=judge.full_name,
                name=nomination.nominee_name()), "success")
    return _back(category.id)


@bp.post("/judging/assignments/<int:assignment_id>/remove")
@login_required
def remove_assignment(assignment_id: int):
    assignment, category = access.chair_assignment_or_404(assignment_id)
    with attempt() as done:
        ops.remove_assignment(assignment, current_user)
    if done:
        flash(_("ยกเลิกการมอบหมายแล้ว"), "success")
    return _back(category.id)


@bp.post("/judging/categories/<int:category_id>/conflicts/confirm")
@login_required
def confirm_conflict(category_id: int):
    category = access.chair_category_or_404(category_id, change=True)
    judge = access.get_or_404(User, request.form.get("judge_id"), status=400)
    nomination = access.get_or_404(Nomination, request.form.get("nomination_id"), parent=category, status=400)
    with attempt() as done:
        ops.confirm_detected_conflict(judge, nomination, current_user)
    if done:
        flash(_("ยืนยันส่วนได้เสียแล้ว %(judge)s จะไม่เห็นและไม่ให้คะแนน %(name)s",
                judge=judge.full_name, name=nomination.nominee_name()), "success")
    return _back(category.id)
