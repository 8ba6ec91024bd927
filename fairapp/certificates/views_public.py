"""Public certificate checks (no login): `/verify/<serial>` in HTML or JSON, a form to type a serial or
upload a PDF, and the public key that checks QR signatures offline.

What a wrong serial shows is the same for every wrong serial: "not found", or "mistyped" when the
check character says so before the database is asked. Nothing about other certificates is revealed, and
every route here is rate-limited per address (CERTIFICATE_RATE_LIMIT). Why a certificate was revoked
is said only as its public reason (chosen from labels.PUBLIC_REASONS); the staff's note stays internal.
"""
from __future__ import annotations

import hashlib

from flask import current_app, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ..core.errors import wants_json
from ..core.forms import form_csrf
from ..core.i18n import locale_code, use_thai_digits
from ..core.responses import send_bytes
from ..core.thai import format_date
from ..core.uploads import sniff
from ..extensions import limiter
from . import public_page, serials, signing
from .blueprint import bp
from .forms import CheckForm
from .models import Certificate
from .queries import certificate_by_pdf

MAX_PDF = 20 * 1024 * 1024
SERIAL_ERRORS = {
    "empty": lambda e: _("กรุณากรอกเลขที่เกียรติบัตร"),
    "alphabet": lambda e: _("เลขที่เกียรติบัตรไม่มีตัวอักษร %(chars)s (ไม่ใช้เลข 0, 1 และตัว O, I, L) "
                            "กรุณาดูเลขที่บนเกียรติบัตรอีกครั้ง", chars=" ".join(e.bad)),
    "length": lambda e: _("เลขที่เกียรติบัตรมี 16 ตัวอักษร (เช่น MC68-7K2M-QX9D-R4TJ) กรุณาตรวจสอบอีกครั้ง"),
    "check": lambda e: _("เลขที่นี้พิมพ์ผิด: ตัวตรวจสอบไม่ตรง อาจสลับหรือพิมพ์ตัวอักษรผิด 1 ตัว "
                         "กรุณาตรวจสอบกับเกียรติบัตรอีกครั้ง"),
}


def _limit() -> str:
    return current_app.config["CERTIFICATE_RATE_LIMIT"]


def public_keys() -> dict:
    key = signing.signing_key().public_key()
    return {signing.key_id(key): key}


def describe(cert: Certificate) -> dict:
    """What the public may know about a certificate, as JSON."""
    data = {"serial": cert.grouped_serial, "status": cert.status, "kind": cert.kind,
            "holder": None if cert.holder_withheld_at else cert.holder_name,
            "holder_withheld": cert.holder_withheld_at is not None, "holder_org": cert.holder_org, "award_or_role": cert.role_th,
            "fair": cert.fair.name_th, "fair_en": cert.fair.name_en, "date": cert.given_on.isoformat(),
            "date_th": format_date(cert.given_on, "long", "th"), "pdf_sha256": cert.pdf_sha256}
    if cert.revoked_at is not None:
        # The public reason only (a code of labels.PUBLIC_REASONS and its label in the request's language;
        # both None when none was chosen). The staff's note (revoked_reason) is never shown here.
        data["revoked_at"] = cert.revoked_at.isoformat()
        label = cert.public_reason_label
        data["revoked_reason_code"] = cert.revoked_public_reason if label is not None else None
        data["revoked_reason"] = label
    if cert.superseded_by is not None:
        data["superseded_by"] = cert.superseded_by.grouped_serial
        data["superseded_by_url"] = url_for("certificates.verify", serial=cert.superseded_by.grouped_serial,
                                            _external=True)
    return data


def _qr_check(cert: Certificate | None, token: str | None) -> dict | None:
    """When the page was opened from a QR: does its signature hold, and do its facts match the record?"""
    if not token:
        return None
    try:
        facts = signing.verify_token(token[:signing.MAX_SCAN_CHARS], public_keys())
    except signing.Tampered:
        return {"signature": "invalid"}
    # a name withheld at the holder's request (PDPA s.33) cannot be compared: the rest still is
    matches = bool(cert is not None and facts.serial == cert.serial
                   and (facts.holder == cert.holder_name or cert.holder_withheld_at is not None)
                   and facts.kind == cert.kind and facts.fair_id == cert.fair_id
                   and facts.date == cert.given_on.isoformat())
    return {"signature": "valid", "matches_record": matches}


def _page(state: str, *, cert=None, serial_typed="", error=None, qr=None, pdf_check=None, status=200,
          lookup_only=False):
    """The check's page (or JSON) in this state. `lookup_only` (a certificate's own page): its form looks up
    another serial by GET, with no CSRF token, so a visitor's view sets no session and no cookie."""
    if cert is not None:
        use_thai_digits(False)
    if wants_json():
        body = {"status": state, "serial": serial_typed}
        if cert is not None:
            body.update(describe(cert))
        if error:
            body["message"] = error
        if qr is not None:
            body["qr"] = qr
        if pdf_check is not None:
            body["pdf_matches"] = pdf_check
        return jsonify(body), status
    form = CheckForm(formdata=None, data={"serial": serial_typed}, meta={"csrf": False} if lookup_only else {})
    return render_template("certificates/verify.html", state=state, cert=cert, serial_typed=serial_typed,
                           error=error, qr=qr, pdf_check=pdf_check, form=form, lookup_only=lookup_only,
                           lang=locale_code()), status


