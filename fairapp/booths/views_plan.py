"""The staff floor-plan editor: place booths, block them, allocate approved applications by clicking on
the plan, move and swap; the plan's grid and image.

Every editor form posts to its own endpoint, which calls one operation and redirects back to the plan
with a flash; a refused form re-renders the plan with what was typed. Without JavaScript a booth is
chosen by its link on the plan (or the booth list); floorplan.js only saves the reload.
"""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..core.forms import BaseForm, form_csrf
from ..core.i18n import locale_code, use_thai_digits
from ..core.transaction import attempt
from ..fairs.models import Fair
from .blueprint import bp
from . import operations as ops, plan_ops, plan_render, queries
from .access import get_in, staff_fair_or_404
from .forms_plan import FORMS, PlanForm
from .models import Application
from .views_floorplan import PX_PER_UNIT, image_url


def _form(name: str, fair: Fair, types, **kwargs) -> PlanForm:
    """One of the page's forms; its fields get ids of their own (the forms share field names)."""
    form = FORMS[name](fair=fair, **kwargs)
    if "booth_type" in form:
        form.set_types(types, locale_code())
    for f in form:
        f.id = f"{name}-{f.name}"
        f.label.field_id = f.id
    return form


def _render(fair: Fair, selected_id: int | None = None, posted: tuple[str, BaseForm] | None = None):
    plan = plan_render.load_plan(fair)
    by_id = {b.id: b for b in plan.booths}
    if posted is not None and posted[1].data.get("booth") in by_id:
        selected_id = posted[1].data["booth"]
    selected = by_id.get(selected_id)
    forms = {}
    for name in FORMS:
        if posted is not None and posted[0] == name:
            form = posted[1]
        elif name == "edit" and selected is not None:
            form = _form(name, fair, plan.types, formdata=None, obj=selected)
            form.booth_type.data = selected.booth_type_id  # obj gives the relationship, not the id
        elif name == "add":
            form = _form(name, fair, plan.types, formdata=None, w=2, h=2)
        elif name == "grid":
            form = _form(name, fair, plan.types, formdata=None, cols=plan.setup.plan_cols, rows=plan.setup.plan_rows)
        else:
            form = _form(name, fair, plan.types, formdata=None)
        if "booth" in form and form.booth.data is None and selected is not None:
            form.booth.data = selected.id
        forms[name] = form
    # An application that is not waiting (say, not approved) stays chosen in the refused form.
    wanted = forms["assign"].application.data
    assign_extra = get_in(Application, wanted, fair) if wanted not in {a.id for a in plan.waiting} else None
    return render_template(
        "booths/plan_edit.html", fair=fair, plan=plan, cells=plan_render.cells(plan, locale_code(), public=False),
        selected=selected, selected_state=plan.states.get(selected.id) if selected else None,
        forms=forms, posted=posted[0] if posted else None, types=plan.types,
        state_labels=plan_render.STATE_LABELS, colors=plan_render.STATE_COLORS, assign_extra=assign_extra,
        image_url=image_url(fair, plan.setup), px=PX_PER_UNIT)


@bp.get("/fairs/<int:fair_id>/booths/plan")
@login_required
def plan(fair_id: int):
    """The staff editor: the plan, the chosen booth's actions, adding booths, the grid and its image."""
    fair = staff_fair_or_404(fair_id)
    use_thai_digits(fair.thai_numerals)
    return _render(fair, selected_id=request.args.get("booth", type=int))


def _post(fair_id: int, name: str, act):
    """Validate the named form, run `act(form)` (one operation; it returns the message and the booth to
    select) and go back to the plan; a refusal is shown on the form, the input kept."""
    fair = staff_fair_or_404(fair_id)
    use_thai_digits(fair.thai_numerals)
    form = _form(name, fair, queries.booth_types(fair))
    if form.validate_on_submit():
        with attempt(form) as done:
            message, booth_id = act(form)
        if done:
            flash(message, "success")
            return redirect(url_for("booths.plan", fair_id=fair.id, booth=booth_id) + "#plan")
    return _render(fair, posted=(name, form))


def _org_name(application: Application | None) -> str:
    return application.organization.name(locale_code()) if application else ""


@bp.post("/fairs/<int:fair_id>/booths/plan/assign")
@login_required
@form_csrf
def plan_assign(fair_id: int):
    """Put an approved application in the chosen booth (or move it there from its booth)."""
    def act(form):
        booth, application = form.chosen["booth"], form.chosen["application"]
        ops.allocate_booth(application, booth, current_user)
        return _("จัดสรรบูธ %(code)s ให้ %(org)s แล้ว", code=booth.code, org=_org_name(application)), booth.id
    return _post(fair_id, "assign", act)


