"""A fair's own retention periods (admins): /privacy/fairs/<id>/retention. Shorter than the registry's
defaults only; empty returns a category to its default. A fair that does not exist is 404."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..core.access import admin_required
from ..core.forms import form_csrf
from ..core.transaction import attempt
from ..fairs.access import fair_or_404
from . import retention
from .blueprint import bp
from .forms import RetentionForm
from .registry import retention_days


@bp.route("/privacy/fairs/<int:fair_id>/retention", methods=["GET", "POST"])
@admin_required
@form_csrf
def fair_retention(fair_id: int):
    fair = fair_or_404(fair_id)
    current = retention.settings(fair)
    defaults = {key: retention_days(key) for key in retention.PER_FAIR}
    if request.method == "GET":
        form = RetentionForm(data={k: (v if v != defaults[k] else None) for k, v in current.items()})
    else:
        form = RetentionForm()
    if request.method == "POST" and form.validate():
        with attempt(form) as done:
            changed = retention.set_periods(fair, {key: form[key].data for key in retention.PER_FAIR}, current_user)
        if done:
            flash(_("บันทึกระยะเวลาเก็บข้อมูลแล้ว") if changed else _("ไม่มีข้อมูลที่เปลี่ยน"), "success")
            return redirect(url_for("privacy.fair_retention", fair_id=fair.id), code=303)
    status = 400 if request.method == "POST" else 200
    return render_template("privacy/retention.html", fair=fair, form=form, defaults=defaults, current=current), status
