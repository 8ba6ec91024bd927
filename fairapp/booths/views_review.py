"""Fair staff: the review queue with filters and decisions on the ticked applications, and moving an
application to another booth type."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..accounts.models import Sector
from ..core.forms import confirmed, form_csrf
from ..core.geo import province_choices
from ..core.i18n import locale_code, safe_next, use_thai_digits
from ..core.pagination import SEEK_ARGS
from ..core.templating import num
from ..core.transaction import attempt
from .blueprint import bp
from . import operations as ops, queries
from .access import get_in, staff_application_or_404, staff_fair_or_404
from .forms import ReviewForm
from .models import BoothType


SKIPPED_SHOWN = 20  # refusals named one by one after a bulk decision; the rest are counted


def _filter_args() -> dict:
    """The queue's search, filters and page (its number and key), kept when a decision sends the staff
    back to it."""
    kept = (*queries.REVIEW_FILTERS, "page", *SEEK_ARGS)
    return {k: v for k, v in request.args.items() if k in kept and v}


def _flash_decided(done: ops.Decided) -> None:
    flash(_("อนุมัติ %(a)d · รายชื่อสำรอง %(w)d · ไม่อนุมัติ %(r)d · ข้าม %(s)d (สถานะไม่ตรง)",
            a=done.approved, w=done.waitlisted, r=done.rejected, s=len(done.skipped)), "success")
    lang = locale_code()
    for application, error in done.skipped[:SKIPPED_SHOWN]:
        flash(_("ข้าม %(org)s: %(reason)s", org=application.organization.name(lang), reason=str(error)), "warning")
    if len(done.skipped) > SKIPPED_SHOWN:
        flash(_("และข้ามอีก %(n)d รายการ", n=len(done.skipped) - SKIPPED_SHOWN), "warning")


def _chosen(fair, form: ReviewForm):
    """The applications a decision is for: the ticked ones, or (scope "matching") every application the
    queue's search and filters match now, on every page, read again here inside the decision's unit of
    work. (chosen, None), or (None, count) when the matching ones still need the staff's confirmation:
    not confirmed yet, or their number changed since it was shown."""
    if request.form.get("scope") != "matching":
        return queries.applications_in(fair, form.ticked()), None
    chosen = queries.review_matching(fair, request.args)
    if form.action.data == "reject" and not (form.reason.data or "").strip():
        return chosen, None  # refused at once (the reason is asked for), not after a confirmation
    if not confirmed(len(chosen)):
        return None, len(chosen)
    return chosen, None


def _confirm_matching(fair, form: ReviewForm, count: int):
    """The page that asks before a decision on every application the search and filters match."""
    action = form.action.data
    n = num(f"{count:,}")
    question = {"approve": _("อนุมัติใบสมัครทั้ง %(n)s รายการที่ตรงกับการค้นหาและตัวกรอง", n=n),
                "waitlist": _("ให้ใบสมัครทั้ง %(n)s รายการที่ตรงกับการค้นหาและตัวกรองเข้ารายชื่อสำรอง", n=n),
                "reject": _("ไม่อนุมัติใบสมัครทั้ง %(n)s รายการที่ตรงกับการค้นหาและตัวกรอง", n=n)}[action]
    label = {"approve": _("อนุมัติ"), "waitlist": _("เข้ารายชื่อสำรอง"), "reject": _("ไม่อนุมัติ")}[action]
    q = request.args.get("q", "").strip()
    return render_template(
        "confirm_matching.html", fair=fair, title=_("ยืนยันการดำเนินการกับทุกรายการที่ตรงเงื่อนไข"),
        list_title=_("พิจารณาใบสมัครบูธ"), count=count, changed=request.form.get("confirmed") == "1",
        back=url_for("booths.review", fair_id=fair.id, **_filter_args()), question=question,
        details=_("ค้นหา: %(q)s", q=q) if q else "",
        note=_("ใบสมัครที่ทำรายการนี้ไม่ได้ (เช่น สถานะไม่ตรง) จะถูกข้ามและแจ้งให้ทราบทีละรายการ"),
        hidden={"reason": form.reason.data or ""}, button_name="action", button_value=action, button_label=label,
        button_class="danger" if action == "reject" else "primary")


@bp.route("/fairs/<int:fair_id>/booths/review", methods=["GET", "POST"])
@login_required
@form_csrf
def review(fair_id: int):
    """The review queue; approve (within capacity, else the waiting list), waitlist or reject the ticked."""
    fair = staff_fair_or_404(fair_id)
    use_thai_digits(fair.thai_numerals)
    form = ReviewForm()
    if form.validate_on_submit():
        chosen, to_confirm = _chosen(fair, form)
        if to_confirm is not None:
            return _confirm_matching(fair, form, to_confirm)
        with attempt(form) as done:
            decided = ops.decide_many(chosen, form.action.data, current_user, reason=form.reason.data)
        if done:
            _flash_decided(decided)
            return redirect(safe_next(request.form.get("next"),
                                      url_for("booths.review", fair_id=fair.id, **_filter_args())))
    page, filters, counts = queries.review_query(fair, request.args)
    matching = request.args.get("select") == "all" or request.form.get("scope") == "matching"
    return render_template("booths/review.html", fair=fair, page=page, applications=page.items, filters=filters,
                           form=form, types=queries.booth_types(fair), remaining=queries.remaining_by_type(fair.id),
                           sectors=list(Sector), provinces=province_choices(locale_code()),
                           statuses=queries.REVIEW_STATUSES, counts=counts, matching=matching,
                           ticked={a.id for a in page.items} if matching else form.ticked(),
                           filter_args=_filter_args())


@bp.post("/booths/<int:application_id>/move-type")
@login_required
def move_type(application_id: int):
    """Staff move an application to another booth type (a freed place goes to the waiting list)."""
    application = staff_application_or_404(application_id)
    booth_type = get_in(BoothType, request.form.get("booth_type"), parent=application.fair)
    if booth_type is None:
        flash(_("กรุณาเลือกประเภทบูธ"), "error")
    else:
        with attempt() as done:
            ops.move_to_type(application, booth_type, current_user)
        if done:
            flash(_("ย้ายไปประเภท %(name)s แล้ว", name=booth_type.name(locale_code())), "success")
    return redirect(url_for("booths.application", application_id=application.id))
