"""Exhibitor passes (on screen and PDF) and check-in on the day: the scanning page, the scan endpoint,
and a live dashboard for fair staff.

The scanning page works offline: it queues scans in the phone's localStorage, each with an id made on
the phone (client_id) and the time it was scanned, and sends them when the network is back. The scan
endpoint is idempotent twice over: by client_id (a retried scan answers what the first one did) and
by application (a second scan of the same exhibitor is "already", naming when and by whom).
"""
from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

from flask import flash, jsonify, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf.csrf import generate_csrf
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from ..accounts.models import Organization, User
from ..core.errors import DomainError
from ..core.i18n import locale_code
from ..core.thai import format_date, thai_digits
from ..core.time import to_local, utcnow
from ..extensions import db
from ..fairs.models import Fair
from . import bp, operations as ops
from .models import Application, Booth, CheckInScan, Status
from .passes import PassForged, PassOtherFair, fair_dates, make_pass_token, qr_svg, read_pass_token, \
    render_pass_pdf
from .views_org import application_or_404, rollback
from ..fairs.access import staff_fair_or_404

CLIENT_ID = re.compile(r"[A-Za-z0-9_-]{8,64}")
STALE_SCAN = timedelta(hours=24)  # an older scan time is a wrong phone clock: the server's time is used


class BoothUnknown(DomainError):
    message = _l("ไม่พบบูธรหัส %(code)s ในงานนี้")


class BoothEmpty(DomainError):
    message = _l("บูธ %(code)s ยังไม่มีองค์กรที่ได้รับการจัดสรร")


def _allocated(application: Application) -> bool:
    return application.booth is not None and application.status == Status.approved


# ---- passes ----

@bp.get("/booths/<int:application_id>/pass")
@login_required
def pass_page(application_id: int):
    """The exhibitor's pass on screen (QR to show at the gate), for the organization, staff and admins."""
    application = application_or_404(application_id)
    allocated = _allocated(application)
    token = make_pass_token(application) if allocated else None
    lang = locale_code()
    qr = qr_svg(token, _("QR บัตรผู้ออกบูธ %(code)s", code=application.booth.code)) if token else None
    return render_template("booths/pass.html", application=application, fair=application.fair,
                           allocated=allocated, qr=qr, dates=fair_dates(application.fair, lang))


@bp.get("/booths/<int:application_id>/pass.pdf")
@login_required
def pass_pdf(application_id: int):
    """The pass as an A6 PDF to print; back to the pass page with a message when there is no booth yet."""
    application = application_or_404(application_id)
    if not _allocated(application):
        flash(_("ยังไม่ได้รับการจัดสรรบูธ จึงยังไม่มีบัตรผู้ออกบูธ"), "error")
        return redirect(url_for("booths.pass_page", application_id=application.id))
    response = make_response(render_pass_pdf(application))
    response.mimetype = "application/pdf"
    name = re.sub(r"[^A-Za-z0-9_-]", "", application.booth.code) or str(application.id)  # a Thai code too
    response.headers["Content-Disposition"] = f'inline; filename="pass-{name}.pdf"'
    response.headers["Cache-Control"] = "private, no-store"  # the QR in it is the exhibitor's pass
    return response


# ---- check-in ----

@bp.get("/fairs/<int:fair_id>/checkin")
@login_required
def checkin(fair_id: int):
    """The scanning page: camera (QR on the pass) or the booth code typed; works offline."""
    fair = staff_fair_or_404(fair_id)
    return render_template("booths/checkin.html", fair=fair, stats=checkin_stats_data(fair))


def _clock(moment: datetime) -> str:
    """08:12 น. (today, Bangkok) or the date and time (another day)."""
    lang = locale_code()
    local = to_local(moment)
    if local.date() != to_local(utcnow()).date():
        return format_date(moment, "datetime", lang)
    return f"{local:%H:%M} น." if lang == "th" else f"{local:%H:%M}"


