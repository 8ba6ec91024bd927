"""Fair staff: the review queue with filters and decisions on the ticked applications, and moving an
application to another booth type."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..accounts.models import Sector
from ..core.forms import form_csrf
from ..core.geo import province_choices
from ..core.i18n import locale_code, safe_next, use_thai_digits
from ..core.pagination import SEEK_ARGS
from ..core.transaction import attempt
from .blueprint import bp
from . import operations as ops, queries
from .access import get_in, staff_application_or_404, staff_fair_or_404
from .forms import ReviewForm
from .models import BoothType


def _filter_args() -> dict:
    """The queue's filters and page (its number and key), kept when a decision sends the staff back to it."""
    kept = (*queries.REVIEW_FILTERS, "page", *SEEK_ARGS)
    return {k: v for k, v in request.args.items() if k in kept and v}


def _flash_decided(done: ops.Decided) -> None:
    flash(_("อนุมัติ %(a)d · รายชื่อสำรอง %(w)d · ไม่อนุมัติ %(r)d · ข้าม %(s)d (สถานะไม่ตรง)",
            a=done.approved, w=done.waitlisted, r=done.rejected, s=len(done.skipped)), "success")
    lang = locale_code()
    for application, error in done.skipped:
        flash(_("ข้าม %(org)s: %(reason)s", org=application.organization.name(lang), reason=str(error)), "warning")


@bp.route("/fairs/<int:fair_id>/booths/review", methods=["GET", "POST"])
@login_required
@form_csrf
def review(fair_id: int):
    """The review queue; approve (within capacity, else the waiting list), waitlist or reject the ticked."""
    fair = staff_fair_or_404(fair_id)
    use_thai_digits(fair.thai_numerals)
    form = ReviewForm()
    if form.validate_on_submit():
        with attempt(form) as done:
            decided = ops.decide_many(queries.applications_in(fair, form.ticked()), form.action.data,
                                      current_user, reason=form.reason.data)
        if done:
            _flash_decided(decided)
            return redirect(safe_next(request.form.get("next"),
                                      url_for("booths.review", fair_id=fair.id, **_filter_args())))
    page, filters, counts = queries.review_query(fair, request.args)
    return render_template("booths/review.html", fair=fair, page=page, applications=page.items, filters=filters,
                           form=form, types=queries.booth_types(fair), remaining=queries.remaining_by_type(fair.id),
                           sectors=list(Sector), provinces=province_choices(locale_code()),
                           statuses=queries.REVIEW_STATUSES, counts=counts, ticked=form.ticked())


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
