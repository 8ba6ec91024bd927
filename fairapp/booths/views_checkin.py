"""Check-in on the day: the scanning page, the scan endpoint, and a live dashboard for fair staff.

The scanning page works offline: it queues scans in the phone's localStorage, each with an id made on the
phone (client_id) and the time it was scanned, and sends them when the network is back. The scan
endpoint answers JSON:
- success, 200: {"ok": true, "result": "checked_in" | "already", "client_id", "repeat", "booth", "zone",
  "organization", "checked_in_at", "checked_in_by", "message"};
- a refusal: the one envelope {"ok": false, "code", "message", "client_id", "booth", "zone",
  "organization"} with 400 (unreadable input), 404 (unknown booth or pass) or 409 (a rule said no).
  Sending such a scan again will not help: the page takes it off its queue.
"""
from __future__ import annotations

from flask import jsonify, render_template, request
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf.csrf import generate_csrf

from ..core.errors import DomainError, envelope
from ..core.i18n import locale_code, use_thai_digits
from .blueprint import bp
from . import operations as ops, queries
from .access import staff_fair_or_404
from .models import Application
from .passes import PassForged, PassOtherFair


def _exhibitor(application: Application | None) -> dict:
    """The fields that name the exhibitor a scan was about (None when it named none)."""
    booth = application.booth if application is not None else None
    return {"booth": booth.code if booth else None, "zone": booth.zone if booth else None,
            "organization": application.organization.name(locale_code()) if application is not None else None}


def _message(done: ops.CheckIn, body: dict) -> str:
    application = done.application
    if done.result == "checked_in":
        return _("เช็กอินแล้ว: บูธ %(code)s %(org)s", code=body["booth"] or "-", org=body["organization"])
    when, by = queries.clock(application.checked_in_at), application.checked_in_by
    if by is not None:
        return _("บูธ %(code)s เช็กอินไปแล้วเมื่อ %(time)s โดย %(name)s", code=body["booth"] or "-", time=when,
                 name=by.full_name)
    return _("บูธ %(code)s เช็กอินไปแล้วเมื่อ %(time)s", code=body["booth"] or "-", time=when)


def _answer(done: ops.CheckIn, client_id: str):
    """The success answer: the result, what was checked in, when and by whom, and a message to show."""
    application = done.application
    by = application.checked_in_by
    body = {"ok": True, "result": done.result, "client_id": client_id, "repeat": done.repeat,
            **_exhibitor(application),
            "checked_in_at": application.checked_in_at.isoformat() if application.checked_in_at else None,
            "checked_in_by": by.full_name if by else None}
    body["message"] = _message(done, body)
    return jsonify(body)


def _refused(error: DomainError):
    """A refused scan: the one JSON envelope, with the scan's own id and the exhibitor when known."""
    data = request.get_json(silent=True)
    client_id = data.get("client_id") if isinstance(data, dict) else None
    return envelope(error.code, error, error.status, client_id=client_id if isinstance(client_id, str) else None,
                    **_exhibitor(getattr(error, "application", None)))


for _refusal in (ops.CheckInRefused, PassForged, PassOtherFair):  # raised only by the scan
    bp.register_error_handler(_refusal, _refused)


@bp.get("/fairs/<int:fair_id>/checkin")
@login_required
def checkin(fair_id: int):
    """The scanning page: camera (QR on the pass) or the booth code typed; works offline."""
    fair = staff_fair_or_404(fair_id)
    use_thai_digits(fair.thai_numerals)
    return render_template("booths/checkin.html", fair=fair, stats=queries.checkin_stats(fair))


@bp.post("/fairs/<int:fair_id>/checkin/scan")
@login_required
def checkin_scan(fair_id: int):
    """Check an exhibitor in from a scan: JSON {client_id, token | booth_code, scanned_at}."""
    fair = staff_fair_or_404(fair_id)
    scan = ops.read_scan(request.get_json(silent=True))
    return _answer(ops.record_scan(fair, current_user, scan), scan.client_id)


@bp.get("/fairs/<int:fair_id>/checkin/dashboard")
@login_required
def checkin_dashboard(fair_id: int):
    """Who has arrived, zone by zone; refreshes itself from /checkin/stats."""
    fair = staff_fair_or_404(fair_id)
    use_thai_digits(fair.thai_numerals)
    return render_template("booths/checkin_dashboard.html", fair=fair, stats=queries.checkin_stats(fair))


@bp.get("/fairs/<int:fair_id>/checkin/stats")
@login_required
def checkin_stats(fair_id: int):
    """The dashboard's figures as JSON, with a fresh CSRF token for the scanning page."""
    fair = staff_fair_or_404(fair_id)
    response = jsonify({"ok": True, **queries.checkin_stats(fair), "csrf_token": generate_csrf()})
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/fairs/<int:fair_id>/checkin/missing")
@login_required
def checkin_missing(fair_id: int):
    """Every booth not yet checked in, 50 to a page (?zone=A; "-": no zone), for the dashboard's "all"."""
    fair = staff_fair_or_404(fair_id)
    use_thai_digits(fair.thai_numerals)
    zone = (request.args.get("zone") or "").strip()[:20] or None
    return render_template("booths/checkin_missing.html", fair=fair, zone=zone,
                           page=queries.checkin_missing(fair, zone))
