"""The category's rubric: the chair and admins edit it (rubric_ops.save_rubric holds the rules); the fair's
staff read it."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..core.forms import form_csrf
from ..core.i18n import use_thai_digits
from ..core.transaction import attempt
from . import access, queries
from . import operations as ops
from .blueprint import bp
from .forms_rubric import RubricForm, rubric_form_data


@bp.route("/judging/categories/<int:category_id>/rubric", methods=["GET", "POST"])
@login_required
@form_csrf
def rubric(category_id: int):
    """The category's rubric: the chair and admins edit it; the fair's staff read it."""
    category = access.chair_category_or_404(category_id, change=request.method == "POST")
    use_thai_digits(category.fair.thai_numerals)
    rubric = access.rubric_of(category)
    form = RubricForm(data=None if request.method == "POST" else rubric_form_data(rubric),
                      nomination_ids=queries.nomination_ids(category.id))
    if form.validate_on_submit():
        with attempt(form) as done:
            ops.save_rubric(category, form.values(), current_user)
        if done:
            flash(_("บันทึกเกณฑ์การตัดสินแล้ว"), "success")
            return redirect(url_for("judging.rubric", category_id=category.id))
    return render_template("judging/chair_rubric.html", category=category, fair=category.fair, rubric=rubric,
                           form=form, **access.chair_actions(category.fair_id, rubric)), \
        (400 if request.method == "POST" else 200)
