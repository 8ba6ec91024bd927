"""Public fair pages; fair set-up and per-fair roles for admins."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..accounts.forms import ActionForm
from ..core.access import admin_required
from ..core.errors import DomainError
from ..core.forms import form_csrf
from ..core.thai import sort_thai
from ..extensions import db
from . import bp, operations as ops
from .forms import FairForm
from .forms import GrantRoleForm
from .access import fair_or_404
from .models import ROLE_LABELS, Fair, FairRole
from .queries import upcoming_fairs


@bp.app_template_filter("role_label")
def role_label(role: str) -> str:
    """The translated label of a per-fair role (staff, judge, chair), for any template."""
    return str(ROLE_LABELS.get(role, role))


@bp.get("/")
def index():
    """The front page: the fairs that are coming, and how to take part."""
    return render_template("fairs/index.html", fairs=upcoming_fairs())


@bp.get("/fairs/<int:fair_id>")
def fair(fair_id: int):
    """A fair's public page: when, where, and the windows for booths, nominations and judging."""
    fair = fair_or_404(fair_id)
    roles = current_user.roles_in(fair.id) if current_user.is_authenticated else set()
    return render_template("fairs/fair.html", fair=fair, roles=roles)


@bp.get("/admin/fairs")
@admin_required
def admin_fairs():
    fairs = db.session.scalars(select(Fair).order_by(Fair.starts_on.desc())).all()
    return render_template("fairs/admin_list.html", fairs=fairs)


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
        form.organizer_th.data = "ศูนย์คุณธรรม (องค์การมหาชน)"
    if form.validate_on_submit():
        fair = ops.create_fair(_form_data(form), current_user)
        db.session.commit()
        flash(_("สร้างงาน %(name)s แล้ว", name=fair.name_th), "success")
        return redirect(url_for("fairs.fair_roles", fair_id=fair.id))
    return render_template("fairs/edit.html", form=form, fair=None)


@bp.route("/admin/fairs/<int:fair_id>/edit", methods=["GET", "POST"])
@admin_required
@form_csrf
def edit_fair(fair_id: int):
    fair = fair_or_404(fair_id)
    form = FairForm(obj=fair)
    if not form.is_submitted():
        form.province.data = fair.province_code
    if form.validate_on_submit():
        ops.update_fair(fair, _form_data(form), current_user)
        db.session.commit()
        flash(_("บันทึกการแก้ไขแล้ว"), "success")
        return redirect(url_for("fairs.fair", fair_id=fair.id))
    return render_template("fairs/edit.html", form=form, fair=fair)


@bp.route("/admin/fairs/<int:fair_id>/roles", methods=["GET", "POST"])
@admin_required
@form_csrf
def fair_roles(fair_id: int):
    """Grant staff, judge and chair roles in one fair; list and revoke them."""
    fair = fair_or_404(fair_id)
    form = GrantRoleForm()
    if form.validate_on_submit():
        try:
            grant = ops.grant_role(fair, form.email.data, form.role.data, current_user)
            db.session.commit()
        except DomainError as exc:
            db.session.rollback()
            form.email.errors.append(str(exc))
        else:
            flash(_("ให้บทบาท %(role)s แก่ %(name)s แล้ว", role=grant.label, name=grant.user.full_name), "success")
            return redirect(url_for("fairs.fair_roles", fair_id=fair.id))
    grants = db.session.scalars(select(FairRole).where(FairRole.fair_id == fair.id)
                                .options(selectinload(FairRole.user))).all()
    grants = sort_thai(grants, key=lambda g: g.user.first_name)
    return render_template("fairs/roles.html", fair=fair, form=form, grants=grants,
                           action_form=ActionForm())


@bp.post("/admin/fairs/<int:fair_id>/roles/<int:grant_id>/revoke")
@admin_required
def revoke_role(fair_id: int, grant_id: int):
    fair = fair_or_404(fair_id)
    grant = db.session.get(FairRole, grant_id)
    if grant is None or grant.fair_id != fair.id:
        abort(404)
    name, label = grant.user.full_name, grant.label
    ops.revoke_role(grant, current_user)
    db.session.commit()
    flash(_("ยกเลิกบทบาท %(role)s ของ %(name)s แล้ว", role=label, name=name), "info")
    return redirect(url_for("fairs.fair_roles", fair_id=fair.id))
