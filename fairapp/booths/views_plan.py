"""The floor plan: the staff editor (place booths, block them, allocate approved applications by clicking
on the plan, move and swap), and the public printable plan (web page and PDF) with the plan's image.

Every editor form posts to its own endpoint, which redirects back to the plan with a flash; a refused
form re-renders the plan with what was typed. Without JavaScript a booth is chosen by its link on the
plan (or the booth list); floorplan.js only saves the reload.
"""
from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf.file import FileField
from wtforms import IntegerField, SelectField, StringField
from wtforms.validators import InputRequired, NumberRange
from wtforms.widgets import HiddenInput

from ..accounts.forms import ActionForm
from ..core.errors import DomainError
from ..core.forms import BaseForm, form_csrf, length, optional, required
from ..core.i18n import locale_code
from ..core.storage import storage
from ..core.uploads import UploadRefused, accept_image
from ..extensions import db
from ..fairs.models import Fair
from . import bp, operations as ops, plan_ops, plan_render
from .models import Application, Booth, BoothSetup, BoothType
from ..fairs.access import fair_or_404, staff_fair_or_404
from .views_org import booth_types, commit_and_mail, rollback

STATE_LABELS = {"available": _l("ว่าง"), "reserved": _l("ว่าง มีผู้รอจัดสรร"), "assigned": _l("จัดสรรแล้ว"),
                "blocked": _l("ปิด ไม่ใช้งาน")}
PUBLIC_STATE_LABELS = {"assigned": _l("มีองค์กรออกบูธ"), "available": _l("บูธว่าง"), "blocked": _l("ไม่เปิดใช้")}
PX_PER_UNIT = 30  # the plan's natural size (phones scroll it sideways inside its box)


# ---- forms (one per action; the booth travels in a hidden field) ----

class BoothRefForm(BaseForm):
    booth = IntegerField(widget=HiddenInput(), validators=[optional()])


class AssignForm(BoothRefForm):
    application = IntegerField(_l("ใบสมัครที่อนุมัติแล้ว รอจัดสรรบูธ"), [optional()])


class SwapForm(BoothRefForm):
    other = IntegerField(_l("ย้ายไปหรือสลับกับบูธ"), [optional()])


class BlockForm(BoothRefForm):
    blocked = StringField()  # "1" close the booth, "0" open it: the value of the button pressed


def _whole(low: int, message):
    return [InputRequired(message=_l("กรุณากรอกช่องนี้")), NumberRange(min=low, message=message)]


class BoothForm(BoothRefForm):
    code = StringField(_l("รหัสบูธ"), [required(), length(plan_ops.CODE_MAX)],
                       description=_l("อักษรภาษาอังกฤษตามด้วยตัวเลข เช่น A07"))
    zone = StringField(_l("โซน"), [optional(), length(40)])
    booth_type = SelectField(_l("ประเภทบูธ"), coerce=int, validate_choice=True)
    x = IntegerField(_l("ช่องที่ (แนวนอน x)"), _whole(0, _l("ใส่ตัวเลขตั้งแต่ 0 ขึ้นไป")))
    y = IntegerField(_l("แถวที่ (แนวตั้ง y)"), _whole(0, _l("ใส่ตัวเลขตั้งแต่ 0 ขึ้นไป")))
    w = IntegerField(_l("กว้าง (ช่อง)"), _whole(1, _l("ใส่ตัวเลขตั้งแต่ 1 ขึ้นไป")))
    h = IntegerField(_l("ลึก (ช่อง)"), _whole(1, _l("ใส่ตัวเลขตั้งแต่ 1 ขึ้นไป")))


class GridForm(BaseForm):
    _range = _l("ใส่ตัวเลข 2 ถึง 200")
    cols = IntegerField(_l("ความกว้างของผัง (ช่อง)"), _whole(plan_ops.GRID_MIN, _range)
                        + [NumberRange(max=plan_ops.GRID_MAX, message=_range)])
    rows = IntegerField(_l("ความลึกของผัง (ช่อง)"), _whole(plan_ops.GRID_MIN, _range)
                        + [NumberRange(max=plan_ops.GRID_MAX, message=_range)])


class ImageForm(BaseForm):
    image = FileField(_l("รูปผังสถานที่ (JPEG, PNG หรือ WebP ไม่เกิน 8 MB)"))


FORMS = {"assign": AssignForm, "unassign": BoothRefForm, "swap": SwapForm, "block": BlockForm,
         "edit": BoothForm, "delete": BoothRefForm, "add": BoothForm, "grid": GridForm, "image": ImageForm,
         "remove_image": ActionForm}


def _tag(form, name: str):
    """Give each form's fields ids of their own (several forms on the page share field names)."""
    for f in form:
        f.id = f"{name}-{f.name}"
        f.label.field_id = f.id
    return form


