"""Named domain errors and the HTTP error pages (Thai and English, saying what to do)."""
from __future__ import annotations

from flask import jsonify, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from ..extensions import db


class DomainError(Exception):
    """A rule of the domain said no. Views turn it into a flashed message; `message` is translated."""

    message = _l("ทำรายการนี้ไม่ได้")

    def __init__(self, message=None, **params):
        super().__init__(str(message or self.message))
        self.custom = message
        self.params = params

    def __str__(self) -> str:
        text = str(self.custom or self.message)
        return text % self.params if self.params else text


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
    """True when the request prefers JSON to HTML (a script's fetch, an API client)."""
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json" and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]


def render_error(key, status: int):
    """The error page (or JSON) for a status; `key` picks the wording."""
    title, advice = PAGES.get(key, PAGES.get(status, PAGES[500]))
    if wants_json():
        return jsonify(error=status, title=str(title), message=str(advice)), status
    return render_template("errors/error.html", status=status, title=title, advice=advice), status


def register(app) -> None:
    """Install the error handlers on the app."""

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
        from .mail import discard_queued_mail

        db.session.rollback()
        discard_queued_mail()
        app.logger.exception("unhandled error on %s %s", request.method, request.path)
        return render_error(500, 500)
