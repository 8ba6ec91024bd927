"""Named domain errors, mapped in one place, and the HTTP error pages (Thai and English, saying what to do).

A `DomainError` carries its HTTP status, a stable `code` (snake_case of the class name) and, where it
belongs to one, the form `field`. `show()` maps it for a page: onto that field (the form keeps what was
typed), above the form, or as a flash for a button. A request that asks for JSON gets the one envelope
`{"ok": false, "code", "message"}` (`envelope()`), for domain errors and HTTP errors alike.
"""
from __future__ import annotations

import re

from flask import flash, jsonify, redirect, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException



class DomainError(Exception):
    """A rule of the domain said no. `message` is translated; `status`, `code` and `field` say how to show it."""

    message = _l("ทำรายการนี้ไม่ได้")
    status = 409
    code = "domain_error"
    field: str | None = None

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if "code" not in cls.__dict__:
            cls.code = re.sub(r"(?<!^)(?=[A-Z])", "_", cls.__name__).lower()

    def __init__(self, message=None, *, field: str | None = None, extra: dict | None = None, **params):
        super().__init__(str(message or self.message))
        self.custom = message
        self.params = params
        self.extra = extra or {}  # more for a script, added to the JSON envelope (e.g. printed_at)
        if field is not None:
            self.field = field

    def __str__(self) -> str:
        text = str(self.custom or self.message)
        return text % self.params if self.params else text


class UploadRefused(DomainError):
    """An uploaded file is not what it claims, or is too big, or is unsafe (core.uploads, core.pdf_check)."""

    message = _l("ไฟล์นี้ใช้ไม่ได้")
    status = 422


PAGES = {
    400: (_l("คำขอไม่ถูกต้อง"), _l("เบราว์เซอร์ส่งข้อมูลที่ระบบอ่านไม่ได้ กรุณากลับไปหน้าก่อน โหลดใหม่ แล้วลองอีกครั้ง")),
    403: (_l("ไม่มีสิทธิ์เข้าถึง"), _l("บัญชีของคุณไม่มีสิทธิ์ดูหน้านี้ หากคิดว่าควรมีสิทธิ์ กรุณาติดต่อเจ้าหน้าที่งาน")),
    404: (_l("ไม่พบหน้านี้"), _l("ลิงก์อาจพิมพ์ผิดหรือหน้านี้ถูกลบไปแล้ว กรุณากลับไปหน้าแรกแล้วค้นหาอีกครั้ง")),
    405: (_l("ใช้วิธีนี้กับหน้านี้ไม่ได้"), _l("หน้านี้ไม่รับคำขอแบบนี้ กรุณากลับไปหน้าก่อนแล้วใช้ปุ่มบนหน้าเว็บ")),
    413: (_l("ข้อมูลที่ส่งมีขนาดใหญ่เกินไป"), _l("ไฟล์หรือข้อความที่ส่งใหญ่เกินขนาดที่รับได้ กรุณาลดขนาดไฟล์แล้วส่งใหม่")),
    429: (_l("ทำรายการถี่เกินไป"), _l("ระบบจำกัดจำนวนครั้งเพื่อความปลอดภัย กรุณารอสักครู่แล้วลองใหม่")),
    500: (_l("ระบบขัดข้อง"), _l("เกิดข้อผิดพลาดในระบบ รายการล่าสุดของคุณยังไม่ถูกบันทึก กรุณาลองใหม่อีกครั้ง หากยังไม่ได้ กรุณาแจ้งเจ้าหน้าที่งาน")),
    "csrf": (_l("แบบฟอร์มหมดอายุ"), _l("รหัสความปลอดภัยของแบบฟอร์มหายไปหรือหมดอายุ กรุณากลับไปหน้าก่อน โหลดหน้าใหม่ แล้วส่งอีกครั้ง")),
}


def wants_json() -> bool:
    """True when the request sends JSON or prefers JSON to HTML (a script's fetch, an API client)."""
    if request.is_json:
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json" and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]


_CODES = {400: "bad_request", 403: "forbidden", 404: "not_found", 405: "method_not_allowed",
          413: "too_large", 429: "too_many_requests", 500: "server_error", "csrf": "csrf"}


def envelope(code: str, message, status: int, **extra):
    """The one JSON error answer: {"ok": false, "code", "message", ...extra} with its status."""
    return jsonify(ok=False, code=code, message=str(message), **extra), status


def render_error(key, status: int):
    """The error page (or the JSON envelope) for a status; `key` picks the wording."""
    title, advice = PAGES.get(key, PAGES.get(status, PAGES[500]))
    if wants_json():
        return envelope(_CODES.get(key, _CODES.get(status, "error")), advice, status, title=str(title))
    return render_template("errors/error.html", status=status, title=title, advice=advice), status


def show(error: DomainError, form=None) -> None:
    """Show a domain error on a page: on its form field, above the form, or flashed (a button)."""
    message = str(error)
    if form is not None:
        field = getattr(form, error.field, None) if error.field else None
        if field is not None and hasattr(field, "errors"):
            if isinstance(field.errors, tuple):  # WTForms leaves a tuple on fields it did not validate
                field.errors = list(field.errors)
            field.errors.append(message)
        else:
            form.form_errors.append(message)
    else:
        flash(message, "error")


def _same_site_referrer() -> str | None:
    from .i18n import safe_next

    ref = request.referrer or ""
    if ref.startswith(request.host_url):
        return safe_next("/" + ref[len(request.host_url):], None)
    return None


def register(app) -> None:
    """Install the error handlers on the app."""

    @app.errorhandler(DomainError)
    def domain_error(error: DomainError):
        # The unit of work has rolled back. A view that wants the error on its form uses attempt(form);
        # what reaches here is a button's or a script's: flash and go back, or the JSON envelope.
        if wants_json():
            return envelope(error.code, error, error.status, **error.extra)
        back = _same_site_referrer()
        if back and request.method not in ("GET", "HEAD"):
            flash(str(error), "error")
            return redirect(back)
        return render_template("errors/error.html", status=error.status, title=DomainError.message,
                               advice=str(error)), error.status

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return render_error("csrf", 400)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if error.code in PAGES:
            response, status = render_error(error.code, error.code)
            if error.code == 405 and getattr(error, "valid_methods", None):
                response = app.make_response((response, status))
                response.headers["Allow"] = ", ".join(error.valid_methods)
                return response
            return response, status
        return error

    @app.errorhandler(Exception)
    def server_error(error: Exception):
        from .transaction import abandon

        abandon()  # the view's unit of work has rolled back already; this covers hooks outside it
        app.logger.exception("unhandled error on %s %s", request.method, request.path)
        return render_error(500, 500)
