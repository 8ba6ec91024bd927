"""Public fair pages; fair set-up and per-fair roles for admins."""
from __future__ import annotations

from dataclasses import asdict

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..accounts.forms import ActionForm
from ..core.access import admin_required
from ..core.forms import form_csrf
from ..core.i18n import use_thai_digits
from ..core.transaction import attempt
from .blueprint import bp
from . import operations as ops, queries
from .access import fair_or_404, fair_policy, grant_or_404
from .forms import FairForm, GrantRoleForm
from .models import ROLE_LABELS
from .work import items_for

DEFAULT_ORGANIZER = "ศูนย์คุณธรรม (องค์การมหาชน)"


@bp.app_template_filter("role_label")
def role_label(role: str) -> str:
    """The translated label of a per-fair role (staff, judge, chair), for any template."""
    return str(ROLE_LABELS.get(role, role))


@bp.get("/")
def index():
    """The front page: the fairs that are coming, and how to take part."""
    return render_template("fairs/index.html", fairs=queries.upcoming_fairs())


@bp.get("/fairs/<int:fair_id>")
def fair(fair_id: int):
    """A fair's public page: when, where, and the windows for booths, nominations and judging."""
    fair = fair_or_404(fair_id)
    use_thai_digits(fair.thai_numerals)
    roles = current_user.roles_in(fair.id) if current_user.is_authenticated else set()
    policy = asdict(fair_policy(fair, current_user))
    work = items_for(fair) if policy["can_staff"] else []  # what waits for the fair's staff (fairs.work)
    return render_template("fairs/fair.html", fair=fair, roles=roles, work=work, **policy)


@bp.get("/admin/fairs")
@admin_required
def admin_fairs():
    return render_template("fairs/admin_list.html", fairs=queries.fairs_newest_first())


def _form_data(form: FairForm) -> dict:
    data = {k: getattr(form, k).data for k in ops.FAIR_FIELDS if hasattr(form, k)}
    data["province_code"] = form.province.data
    data["name_en"] = (data.get("name_en") or "").strip() or None
    data["venue_en"] = (data.get("venue_en") or "").strip() or None
    return data


@bp.route("/admin/fairs/new", methods=["GET", "POST"])
@admin_required
@form_csrf
def create_fair():
    form = FairForm()
    if not form.is_submitted():
        form.organizer_th.data = DEFAULT_ORGANIZER
    if form.validate_on_submit():
        with attempt(form) as done:
            fair = ops.create_fair(_form_data(form), current_user)
        if done:
            flash(_("สร้างงาน %(name)s แล้ว", name=fair.name_th), "success")
            return redirect(url_for("fairs.fair_roles", fair_id=fair.id))
    return render_template("fairs/edit.html", form=form, fair=None)


@bp.route("/admin/fairs/<int:fair_id>/edit", methods=["GET", "POST"])
@admin_required
@form_csrf
def edit_fair(fair_id: int):
    fair = fair_or_404(fair_id)
    use_thai_digits(fair.thai_numerals)
    form = FairForm(obj=fair)
    if not form.is_submitted():
        form.province.data = fair.province_code
    if form.validate_on_submit():
        with attempt(form) as done:
            ops.update_fair(fair, _form_data(form), current_user)
        if done:
            flash(_("บันทึกการแก้ไขแล้ว"), "success")
            return redirect(url_for("fairs.fair", fair_id=fair.id))
    return render_template("fairs/edit.html", form=form, fair=fair)


@bp.route("/admin/fairs/<int:fair_id>/roles", methods=["GET", "POST"])
@admin_required
@form_csrf
def fair_roles(fair_id: int):
    """Grant staff, judge and chair roles in one fair; list and revoke them."""
    fair = fair_or_404(fair_id)
    use_thai_digits(fair.thai_numerals)
    form = GrantRoleForm()
    if form.validate_on_submit():
        with attempt(form) as done:  # UnknownUser, RoleAlreadyGranted -> the email field
            grant = ops.grant_role(fair, form.email.data, form.role.data, current_user)
        if done:
            flash(_("ให้บทบาท %(role)s แก่ %(name)s แล้ว", role=grant.label, name=grant.user.full_name), "success")
            return redirect(url_for("fairs.fair_roles", fair_id=fair.id))
    return render_template("fairs/roles.html", fair=fair, form=form, grants=queries.grants(fair),
                           action_form=ActionForm())


@bp.post("/admin/fairs/<int:fair_id>/roles/<int:grant_id>/revoke")
@admin_required
def revoke_role(fair_id: int, grant_id: int):
    fair = fair_or_404(fair_id)
    grant = grant_or_404(fair, grant_id)
    name, label = grant.user.full_name, grant.label
    ops.revoke_role(grant, current_user)
    flash(_("ยกเลิกบทบาท %(role)s ของ %(name)s แล้ว", role=label, name=name), "info")
    return redirect(url_for("fairs.fair_roles", fair_id=fair.id))
