"""Nominators: a fair's award categories, nominating, narratives with autosave, submitting, deleting a draft.

Each view loads through `access`, calls one operation, and lets the request's unit of work commit
(core.transaction); a refused operation is shown on the form (`attempt(form)`), flashed (a button) or
answered as the JSON envelope (the autosave).
"""
from __future__ import annotations

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..accounts.forms import ActionForm
from ..core.errors import envelope
from ..core.forms import form_csrf
from ..privacy import notices
from ..core.i18n import locale_code, use_thai_digits
from ..core.thai import format_date
from ..core.time import utcnow
from ..core.transaction import attempt
from ..fairs.access import fair_or_404
from .blueprint import bp
from . import access, operations as ops, queries
from .forms import NomineeForm, narrative_form, narratives_from
from .models import EVENT_LABELS, SECTION_LABELS


@bp.get("/fairs/<int:fair_id>/nominations")
def fair_nominations(fair_id: int):
    """The award categories of a fair, their windows and conditions, and the user's nominations."""
    fair = fair_or_404(fair_id)
    use_thai_digits(fair.thai_numerals)
    categories = queries.categories_of(fair.id)
    return render_template("nominations/fair.html", fair=fair, categories=categories,
                           mine=queries.my_nominations(current_user, fair.id),
                           is_nominator=access.is_nominator(), can_review=access.can_review(fair.id),
                           can_open_judging=access.can_open_judging(fair.id),
                           can_nominate={c.id: access.can_nominate(c) for c in categories})


def _nominee(form: NomineeForm, nominator, office: bool) -> dict | None:
    """The nominee the form names, as create_nomination's arguments (None: the organization named
    does not exist; the form then says so)."""
    kind = form.nominee.data if office else "self"
    if kind == "community":
        return {"nominee_org": None, "community": {
            "name": form.community_name.data, "village": form.community_village.data,
            "subdistrict": form.community_subdistrict.data, "province_code": form.province.data,
            "district_code": form.district.data}}
    nominee_org = nominator if kind == "self" else queries.organization(form.org_id.data)
    if nominee_org is None:
        form.org_id.errors.append(_("กรุณาเลือกองค์กร"))
        return None
    return {"nominee_org": nominee_org, "community": None}


@bp.route("/fairs/<int:fair_id>/nominations/new/<int:category_id>", methods=["GET", "POST"])
@login_required
@form_csrf
def new(fair_id: int, category_id: int):
    """Start a nomination: whom (our organization, another organization, or a community)."""
    fair = fair_or_404(fair_id)
    category = access.category_or_404(fair, category_id)
    if not access.is_nominator():
        abort(403)
    use_thai_digits(fair.thai_numerals)
    nominator = current_user.acting_organization(request.args.get("org", type=int))
    if nominator is None:
        if request.args.get("org"):
            abort(404)
        return render_template("nominations/pick_org.html", category=category, orgs=current_user.organizations)
    office = ops.may_nominate_others(category, nominator)
    form = NomineeForm(orgs=queries.other_organizations(nominator) if office else [], locale=locale_code())
    if not office:
        form.nominee.data = "self"
    problem = ops.nominate_problem(category, nominator)
    if problem is not None:
        form.form_errors.append(str(problem))
    elif form.validate_on_submit() and (nominee := _nominee(form, nominator, office)) is not None:
        with attempt(form) as done:
            nomination = ops.create_nomination(category, nominator, narratives={}, actor=current_user, **nominee)
            notices.seen(current_user, "nomination")
        if done:
            flash(_("เริ่มการเสนอชื่อแล้ว กรุณาเขียนเรื่องเล่าและแนบหลักฐาน"), "success")
            return redirect(url_for("nominations.edit", nomination_id=nomination.id))
    return render_template("nominations/new.html", category=category, fair=fair, nominator=nominator,
                           form=form, office=office)


@bp.get("/nominations/<int:nomination_id>")
@login_required
def view(nomination_id: int):
    """The nomination as submitted, its status, what is missing, and its history."""
    nomination = access.nomination_or_404(nomination_id)
    use_thai_digits(nomination.category.fair.thai_numerals)
    member = nomination.can_edit(current_user)
    return render_template("nominations/view.html", nomination=nomination, category=nomination.category,
                           missing=ops.missing_parts(nomination),
                           can_open_editor=member and nomination.editable,
                           can_submit=member and ops.submit_problem(nomination) is None,
                           can_delete=member and ops.delete_problem(nomination) is None,
                           can_review=access.can_review(nomination.fair_id), can_publish=member,
                           action_form=ActionForm(), section_labels=SECTION_LABELS, event_labels=EVENT_LABELS)


