"""Public routes of the Open Badges credentials (no login, rate-limited like /verify):

- `/verify/<serial>/credential.json`: the certificate's signed OpenBadgeCredential (404 for an unknown
  serial; a revoked or superseded one is still served: its status list bit says so);
- `/verify/<serial>/badge.png`: a picture of the badge with the credential baked in (baking.py);
- `/badges/issuer`: the controller document (Multikeys: the current key first, earlier ones kept);
- `/badges/status/<fair id>`: the fair's signed Bitstring Status List credential;
- `/verify/credential` (POST): check an uploaded credential (JSON or baked PNG): valid / revoked /
  superseded / tampered / unknown key / unsupported context, in the visitor's language.

A credential is a function of its certificate's facts (certificates.public_page.facts: the status among
them), the site's address and the published keys, so signed ones are kept per process under that key.
"""
from __future__ import annotations

import json
import threading
from collections import OrderedDict

from flask import Blueprint, abort, current_app, jsonify, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField

from ..certificates import public_page, serials, signing
from ..certificates.operations import public_base_url
from ..core.errors import wants_json
from ..core.forms import BaseForm, form_csrf
from ..core.i18n import locale_code
from ..core.responses import send_bytes
from ..extensions import db, limiter
from ..fairs.models import Fair
from . import baking, checking, credential, keys, status

bp = Blueprint("badges", __name__)
MAX_KEPT = 1024
_lock = threading.Lock()
JSON_TYPE = "application/json"

VERDICT_TEXT = {
    "valid": _l("ใบรับรองดิจิทัล (Open Badges) นี้ลงนามโดยระบบจริงและใช้ได้"),
    "revoked": _l("ใบรับรองดิจิทัลนี้ลงนามจริง แต่เกียรติบัตรถูกเพิกถอนแล้ว"),
    "superseded": _l("ใบรับรองดิจิทัลนี้ลงนามจริง แต่เกียรติบัตรมีฉบับใหม่แทนแล้ว"),
    "tampered": _l("ใบรับรองดิจิทัลนี้ถูกแก้ไข: ลายมือชื่อดิจิทัลไม่ตรงกับข้อมูล"),
    "unknown_key": _l("ใบรับรองดิจิทัลนี้ไม่ได้ลงนามด้วยกุญแจที่ระบบเผยแพร่"),
    "unsupported_context": _l("ใบรับรองดิจิทัลนี้อ้างถึงนิยามข้อมูล (JSON-LD context) ที่ระบบไม่รู้จัก จึงตรวจไม่ได้"),
    "not_found": _l("ลายมือชื่อดิจิทัลถูกต้อง แต่ไม่พบเกียรติบัตรเลขที่นี้"),
    "too_large": _l("ไฟล์ใหญ่เกินไป: ใบรับรองดิจิทัลมีขนาดไม่เกิน 64 KB (ไฟล์ PNG ไม่เกิน 4 MB)"),
    "malformed": _l("ไฟล์นี้ไม่ใช่ใบรับรองดิจิทัล (JSON) ที่อ่านได้"),
    "png_without_credential": _l("ไฟล์ PNG นี้ไม่มีใบรับรองดิจิทัลฝังอยู่"),
}


class CredentialCheckForm(BaseForm):
    credential = FileField(_l("แนบใบรับรองดิจิทัล (ไฟล์ JSON หรือ PNG) เพื่อตรวจลายมือชื่อ"))


def _limit() -> str:
    return current_app.config["CERTIFICATE_RATE_LIMIT"]


def _kept() -> OrderedDict:
    return current_app.extensions.setdefault("fairapp_badge_credentials", OrderedDict())


def _json(body: str):
    response = current_app.response_class(body, mimetype=JSON_TYPE)
    response.headers["Access-Control-Allow-Origin"] = "*"  # wallets and verifiers read it from anywhere
    return response


def _compact_or_404(serial: str) -> str:
    try:
        return serials.normalize(serial[:80])
    except serials.SerialError:
        abort(404)


