"""Fair staff: booth types and settings, the review queue with filters and bulk decisions."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..accounts.models import Organization, Sector
from ..core import audit
from ..core.errors import DomainError
from ..core.forms import form_csrf
from ..core.geo import province_choices
from ..core.http import safe_id
from ..core.i18n import locale_code, safe_next
from ..core.thai import sort_key
from ..extensions import db
from ..fairs.models import Fair
from . import bp, operations as ops
from .forms import BoothTypeForm, RejectForm, SetupForm
from .models import Application, BoothSetup, BoothType, Status
from ..fairs.access import staff_fair_or_404
from .views_org import booth_types, commit_and_mail, rollback


def _type_snapshot(booth_type: BoothType) -> dict:
    return {c: getattr(booth_type, c) for c in ("name_th", "name_en", "size_label", "includes_th", "capacity")}


@bp.route("/fairs/<int:fair_id>/booths/setup", methods=["GET", "POST"])
@login_required
@form_csrf
def setup(fair_id: int):
    """Booth types (size, what comes with them, capacity) and the fair's booth settings."""
    fair = staff_fair_or_404(fair_id)
    settings = BoothSetup.for_fair(fair.id)
    # Two forms on one page, told apart by the hidden "form" field (their field names differ).
    posted = request.form.get("form") if request.method == "POST" else None
    type_form = BoothTypeForm(formdata=None if posted != "type" else request.form)
    setup_form = SetupForm(formdata=None if posted != "setup" else request.form, obj=settings)
    if posted == "type":
        if type_form.validate():
            booth_type = BoothType(fair_id=fair.id, sort_order=len(booth_types(fair)))
            type_form.populate_obj(booth_type)
            booth_type.name_en = booth_type.name_en or None
            db.session.add(booth_type)
            db.session.flush()
            audit.record("booth.type_created", booth_type, actor=current_user, fair_id=fair.id,
                         after=_type_snapshot(booth_type))
            db.session.commit()
            flash(_("เพิ่มประเภทบูธ %(name)s แล้ว", name=booth_type.name_th), "success")
            return redirect(url_for("booths.setup", fair_id=fair.id))
    elif posted == "setup":
        if setup_form.validate():
            before = {"per_org_limit": settings.per_org_limit, "offer_hours": settings.offer_hours}
            setup_form.populate_obj(settings)
            db.session.add(settings)
            audit.record("booth.setup_changed", actor=current_user, fair_id=fair.id, object_type="booth_setups",
                         object_id=fair.id, before=before,
                         after={"per_org_limit": settings.per_org_limit, "offer_hours": settings.offer_hours})
            db.session.commit()
            flash(_("บันทึกการตั้งค่าแล้ว"), "success")
            return redirect(url_for("booths.setup", fair_id=fair.id))
    return render_template("booths/setup.html", fair=fair, types=booth_types(fair), type_form=type_form,
                           setup_form=setup_form, remaining=ops.remaining_by_type(fair.id))


@bp.route("/fairs/<int:fair_id>/booths/types/<int:type_id>", methods=["GET", "POST"])
@login_required
@form_csrf
def edit_type(fair_id: int, type_id: int):
    fair = staff_fair_or_404(fair_id)
    booth_type = db.session.get(BoothType, type_id)
    if booth_type is None or booth_type.fair_id != fair.id:
        abort(404)
    form = BoothTypeForm(obj=booth_type)
    if form.validate_on_submit():
        held = ops.places_held(booth_type.id)
        if form.capacity.data < held:
            form.capacity.errors.append(_("มีใบสมัครที่อนุมัติแล้ว %(n)d ใบ จึงลดจำนวนให้ต่ำกว่านี้ไม่ได้", n=held))
        else:
            before = _type_snapshot(booth_type)
            form.populate_obj(booth_type)
            booth_type.name_en = booth_type.name_en or None
            audit.record("booth.type_changed", booth_type, actor=current_user, fair_id=fair.id, before=before,
                         after=_type_snapshot(booth_type))
            if booth_type.capacity > held:
                ops.offer_next(booth_type.id, current_user)  # new places go to the waiting list first
            commit_and_mail()
            flash(_("บันทึกประเภทบูธแล้ว"), "success")
            return redirect(url_for("booths.setup", fair_id=fair.id))
    return render_template("booths/edit_type.html", fair=fair, booth_type=booth_type, form=form)


REVIEW_STATUSES = (Status.submitted, Status.approved, Status.waitlisted, Status.offered, Status.rejected,
                   Status.withdrawn, Status.lapsed)