def _type_choices(form, types) -> None:
    if "booth_type" in form:
        lang = locale_code()
        form.booth_type.choices = [(t.id, f"{t.name(lang)} · {t.size_label}") for t in types]


# ---- the editor page ----

def _image_url(fair: Fair, setup: BoothSetup) -> str | None:
    key = setup.plan_image_key
    return url_for("booths.floorplan_image", fair_id=fair.id, v=key[:8]) if key else None


def _cells(plan: plan_render.Plan, lang: str, public: bool) -> list[dict]:
    """What the SVG draws for each booth: state, label lines fitted to the rectangle, hover title."""
    cells = []
    for booth in plan.booths:
        state = plan_render.public_state(plan, booth) if public else plan.states[booth.id]
        org = booth.application.organization if booth.application else None
        name = org.name(lang) if org else ""
        label = plan_render.fit_label(booth.code, name, booth.w, booth.h)
        state_label = (PUBLIC_STATE_LABELS if public else STATE_LABELS)[state]
        cells.append({"booth": booth, "state": state, "label": label, "name": name, "state_label": state_label,
                      "title": " · ".join(p for p in (booth.code, name or str(state_label),
                                                      booth.booth_type.name(lang)) if p)})
    return cells


def _render(fair: Fair, selected_id: int | None = None, posted: tuple[str, BaseForm] | None = None):
    plan = plan_render.load_plan(fair)
    lang = locale_code()
    by_id = {b.id: b for b in plan.booths}
    if posted is not None and posted[1].data.get("booth") in by_id:
        selected_id = posted[1].data["booth"]
    selected = by_id.get(selected_id)
    forms = {}
    for name, cls in FORMS.items():
        if posted is not None and posted[0] == name:
            form = posted[1]
        elif name == "edit" and selected is not None:
            form = cls(formdata=None, obj=selected)
            form.booth_type.data = selected.booth_type_id  # obj gives the relationship, not the id
        elif name == "add":
            form = cls(formdata=None, w=2, h=2)
        elif name == "grid":
            form = cls(formdata=None, cols=plan.setup.plan_cols, rows=plan.setup.plan_rows)
        else:
            form = cls(formdata=None)
        if "booth" in form and form.booth.data is None and selected is not None:
            form.booth.data = selected.id
        _type_choices(form, plan.types)
        forms[name] = _tag(form, name)
    # An application that is not waiting (say, not approved) stays chosen in the refused form.
    assign_extra = None
    wanted = forms["assign"].application.data
    if wanted and wanted not in {a.id for a in plan.waiting}:
        assign_extra = db.session.get(Application, wanted)
        if assign_extra is not None and assign_extra.fair_id != fair.id:
            assign_extra = None
    return render_template(
        "booths/plan_edit.html", fair=fair, plan=plan, cells=_cells(plan, lang, public=False),
        selected=selected, selected_state=plan.states.get(selected.id) if selected else None,
        forms=forms, posted=posted[0] if posted else None, types=plan.types, state_labels=STATE_LABELS,
        colors=plan_render.STATE_COLORS, assign_extra=assign_extra, image_url=_image_url(fair, plan.setup),
        px=PX_PER_UNIT)


@bp.get("/fairs/<int:fair_id>/booths/plan")
@login_required
def plan(fair_id: int):
    """The staff editor: the plan, the chosen booth's actions, adding booths, the grid and its image."""
    fair = staff_fair_or_404(fair_id)
    return _render(fair, selected_id=request.args.get("booth", type=int))


def _post(fair_id: int, name: str, act):
    """Validate the named form, run `act(fair, form)`, commit once and go back to the plan.

    `act` returns (message, booth id to select, cleanup after the commit) or None when it put an
    error on the form; a named error is shown above the form. Either way the page keeps the input.
    """
    fair = staff_fair_or_404(fair_id)
    form = FORMS[name]()
    _type_choices(form, booth_types(fair))
    if form.validate_on_submit():
        try:
            result = act(fair, form)
            if result is not None:
                message, booth_id, cleanup = result
                commit_and_mail()
                if cleanup:
                    cleanup()
                flash(message, "success")
                return redirect(url_for("booths.plan", fair_id=fair.id, booth=booth_id) + "#plan")
            rollback()
        except DomainError as exc:
            rollback()
            form.form_errors.append(str(exc))
    return _render(fair, posted=(name, form))


def _booth(fair: Fair, form, field: str = "booth") -> Booth | None:
    booth_id = form[field].data
    booth = db.session.get(Booth, booth_id) if booth_id else None
    if booth is None or booth.fair_id != fair.id:
        if field == "booth":
            form.form_errors.append(_("กรุณาคลิกเลือกบูธบนผังก่อน"))
        else:
            form[field].errors.append(_("กรุณาเลือกบูธปลายทาง"))
        return None
    return booth


