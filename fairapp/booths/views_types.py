"""Fair staff: the fair's booth types (size, what comes with them, capacity) and its booth settings."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..core.forms import form_csrf
from ..core.i18n import use_thai_digits
from ..core.transaction import attempt
from .blueprint import bp
from . import operations as ops, queries
from .access import get_or_404, staff_fair_or_404
from .forms import BoothTypeForm, SetupForm
from .models import BoothSetup, BoothType


@bp.route("/fairs/<int:fair_id>/booths/setup", methods=["GET", "POST"])
@login_required
@form_csrf
def setup(fair_id: int):
    """Booth types (size, what comes with them, capacity) and the fair's booth settings."""
    fair = staff_fair_or_404(fair_id)
    use_thai_digits(fair.thai_numerals)
    # Two forms on one page, told apart by the hidden "form" field (their field names differ).
    posted = request.form.get("form") if request.method == "POST" else None
    type_form = BoothTypeForm(formdata=None if posted != "type" else request.form)
    setup_form = SetupForm(formdata=None if posted != "setup" else request.form, obj=BoothSetup.for_fair(fair.id))
    if posted == "type" and type_form.validate():
        with attempt(type_form) as done:
            booth_type = ops.create_booth_type(fair, type_form.values(), current_user)
        if done:
            flash(_("เพิ่มประเภทบูธ %(name)s แล้ว", name=booth_type.name_th), "success")
            return redirect(url_for("booths.setup", fair_id=fair.id))
    elif posted == "setup" and setup_form.validate():
        with attempt(setup_form) as done:
            ops.update_booth_setup(fair, setup_form.values(), current_user)
        if done:
            flash(_("บันทึกการตั้งค่าแล้ว"), "success")
            return redirect(url_for("booths.setup", fair_id=fair.id))
    return render_template("booths/setup.html", fair=fair, types=queries.booth_types(fair), type_form=type_form,
                           setup_form=setup_form, remaining=queries.remaining_by_type(fair.id))


@bp.route("/fairs/<int:fair_id>/booths/types/<int:type_id>", methods=["GET", "POST"])
@login_required
@form_csrf
def edit_type(fair_id: int, type_id: int):
    """Change a booth type; its capacity never below the places it has given (the operation checks,
    under the type's lock)."""
    fair = staff_fair_or_404(fair_id)
    use_thai_digits(fair.thai_numerals)
    booth_type = get_or_404(BoothType, type_id, parent=fair)
    form = BoothTypeForm(obj=booth_type)
    if form.validate_on_submit():
        with attempt(form) as done:
            ops.update_booth_type(booth_type, form.values(), current_user)
        if done:
            flash(_("บันทึกประเภทบูธแล้ว"), "success")
            return redirect(url_for("booths.setup", fair_id=fair.id))
    return render_template("booths/edit_type.html", fair=fair, booth_type=booth_type, form=form)
