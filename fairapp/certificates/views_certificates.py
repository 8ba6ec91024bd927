"""Issued certificates: the list, one certificate (its PDF and picture, print, revoke, reissue).

Who gets what: the fair's staff and admins; anyone else signed in gets 403, anonymous users the login
page; a fair or certificate that does not exist is 404.
"""
from __future__ import annotations

from flask import flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..core.errors import envelope, wants_json
from ..core.forms import confirmed, form_csrf
from ..core.http import safe_id
from ..core.i18n import use_thai_digits
from ..core.pagination import SEEK_ARGS
from ..core.responses import send_bytes
from ..core.templating import num
from ..core.transaction import attempt
from ..fairs.access import staff_fair_or_404
from . import access, operations as ops, printing, queries, reprint
from .blueprint import bp
from .forms import PrintForm, ReissueForm, RevokeForm
from .labels import KIND_LABELS, KINDS
from .models import Certificate
from .preview import png_of


def _pdf(cert: Certificate, **options):
    return send_bytes(printing.certificate_pdf(cert), f"certificate-{cert.grouped_serial}.pdf", **options)


REFUSED_SHOWN = 20  # certificates left out named one by one; the rest are counted


def _issued_args() -> dict:
    """The issued list's search, filters and page, kept when printing sends the staff back to it."""
    kept = (*queries.ISSUED_FILTERS, "page", *SEEK_ARGS)
    return {k: v for k, v in request.args.items() if k in kept and v}


@bp.route("/fairs/<int:fair_id>/certificates/issued")
@login_required
def issued(fair_id: int):
    """The fair's certificates in every state, searched (a serial, or a name as the kiosk folds it) and
    filtered, 50 a page; the ticked ones, or every one matching, can be printed again as a print batch."""
    fair = staff_fair_or_404(fair_id)
    use_thai_digits(fair.thai_numerals)
    page, filters = queries.issued_page(fair, request.args)
    rows = page.items
    matching = request.args.get("select") == "all"
    return render_template("certificates/issued.html", fair=fair, page=page, rows=rows,
                           prints=queries.last_prints([c.id for c in rows]), filters=filters, kind=filters["kind"],
                           q=filters["q"], kinds=KINDS, kind_labels=KIND_LABELS, statuses=queries.STATUSES,
                           matching=matching, ticked={c.id for c in rows} if matching else set(),
                           filter_args=_issued_args())


def _confirm_print(fair, certificates, *, matching: bool):
    """The page that asks before printing: how many, which are left out and why, how many were printed
    before (the batch's page asks again before printing those)."""
    chosen = reprint.sort_out(certificates)
    lang_num = (lambda n: num(f"{n:,}"))
    refused = [f"{c.grouped_serial} {c.holder_shown}: {error}" for c, error in chosen.refused[:REFUSED_SHOWN]]
    if len(chosen.refused) > REFUSED_SHOWN:
        refused.append(_("และอีก %(n)s ฉบับ", n=lang_num(len(chosen.refused) - REFUSED_SHOWN)))
    printed = queries.printed_count([c.id for c in chosen.printable])
    question = (_("พิมพ์เกียรติบัตรทั้ง %(n)s ฉบับที่ตรงกับการค้นหาและตัวกรอง", n=lang_num(len(certificates)))
                if matching else _("พิมพ์เกียรติบัตรที่เลือก %(n)s ฉบับ", n=lang_num(len(certificates))))
    details = _("พิมพ์ได้ %(ok)s ฉบับ · ข้าม %(no)s ฉบับ · เคยพิมพ์แล้ว %(printed)s ฉบับ",
                ok=lang_num(len(chosen.printable)), no=lang_num(len(chosen.refused)), printed=lang_num(printed))
    q = request.args.get("q", "").strip()
    return render_template(
        "confirm_matching.html", fair=fair, title=_("ยืนยันการพิมพ์เกียรติบัตร"), list_title=_("เกียรติบัตรที่ออกแล้ว"),
        count=len(certificates) if chosen.printable else 0, scope="matching" if matching else "page",
        changed=matching and request.form.get("confirmed") == "1",
        back=url_for("certificates.issued", fair_id=fair.id, **_issued_args()), question=question,
        details=details + (" · " + _("ค้นหา: %(q)s", q=q) if q else ""), refused=refused,
        empty_message=_("ไม่มีเกียรติบัตรที่พิมพ์ได้ในรายการนี้"),
        note=_("ระบบจะสร้างชุดพิมพ์ (แยกตามชนิดเกียรติบัตร) แล้วพาไปที่หน้าชุดพิมพ์เพื่อพิมพ์ "
               "ฉบับที่เคยพิมพ์แล้วต้องยืนยันอีกครั้งก่อนพิมพ์ซ้ำ"),
        hidden={} if matching else {"ids": [c.id for c in certificates]}, button_name="print", button_value="1",
        button_label=_("สร้างชุดพิมพ์"), button_class="primary")


@bp.route("/fairs/<int:fair_id>/certificates/issued/print", methods=["POST"])
@login_required
def print_issued(fair_id: int):
    """Print the ticked certificates again, or every one the list's search and filters match (read again
    here, inside this unit of work; sent as the list's address, never as ids): a confirmation with their
    number first, then a print batch per kind (reprint.reprint). Those that may not be printed are named."""
    fair = staff_fair_or_404(fair_id)
    use_thai_digits(fair.thai_numerals)
    matching = request.form.get("scope") == "matching"
    back = url_for("certificates.issued", fair_id=fair.id, **_issued_args())
    if matching:
        certificates = queries.issued_matching(fair, request.args)
    else:
        certificates = queries.certificates_in(fair, [safe_id(v) for v in request.form.getlist("ids")])
        if not certificates:
            flash(_("กรุณาเลือกเกียรติบัตรอย่างน้อยหนึ่งฉบับ"), "error")
            return redirect(back)
    if not confirmed(len(certificates) if matching else None):
        return _confirm_print(fair, certificates, matching=matching)
    with attempt() as done:
        made, chosen = reprint.reprint(fair, certificates, current_user)
    if not done:
        return redirect(back)
    flash(_("สร้างชุดพิมพ์ %(b)s ชุด รวม %(n)s ฉบับ · ข้าม %(s)s ฉบับ", b=num(len(made)),
            n=num(f"{len(chosen.printable):,}"), s=num(len(chosen.refused))), "success")
    for certificate, error in chosen.refused[:REFUSED_SHOWN]:
        flash(f"{certificate.grouped_serial}: {error}", "warning")
    if len(made) == 1:
        return redirect(url_for("certificates.batch", batch_id=made[0].id))
    return redirect(url_for("certificates.index", fair_id=fair.id))


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