def _answer(result: str, application: Application | None, client_id: str, *, repeat: bool = False,
            message: str | None = None):
    """The scan endpoint's JSON: the result, a message to show, and what was checked in."""
    lang = locale_code()
    booth = application.booth if application is not None else None
    body = {"result": result, "client_id": client_id, "repeat": repeat, "booth": booth.code if booth else None,
            "zone": booth.zone if booth else None,
            "organization": application.organization.name(lang) if application is not None else None,
            "checked_in_at": None, "checked_in_by": None}
    if application is not None and application.checked_in_at is not None:
        by = application.checked_in_by
        body["checked_in_at"] = application.checked_in_at.isoformat()
        body["checked_in_by"] = by.full_name if by else None
        if result == "checked_in":
            message = message or _("เช็กอินแล้ว: บูธ %(code)s %(org)s", code=body["booth"] or "-",
                                   org=body["organization"])
        elif result == "already":
            when = _clock(application.checked_in_at)
            message = message or (
                _("บูธ %(code)s เช็กอินไปแล้วเมื่อ %(time)s โดย %(name)s", code=body["booth"] or "-", time=when,
                  name=by.full_name) if by else
                _("บูธ %(code)s เช็กอินไปแล้วเมื่อ %(time)s", code=body["booth"] or "-", time=when))
    body["message"] = message or _("ทำรายการนี้ไม่ได้")
    return jsonify(body)


def _bad_request(message: str):
    return jsonify(result="error", message=message), 400


def _scanned_at(value) -> datetime | None:
    """The phone's scan time (ISO 8601) as aware UTC; None (meaning now) when absent or implausible."""
    if value in (None, ""):
        return None
    moment = datetime.fromisoformat(value) if isinstance(value, str) else None
    if moment is None:
        raise ValueError("scanned_at")
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    moment = moment.astimezone(timezone.utc)
    return None if moment < utcnow() - STALE_SCAN else moment