def _org_name(application: Application | None) -> str:
    return application.organization.name(locale_code()) if application else ""


@bp.post("/fairs/<int:fair_id>/booths/plan/assign")
@login_required
@form_csrf
def plan_assign(fair_id: int):
    """Put an approved application in the chosen booth (or move it there from its booth)."""
    def act(fair, form):
        booth = _booth(fair, form)
        application = db.session.get(Application, form.application.data) if form.application.data else None
        if application is None or application.fair_id != fair.id:
            form.application.errors.append(_("กรุณาเลือกใบสมัคร"))
            return None
        if booth is None:
            return None
        ops.allocate_booth(application, booth, current_user)
        return _("จัดสรรบูธ %(code)s ให้ %(org)s แล้ว", code=booth.code, org=_org_name(application)), booth.id, None
    return _post(fair_id, "assign", act)


@bp.post("/fairs/<int:fair_id>/booths/plan/unassign")
@login_required
@form_csrf
def plan_unassign(fair_id: int):
    """Empty the chosen booth; the application stays approved and waits for a booth again."""
    def act(fair, form):
        booth = _booth(fair, form)
        if booth is None:
            return None
        if booth.application is None:
            form.form_errors.append(_("บูธ %(code)s ยังว่างอยู่", code=booth.code))
            return None
        org = _org_name(booth.application)
        ops.unallocate_booth(booth, current_user)
        return _("ยกเลิกการจัดสรรบูธ %(code)s แล้ว %(org)s กลับไปรอจัดสรรบูธ", code=booth.code, org=org), \
            booth.id, None
    return _post(fair_id, "unassign", act)


@bp.post("/fairs/<int:fair_id>/booths/plan/swap")
@login_required
@form_csrf
def plan_swap(fair_id: int):
    """Move the chosen booth's organization to another booth, or exchange the two booths' organizations."""
    def act(fair, form):
        booth, other = _booth(fair, form), _booth(fair, form, "other")
        if booth is None or other is None:
            return None
        if other.id == booth.id:
            form.other.errors.append(_("กรุณาเลือกบูธอื่น"))
            return None
        if booth.application is None and other.application is None:
            form.form_errors.append(_("บูธ %(a)s และ %(b)s ว่างทั้งคู่ ไม่มีองค์กรให้ย้าย", a=booth.code, b=other.code))
            return None
        moving, staying = booth.application, other.application
        ops.swap_booths(booth, other, current_user)
        if moving is None or staying is None:
            source, target = (booth, other) if moving else (other, booth)
            message = _("ย้าย %(org)s จากบูธ %(a)s ไปบูธ %(b)s แล้ว", org=_org_name(moving or staying),
                        a=source.code, b=target.code)
        else:
            message = _("สลับบูธ %(a)s กับ %(b)s แล้ว", a=booth.code, b=other.code)
        return message, other.id, None
    return _post(fair_id, "swap", act)


@bp.post("/fairs/<int:fair_id>/booths/plan/block")
@login_required
@form_csrf
def plan_block(fair_id: int):
    """Close the chosen booth (it cannot be allocated) or open it again."""
    def act(fair, form):
        booth = _booth(fair, form)
        if booth is None:
            return None
        if form.blocked.data not in ("0", "1"):
            form.form_errors.append(_("กรุณากดปุ่มปิดบูธหรือเปิดบูธ"))
            return None
        blocked = form.blocked.data == "1"
        plan_ops.set_blocked(booth, blocked, current_user)
        message = _("ปิดบูธ %(code)s แล้ว", code=booth.code) if blocked else _("เปิดบูธ %(code)s แล้ว",
                                                                              code=booth.code)
        return message, booth.id, None
    return _post(fair_id, "block", act)


def _booth_type(fair: Fair, form) -> BoothType:
    booth_type = db.session.get(BoothType, form.booth_type.data)
    if booth_type is None or booth_type.fair_id != fair.id:
        raise plan_ops.WrongFair()
    return booth_type


@bp.post("/fairs/<int:fair_id>/booths/plan/add")
@login_required
@form_csrf
def plan_add(fair_id: int):
    """Place a new booth on the plan."""
    def act(fair, form):
        booth = plan_ops.create_booth(fair, _booth_type(fair, form), form.code.data, form.zone.data,
                                      form.x.data, form.y.data, form.w.data, form.h.data, current_user)
        return _("เพิ่มบูธ %(code)s แล้ว", code=booth.code), booth.id, None
    return _post(fair_id, "add", act)


