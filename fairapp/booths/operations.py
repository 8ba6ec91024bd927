"""Booth rules: applying, review with capacity and a waiting list, offers, allocation, check-in.

Operations take objects and the actor, flush but never commit, write audit entries, queue mail, and
raise named errors. Capacity is guarded by locking the booth type's row (SELECT ... FOR UPDATE on
PostgreSQL; SQLite serializes writers anyway), so concurrent approvals never overfill a type.
"""
from __future__ import annotations

from datetime import datetime, time, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from ..accounts.models import Membership, Organization, User
from ..core import audit
from ..core.errors import DomainError
from ..core.mail import queue_mail
from ..core.time import BANGKOK, utcnow
from ..extensions import db
from ..fairs.models import Fair
from .models import HOLDS_PLACE, LIVE, STATUS_LABELS, Application, Booth, BoothPerson, BoothSetup, BoothType, CheckInScan, Status


class WindowClosed(DomainError):
    message = _l("ช่วงรับสมัครบูธของงานนี้ปิดอยู่ จึงแก้ไขหรือส่งใบสมัครไม่ได้")


class LimitReached(DomainError):
    message = _l("องค์กรของคุณสมัครบูธในงานนี้ครบ %(n)d ใบแล้ว")


class NotEditable(DomainError):
    message = _l("ใบสมัครในสถานะนี้แก้ไขไม่ได้")


class Incomplete(DomainError):
    message = _l("ใบสมัครยังไม่ครบ: %(missing)s")


class WrongStatus(DomainError):
    message = _l("ทำรายการนี้กับใบสมัครในสถานะ \"%(status)s\" ไม่ได้")


class ReasonRequired(DomainError):
    message = _l("กรุณาระบุเหตุผลที่ไม่อนุมัติ")


class OfferExpired(DomainError):
    message = _l("ข้อเสนอนี้หมดอายุแล้ว")


class BoothTaken(DomainError):
    message = _l("บูธ %(code)s มีองค์กรอื่นอยู่แล้ว")


class BoothBlocked(DomainError):
    message = _l("บูธ %(code)s ถูกปิดไว้ ใช้จัดสรรไม่ได้")


class BoothTypeMismatch(DomainError):
    message = _l("บูธ %(code)s เป็นบูธคนละประเภทกับที่สมัคร")


class NotApproved(DomainError):
    message = _l("จัดสรรบูธได้เฉพาะใบสมัครที่อนุมัติแล้ว")


class TypeFull(DomainError):
    message = _l("บูธประเภท %(name)s เต็มแล้ว")


class NotFirstInLine(DomainError):
    message = _l("ยังมีองค์กรอยู่ก่อนในรายชื่อสำรอง ที่ว่างจะเสนอให้ตามลำดับ")


class AlreadyCheckedIn(DomainError):
    message = _l("องค์กรนี้เช็กอินแล้ว จึงถอนใบสมัครเองไม่ได้ กรุณาติดต่อเจ้าหน้าที่งาน")


class NotAllocated(DomainError):
    message = _l("องค์กรนี้ยังไม่ได้รับการจัดสรรบูธ จึงเช็กอินไม่ได้")


EDITABLE = (Status.draft, Status.submitted, Status.waitlisted, Status.approved, Status.offered)
TYPE_EDITABLE = (Status.draft, Status.submitted)
FIELDS = ("show_text", "share_text", "help_text", "connect_text", "needs_power", "needs_water",
          "needs_wheelchair", "needs_note")


def _audit(action: str, application: Application, actor, before: dict | None = None) -> None:
    audit.record(f"booth.{action}", application, actor=actor, fair_id=application.fair_id,
                 before=before, after=application.snapshot())


def _notify(application: Application, event: str) -> None:
    """Queue a status mail to every member of the organization, each in their own language."""
    members = db.session.scalars(select(User).join(Membership).where(
        Membership.organization_id == application.organization_id, User.active.is_(True))).all()
    for user in members:
        # The lazy label, so the subject is rendered in each member's language, not the actor's.
        queue_mail(user.email, _l("สถานะใบสมัครบูธ: %(status)s", status=STATUS_LABELS[application.status]),
                   "booth_status", locale=user.locale, user=user, application=application, event=event)


