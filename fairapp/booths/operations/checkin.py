"""Check-in on the day: a scan (pass QR or typed booth code) read, resolved to an exhibitor and counted once.

Idempotent twice over: by the scan's client_id (a retried scan answers what the first one did, even when
both arrive at once) and by exhibitor (a second scan of the same pass is "already"). The application's
row is locked here, and only here: two phones scanning one pass at once check it in once.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import NamedTuple

from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from ...accounts.models import User
from ...core.time import utcnow
from ...core.transaction import savepoint
from ...extensions import db
from ...fairs.models import Fair
from ..models import Application, CheckInScan, Status
from ..passes import read_pass_token
from ..queries import booth_by_code, scan_by_client_id
from .errors import BoothEmpty, BoothUnknown, NotAllocated, ScanOfAnotherFair, ScanUnreadable
from .support import audit_application, lock_application

CLIENT_ID = re.compile(r"[A-Za-z0-9_-]{8,64}")
STALE_SCAN = timedelta(hours=24)  # an older scan time is a wrong phone clock: the server's time is used


@dataclass(frozen=True)
class Scan:
    """What the check-in page sent: its own id for the scan, a pass token or a booth code, and when."""

    client_id: str
    token: str
    code: str
    scanned_at: datetime | None


class CheckIn(NamedTuple):
    result: str                 # "checked_in" | "already"
    application: Application
    repeat: bool = False        # this very scan (client_id) was answered before


def normalize_code(code: str) -> str:
    """A booth code as typed on a phone: spaces gone, Thai digits made Arabic, capitals (a01 -> A01)."""
    code = re.sub(r"\s+", "", code or "")
    return code.translate(str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")).upper()


def _scanned_at(value) -> datetime | None:
    """The phone's scan time (ISO 8601) as aware UTC; None (meaning now) when absent or implausible."""
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        raise ValueError("scanned_at")
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    moment = moment.astimezone(timezone.utc)
    return None if moment < utcnow() - STALE_SCAN else moment


def read_scan(data) -> Scan:
    """The scan in a request's JSON body, or ScanUnreadable (400: sending it again will not help)."""
    if not isinstance(data, dict):
        raise ScanUnreadable()
    client_id, token, code = data.get("client_id"), data.get("token"), data.get("booth_code")
    if not isinstance(client_id, str) or not CLIENT_ID.fullmatch(client_id):
        raise ScanUnreadable(_l("ข้อมูลการสแกนไม่มีรหัสการสแกนที่ถูกต้อง"))
    if not isinstance(token, (str, type(None))) or not isinstance(code, (str, type(None))):
        raise ScanUnreadable()
    token = (token or "").strip()[:500]
    code = normalize_code(code or "")[:40]
    if not token and not code:
        raise ScanUnreadable(_l("กรุณาสแกน QR หรือพิมพ์รหัสบูธ"))
    try:
        scanned_at = _scanned_at(data.get("scanned_at"))
    except (ValueError, TypeError, OverflowError):
        raise ScanUnreadable(_l("เวลาที่สแกนอ่านไม่ได้")) from None
    return Scan(client_id=client_id, token=token, code=code, scanned_at=scanned_at)


def resolve(fair: Fair, token: str | None, code: str | None) -> Application:
    """The application a scan names, by pass token or booth code; named errors when it names none."""
    if token:
        return read_pass_token(token, fair)
    booth = booth_by_code(fair, code)
    if booth is None:
        raise BoothUnknown(code=code)
    if booth.application is None:
        raise BoothEmpty(code=code)
    return booth.application


def _seen(seen: CheckInScan, fair_id: int) -> CheckIn:
    """The answer already given to this client_id (at this fair only)."""
    if seen.fair_id != fair_id:
        raise ScanOfAnotherFair()
    return CheckIn(seen.result, db.session.get(Application, seen.application_id), repeat=True)


def check_in(application: Application, actor: User, *, client_id: str | None = None,
             scanned_at: datetime | None = None) -> CheckIn:
    """Record an exhibitor's arrival, once: ("checked_in" | "already", application, repeat)."""
    now = utcnow()
    application = lock_application(application)
    if client_id:
        # A retry of this very scan may have been recorded while we waited for the lock.
        seen = scan_by_client_id(client_id)
        if seen is not None:
            return _seen(seen, application.fair_id)
    if application.booth is None or application.status != Status.approved:
        error = NotAllocated()
        error.application = application
        raise error
    try:
        with savepoint():  # unique client_id: the same scan, sent twice at once, is counted once
            result = "already"
            if application.checked_in_at is None:
                before = application.snapshot()
                application.checked_in_at = scanned_at if scanned_at and scanned_at <= now else now
                application.checked_in_by_id = actor.id
                audit_application("checked_in", application, actor, before)
                result = "checked_in"
            if client_id:
                db.session.add(CheckInScan(fair_id=application.fair_id, client_id=client_id,
                                           application_id=application.id, result=result,
                                           scanned_at=scanned_at or now, by_id=actor.id))
            db.session.flush()
    except IntegrityError:
        seen = scan_by_client_id(client_id) if client_id else None
        if seen is None:
            raise
        return _seen(seen, application.fair_id)
    return CheckIn(result, application)


def record_scan(fair: Fair, actor: User, scan: Scan) -> CheckIn:
    """A scan from the check-in page: answered again if seen before, else resolved and checked in."""
    seen = scan_by_client_id(scan.client_id)
    if seen is not None:
        return _seen(seen, fair.id)
    application = resolve(fair, scan.token, scan.code)
    return check_in(application, actor, client_id=scan.client_id, scanned_at=scan.scanned_at)
