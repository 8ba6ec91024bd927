"""Nominating: who may nominate whom in a category, eligibility, the per-nominator limit, narratives
(also their autosave), submission and resubmission, deleting a draft."""
from __future__ import annotations

from datetime import timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from ...accounts.models import Organization, User
from ...core import audit
from ...core.errors import DomainError
from ...core.geo import district_in_province
from ...core.storage import delete_after_commit
from ...core.time import utcnow
from ...extensions import db
from ..models import (EDITABLE, SECTION_LABELS, Category, Nomination, NominationEvent, NominationStatus,
                      NominatorKind)
from .common import ensure_editable, lock, lock_category, narrative_digests, notify, notify_nominee, record
from .errors import (Incomplete, LimitReached, NotAllowedToNominate, NotEligible, TooLong, WindowClosed,
                     WrongStatus)

EDIT_SESSION = timedelta(minutes=30)  # autosaves by one person within this of their "edited" entry add none
LIVE = (NominationStatus.draft, NominationStatus.submitted, NominationStatus.returned, NominationStatus.eligible)
WHO = {NominatorKind.self: _l("องค์กรที่เสนอตนเอง"), NominatorKind.office: _l("สำนักงานจังหวัด"),
       NominatorKind.both: _l("องค์กรที่เสนอตนเองหรือสำนักงานจังหวัด")}


def may_nominate_others(category: Category, nominator: Organization) -> bool:
    """A provincial office nominates other organizations and communities, where the category lets offices
    nominate ("office" or "both"). The one statement of this rule: the nominee form asks it too."""
    return category.nominator_kind in (NominatorKind.office, NominatorKind.both) and nominator.is_provincial_office


def may_nominate_self(category: Category, nominator: Organization) -> bool:
    return category.nominator_kind in (NominatorKind.self, NominatorKind.both) or may_nominate_others(
        category, nominator)


def may_nominate(category: Category, nominator: Organization, nominee_org: Organization | None) -> None:
    """Raise NotAllowedToNominate unless this nominator may nominate this nominee in the category.

    "self": an organization nominates itself; "office": a provincial office nominates others or a
    community; "both": either.
    """
    is_self = nominee_org is not None and nominee_org.id == nominator.id
    allowed = may_nominate_self(category, nominator) if is_self else may_nominate_others(category, nominator)
    if not allowed:
        raise NotAllowedToNominate(who=WHO[category.nominator_kind])


def nominate_problem(category: Category, nominator: Organization) -> DomainError | None:
    """Why this organization cannot start a nomination in the category now, or None."""
    if not category.window_open():
        return WindowClosed()
    if not may_nominate_self(category, nominator):
        return NotAllowedToNominate(who=WHO[category.nominator_kind])
    return None


def check_eligible(category: Category, nominee_org: Organization | None, province_code: str | None) -> None:
    """Raise NotEligible when the nominee's sector or province is outside the category's conditions."""
    if category.nominee_kind == "community" and nominee_org is not None and not province_code:
        raise NotEligible(why=_l("ประเภทนี้สำหรับชุมชน"))
    if category.eligible_sectors and nominee_org is not None \
            and nominee_org.sector.value not in category.eligible_sectors:
        raise NotEligible(why=_l("ภาคีไม่ตรงกับประเภทรางวัล"))
    province = nominee_org.province_code if nominee_org is not None else province_code
    if category.eligible_provinces and province not in category.eligible_provinces:
        raise NotEligible(why=_l("จังหวัดไม่อยู่ในพื้นที่ของประเภทรางวัลนี้"))


def _check_narratives(category: Category, narratives: dict) -> dict:
    clean = {}
    for key in category.sections:
        text = (narratives.get(key) or "").strip()
        if len(text) > category.narrative_max_chars:
            raise TooLong(section=str(SECTION_LABELS.get(key, key)), n=category.narrative_max_chars,
                          field=f"s_{key}")
        clean[key] = text
    return clean


def create_nomination(category: Category, nominator: Organization, *, nominee_org: Organization | None,
                      community: dict | None, narratives: dict, actor: User) -> Nomination:
    """Start a nomination (a draft) for an organization in the system or a community.

    Takes the category's row lock: two nominations started at once cannot both pass the limit.
    """
    lock_category(category)
    if not category.window_open():
        raise WindowClosed()
    may_nominate(category, nominator, nominee_org)
    community = community or {}
    if nominee_org is None:
        if not community.get("name") or not community.get("province_code"):
            raise NotEligible(why=_l("กรุณาระบุชื่อและจังหวัดของชุมชน"))
        if community.get("district_code") and not district_in_province(community["district_code"],
                                                                       community["province_code"]):
            raise NotEligible(why=_l("อำเภอไม่อยู่ในจังหวัดที่เลือก"), field="district")
    check_eligible(category, nominee_org, community.get("province_code"))
    made = db.session.scalar(select(func.count(Nomination.id)).where(
        Nomination.category_id == category.id, Nomination.nominator_org_id == nominator.id,
        Nomination.status.in_(LIVE))) or 0
    if made >= category.max_per_nominator:
        raise LimitReached(n=category.max_per_nominator)
    nomination = Nomination(
        fair_id=category.fair_id, category_id=category.id, nominator_org_id=nominator.id,
        nominee_org_id=nominee_org.id if nominee_org else None,
        community_name=None if nominee_org else community.get("name", "").strip(),
        community_village=None if nominee_org else (community.get("village") or "").strip() or None,
        community_subdistrict=None if nominee_org else (community.get("subdistrict") or "").strip() or None,
        community_district_code=None if nominee_org else community.get("district_code") or None,
        community_province_code=None if nominee_org else community.get("province_code"),
        narratives=_check_narratives(category, narratives), created_by_id=actor.id)
    db.session.add(nomination)
    db.session.flush()
    record("created", nomination, actor)
    return nomination


