"""The chair's page of a category (progress, reminders, the spread with its plot, raw and normalized means,
the ranking that finalizing would freeze, the audit chain, what is missing before finalizing) and the
chair's actions on it: remind, open the scores, finalize, reopen.

Who gets what (access.py; 404 for a category that does not exist; anonymous users go to the login page):
- the chair of the category's fair and admins: everything.
- the fair's staff: the page to read, and 403 on every action.
- anyone else signed in (judges, organization members, another fair's chair): 403.
"""
from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from ..core import audit
from ..core.i18n import use_thai_digits
from ..core.pagination import list_page
from ..core.text import form_text
from ..core.thai import sort_key
from ..core.transaction import attempt
from ..core.urls import external_url
from . import access, queries, standings
from . import operations as ops
from .blueprint import bp
from .finalizing import detected_problems, named_problems, problem_html
from .minutes import result_count, result_rows

# The audit chain's state, as the chair page shows it.
AUDIT_STATES = {"intact": _l("สมบูรณ์"), "broken": _l("ถูกแก้ไขนอกระบบ")}
PLOT_W, PLOT_LEFT, PLOT_RIGHT, ROW_H = 640, 150, 20, 22
PROBLEMS_SHOWN = 50  # what is missing before finalizing: the first ones named, all of them counted


def _plot(spread_data, names_by_nom: dict[int, str], order: list[int]) -> dict:
    """Coordinates for the server-rendered SVG: a row per nomination, a dot per judge total, a mean bar."""
    width = PLOT_W - PLOT_LEFT - PLOT_RIGHT

    def x(v):
        return round(PLOT_LEFT + max(0.0, min(100.0, v)) / 100 * width, 1)

    rows = []
    for i, nid in enumerate(n for n in order if n in spread_data.nominations):
        s = spread_data.nominations[nid]
        label = names_by_nom.get(nid, str(nid))
        rows.append({"y": 30 + i * ROW_H, "label": label if len(label) <= 22 else label[:21] + "…",
                     "mean_x": x(s.mean), "dots": [(x(t), j, round(t, 2)) for j, t in s.totals],
                     "lo": x(min(t for _j, t in s.totals)), "hi": x(max(t for _j, t in s.totals)),
                     "mean": round(s.mean, 2)})
    return {"rows": rows, "ticks": [(x(v), v) for v in range(0, 101, 20)], "width": PLOT_W,
            "height": 40 + len(rows) * ROW_H, "left": PLOT_LEFT, "right": PLOT_W - PLOT_RIGHT}


def _finalizing(rubric, standings) -> dict:
    """What the page says about finalizing: the outright refusal, what is missing, and once finalized the
    chair's recorded reason and what was missing then."""
    if rubric.finalized:
        entry = queries.finalize_record(rubric)
        after = (entry.after or {}) if entry is not None else {}
        return {"finalize_refusal": None, "finalize_problems": [], "finalize_problem_count": 0,
                "finalized_reason": after.get("reason"),
                "finalized_problems": [problem_html(p) for p in after.get("problems") or []]}
    refusal = ops.finalize_refusal(rubric)
    detected = detected_problems(rubric)
    shown = named_problems(rubric, standings.short, standings.complete, limit=PROBLEMS_SHOWN, detected=detected)
    return {"finalize_refusal": str(refusal) if refusal else None,
            "finalize_problems": [problem_html(p) for p in shown],
            "finalize_problem_count": len(standings.short) + len(detected),
            "finalized_reason": None, "finalized_problems": []}