@bp.post("/fairs/<int:fair_id>/booths/plan/edit")
@login_required
@form_csrf
def plan_edit(fair_id: int):
    """Recode, retype, move or resize the chosen booth."""
    def act(fair, form):
        booth = _booth(fair, form)
        if booth is None:
            return None
        plan_ops.update_booth(booth, current_user, code=form.code.data, zone=form.zone.data or "",
                              booth_type=_booth_type(fair, form), x=form.x.data, y=form.y.data,
                              w=form.w.data, h=form.h.data)
        return _("บันทึกบูธ %(code)s แล้ว", code=booth.code), booth.id, None
    return _post(fair_id, "edit", act)


@bp.post("/fairs/<int:fair_id>/booths/plan/delete")
@login_required
@form_csrf
def plan_delete(fair_id: int):
    """Remove the chosen booth (only an empty one)."""
    def act(fair, form):
        booth = _booth(fair, form)
        if booth is None:
            return None
        code = booth.code
        plan_ops.delete_booth(booth, current_user)
        return _("ลบบูธ %(code)s แล้ว", code=code), None, None
    return _post(fair_id, "delete", act)


@bp.post("/fairs/<int:fair_id>/booths/plan/grid")
@login_required
@form_csrf
def plan_grid(fair_id: int):
    """The plan's size in grid units."""
    def act(fair, form):
        plan_ops.set_plan_grid(fair, form.cols.data, form.rows.data, current_user)
        return _("บันทึกขนาดผังแล้ว"), None, None
    return _post(fair_id, "grid", act)


@bp.post("/fairs/<int:fair_id>/booths/plan/image")
@login_required
@form_csrf
def plan_image_upload(fair_id: int):
    """An image of the venue under the plan (checked, cleaned and stored by core.uploads)."""
    def act(fair, form):
        upload = form.image.data
        if not upload or not getattr(upload, "filename", ""):
            form.image.errors.append(_("กรุณาเลือกไฟล์รูปผัง"))
            return None
        try:
            key = accept_image(upload)
        except UploadRefused as exc:
            form.image.errors.append(str(exc))
            return None
        try:
            old = plan_ops.set_plan_image(fair, key, current_user)
        except Exception:
            storage().delete(key)
            raise
        return _("บันทึกรูปผังแล้ว"), None, (lambda: storage().delete(old))
    return _post(fair_id, "image", act)


@bp.post("/fairs/<int:fair_id>/booths/plan/image/remove")
@login_required
@form_csrf
def plan_image_remove(fair_id: int):
    """Take the image away from under the plan (the booths stay)."""
    def act(fair, form):
        old = plan_ops.set_plan_image(fair, None, current_user)
        return _("นำรูปผังออกแล้ว"), None, (lambda: storage().delete(old))
    return _post(fair_id, "remove_image", act)


# ---- the public plan: web page, PDF, image ----

@bp.get("/fairs/<int:fair_id>/floorplan")
def floorplan(fair_id: int):
    """Which organization is where: the plan with names, a legend and an index by booth code. Printable."""
    fair = fair_or_404(fair_id)
    plan = plan_render.load_plan(fair, waiting=False)
    lang = locale_code()
    cells = _cells(plan, lang, public=True)
    return render_template("booths/plan_public.html", fair=fair, plan=plan, cells=cells,
                           index=[c for c in cells if c["name"]], state_labels=PUBLIC_STATE_LABELS,
                           colors=plan_render.STATE_COLORS,
                           image_url=_image_url(fair, plan.setup), px=PX_PER_UNIT)


@bp.get("/fairs/<int:fair_id>/floorplan.pdf")
def floorplan_pdf(fair_id: int):
    """The same plan as an A4 landscape PDF (Thai shaped with HarfBuzz, text extractable)."""
    fair = fair_or_404(fair_id)
    plan = plan_render.load_plan(fair, waiting=False)
    key = plan.setup.plan_image_key
    image = storage().read(key) if key and storage().exists(key) else None
    data = plan_render.render_floorplan_pdf(fair, plan, locale_code(), image=image,
                                         state_labels={k: str(v) for k, v in PUBLIC_STATE_LABELS.items()})
    response = current_app.response_class(data, mimetype="application/pdf")
    response.headers["Content-Disposition"] = 'inline; filename="floorplan.pdf"'
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.get("/fairs/<int:fair_id>/floorplan/image")
def floorplan_image(fair_id: int):
    """The image under the fair's plan; only the fair's own image, never another stored file."""
    fair = fair_or_404(fair_id)
    key = BoothSetup.for_fair(fair.id).plan_image_key
    if not key or not storage().exists(key):
        abort(404)
    ext = key.rsplit(".", 1)[1]
    mimetype = {"jpg": "image/jpeg", "png": "image/png", "webp": "image/webp"}.get(ext)
    if mimetype is None:
        abort(404)
    response = current_app.response_class(storage().read(key), mimetype=mimetype)
    response.headers["Content-Disposition"] = f'inline; filename="floorplan-{fair.id}.{ext}"'
    response.headers["Cache-Control"] = "public, max-age=3600"  # the URL carries the key's start
    return response