@bp.route("/verify/<serial>")
@limiter.limit(_limit)
def verify(serial: str):
    token = request.args.get("q")
    try:
        compact = serials.normalize(serial[:80])
    except serials.SerialError as error:
        return _page("invalid", serial_typed=serial[:40], error=SERIAL_ERRORS[error.reason](error), status=404,
                     lookup_only=True)
    grouped = serials.grouped(compact)
    if serial != grouped and not wants_json():
        return redirect(url_for("certificates.verify", serial=grouped, **({"q": token} if token else {})), 301)
    as_json = wants_json()
    keep = as_json or public_page.cacheable()
    key = None
    if keep:
        # Kept per certificate facts, HTML or JSON, language and path (the QR's token, so its verdict is in
        # the page): only the facts are read from the database when it is.
        facts = public_page.facts(compact)
        key = None if facts is None else public_page.key_of(facts, as_json)
        body = None if key is None else public_page.get(key)
        if body is not None:
            return current_app.response_class(body, mimetype="application/json" if as_json else "text/html")
    cert = public_page.certificate(compact)
    if cert is None:
        return _page("not_found", serial_typed=grouped, qr=_qr_check(None, token), status=404, lookup_only=True)
    response, status = _page(cert.status, cert=cert, serial_typed=grouped, qr=_qr_check(cert, token),
                             lookup_only=True)
    if keep:
        key = public_page.key_of(public_page.facts_of(cert), as_json)  # what it was rendered from
        public_page.put(key, response.get_data(as_text=True) if as_json else response)
    return response, status


def _form_page(form: CheckForm, status: int = 200):
    return render_template("certificates/verify.html", state="form", cert=None, serial_typed="", error=None,
                           qr=None, pdf_check=None, form=form, lang=locale_code()), status


def _check_pdf(form: CheckForm, typed: str):
    """An uploaded PDF: is it, byte for byte, a certificate as issued (and the one typed, if one was)?"""
    data = form.pdf.data.read(MAX_PDF + 1)
    if len(data) > MAX_PDF or sniff(data[:1024]) != "pdf":
        form.pdf.errors = [_("ไฟล์นี้ไม่ใช่ PDF (หรือใหญ่เกิน 20 MB) กรุณาแนบไฟล์เกียรติบัตรที่ได้รับ")]
        return _form_page(form, 400)
    cert = certificate_by_pdf(hashlib.sha256(data).hexdigest())
    if cert is not None and typed:
        try:
            same = serials.normalize(typed) == cert.serial
        except serials.SerialError:
            same = False
        cert = cert if same else None
    if cert is None:
        return _page("pdf_unknown", serial_typed=typed[:40], pdf_check=False, status=404)
    return _page(cert.status, cert=cert, serial_typed=cert.grouped_serial, pdf_check=True)


@bp.route("/verify", methods=["GET", "POST"])
@limiter.limit(_limit, methods=["POST"])
@form_csrf
def check():
    form = CheckForm()
    if request.method == "GET":
        if "serial" in request.args:  # a certificate's page looks up another serial by GET
            return _look_up(form, request.args.get("serial", "")[:60].strip())
        return _form_page(form)
    if not form.validate():
        return _form_page(form, 400)
    typed = (form.serial.data or "").strip()
    if form.pdf.data:
        return _check_pdf(form, typed)
    return _look_up(form, typed)


def _look_up(form: CheckForm, typed: str):
    """To the typed serial's page; the form again with what was typed and why, when it is not a serial."""
    try:
        compact = serials.normalize(typed)
    except serials.SerialError as error:
        form.serial.data = typed
        form.serial.errors = [SERIAL_ERRORS[error.reason](error)]
        return _form_page(form, 400)
    return redirect(url_for("certificates.verify", serial=serials.grouped(compact)))


@bp.route("/verify/public-key")
@limiter.limit(_limit)
def public_key():
    key = signing.signing_key().public_key()
    return jsonify(alg="Ed25519", kid=signing.key_id(key), public_key=signing.b64e(signing.public_raw(key)),
                   pem=signing.public_pem(key),
                   format=("QR: <site>/verify/<serial>?q=base64url(payload).base64url(signature); the signature "
                           "is Ed25519 over b'fairapp-certificate-v1\\n' + payload; payload is canonical JSON "
                           "with keys d (date), f (fair id), h (holder), k (kind), kid, s (serial), v (1)"))


@bp.route("/verify/public-key.pem")
@limiter.limit(_limit)
def public_key_pem():
    key = signing.signing_key().public_key()
    return send_bytes(signing.public_pem(key).encode("ascii"), "fairapp-certificates-public-key.pem",
                      mimetype="application/x-pem-file")