@bp.route("/nominations/<int:nomination_id>/edit", methods=["GET", "POST"])
@login_required
@form_csrf
def edit(nomination_id: int):
    """The narratives (saved as you type) and the evidence; submit when complete."""
    nomination = access.editable_nomination_or_404(nomination_id)
    use_thai_digits(nomination.category.fair.thai_numerals)
    category = nomination.category
    if request.method == "POST":
        form = narrative_form(category, formdata=request.form)
    else:
        form = narrative_form(category, data=nomination.narratives)
    problem = ops.edit_problem(nomination)
    if problem is not None:
        form.form_errors.append(str(problem))
    elif form.validate_on_submit():
        submitting = request.form.get("action") == "submit"
        narratives = narratives_from(form, category)
        with attempt(form) as done:
            if submitting:
                ops.save_and_submit(nomination, narratives, current_user)
            else:
                ops.save_narratives(nomination, narratives, current_user)
            ops.set_public_sections(nomination, request.form.getlist("public_sections"), current_user)
            notices.seen(current_user, "nomination")
        if done and submitting:
            flash(_("ส่งการเสนอชื่อแล้ว"), "success")
            return redirect(url_for("nominations.view", nomination_id=nomination.id))
        if done:
            flash(_("บันทึกแล้ว"), "success")
            return redirect(url_for("nominations.edit", nomination_id=nomination.id))
    published = (request.form.getlist("public_sections") if request.method == "POST"
                 else nomination.public_sections or [])
    return render_template("nominations/edit.html", nomination=nomination, category=category, form=form,
                           can_edit=problem is None, missing=ops.missing_parts(nomination),
                           action_form=ActionForm(), published=published, can_publish=True)


@bp.post("/nominations/<int:nomination_id>/autosave")
@login_required
def autosave(nomination_id: int):
    """Save the narratives typed so far (JSON {section: text}); the page calls this as you type.

    {"ok": true, "saved_at", "message"}; or the envelope {"ok": false, "code", "message"}: 400
    `unreadable` (not a JSON object of texts), 409 for a rule (`not_editable`, `window_closed`,
    `too_long`); 401 / 400 `csrf` come from core before this view runs.
    """
    nomination = access.editable_nomination_or_404(nomination_id)
    data = request.get_json(silent=True)
    if not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
        return envelope("unreadable", _("ข้อมูลที่ส่งมาอ่านไม่ได้"), 400)
    with attempt(flash_errors=False) as done:
        ops.save_narratives(nomination, data, current_user, autosave=True)
    if not done:  # a script's request, whatever its Accept header says: the one JSON envelope
        return envelope(done.error.code, done.error, done.error.status)
    return jsonify(ok=True, saved_at=format_date(utcnow(), "datetime", locale=locale_code()),
                   message=_("บันทึกอัตโนมัติแล้ว"))


@bp.post("/nominations/<int:nomination_id>/publication")
@login_required
def publication(nomination_id: int):
    """The narrative sections the nominator lets the fair publish if awarded (any status, also after the
    award: a withdrawal shows on the public page at once)."""
    nomination = access.editable_nomination_or_404(nomination_id)
    with attempt() as done:
        changed = ops.set_public_sections(nomination, request.form.getlist("public_sections"), current_user)
    if done:
        flash(_("บันทึกส่วนที่ให้เผยแพร่แล้ว") if changed else _("ไม่มีการเปลี่ยนแปลง"), "success")
    return redirect(url_for("nominations.view", nomination_id=nomination_id, _anchor="publication"), code=303)


@bp.post("/nominations/<int:nomination_id>/submit")
@login_required
def submit(nomination_id: int):
    nomination = access.editable_nomination_or_404(nomination_id)
    with attempt() as done:
        ops.submit_nomination(nomination, current_user)
    if done:
        flash(_("ส่งการเสนอชื่อแล้ว"), "success")
    return redirect(url_for("nominations.view", nomination_id=nomination_id))


@bp.post("/nominations/<int:nomination_id>/delete")
@login_required
def delete(nomination_id: int):
    nomination = access.editable_nomination_or_404(nomination_id)
    fair_id = nomination.fair_id
    with attempt() as done:
        ops.delete_nomination(nomination, current_user)
    if not done:
        return redirect(url_for("nominations.view", nomination_id=nomination_id))
    flash(_("ลบฉบับร่างแล้ว"), "success")
    return redirect(url_for("nominations.fair_nominations", fair_id=fair_id))