def save_narratives(nomination: Nomination, narratives: dict, actor: User, *, autosave: bool = False) -> Nomination:
    """Update the narratives of a draft or returned nomination (also the autosave of the form); keys that
    are not the category's sections are ignored. A save is audited; autosaves once per editing session
    (`audit_editing`)."""
    lock(nomination)
    ensure_editable(nomination)
    sections = nomination.category.sections
    typed = {k: v for k, v in narratives.items() if k in sections and v is not None}
    before = dict(nomination.narratives or {})
    nomination.narratives = _check_narratives(nomination.category, {**before, **typed})
    nomination.updated_at = utcnow()
    if not autosave:
        record("saved", nomination, actor)
    else:
        audit_editing(nomination, before, actor)
    db.session.flush()
    return nomination


def audit_editing(nomination: Nomination, before: dict, actor: User) -> None:
    """The audit entry of an editing session: the first autosave that changes something opens one
    ("nomination.edited": the sections it changed, the narratives' digests before and after, and an
    "edited" history event); later autosaves by the same person within EDIT_SESSION of it add none.
    Any other entry in between (another editor, a save, a submission) ends the session, and every
    nomination entry carries the narratives' digests: what a session changed in the end is what differs
    between its entry and the next. Runs under the nomination's row lock (`lock`), so two autosaves at
    once open one session, not two; it reads the history events (indexed), not the audit log."""
    after = nomination.narratives or {}
    changed = sorted(k for k in set(before) | set(after) if (before.get(k) or "") != (after.get(k) or ""))
    if not changed:
        return
    now = utcnow()
    last = db.session.scalars(select(NominationEvent).where(NominationEvent.nomination_id == nomination.id)
                              .order_by(NominationEvent.id.desc()).limit(1)).first()
    if last is not None and last.action == "edited" and last.actor_id == actor.id \
            and last.created_at >= now - EDIT_SESSION:
        return
    audit.record("nomination.edited", nomination, actor=actor, fair_id=nomination.fair_id,
                 before={"narratives": narrative_digests(before)},
                 after={**nomination.snapshot(), "sections": changed, "narratives": narrative_digests(after)})
    db.session.add(NominationEvent(nomination_id=nomination.id, action="edited", actor_id=actor.id, created_at=now))


def missing_parts(nomination: Nomination) -> list[str]:
    """What stops submission, in words the nominator understands."""
    category = nomination.category
    missing = [str(_l("เรื่องเล่าหัวข้อ \"%(section)s\"", section=SECTION_LABELS.get(k, k)))
               for k in category.sections if not (nomination.narratives or {}).get(k, "").strip()]
    photos = sum(1 for e in nomination.evidence if e.kind == "photo")
    pdfs = sum(1 for e in nomination.evidence if e.kind == "pdf")
    if photos < category.min_photos:
        missing.append(str(_l("รูปภาพอีก %(n)d รูป (ต้องมีอย่างน้อย %(min)d รูป)", n=category.min_photos - photos,
                              min=category.min_photos)))
    if pdfs < category.min_pdfs:
        missing.append(str(_l("ไฟล์ PDF อีก %(n)d ไฟล์ (ต้องมีอย่างน้อย %(min)d ไฟล์)", n=category.min_pdfs - pdfs,
                              min=category.min_pdfs)))
    return missing


def submit_problem(nomination: Nomination) -> DomainError | None:
    """Why the nomination cannot be sent for review now, or None."""
    if nomination.status not in EDITABLE:
        return WrongStatus(status=nomination.status.label)
    if not nomination.category.window_open():
        return WindowClosed()
    missing = missing_parts(nomination)
    if missing:
        return Incomplete(missing=", ".join(missing))
    return None


def submit_nomination(nomination: Nomination, actor: User) -> Nomination:
    """Send a complete draft (or a corrected, returned nomination) for the eligibility review."""
    lock(nomination)
    problem = submit_problem(nomination)
    if problem is not None:
        raise problem
    before = nomination.snapshot()
    resubmitted = nomination.status == NominationStatus.returned
    nomination.status = NominationStatus.submitted
    nomination.submitted_at = utcnow()
    record("resubmitted" if resubmitted else "submitted", nomination, actor, before)
    notify(nomination)
    if not resubmitted:
        notify_nominee(nomination, "nominated")
    return nomination


def save_and_submit(nomination: Nomination, narratives: dict, actor: User) -> Nomination:
    """The edit page's "submit" button: what was typed is saved, then the nomination is sent."""
    save_narratives(nomination, narratives, actor)
    return submit_nomination(nomination, actor)


def delete_problem(nomination: Nomination) -> DomainError | None:
    """Only a draft may be deleted (a submitted nomination stays, for the record)."""
    if nomination.status != NominationStatus.draft:
        return WrongStatus(status=nomination.status.label)
    return None


def delete_nomination(nomination: Nomination, actor: User) -> None:
    """Delete a draft and, after the commit, the bytes of its files."""
    lock(nomination)
    problem = delete_problem(nomination)
    if problem is not None:
        raise problem
    audit.record("nomination.deleted", nomination, actor=actor, fair_id=nomination.fair_id,
                 before=nomination.snapshot())
    db.session.expire(nomination, ["evidence"])
    for evidence in nomination.evidence:
        db.session.refresh(evidence)  # under the lock: a thumbnail its job stored since it was loaded goes too
        delete_after_commit(evidence.storage_key, evidence.thumb_key)
    db.session.delete(nomination)
    db.session.flush()