def places_held(booth_type_id: int) -> int:
    """Applications that hold a place of the type (approved, or offered a freed place)."""
    return db.session.scalar(select(func.count(Application.id)).where(
        Application.booth_type_id == booth_type_id, Application.status.in_(HOLDS_PLACE))) or 0


def remaining_by_type(fair_id: int) -> dict[int, int]:
    """Places left per booth type of a fair, in one query."""
    held = dict(db.session.execute(
        select(Application.booth_type_id, func.count(Application.id))
        .where(Application.fair_id == fair_id, Application.status.in_(HOLDS_PLACE))
        .group_by(Application.booth_type_id)).all())
    types = db.session.scalars(select(BoothType).where(BoothType.fair_id == fair_id)).all()
    return {t.id: max(t.capacity - held.get(t.id, 0), 0) for t in types}


def _lock_type(booth_type_id: int) -> BoothType:
    return db.session.scalars(select(BoothType).where(BoothType.id == booth_type_id)
                              .with_for_update().execution_options(populate_existing=True)).one()


def _lock_application(application: Application) -> Application:
    """The application's row locked and re-read, so two requests never act on a stale status."""
    return db.session.scalars(select(Application).where(Application.id == application.id)
                              .with_for_update().execution_options(populate_existing=True)).one()


def _lock_booth(booth_id: int) -> Booth:
    """The booth's row locked and RE-READ: a copy loaded earlier in the request may be stale."""
    return db.session.scalars(select(Booth).where(Booth.id == booth_id)
                              .with_for_update().execution_options(populate_existing=True)).one()


# ---- organizations ----

def live_applications(fair_id: int, org_id: int) -> int:
    """Applications of an organization in a fair that count against the per-organization limit."""
    return db.session.scalar(select(func.count(Application.id)).where(
        Application.fair_id == fair_id, Application.organization_id == org_id,
        Application.status.in_(LIVE))) or 0


def save_application(application: Application | None, *, fair: Fair, org_id: int, booth_type: BoothType,
                     data: dict, people: list[dict], actor: User, photo_key: str | None = None) -> Application:
    """Create or update an application (a draft until submitted); replaces the booth staff list."""
    if not fair.window_open("booth"):
        raise WindowClosed()
    if booth_type.fair_id != fair.id:
        raise DomainError(_l("ประเภทบูธนี้ไม่ใช่ของงานนี้"))
    before = None
    if application is None:
        # Lock the organization's row: two taps on "submit" must not both pass the limit.
        db.session.execute(select(Organization.id).where(Organization.id == org_id).with_for_update())
        live = live_applications(fair.id, org_id)
        limit = BoothSetup.for_fair(fair.id).per_org_limit
        if live >= limit:
            raise LimitReached(n=limit)
        application = Application(fair_id=fair.id, organization_id=org_id, booth_type_id=booth_type.id,
                                  status=Status.draft, created_by_id=actor.id)
        db.session.add(application)
    else:
        if application.status not in EDITABLE:
            raise NotEditable()
        if booth_type.id != application.booth_type_id and application.status not in TYPE_EDITABLE:
            raise NotEditable(_l("เปลี่ยนประเภทบูธได้เฉพาะก่อนการพิจารณา"))
        before = application.snapshot()
        application.booth_type_id = booth_type.id
    for key in FIELDS:
        if key in data:
            setattr(application, key, data[key])
    if photo_key:
        application.photo_key = photo_key
    people = [p for p in people if (p.get("first_name") or "").strip()]
    application.people = [BoothPerson(position=i, title=(p.get("title") or "").strip(),
                                      first_name=p["first_name"].strip(), last_name=(p.get("last_name") or "").strip())
                          for i, p in enumerate(people)]
    db.session.flush()
    if application.status != Status.draft:
        missing = missing_parts(application)
        if missing:  # a submitted application is never emptied afterwards
            raise Incomplete(missing=", ".join(missing))
    _audit("saved", application, actor, before)
    return application