def review_query(fair: Fair, args) -> tuple[list[Application], dict]:
    """The review queue of a fair, filtered by sector, province, booth type and status."""
    filters = {k: args.get(k) or "" for k in ("sector", "province", "type", "status")}
    query = (select(Application).join(Organization).where(Application.fair_id == fair.id,
                                                          Application.status != Status.draft)
             .options(selectinload(Application.organization), selectinload(Application.booth_type),
                      selectinload(Application.booth)))
    if filters["sector"] in {s.value for s in Sector}:
        query = query.where(Organization.sector == Sector(filters["sector"]))
    if filters["province"]:
        query = query.where(Organization.province_code == filters["province"])
    if safe_id(filters["type"]):
        query = query.where(Application.booth_type_id == safe_id(filters["type"]))
    if filters["status"] in {s.value for s in REVIEW_STATUSES}:
        query = query.where(Application.status == Status(filters["status"]))
    rows = db.session.scalars(query).all()
    # Submitted first (oldest first), then by status, then by organization in Thai order.
    order = {s: i for i, s in enumerate(REVIEW_STATUSES)}
    rows.sort(key=lambda a: (order[a.status], a.waitlisted_at or a.submitted_at or a.created_at,
                             sort_key(a.organization.name_th)))
    return rows, filters


@bp.route("/fairs/<int:fair_id>/booths/review", methods=["GET", "POST"])
@login_required
@form_csrf
def review(fair_id: int):
    """The review queue; bulk approve (within capacity, else waiting list), waitlist or reject."""
    fair = staff_fair_or_404(fair_id)
    form = RejectForm()
    if request.method == "POST":
        action = request.form.get("action")
        ids = [i for i in (safe_id(v) for v in request.form.getlist("ids")) if i]
        chosen = db.session.scalars(select(Application).where(
            Application.fair_id == fair.id, Application.id.in_(ids))).all() if ids else []
        # The waiting list first, in its order; then the rest in the order they were submitted.
        chosen.sort(key=lambda a: (a.status != Status.waitlisted, a.waitlisted_at or a.submitted_at or a.created_at,
                                   a.id))
        if not form.validate():
            pass  # a stale CSRF token or a too long reason: shown on the form, the ticks kept
        elif action not in ("approve", "waitlist", "reject"):
            form.form_errors.append(_("กรุณาเลือกการดำเนินการ"))
        elif not chosen:
            form.form_errors.append(_("กรุณาเลือกใบสมัครอย่างน้อยหนึ่งใบ"))
        elif action == "reject" and not (form.reason.data or "").strip():
            form.reason.errors.append(str(ops.ReasonRequired()))
        elif _bulk(action, chosen, form.reason.data) is not None:
            return redirect(safe_next(request.form.get("next"),
                                      url_for("booths.review", fair_id=fair.id, **_filter_args())))
    applications, filters = review_query(fair, request.args)
    counts = {}
    for a in applications:
        counts[a.status] = counts.get(a.status, 0) + 1
    lang = locale_code()
    return render_template("booths/review.html", fair=fair, applications=applications, filters=filters,
                           form=form, types=booth_types(fair), remaining=ops.remaining_by_type(fair.id),
                           sectors=list(Sector), provinces=province_choices(lang), statuses=REVIEW_STATUSES,
                           counts=counts, ticked={safe_id(i) for i in request.form.getlist("ids")} - {None})


def _filter_args() -> dict:
    return {k: v for k, v in request.args.items() if k in ("sector", "province", "type", "status") and v}


def _bulk(action: str, chosen: list[Application], reason: str | None):
    """Apply one decision to each chosen application; one transaction; a summary message."""
    results = {"approved": 0, "waitlisted": 0, "rejected": 0, "skipped": 0}
    try:
        for application in chosen:
            try:
                if action == "approve":
                    status = ops.approve_application(application, current_user)
                    results["approved" if status == Status.approved else "waitlisted"] += 1
                elif action == "waitlist":
                    ops.waitlist_application(application, current_user)
                    results["waitlisted"] += 1
                else:
                    ops.reject_application(application, reason or "", current_user)
                    results["rejected"] += 1
            except (ops.WrongStatus, ops.NotFirstInLine):
                results["skipped"] += 1
        commit_and_mail()
    except DomainError as exc:
        rollback()
        flash(str(exc), "error")
        return None
    flash(_("อนุมัติ %(a)d · รายชื่อสำรอง %(w)d · ไม่อนุมัติ %(r)d · ข้าม %(s)d (สถานะไม่ตรง)",
            a=results["approved"], w=results["waitlisted"], r=results["rejected"], s=results["skipped"]),
          "success")
    return results


@bp.post("/booths/<int:application_id>/move-type")
@login_required
def move_type(application_id: int):
    """Staff move an application to another booth type (a freed place goes to the waiting list)."""
    application = db.session.get(Application, application_id)
    if application is None or not application.can_view(current_user):
        abort(404)
    fair = staff_fair_or_404(application.fair_id)
    booth_type = db.session.get(BoothType, safe_id(request.form.get("booth_type")) or 0)
    if booth_type is None or booth_type.fair_id != fair.id:
        flash(_("กรุณาเลือกประเภทบูธ"), "error")
    else:
        try:
            ops.move_to_type(application, booth_type, current_user)
            commit_and_mail()
            flash(_("ย้ายไปประเภท %(name)s แล้ว", name=booth_type.name(locale_code())), "success")
        except DomainError as exc:
            rollback()
            flash(str(exc), "error")
    return redirect(url_for("booths.application", application_id=application.id))
