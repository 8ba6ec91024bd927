"""An organization's side: save (a draft, or submitted at once), submit, withdraw, answer an offer; and
what the pages may offer next (`*_problem`, `may_*`), asked of the rules instead of re-derived."""
from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ...accounts.models import Organization, User
from ...core.storage import delete_after_commit
from ...core.time import utcnow
from ...extensions import db
from ...fairs.models import Fair
from ...privacy.sensitive import ReligionConsentNeeded, is_monastic
from ..models import Application, BoothPerson, BoothSetup, BoothType, Status
from ..queries import live_applications
from .errors import (AccessConsentNeeded, AlreadyCheckedIn, Incomplete, LimitReached, NotEditable, OfferExpired,
                     TypeLocked, TypeOfAnotherFair, WindowClosed, WrongStatus)
from .support import (EDITABLE, FIELDS, TYPE_EDITABLE, WITHDRAWABLE, audit_application, lock_application,
                      notify, release_booth)
from .waitlist import offer_next


def apply_problem(fair: Fair, org_id: int) -> str | None:
    """Why the organization cannot apply now (the limit, the window), or None."""
    limit = BoothSetup.for_fair(fair.id).per_org_limit
    if live_applications(fair.id, org_id) >= limit:
        return str(LimitReached(n=limit))
    if not fair.window_open("booth"):
        return str(WindowClosed())
    return None


def edit_problem(application: Application) -> str | None:
    """Why the application cannot be edited now (its status, the window), or None."""
    if application.status not in EDITABLE:
        return str(NotEditable())
    if not application.fair.window_open("booth"):
        return str(WindowClosed())
    return None


def may_submit(application: Application) -> bool:
    return (application.status == Status.draft and not missing_parts(application)
            and application.fair.window_open("booth"))


def may_withdraw(application: Application) -> bool:
    """Withdrawing is offered until the decision stands (an offer is declined instead)."""
    return application.status in WITHDRAWABLE and application.status != Status.offered \
        and application.checked_in_at is None


def may_answer_offer(application: Application, now: datetime | None = None) -> bool:
    return application.status == Status.offered and not (
        application.offer_expires_at and application.offer_expires_at < (now or utcnow()))


def missing_parts(application: Application) -> list[str]:
    """What an application still lacks before it can be submitted (translated labels)."""
    missing = []
    if not any((application.show_text, application.share_text, application.help_text, application.connect_text)):
        missing.append(str(_l("กิจกรรมอย่างน้อยหนึ่งข้อ (โชว์ แชร์ ช่วย หรือเชื่อม)")))
    if not application.people:
        missing.append(str(_l("ชื่อผู้ประจำบูธอย่างน้อยหนึ่งคน")))
    return missing


def save_application(application: Application | None, *, fair: Fair, org_id: int, booth_type: BoothType,
                     data: dict, people: list[dict], actor: User, photo_key: str | None = None,
                     submit: bool = False) -> Application:
    """Create or update an application (a draft until submitted); replaces the booth staff list.

    `photo_key` is a stored, checked image (core.uploads) replacing the one before, which is deleted
    after the commit; `submit` sends a draft for review in the same step.
    """
    if not fair.window_open("booth"):
        raise WindowClosed()
    if booth_type.fair_id != fair.id:
        raise TypeOfAnotherFair()
    before = None
    if application is None:
        # Lock the organization's row: two taps on "submit" must not both pass the limit.
        db.session.execute(select(Organization.id).where(Organization.id == org_id).with_for_update())
        limit = BoothSetup.for_fair(fair.id).per_org_limit
        if live_applications(fair.id, org_id) >= limit:
            raise LimitReached(n=limit)
        application = Application(fair_id=fair.id, organization_id=org_id, booth_type_id=booth_type.id,
                                  status=Status.draft, created_by_id=actor.id)
        db.session.add(application)
    else:
        application = lock_application(application)
        if application.status not in EDITABLE:
            raise NotEditable()
        if booth_type.id != application.booth_type_id and application.status not in TYPE_EDITABLE:
            raise TypeLocked()
        before = application.snapshot()
        application.booth_type_id = booth_type.id
    for key in FIELDS:
        if key in data:
            setattr(application, key, data[key])
    # PDPA s.26: the ramp (someone at the booth uses a wheelchair) only with explicit consent, given with the
    # form; no ramp, no consent kept.
    if application.needs_wheelchair:
        if not data.get("access_consent", application.access_consent_at is not None):  # the form asks each time
            raise AccessConsentNeeded()
        application.access_consent_at = application.access_consent_at or utcnow()
    else:
        application.access_consent_at = None
    if photo_key:
        if application.photo_key and application.photo_key != photo_key:
            delete_after_commit(application.photo_key)
        application.photo_key = photo_key
    people = [p for p in people if (p.get("first_name") or "").strip()]
    # PDPA s.26: a monastic title of one of its people (religion) likewise, with its own consent
    if any(is_monastic(p.get("title")) for p in people):
        if not data.get("religion_consent", application.religion_consent_at is not None):
            raise ReligionConsentNeeded()
        application.religion_consent_at = application.religion_consent_at or utcnow()
    else:
        application.religion_consent_at = None
    application.people = [BoothPerson(position=i, title=(p.get("title") or "").strip(),
                                      first_name=p["first_name"].strip(), last_name=(p.get("last_name") or "").strip())
                          for i, p in enumerate(people)]
    db.session.flush()
    if application.status != Status.draft:
        missing = missing_parts(application)
        if missing:  # a submitted application is never emptied afterwards
            raise Incomplete(missing=", ".join(missing))
    audit_application("saved", application, actor, before)
    if submit and application.status == Status.draft:
        submit_application(application, actor)
    return application


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
    audit_application("submitted", application, actor, before)
    notify(application, "submitted")
    return application


def withdraw_application(application: Application, actor: User) -> Application:
    """The organization withdraws; a place it held goes to the first on the waiting list."""
    application = lock_application(application)
    if application.status not in WITHDRAWABLE:
        raise WrongStatus(status=application.status.label)
    if application.checked_in_at is not None:
        raise AlreadyCheckedIn()
    before = application.snapshot()
    held = application.holds_place
    application.status = Status.withdrawn
    release_booth(application)
    audit_application("withdrawn", application, actor, before)
    notify(application, "withdrawn")
    if held:
        offer_next(application.booth_type_id, actor)
    return application


def accept_offer(application: Application, actor: User, now: datetime | None = None) -> Application:
    """Take the place offered from the waiting list, before the offer expires."""
    now = now or utcnow()
    application = lock_application(application)
    if application.status != Status.offered:
        raise WrongStatus(status=application.status.label)
    if application.offer_expires_at and application.offer_expires_at < now:
        raise OfferExpired()
    before = application.snapshot()
    application.status = Status.approved
    application.offer_expires_at = None
    application.decided_at = now
    audit_application("offer_accepted", application, actor, before)
    notify(application, "approved")
    return application


def decline_offer(application: Application, actor: User) -> Application:
    """Decline an offered place: the application is withdrawn and the next one is offered."""
    application = lock_application(application)
    if application.status != Status.offered:
        raise WrongStatus(status=application.status.label)
    return withdraw_application(application, actor)
