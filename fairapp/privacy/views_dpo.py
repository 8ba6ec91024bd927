"""The data protection officer's pages: the record of processing (s.39, page and XLSX) and the breach
register (s.37(4)) with the 72-hour deadline and the letter to the people affected. DPOs only (others
signed in: 403); a breach that does not exist: 404."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from ..core.forms import form_csrf
from ..core.i18n import locale_code
from ..core.pagination import paginate, send_xlsx
from ..core.time import utcnow
from ..core.transaction import attempt
from . import operations as ops
from . import record, registry
from .access import breach_or_404, dpo_required
from .blueprint import bp
from .forms import BreachForm
from .models import Breach
from .requests import due_soon_count
from .sensitive import unconsented
from .views import contact


@bp.get("/privacy/dpo")
@dpo_required
def dpo_home():
    breaches = paginate(select(Breach).order_by(Breach.found_at.desc(), Breach.id.desc()))
    return render_template("privacy/dpo.html", breaches=breaches, now=utcnow(), registry=registry,
                           due_soon=due_soon_count(), unconsented=unconsented())


@bp.get("/privacy/record")
@dpo_required
def record_page():
    return render_template("privacy/record.html", header=record.HEADER, rows=record.rows(), contact=contact(),
                           registry=registry)


@bp.get("/privacy/record.xlsx")
@dpo_required
def record_xlsx():
    return send_xlsx(record.table(), f"record-of-processing-v{registry.VERSION}.xlsx")


@bp.route("/privacy/breaches/new", methods=["GET", "POST"])
@dpo_required
@form_csrf
def new_breach():
    form = BreachForm()
    if request.method == "POST" and form.validate():
        with attempt(form) as done:
            breach = ops.record_breach(form.values(), current_user)
        if done:
            flash(_("บันทึกเหตุละเมิดแล้ว"), "success")
            return redirect(url_for("privacy.breach", breach_id=breach.id), code=303)
    status = 400 if request.method == "POST" else 200
    return render_template("privacy/breach_form.html", form=form, breach=None), status


@bp.route("/privacy/breaches/<int:breach_id>", methods=["GET", "POST"])
@dpo_required
@form_csrf
def breach(breach_id: int):
    found = breach_or_404(breach_id)
    form = BreachForm(data=BreachForm.data_of(found)) if request.method == "GET" else BreachForm()
    if request.method == "POST" and form.validate():
        with attempt(form) as done:
            changed = ops.update_breach(found, form.values(), current_user)
        if done:
            flash(_("บันทึกการแก้ไขแล้ว") if changed else _("ไม่มีข้อมูลที่เปลี่ยน"), "success")
            return redirect(url_for("privacy.breach", breach_id=found.id), code=303)
    status = 400 if request.method == "POST" else 200
    return render_template("privacy/breach_form.html", form=form, breach=found, now=utcnow()), status


@bp.get("/privacy/breaches/<int:breach_id>/letter")
@dpo_required
def breach_letter(breach_id: int):
    """The draft in the page's language (Thai for the people affected); ?lang=th or ?lang=en picks one."""
    found = breach_or_404(breach_id)
    asked = request.args.get("lang")
    locale = asked if asked in ("th", "en") else locale_code()
    return render_template("privacy/breach_letter.html", breach=found, letter=record.letter(found, contact(), locale),
                           letter_lang=locale)
