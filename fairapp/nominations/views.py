"""Nominators: a fair's award categories, nominating, narratives with autosave, submitting."""
from __future__ import annotations

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..accounts.forms import ActionForm
from ..accounts.models import Organization
from ..core.errors import DomainError
from ..core.forms import form_csrf
from ..core.i18n import locale_code, use_thai_digits
from ..core.transaction import commit, rollback
from ..core.thai import format_date, sort_thai
from ..core.time import utcnow
from ..extensions import db
from ..fairs.models import Fair
from . import bp, operations as ops
from .forms import NomineeForm, narrative_form, narratives_from
from .models import EVENT_LABELS, SECTION_LABELS, Category, Nomination, NominatorKind


def nomination_or_404(nomination_id: int) -> Nomination:
    nomination = db.session.get(Nomination, nomination_id)
    # Another organization's nomination does not exist, as far as this user can tell.
    if nomination is None or not nomination.can_view(current_user):
        abort(404)
    use_thai_digits(nomination.category.fair.thai_numerals)
    return nomination


def categories_of(fair_id: int) -> list[Category]:
    return db.session.scalars(select(Category).where(Category.fair_id == fair_id)
                              .order_by(Category.sort_order, Category.id)).all()


@bp.get("/fairs/<int:fair_id>/nominations")
def fair_nominations(fair_id: int):
    """The award categories of a fair, their windows and conditions, and the user's nominations."""
    fair = db.session.get(Fair, fair_id)
    if fair is None:
        abort(404)
    use_thai_digits(fair.thai_numerals)
    mine = []
    if current_user.is_authenticated:
        org_ids = [m.organization_id for m in current_user.memberships]
        if org_ids:
            mine = db.session.scalars(select(Nomination).where(
                Nomination.fair_id == fair.id, Nomination.nominator_org_id.in_(org_ids))
                .options(selectinload(Nomination.category), selectinload(Nomination.nominee_org))
                .order_by(Nomination.id)).all()
    is_staff = current_user.is_authenticated and current_user.has_fair_role(fair.id, "staff")
    return render_template("nominations/fair.html", fair=fair, categories=categories_of(fair.id), mine=mine,
                           is_staff=is_staff)


@bp.route("/fairs/<int:fair_id>/nominations/new/<int:category_id>", methods=["GET", "POST"])
@login_required
@form_csrf
def new(fair_id: int, category_id: int):
    """Start a nomination: whom (our organization, another organization, or a community)."""
    category = db.session.get(Category, category_id)
    if category is None or category.fair_id != fair_id:
        abort(404)
    if not current_user.organizations:
        abort(403)
    nominator = current_user.acting_organization(request.args.get("org", type=int))
    if nominator is None:
        if request.args.get("org"):
            abort(404)
        return render_template("nominations/pick_org.html", category=category, orgs=current_user.organizations)
    lang = locale_code()
    office = nominator.is_provincial_office and category.nominator_kind != NominatorKind.self
    others = sort_thai(db.session.scalars(select(Organization).where(Organization.id != nominator.id)),
                       key=lambda o: o.name_th) if office else []
    form = NomineeForm(orgs=others, locale=lang)
    if not office:
        form.nominee.data = "self"
    if not category.window_open():
        form.form_errors.append(str(ops.WindowClosed()))
    elif form.validate_on_submit():
        kind = form.nominee.data if office else "self"
        nominee_org = nominator if kind == "self" else (
            db.session.get(Organization, int(form.org_id.data)) if kind == "org" and form.org_id.data.isdigit()
            else None)
        community = None
        if kind == "community":
            community = {"name": form.community_name.data, "village": form.community_village.data,
                         "subdistrict": form.community_subdistrict.data, "province_code": form.province.data,
                         "district_code": form.district.data}
        if kind == "org" and nominee_org is None:
            form.org_id.errors.append(_("กรุณาเลือกองค์กร"))
        else:
            try:
                nomination = ops.create_nomination(category, nominator, nominee_org=nominee_org,
                                                   community=community, narratives={}, actor=current_user)
                commit()
            except DomainError as exc:
                rollback()
                form.form_errors.append(str(exc))
            else:
                flash(_("เริ่มการเสนอชื่อแล้ว กรุณาเขียนเรื่องเล่าและแนบหลักฐาน"), "success")
                return redirect(url_for("nominations.edit", nomination_id=nomination.id))
    return render_template("nominations/new.html", category=category, fair=category.fair, nominator=nominator,
                           form=form, office=office)