def normalize_code(code: str) -> str:
    """A booth code as typed on a phone: spaces gone, Thai digits made Arabic, capitals (a01 -> A01)."""
    code = re.sub(r"\s+", "", code or "")
    return code.translate(str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")).upper()


def _resolve(fair: Fair, token: str | None, code: str | None) -> Application:
    """The application a scan names, by pass token or booth code; named errors when it names none."""
    if token:
        return read_pass_token(token, fair)
    booth = db.session.scalar(select(Booth).where(Booth.fair_id == fair.id, func.upper(Booth.code) == code))
    if booth is None:
        raise BoothUnknown(code=code)
    if booth.application is None:
        raise BoothEmpty(code=code)
    return booth.application


def _repeat(seen: CheckInScan, client_id: str, fair: Fair):
    if seen.fair_id != fair.id:
        return _bad_request(_("รหัสการสแกนนี้ถูกใช้กับงานอื่นแล้ว"))
    application = db.session.get(Application, seen.application_id) if seen.application_id else None
    return _answer(seen.result, application, client_id, repeat=True)


@bp.post("/fairs/<int:fair_id>/checkin/scan")
@login_required
def checkin_scan(fair_id: int):
    """Check an exhibitor in from a scan: JSON {client_id, token | booth_code, scanned_at}.

    Answers 200 with result checked_in / already / refused (and a message), or 400 with result
    "error" for a request that can never succeed (retrying it will not help).
    """
    fair = staff_fair_or_404(fair_id)
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        return _bad_request(_("ข้อมูลการสแกนอ่านไม่ได้"))
    client_id, token, code = data.get("client_id"), data.get("token"), data.get("booth_code")
    if not isinstance(client_id, str) or not CLIENT_ID.fullmatch(client_id):
        return _bad_request(_("ข้อมูลการสแกนไม่มีรหัสการสแกนที่ถูกต้อง"))
    if not isinstance(token, (str, type(None))) or not isinstance(code, (str, type(None))):
        return _bad_request(_("ข้อมูลการสแกนอ่านไม่ได้"))
    token = (token or "").strip()[:500]
    code = normalize_code(code or "")[:40]
    if not token and not code:
        return _bad_request(_("กรุณาสแกน QR หรือพิมพ์รหัสบูธ"))
    try:
        scanned_at = _scanned_at(data.get("scanned_at"))
    except (ValueError, TypeError, OverflowError):
        return _bad_request(_("เวลาที่สแกนอ่านไม่ได้"))

    seen = db.session.scalar(select(CheckInScan).where(CheckInScan.client_id == client_id))
    if seen is not None:
        return _repeat(seen, client_id, fair)
    application = None
    try:
        application = _resolve(fair, token, code)
        # Lock the exhibitor's row: two phones scanning the same pass at once check it in once.
        application = db.session.scalars(select(Application).where(Application.id == application.id)
                                         .with_for_update().execution_options(populate_existing=True)).one()
        # A retry of this very scan may have been recorded while we waited for the lock.
        seen = db.session.scalar(select(CheckInScan).where(CheckInScan.client_id == client_id))
        if seen is not None:
            rollback()
            return _repeat(seen, client_id, fair)
        result, application = ops.check_in(application, current_user, client_id=client_id,
                                           scanned_at=scanned_at)
        db.session.commit()
    except (PassForged, PassOtherFair, BoothUnknown, BoothEmpty, ops.NotAllocated) as exc:
        rollback()
        return _answer("refused", application, client_id, message=str(exc))
    except IntegrityError:
        # The same scan arrived twice at once (a retry while the first was under way): answer the first.
        rollback()
        seen = db.session.scalar(select(CheckInScan).where(CheckInScan.client_id == client_id))
        if seen is None:
            raise
        return _repeat(seen, client_id, fair)
    return _answer(result, application, client_id)


# ---- the live dashboard ----

def checkin_stats_data(fair: Fair, recent: int = 8) -> dict:
    """Checked-in / expected per zone, the latest arrivals and who is still missing: four queries."""
    lang = locale_code()
    digits = fair.thai_numerals and lang == "th"
    num = thai_digits if digits else str
    expected = (select(Booth.zone, Booth.code, Application.checked_in_at, Organization.name_th,
                       Organization.name_en)
                .join(Application, Booth.application_id == Application.id)
                .join(Organization, Application.organization_id == Organization.id)
                .where(Booth.fair_id == fair.id, Application.status == Status.approved))
    zone_rows = db.session.execute(
        select(Booth.zone, func.count(Application.id), func.count(Application.checked_in_at))
        .join(Application, Booth.application_id == Application.id)
        .where(Booth.fair_id == fair.id, Application.status == Status.approved)
        .group_by(Booth.zone).order_by(Booth.zone)).all()
    missing_rows = db.session.execute(expected.where(Application.checked_in_at.is_(None))
                                      .order_by(Booth.zone, Booth.code)).all()
    recent_rows = db.session.execute(
        select(Booth.code, Organization.name_th, Organization.name_en, Application.checked_in_at,
               User.title, User.first_name, User.last_name)
        .select_from(Application)
        .join(Booth, Booth.application_id == Application.id)
        .join(Organization, Application.organization_id == Organization.id)
        .outerjoin(User, Application.checked_in_by_id == User.id)
        .where(Application.fair_id == fair.id, Application.checked_in_at.is_not(None))
        .order_by(Application.checked_in_at.desc()).limit(recent)).all()

    def org_name(name_th, name_en):
        return (name_en or name_th) if lang == "en" else name_th

    missing: dict[str, list] = {}
    for zone, code, _at, name_th, name_en in missing_rows:
        missing.setdefault(zone or "", []).append({"code": code, "organization": org_name(name_th, name_en)})
    zones = []
    for zone, count, done in zone_rows:
        zones.append({"zone": zone or "", "label": _("โซน %(zone)s", zone=zone) if zone else _("ไม่ระบุโซน"),
                      "expected": count, "checked_in": done, "text": f"{num(done)} / {num(count)}",
                      "missing": missing.get(zone or "", [])})
    total_expected = sum(z["expected"] for z in zones)
    total_done = sum(z["checked_in"] for z in zones)
    return {
        "expected": total_expected, "checked_in": total_done,
        "text": _("เช็กอินแล้ว %(done)s จาก %(expected)s บูธ", done=num(total_done), expected=num(total_expected)),
        "zones": zones,
        "recent": [{"code": code, "organization": org_name(name_th, name_en), "at": _clock(at),
                    "by": f"{title or ''}{first or ''} {last or ''}".strip()}
                   for code, name_th, name_en, at, title, first, last in recent_rows],
        "updated": _("อัปเดตล่าสุด %(time)s", time=f"{to_local(utcnow()):%H:%M:%S}"),
    }


@bp.get("/fairs/<int:fair_id>/checkin/dashboard")
@login_required
def checkin_dashboard(fair_id: int):
    """Who has arrived, zone by zone; refreshes itself from /checkin/stats."""
    fair = staff_fair_or_404(fair_id)
    return render_template("booths/checkin_dashboard.html", fair=fair, stats=checkin_stats_data(fair))


@bp.get("/fairs/<int:fair_id>/checkin/stats")
@login_required
def checkin_stats(fair_id: int):
    """The dashboard's figures as JSON, with a fresh CSRF token for the scanning page."""
    fair = staff_fair_or_404(fair_id)
    response = jsonify({**checkin_stats_data(fair), "csrf_token": generate_csrf()})
    response.headers["Cache-Control"] = "no-store"
    return response