@bp.get("/judging/categories/<int:category_id>/chair")
@login_required
def chair(category_id: int):
    category = access.chair_category_or_404(category_id)
    fair = category.fair
    use_thai_digits(fair.thai_numerals)
    rubric = access.rubric_of(category)
    if rubric is None:
        flash(_("ประเภทรางวัลนี้ยังไม่มีเกณฑ์การตัดสิน กรุณาตั้งเกณฑ์ก่อน"), "warning")
        return redirect(url_for("judging.rubric", category_id=category.id))
    now = standings.of(rubric)  # computed once per change of the fair (judging/standings.py)
    progress, data = now.progress, now.spread
    # The whole category is ranked (and its totals summed); the page shows it PAGE_SIZE rows at a time
    # (?page=N), and the judges furthest behind first, PAGE_SIZE of them.
    page = list_page((result_count(rubric) if rubric.finalized else len(now.rows)) if now.scored else 0)
    window = ((page.number - 1) * page.size, page.size)
    rows = result_rows(rubric, window=window, ranked=(now.rows, now.raw, now.z)) if now.scored else []
    page.items = rows
    behind = sorted(progress, key=lambda j: (progress[j][0] - progress[j][1], j))  # most sheets missing first
    shown_judges = behind[:page.size]
    nom_names = {r.nomination.id: r.nomination.nominee_name() for r in rows}
    shown_spread = {n: data.nominations[n] for n in nom_names if n in data.nominations}
    names = queries.user_names(set(shown_judges) | {j for s in shown_spread.values() for j, _t in s.totals})
    broken = audit.verify_recent([fair.id]).bad  # the fair's chain, since its last checkpoint
    summary = {"judges": len(progress), "sheets": now.sheets, "complete": sum(d for d, _a in progress.values()),
               "behind": sum(1 for d, a in progress.values() if d < a)}
    return render_template(
        "judging/chair_page.html", category=category, fair=fair, rubric=rubric, progress=progress, names=names,
        spread=data, shown_spread=shown_spread, rows=rows, page=page, nom_names=nom_names, summary=summary,
        plot=_plot(data, nom_names, [r.nomination.id for r in rows]),
        broken=broken, audit_state=AUDIT_STATES["broken" if broken else "intact"],
        judge_order=sorted(shown_judges, key=lambda j: (sort_key(names.get(j, "")), j)),
        **_finalizing(rubric, now), **access.chair_actions(fair.id, rubric))


def _back(category_id: int):
    return redirect(url_for("judging.chair", category_id=category_id))


@bp.post("/judging/categories/<int:category_id>/remind")
@login_required
def remind(category_id: int):
    category = access.chair_category_or_404(category_id, change=True)
    rubric = access.rubric_or_404(category)
    link = external_url("judging.judge_dashboard", fair_id=category.fair_id)
    users = ops.remind_judges(rubric, current_user, link)
    flash(_("ส่งอีเมลเตือนกรรมการ %(n)d ท่านแล้ว", n=len(users)), "success")
    return _back(category.id)


@bp.post("/judging/categories/<int:category_id>/open-scores")
@login_required
def open_scores(category_id: int):
    category = access.chair_category_or_404(category_id, change=True)
    ops.open_scores(access.rubric_or_404(category), current_user)
    flash(_("เปิดให้กรรมการเห็นคะแนนของกันและกันแล้ว"), "success")
    return _back(category.id)


@bp.post("/judging/categories/<int:category_id>/finalize")
@login_required
def finalize(category_id: int):
    """Finalize; refused (and flashed) before the judging window, and, while something is missing, unless
    the chair gives a reason (the page lists what is missing above the button)."""
    category = access.chair_category_or_404(category_id, change=True)
    rubric = access.rubric_or_404(category)
    with attempt() as done:
        ops.finalize(rubric, current_user, reason=form_text("reason", multiline=True) or None)
    if done:
        flash(_("สรุปผลแล้ว อันดับ ระดับรางวัล และคะแนนถูกล็อกไว้"), "success")
    return _back(category.id)


@bp.post("/judging/categories/<int:category_id>/reopen")
@login_required
def reopen(category_id: int):
    category = access.chair_category_or_404(category_id, change=True)
    rubric = access.rubric_or_404(category)
    with attempt() as done:
        ops.reopen(rubric, form_text("reason", multiline=True), current_user)
    if done:
        flash(_("เปิดการตัดสินใหม่แล้ว กรรมการแก้คะแนนได้อีกครั้ง"), "success")
    return _back(category.id)
