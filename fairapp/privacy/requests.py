"""People's requests under their rights (PDPA s.30-36): made by the person on /my/data or entered by the
DPO for one that came in person, by post or by email; each has 30 days from its receipt (`due_on`), and
ends in a decision with a reason (a refusal or a partial one must say why: s.30 para. 3). Every step is in
the audit log. None of these commits."""
from __future__ import annotations

from datetime import date, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import case, func, select

from ..accounts.models import User
from ..core import audit
from ..core.errors import DomainError
from ..core.time import today_local, utcnow
from ..extensions import db
from .models import CHANNELS, DECISIONS, REQUEST_KINDS, PrivacyRequest
from .registry import REQUEST_DAYS


class ReceivedInFuture(DomainError):
    message = _l("วันที่ได้รับต้องไม่เป็นวันในอนาคต")
    status = 400
    field = "received_on"


class ReasonNeeded(DomainError):
    message = _l("การปฏิเสธหรือดำเนินการบางส่วนต้องแจ้งเหตุผลแก่ผู้ขอ")
    status = 400
    field = "reason"


class AlreadyDecided(DomainError):
    message = _l("คำขอนี้มีคำตัดสินแล้ว")


class OpenRequestExists(DomainError):
    message = _l("ท่านมีคำขอประเภทนี้ที่รอดำเนินการอยู่แล้ว")
    field = "kind"


def _plain(request: PrivacyRequest) -> dict:
    return {"kind": request.kind, "channel": request.channel, "received_on": request.received_on.isoformat(),
            "subject_user_id": request.subject_user_id, "status": request.status}


def _add(request: PrivacyRequest, actor: User) -> PrivacyRequest:
    if request.kind not in REQUEST_KINDS or request.channel not in CHANNELS:
        raise DomainError()
    db.session.add(request)
    audit.record("privacy.request_received", request, actor=actor, after=_plain(request))
    return request


def request_own(user: User, kind: str, details: str) -> PrivacyRequest:
    """The person's own request, made on /my/data: received today, one open request of a kind at a time."""
    if db.session.scalar(select(PrivacyRequest.id).where(PrivacyRequest.subject_user_id == user.id,
                                                         PrivacyRequest.kind == kind,
                                                         PrivacyRequest.status == "open").limit(1)):
        raise OpenRequestExists()
    name = f"{user.title}{user.first_name} {user.last_name}".strip()
    return _add(PrivacyRequest(kind=kind, subject_user=user, subject_name=name, subject_contact=user.email,
                               channel="web", received_on=today_local(), details=details, entered_by=user), user)


def enter_request(values: dict, actor: User) -> PrivacyRequest:
    """A request that came in person, by post or by email, entered by the DPO (received_on: when it came)."""
    if values["received_on"] > today_local():
        raise ReceivedInFuture()
    return _add(PrivacyRequest(kind=values["kind"], subject_user=values.get("subject_user"),
                               subject_name=values["subject_name"], subject_contact=values.get("subject_contact") or "",
                               channel=values["channel"], received_on=values["received_on"],
                               details=values.get("details") or "", entered_by=actor), actor)


def decide(request: PrivacyRequest, decision: str, reason: str, actor: User) -> None:
    """Decide an open request. Granting an erasure request (wholly or partly: what is kept and why goes in
    the reason) of a person with an account erases them in the same unit of work (privacy.erasure)."""
    if request.status != "open":
        raise AlreadyDecided()
    if decision not in DECISIONS:
        raise DomainError(field="decision")
    if decision in ("refused", "partly") and not reason.strip():
        raise ReasonNeeded()
    if request.kind == "erasure" and decision in ("granted", "partly") and request.subject_user is not None:
        from .erasure import erase
        erase(request.subject_user, actor, request)  # refused (CannotErase): nothing is decided either
    request.status, request.decision_reason = decision, reason.strip()
    request.decided_at, request.decided_by = utcnow(), actor
    audit.record("privacy.request_decided", request, actor=actor, before={"status": "open"},
                 after={"status": decision, "reason": request.decision_reason,
                        "late": request.decided_at.date() > request.due_on})


def queue():
    """The DPO's queue: open requests first, the soonest due on top; then decided ones, newest first."""
    return (select(PrivacyRequest)
            .order_by(case((PrivacyRequest.status == "open", 0), else_=1),
                      case((PrivacyRequest.status == "open", PrivacyRequest.received_on)),
                      PrivacyRequest.decided_at.desc(), PrivacyRequest.id.desc()))


def own_requests(user: User) -> list[PrivacyRequest]:
    return list(db.session.scalars(select(PrivacyRequest).where(PrivacyRequest.subject_user_id == user.id)
                                   .order_by(PrivacyRequest.id.desc())))


def due_soon_count(today: date | None = None) -> int:
    """Open requests due within 7 days or late (what the DPO's home shows first)."""
    limit = (today or today_local()) - timedelta(days=REQUEST_DAYS - 7)  # received then or before: <= 7 days left
    return db.session.scalar(select(func.count()).select_from(PrivacyRequest)
                             .where(PrivacyRequest.status == "open", PrivacyRequest.received_on <= limit)) or 0
