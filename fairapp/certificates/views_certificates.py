"""Issued certificates: the list, one certificate (its PDF and picture, print, revoke, reissue).

Who gets what: the fair's staff and admins; anyone else signed in gets 403, anonymous users the login
page; a fair or certificate that does not exist is 404.
"""
from __future__ import annotations

from flask import flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..core.errors import envelope, wants_json
from ..core.forms import form_csrf
from ..core.i18n import use_thai_digits
from ..core.responses import send_bytes
from ..core.transaction import attempt
from ..fairs.access import staff_fair_or_404
from . import access, operations as ops, printing, queries
from .blueprint import bp
from .forms import PrintForm, ReissueForm, RevokeForm
from .labels import KIND_LABELS, KINDS
from .models import Certificate
from .preview import png_of


def _pdf(cert: Certificate, **options):
    return send_bytes(printing.certificate_pdf(cert), f"certificate-{cert.grouped_serial}.pdf", **options)


@bp.route("/fairs/<int:fair_id>/certificates/issued")
@login_required
def issued(fair_id: int):
    fair = staff_fair_or_404(fair_id)
    use_thai_digits(fair.thai_numerals)
    kind = request.args.get("kind", "")
    q = request.args.get("q", "")[:100]
    rows = queries.issued(fair, kind, q)
    return render_template("certificates/issued.html", fair=fair, rows=rows, prints=queries.last_prints(
        [c.id for c in rows]), kind=kind, q=q, kinds=KINDS, kind_labels=KIND_LABELS)


@bp.route("/certificates/<int:cert_id>")
@login_required
def detail(cert_id: int):
    return _detail_page(access.certificate_or_404(cert_id))


def _detail_page(cert: Certificate, *, revoke_form=None, reissue_form=None, status: int = 200):
    use_thai_digits(cert.fair.thai_numerals)
    if reissue_form is None:
        reissue_form = ReissueForm(formdata=None, data={"holder_name": cert.holder_name,
                                                        "holder_org": cert.holder_org})
    problem = printing.print_problem([cert])
    return render_template("certificates/detail.html", cert=cert, fair=cert.fair, history=queries.history(cert),
                           revoke_form=revoke_form or RevokeForm(formdata=None), reissue_form=reissue_form,
                           can_print=access.can_print(problem), reprint=access.reprint_warning(problem),
                           can_revoke=access.can_revoke(cert), can_reissue=access.can_reissue(cert)), status


@bp.route("/certificates/<int:cert_id>/certificate.pdf")
@login_required
def certificate_pdf(cert_id: int):
    return _pdf(access.certificate_or_404(cert_id))


@bp.route("/certificates/<int:cert_id>/preview.png")
@login_required
def certificate_png(cert_id: int):
    cert = access.certificate_or_404(cert_id)
    width = 700 if request.args.get("size") == "small" else 1100
    return send_bytes(png_of(printing.certificate_pdf(cert), width), f"certificate-{cert.grouped_serial}.png",
                      max_age=600)


@bp.route("/certificates/<int:cert_id>/print", methods=["POST"])
@login_required
def print_one(cert_id: int):
    """Record a printed copy and give the PDF. Printed before and not confirmed: say when and by whom
    (409 `printed_before` for the kiosk's script, a warning on the page otherwise)."""
    cert = access.certificate_or_404(cert_id)
    form = PrintForm()
    form.validate()  # the token was checked before the view; `confirm` is a checkbox
    confirmed = bool(form.confirm.data)
    problem = printing.print_problem([cert], confirmed=confirmed)
    if problem is not None:
        if wants_json():
            return envelope(problem.code, problem, problem.status, **problem.extra)
        flash(str(problem), "warning" if access.reprint_warning(problem) else "error")
        if request.form.get("back") == "kiosk":
            return redirect(url_for("certificates.kiosk", fair_id=cert.fair_id, q=request.form.get("q", ""),
                                    pick=cert.id))
        return redirect(url_for("certificates.detail", cert_id=cert.id))
    via = "kiosk" if request.form.get("via") == "kiosk" else "single"
    printing.print_certificates([cert], current_user, via, confirmed=confirmed)
    if wants_json():
        return jsonify(ok=True, pdf=url_for("certificates.print_pdf", cert_id=cert.id))
    return _pdf(cert)


@bp.route("/certificates/<int:cert_id>/print.pdf")
@login_required
def print_pdf(cert_id: int):
    """The PDF the kiosk loads into its frame to print (the copy was recorded by print_one)."""
    return _pdf(access.certificate_or_404(cert_id), frameable=True)


@bp.route("/certificates/<int:cert_id>/revoke", methods=["POST"])
@login_required
@form_csrf
def revoke(cert_id: int):
    cert = access.certificate_or_404(cert_id)
    form = RevokeForm()
    if not form.validate():
        return _detail_page(cert, revoke_form=form, status=400)
    with attempt() as done:
        ops.revoke(cert, form.reason.data, current_user, public_reason=form.public_reason.data)
    if done:
        flash(_("เพิกถอนเกียรติบัตรเลขที่ %(serial)s แล้ว", serial=cert.grouped_serial), "success")
    return redirect(url_for("certificates.detail", cert_id=cert.id))


@bp.route("/certificates/<int:cert_id>/reissue", methods=["POST"])
@login_required
@form_csrf
def reissue(cert_id: int):
    cert = access.certificate_or_404(cert_id)
    form = ReissueForm()
    if not form.validate():
        return _detail_page(cert, reissue_form=form, status=400)
    with attempt() as done:
        new = ops.reissue(cert, form.reason.data, current_user, holder_name=form.holder_name.data,
                          holder_org=form.holder_org.data or "")
    if not done:
        return redirect(url_for("certificates.detail", cert_id=cert.id))
    flash(_("ออกเกียรติบัตรฉบับใหม่เลขที่ %(new)s แทนฉบับเลขที่ %(old)s แล้ว", new=new.grouped_serial,
            old=cert.grouped_serial), "success")
    return redirect(url_for("certificates.detail", cert_id=new.id))