@bp.post("/fairs/<int:fair_id>/booths/plan/unassign")
@login_required
@form_csrf
def plan_unassign(fair_id: int):
    """Empty the chosen booth; the application stays approved and waits for a booth again."""
    def act(form):
        booth = form.chosen["booth"]
        application = ops.unallocate_booth(booth, current_user)
        return _("ยกเลิกการจัดสรรบูธ %(code)s แล้ว %(org)s กลับไปรอจัดสรรบูธ", code=booth.code,
                 org=_org_name(application)), booth.id
    return _post(fair_id, "unassign", act)


@bp.post("/fairs/<int:fair_id>/booths/plan/swap")
@login_required
@form_csrf
def plan_swap(fair_id: int):
    """Move the chosen booth's organization to another booth, or exchange the two booths' organizations."""
    def act(form):
        done = ops.swap_booths(form.chosen["booth"], form.chosen["other"], current_user)
        if done.was_in_first is not None and done.was_in_second is not None:
            return _("สลับบูธ %(a)s กับ %(b)s แล้ว", a=done.first.code, b=done.second.code), done.second.id
        source, target = (done.first, done.second) if done.was_in_first else (done.second, done.first)
        return _("ย้าย %(org)s จากบูธ %(a)s ไปบูธ %(b)s แล้ว", org=_org_name(done.was_in_first or done.was_in_second),
                 a=source.code, b=target.code), done.second.id
    return _post(fair_id, "swap", act)


@bp.post("/fairs/<int:fair_id>/booths/plan/block")
@login_required
@form_csrf
def plan_block(fair_id: int):
    """Close the chosen booth (it cannot be allocated) or open it again."""
    def act(form):
        blocked = form.blocked.data == "1"
        booth = plan_ops.set_blocked(form.chosen["booth"], blocked, current_user)
        return (_("ปิดบูธ %(code)s แล้ว", code=booth.code) if blocked
                else _("เปิดบูธ %(code)s แล้ว", code=booth.code)), booth.id
    return _post(fair_id, "block", act)


@bp.post("/fairs/<int:fair_id>/booths/plan/add")
@login_required
@form_csrf
def plan_add(fair_id: int):
    """Place a new booth on the plan."""
    def act(form):
        booth = plan_ops.create_booth(form.fair, form.chosen["booth_type"], form.code.data, form.zone.data,
                                      actor=current_user, **form.place())
        return _("เพิ่มบูธ %(code)s แล้ว", code=booth.code), booth.id
    return _post(fair_id, "add", act)


@bp.post("/fairs/<int:fair_id>/booths/plan/edit")
@login_required
@form_csrf
def plan_edit(fair_id: int):
    """Recode, retype, move or resize the chosen booth."""
    def act(form):
        booth = plan_ops.update_booth(form.chosen["booth"], current_user, code=form.code.data,
                                      zone=form.zone.data or "", booth_type=form.chosen["booth_type"], **form.place())
        return _("บันทึกบูธ %(code)s แล้ว", code=booth.code), booth.id
    return _post(fair_id, "edit", act)


@bp.post("/fairs/<int:fair_id>/booths/plan/delete")
@login_required
@form_csrf
def plan_delete(fair_id: int):
    """Remove the chosen booth (only an empty one)."""
    def act(form):
        code = form.chosen["booth"].code
        plan_ops.delete_booth(form.chosen["booth"], current_user)
        return _("ลบบูธ %(code)s แล้ว", code=code), None
    return _post(fair_id, "delete", act)


@bp.post("/fairs/<int:fair_id>/booths/plan/grid")
@login_required
@form_csrf
def plan_grid(fair_id: int):
    """The plan's size in grid units."""
    def act(form):
        plan_ops.set_plan_grid(form.fair, form.cols.data, form.rows.data, current_user)
        return _("บันทึกขนาดผังแล้ว"), None
    return _post(fair_id, "grid", act)


@bp.post("/fairs/<int:fair_id>/booths/plan/image")
@login_required
@form_csrf
def plan_image_upload(fair_id: int):
    """An image of the venue under the plan (checked, cleaned and stored by core.uploads)."""
    def act(form):
        plan_ops.set_plan_image(form.fair, form.image.data, current_user)
        return _("บันทึกรูปผังแล้ว"), None
    return _post(fair_id, "image", act)


@bp.post("/fairs/<int:fair_id>/booths/plan/image/remove")
@login_required
@form_csrf
def plan_image_remove(fair_id: int):
    """Take the image away from under the plan (the booths stay)."""
    def act(form):
        plan_ops.remove_plan_image(form.fair, current_user)
        return _("นำรูปผังออกแล้ว"), None
    return _post(fair_id, "remove_image", act)