def _dumps(document: dict) -> str:
    return json.dumps(document, ensure_ascii=False, indent=2)


def credential_json(compact: str) -> str | None:
    """The signed credential of the certificate with this serial, as JSON text (kept per its facts)."""
    facts = public_page.facts(compact)
    if facts is None:
        return None
    base = public_base_url()
    key = signing.signing_key()
    cache_key = (compact, facts, base, signing.key_id(key.public_key()))
    kept = _kept()
    with _lock:
        body = kept.get(cache_key)
        if body is not None:
            kept.move_to_end(cache_key)
            return body
    cert = public_page.certificate(compact)
    body = _dumps(credential.issue(cert, base, key))
    with _lock:
        kept[cache_key] = body
        while len(kept) > MAX_KEPT:
            kept.popitem(last=False)
    return body


def _credential_or_404(serial: str) -> tuple[str, str]:
    """(the compact serial, its credential's JSON), or 404 for a serial that is not a certificate."""
    compact = _compact_or_404(serial)
    body = credential_json(compact)
    if body is None:
        abort(404)
    return compact, body


@bp.route("/verify/<serial>/credential.json")
@limiter.limit(_limit)
def credential_file(serial: str):
    compact, body = _credential_or_404(serial)
    response = send_bytes(body.encode("utf-8"), f"certificate-{serials.grouped(compact)}.json",
                          mimetype=JSON_TYPE, inline=False)
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


@bp.route("/verify/<serial>/badge.png")
@limiter.limit(_limit)
def badge_png(serial: str):
    compact, body = _credential_or_404(serial)
    data = baking.bake(baking.picture(public_page.certificate(compact)), body)
    return send_bytes(data, f"badge-{serials.grouped(compact)}.png", mimetype="image/png", inline=False)


@bp.app_template_global("badge_linkedin_url")
def badge_linkedin_url(cert) -> str:
    """LinkedIn's "add to profile" link for a certificate (templates: my certificates)."""
    return baking.linkedin_url(cert, credential.verify_url(public_base_url(), cert))


@bp.route("/badges/issuer")
@limiter.limit(_limit)
def issuer():
    return _json(_dumps(keys.controller_document(public_base_url())))


@bp.route("/badges/status/<int:fair_id>")
@limiter.limit(_limit)
def status_list(fair_id: int):
    fair = db.session.get(Fair, fair_id)
    if fair is None:
        abort(404)
    return _json(_dumps(status.status_credential(fair, public_base_url(), signing.signing_key())))


def verdict_body(verdict: checking.Verdict) -> dict:
    body = {"verdict": verdict.code, "message": str(VERDICT_TEXT[verdict.code]), "detail": verdict.reason}
    if verdict.serial:
        body["serial"] = verdict.serial
    body.update(verdict.facts)
    return body


@bp.route("/verify/credential", methods=["GET", "POST"])
@limiter.limit(_limit, methods=["POST"])
@form_csrf
def check_credential():
    form = CredentialCheckForm()
    if request.method == "GET" or not form.validate() or not form.credential.data:
        if request.method == "POST" and not form.credential.errors and not form.form_errors:
            form.credential.errors = [_l("กรุณาแนบไฟล์ใบรับรองดิจิทัล")]
        return render_template("badges/check.html", form=form, verdict=None, lang=locale_code()), \
            200 if request.method == "GET" else 400
    upload = form.credential.data
    try:
        data = upload.read(checking.MAX_UPLOAD + 1)
    finally:
        upload.close()  # a large upload sits in a temporary file: let it go now
    verdict = checking.check(data)
    status_code = 200 if verdict.ok else 422
    if wants_json():
        return jsonify(verdict_body(verdict)), status_code
    return render_template("badges/check.html", form=CredentialCheckForm(formdata=None), verdict=verdict,
                           message=VERDICT_TEXT[verdict.code], lang=locale_code()), status_code