def missing_parts(application: Application) -> list[str]:
    """What an application still lacks before it can be submitted (translated labels)."""
    missing = []
    if not any((application.show_text, application.share_text, application.help_text, application.connect_text)):
        missing.append(str(_l("กิจกรรมอย่างน้อยหนึ่งข้อ (โชว์ แชร์ ช่วย หรือเชื่อม)")))
    if not application.people:
        missing.append(str(_l("ชื่อผู้ประจำบูธอย่างน้อยหนึ่งคน")))
    return missing


def submit_application(application: Application, actor: User) -> Application:
    """Send a draft for review."""
    if not application.fair.window_open("booth"):
        raise WindowClosed()
    if application.status != Status.draft:
        raise WrongStatus(status=application.status.label)
    missing = missing_parts(application)
    if missing:
        raise Incomplete(missing=", ".join(missing))
    before = application.snapshot()
    application.status = Status.submitted
    application.submitted_at = utcnow()
    _audit("submitted", application, actor, before)
    _notify(application, "submitted")
    return application


def withdraw_application(application: Application, actor: User) -> Application:
    """The organization withdraws; a place it held goes to the first on the waiting list."""
    application = _lock_application(application)
    if application.status not in (Status.draft, Status.submitted, Status.approved, Status.waitlisted,
                                  Status.offered):
        raise WrongStatus(status=application.status.label)
    if application.checked_in_at is not None:
        raise AlreadyCheckedIn()
    before = application.snapshot()
    held = application.holds_place
    application.status = Status.withdrawn
    _release(application)
    _audit("withdrawn", application, actor, before)
    _notify(application, "withdrawn")
    if held:
        offer_next(application.booth_type_id, actor)
    return application


def accept_offer(application: Application, actor: User, now: datetime | None = None) -> Application:
    """Take the place offered from the waiting list, before the offer expires."""
    now = now or utcnow()
    application = _lock_application(application)
    if application.status != Status.offered:
        raise WrongStatus(status=application.status.label)
    if application.offer_expires_at and application.offer_expires_at < now:
        raise OfferExpired()
    before = application.snapshot()
    application.status = Status.approved
    application.offer_expires_at = None
    application.decided_at = now
    _audit("offer_accepted", application, actor, before)
    _notify(application, "approved")
    return application


def decline_offer(application: Application, actor: User) -> Application:
    """Decline an offered place: the application is withdrawn and the next one is offered."""
    if application.status != Status.offered:
        raise WrongStatus(status=application.status.label)
    return withdraw_application(application, actor)


# ---- fair staff ----

def approve_application(application: Application, actor: User) -> Status:
    """Approve within the type's capacity; when the type is full, waitlist in order instead."""
    if application.status not in (Status.submitted, Status.waitlisted):
        raise WrongStatus(status=application.status.label)
    booth_type = _lock_type(application.booth_type_id)
    db.session.refresh(application)  # re-read under the lock: another request may have moved it
    if application.status not in (Status.submitted, Status.waitlisted):
        raise WrongStatus(status=application.status.label)
    before = application.snapshot()
    # Those already on the waiting list come first: a place goes to them before anyone else.
    ahead = db.session.scalar(select(func.count(Application.id)).where(
        Application.booth_type_id == booth_type.id, Application.status == Status.waitlisted,
        Application.id != application.id,
        (Application.waitlisted_at < application.waitlisted_at) if application.waitlisted_at is not None
        else Application.waitlisted_at.is_not(None))) or 0
    free = booth_type.capacity - places_held(booth_type.id)
    if application.status == Status.waitlisted and 0 < free <= ahead:
        raise NotFirstInLine()
    if free > ahead:
        application.status = Status.approved
        application.decided_at = utcnow()
        application.waitlisted_at = None
        _audit("approved", application, actor, before)
        _notify(application, "approved")
    elif application.status != Status.waitlisted:
        _to_waitlist(application)
        _audit("waitlisted_full", application, actor, before)
        _notify(application, "waitlisted")
    db.session.flush()
    return application.status


def _to_waitlist(application: Application) -> None:
    application.status = Status.waitlisted
    application.waitlisted_at = utcnow()
    application.decided_at = application.waitlisted_at


