"""Fair staff (and admins): a fair's award categories, adding one and changing one.

404 for a fair or a category that does not exist (or a category of another fair); 403 for anyone
signed in who is not the fair's staff. The rules and the audit entries are the operations'
(`create_category`, `update_category`).
"""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..core.forms import form_csrf
from ..core.i18n import locale_code, use_thai_digits
from ..core.transaction import attempt
from ..fairs.access import staff_fair_or_404
from .blueprint import bp
from . import access, operations as ops, queries
from .forms_categories import CategoryForm
from .models import SECTION_LABELS


@bp.route("/fairs/<int:fair_id>/nominations/categories", methods=["GET", "POST"])
@login_required
@form_csrf
def categories(fair_id: int):
    """The fair's award categories, and a form to add one."""
    fair = staff_fair_or_404(fair_id)
    use_thai_digits(fair.thai_numerals)
    form = CategoryForm(fair=fair, locale=locale_code(),
                        data=None if request.method == "POST" else ops.category_defaults(fair))
    if form.validate_on_submit():
        with attempt(form) as done:
            category = ops.create_category(fair, form.values(), current_user)
        if done:
            flash(_("เพิ่มประเภทรางวัล %(name)s แล้ว", name=category.name_th), "success")
            return redirect(url_for("nominations.categories", fair_id=fair.id))
    return render_template("nominations/staff_categories.html", fair=fair, categories=queries.categories_of(fair.id),
                           form=form, counts=queries.submitted_counts(fair.id), section_labels=SECTION_LABELS)


@bp.route("/fairs/<int:fair_id>/nominations/categories/<int:category_id>", methods=["GET", "POST"])
@login_required
@form_csrf
def edit_category(fair_id: int, category_id: int):
    fair = staff_fair_or_404(fair_id)
    category = access.category_or_404(fair, category_id)
    use_thai_digits(fair.thai_numerals)
    form = CategoryForm(fair=fair, locale=locale_code(),
                        data=None if request.method == "POST" else CategoryForm.data_of(category))
    if form.validate_on_submit():
        with attempt(form) as done:
            ops.update_category(category, form.values(), current_user)
        if done:
            flash(_("บันทึกประเภทรางวัลแล้ว"), "success")
            return redirect(url_for("nominations.categories", fair_id=fair.id))
    return render_template("nominations/staff_category_edit.html", fair=fair, category=category, form=form)