@bp.get("/nominations/<int:nomination_id>")
@login_required
def view(nomination_id: int):
    """The nomination as submitted, its status, what is missing, and its history."""
    nomination = nomination_or_404(nomination_id)
    return render_template("nominations/view.html", nomination=nomination, category=nomination.category,
                           missing=ops.missing_parts(nomination), can_edit=nomination.can_edit(current_user),
                           action_form=ActionForm(), section_labels=SECTION_LABELS, event_labels=EVENT_LABELS)


@bp.route("/nominations/<int:nomination_id>/edit", methods=["GET", "POST"])
@login_required
@form_csrf
def edit(nomination_id: int):
    """The narratives (saved as you type) and the evidence; submit when complete."""
    nomination = nomination_or_404(nomination_id)
    if not nomination.can_edit(current_user):
        abort(403)
    category = nomination.category
    if request.method == "POST":
        form = narrative_form(category, formdata=request.form)
    else:
        form = narrative_form(category, data=nomination.narratives)
    if not nomination.editable:
        form.form_errors.append(str(ops.NotEditable()))
    elif not category.window_open():
        form.form_errors.append(str(ops.WindowClosed()))
    elif form.validate_on_submit():
        try:
            ops.save_narratives(nomination, narratives_from(form, category), current_user)
            if request.form.get("action") == "submit":
                ops.submit_nomination(nomination, current_user)
            commit()
        except DomainError as exc:
            rollback()
            form.form_errors.append(str(exc))
        else:
            if request.form.get("action") == "submit":
                flash(_("ส่งการเสนอชื่อแล้ว"), "success")
                return redirect(url_for("nominations.view", nomination_id=nomination.id))
            flash(_("บันทึกแล้ว"), "success")
            return redirect(url_for("nominations.edit", nomination_id=nomination.id))
    return render_template("nominations/edit.html", nomination=nomination, category=category, form=form,
                           can_edit=nomination.editable, missing=ops.missing_parts(nomination),
                           action_form=ActionForm())


@bp.post("/nominations/<int:nomination_id>/autosave")
@login_required
def autosave(nomination_id: int):
    """Save the narratives typed so far (JSON {section: text}); the page calls this as you type."""
    nomination = nomination_or_404(nomination_id)
    if not nomination.can_edit(current_user):
        abort(403)
    data = request.get_json(silent=True)
    if not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
        return jsonify(ok=False, message=_("ข้อมูลที่ส่งมาอ่านไม่ได้")), 400
    narratives = {k: v for k, v in data.items() if k in nomination.category.sections}
    try:
        ops.save_narratives(nomination, narratives, current_user, autosave=True)
        commit()
    except DomainError as exc:
        rollback()
        return jsonify(ok=False, message=str(exc)), 409
    return jsonify(ok=True, saved_at=format_date(utcnow(), "datetime", locale=locale_code()),
                   message=_("บันทึกอัตโนมัติแล้ว"))


def _action(nomination_id: int, operation, done: str, target: str = "nominations.view"):
    nomination = nomination_or_404(nomination_id)
    if not nomination.can_edit(current_user):
        abort(403)
    # Worked out before the operation: a deleted nomination cannot be read after the commit.
    after = (url_for(target, nomination_id=nomination_id) if target != "fair"
             else url_for("nominations.fair_nominations", fair_id=nomination.fair_id))
    form = ActionForm()
    if form.validate_on_submit():
        try:
            operation(nomination, current_user)
            commit()
            flash(done, "success")
        except DomainError as exc:
            rollback()
            flash(str(exc), "error")
            return redirect(url_for("nominations.view", nomination_id=nomination_id))
    return redirect(after)


@bp.post("/nominations/<int:nomination_id>/submit")
@login_required
def submit(nomination_id: int):
    return _action(nomination_id, ops.submit_nomination, _("ส่งการเสนอชื่อแล้ว"))


@bp.post("/nominations/<int:nomination_id>/delete")
@login_required
def delete(nomination_id: int):
    return _action(nomination_id, ops.delete_nomination, _("ลบฉบับร่างแล้ว"), target="fair")