def waitlist_application(application: Application, actor: User) -> Application:
    """Put a submitted application on the waiting list of its type (at the end)."""
    if application.status != Status.submitted:
        raise WrongStatus(status=application.status.label)
    before = application.snapshot()
    _to_waitlist(application)
    _audit("waitlisted", application, actor, before)
    _notify(application, "waitlisted")
    return application


def reject_application(application: Application, reason: str, actor: User) -> Application:
    """Reject with a reason the organization will read; a place it held is offered on."""
    reason = (reason or "").strip()
    if not reason:
        raise ReasonRequired()
    if application.status not in (Status.submitted, Status.waitlisted, Status.approved, Status.offered):
        raise WrongStatus(status=application.status.label)
    before = application.snapshot()
    held = application.holds_place
    application.status = Status.rejected
    application.rejection_reason = reason[:500]
    application.decided_at = utcnow()
    _release(application)
    _audit("rejected", application, actor, before)
    _notify(application, "rejected")
    if held:
        offer_next(application.booth_type_id, actor)
    return application


def offer_next(booth_type_id: int, actor: User | None, now: datetime | None = None) -> list[Application]:
    """Offer freed places of a type to the waiting list, first come first served."""
    now = now or utcnow()
    booth_type = _lock_type(booth_type_id)
    hours = BoothSetup.for_fair(booth_type.fair_id).offer_hours
    # An offer never runs past the morning the fair opens: after that the place is no use to anyone.
    fair_opens = datetime.combine(booth_type.fair.starts_on, time(0, 0), tzinfo=BANGKOK)
    deadline = min(now + timedelta(hours=hours), max(fair_opens, now + timedelta(hours=1)))
    offered = []
    free = booth_type.capacity - places_held(booth_type_id)
    if free <= 0:
        return offered
    queue = db.session.scalars(select(Application).where(
        Application.booth_type_id == booth_type_id, Application.status == Status.waitlisted)
        .order_by(Application.waitlisted_at, Application.id).limit(free)).all()
    for application in queue:
        before = application.snapshot()
        application.status = Status.offered
        application.offer_expires_at = deadline
        _audit("offered", application, actor, before)
        _notify(application, "offered")
        offered.append(application)
    db.session.flush()
    return offered


def expire_offers(now: datetime | None = None) -> list[Application]:
    """Lapse offers past their deadline and pass each place to the next on the list.

    Run by `flask booths expire-offers` (cron or a systemd timer every few minutes in production).
    """
    now = now or utcnow()
    lapsed = db.session.scalars(select(Application).where(
        Application.status == Status.offered, Application.offer_expires_at < now)
        .order_by(Application.id)).all()
    for application in lapsed:
        before = application.snapshot()
        application.status = Status.lapsed
        _release(application)
        _audit("offer_lapsed", application, None, before)
        _notify(application, "lapsed")
    db.session.flush()
    for type_id in sorted({a.booth_type_id for a in lapsed}):
        offer_next(type_id, None, now)
    return lapsed


def _release(application: Application) -> None:
    if application.booth is not None:
        application.booth.application_id = None
        db.session.flush()
        db.session.expire(application, ["booth"])  # so the audit's "after" shows no booth


def allocate_booth(application: Application, booth: Booth, actor: User) -> Booth:
    """Put an approved application in a booth (moving it if it had another one)."""
    booth = _lock_booth(booth.id)
    if booth.fair_id != application.fair_id:
        raise DomainError(_l("บูธนี้ไม่ใช่ของงานนี้"))
    if application.status != Status.approved:
        raise NotApproved()
    if booth.blocked:
        raise BoothBlocked(code=booth.code)
    if booth.booth_type_id != application.booth_type_id:
        raise BoothTypeMismatch(code=booth.code)
    if booth.application_id == application.id:
        return booth
    if booth.application_id is not None:
        raise BoothTaken(code=booth.code)
    before = application.snapshot()
    _release(application)
    booth.application_id = application.id
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise BoothTaken(code=booth.code)
    db.session.refresh(application)
    _audit("allocated", application, actor, before)
    _notify(application, "allocated")
    return booth


def unallocate_booth(booth: Booth, actor: User) -> None:
    """Empty a booth (the application stays approved, without a booth)."""
    application = booth.application
    if application is None:
        return
    before = application.snapshot()
    booth.application_id = None
    db.session.flush()
    db.session.refresh(application)
    _audit("unallocated", application, actor, before)
    _notify(application, "unallocated")


def swap_booths(first: Booth, second: Booth, actor: User) -> None:
    """Exchange the occupants of two booths of the same type."""
    # Lock both rows in id order (no deadlock between two swaps) and re-read them.
    low, high = sorted((first.id, second.id))
    locked = {low: _lock_booth(low), high: _lock_booth(high)}
    first, second = locked[first.id], locked[second.id]
    if first.fair_id != second.fair_id:
        raise DomainError(_l("บูธนี้ไม่ใช่ของงานนี้"))
    if first.booth_type_id != second.booth_type_id:
        raise BoothTypeMismatch(code=second.code)
    for booth in (first, second):
        if booth.blocked:
            raise BoothBlocked(code=booth.code)
    a, b = first.application, second.application
    before = {app.id: app.snapshot() for app in (a, b) if app}
    first.application_id = second.application_id = None
    db.session.flush()  # unique constraint: empty both before refilling
    first.application_id = b.id if b else None
    second.application_id = a.id if a else None
    db.session.flush()
    for app in (a, b):
        if app:
            db.session.refresh(app)
            _audit("swapped", app, actor, before[app.id])
            _notify(app, "moved")


def check_in(application: Application, actor: User, *, client_id: str | None = None,
             scanned_at: datetime | None = None) -> tuple[str, Application]:
    """Record an exhibitor's arrival, once. Returns ("checked_in" | "already", application).

    The application's row is locked (two phones scanning one pass at once check it in once), and a
    scan whose client_id is already recorded counts nothing again ("already"; "refused" stays refused).
    """
    now = utcnow()
    application = db.session.scalars(select(Application).where(Application.id == application.id)
                                     .with_for_update().execution_options(populate_existing=True)).one()
    if client_id:
        seen = db.session.scalar(select(CheckInScan).where(CheckInScan.client_id == client_id))
        if seen is not None:
            return ("already" if seen.result != "refused" else "refused"), application
    if application.booth is None or application.status != Status.approved:
        raise NotAllocated()
    result = "already"
    if application.checked_in_at is None:
        before = application.snapshot()
        application.checked_in_at = scanned_at if scanned_at and scanned_at <= now else now
        application.checked_in_by_id = actor.id
        _audit("checked_in", application, actor, before)
        result = "checked_in"
    if client_id:
        db.session.add(CheckInScan(fair_id=application.fair_id, client_id=client_id,
                                   application_id=application.id, result=result,
                                   scanned_at=scanned_at or now, by_id=actor.id))
    db.session.flush()
    return result, application


def move_to_type(application: Application, booth_type: BoothType, actor: User) -> Application:
    """Staff move an application to another booth type of the fair.

    A held place moves only if the new type has room (checked under its lock); the place freed in the
    old type goes to the first on its waiting list. A booth of the old type is released.
    """
    if booth_type.fair_id != application.fair_id:
        raise DomainError(_l("ประเภทบูธนี้ไม่ใช่ของงานนี้"))
    if booth_type.id == application.booth_type_id:
        return application
    if application.status not in (Status.submitted, Status.approved, Status.waitlisted, Status.offered):
        raise WrongStatus(status=application.status.label)
    old_type_id = application.booth_type_id
    held = application.holds_place
    for type_id in sorted((old_type_id, booth_type.id)):  # one order for every request: no deadlock
        _lock_type(type_id)
    locked = db.session.get(BoothType, booth_type.id)
    if held and places_held(locked.id) >= locked.capacity:
        raise TypeFull(name=locked.name_th)
    before = application.snapshot()
    _release(application)
    application.booth_type_id = booth_type.id
    if application.status == Status.waitlisted:
        application.waitlisted_at = utcnow()  # joins the end of the new type's list
    db.session.flush()
    db.session.refresh(application)
    _audit("moved_type", application, actor, before)
    _notify(application, "moved")
    if held:
        offer_next(old_type_id, actor)
    return application
