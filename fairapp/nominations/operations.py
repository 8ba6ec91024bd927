"""Nomination rules: who may nominate whom in a category, narratives, evidence, submission, review.

Operations flush but never commit, write audit entries and history events, queue mail, and raise
named errors; the view commits once, then sends the mail and deletes the bytes of removed files.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from ..accounts.models import Membership, Organization, User
from ..core import audit
from ..core.errors import DomainError
from ..core.geo import district_in_province
from ..core.mail import queue_mail
from ..core.storage import delete_after_commit
from ..core.time import utcnow
from ..extensions import db
from .models import (EDITABLE, NOMINATION_STATUS_LABELS, SECTION_LABELS, Category, Evidence, Nomination,
                     NominationEvent, NominationStatus, NominatorKind)

LIVE = (NominationStatus.draft, NominationStatus.submitted, NominationStatus.returned, NominationStatus.eligible)


class WindowClosed(DomainError):
    message = _l("ช่วงรับการเสนอชื่อของประเภทรางวัลนี้ปิดอยู่")


class NotAllowedToNominate(DomainError):
    message = _l("ประเภทรางวัลนี้รับการเสนอชื่อจาก%(who)sเท่านั้น")


class NotEligible(DomainError):
    message = _l("ผู้ถูกเสนอชื่อไม่อยู่ในเงื่อนไขของประเภทรางวัลนี้: %(why)s")


class LimitReached(DomainError):
    message = _l("องค์กรของคุณเสนอชื่อในประเภทรางวัลนี้ครบ %(n)d รายการแล้ว")


class NotEditable(DomainError):
    message = _l("การเสนอชื่อนี้แก้ไขไม่ได้แล้ว (ส่งแล้วหรือพิจารณาแล้ว)")


class Incomplete(DomainError):
    message = _l("ยังส่งไม่ได้ เพราะยังขาด: %(missing)s")


class WrongStatus(DomainError):
    message = _l("ทำรายการนี้กับการเสนอชื่อในสถานะ \"%(status)s\" ไม่ได้")


class CommentRequired(DomainError):
    message = _l("กรุณาเขียนเหตุผลหรือสิ่งที่ต้องแก้ไข")


class TooManyFiles(DomainError):
    message = _l("แนบไฟล์ได้ไม่เกิน %(n)d ไฟล์ต่อการเสนอชื่อ")


class TooLong(DomainError):
    message = _l("หัวข้อ \"%(section)s\" ยาวเกิน %(n)d ตัวอักษร")


def _record(action: str, nomination: Nomination, actor, before: dict | None = None,
            comment: str | None = None) -> None:
    audit.record(f"nomination.{action}", nomination, actor=actor, fair_id=nomination.fair_id,
                 before=before, after={**nomination.snapshot(), **({"comment": comment} if comment else {})})
    db.session.add(NominationEvent(nomination=nomination, action=action, comment=comment,
                                   actor_id=getattr(actor, "id", None)))


def _notify(nomination: Nomination) -> None:
    members = db.session.scalars(select(User).join(Membership).where(
        Membership.organization_id == nomination.nominator_org_id, User.active.is_(True))).all()
    for user in members:
        queue_mail(user.email, _l("การเสนอชื่อ: %(status)s", status=NOMINATION_STATUS_LABELS[nomination.status]),
                   "nomination_status", locale=user.locale, user=user, nomination=nomination)


def may_nominate(category: Category, nominator: Organization, nominee_org: Organization | None) -> None:
    """Raise NotAllowedToNominate unless this nominator may nominate this nominee in the category.

    "self": an organization nominates itself; "office": a provincial office nominates others or a
    community; "both": either.
    """
    is_self = nominee_org is not None and nominee_org.id == nominator.id
    self_ok = category.nominator_kind in (NominatorKind.self, NominatorKind.both) and is_self
    office_ok = category.nominator_kind in (NominatorKind.office, NominatorKind.both) and nominator.is_provincial_office
    if not (self_ok or office_ok):
        who = {NominatorKind.self: _l("องค์กรที่เสนอตนเอง"), NominatorKind.office: _l("สำนักงานจังหวัด"),
               NominatorKind.both: _l("องค์กรที่เสนอตนเองหรือสำนักงานจังหวัด")}[category.nominator_kind]
        raise NotAllowedToNominate(who=who)


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
            raise TooLong(section=str(SECTION_LABELS.get(key, key)), n=category.narrative_max_chars)
        clean[key] = text
    return clean


def create_nomination(category: Category, nominator: Organization, *, nominee_org: Organization | None,
                      community: dict | None, narratives: dict, actor: User) -> Nomination:
    """Start a nomination (a draft) for an organization in the system or a community."""
    if not category.window_open():
        raise WindowClosed()
    may_nominate(category, nominator, nominee_org)
    community = community or {}
    if nominee_org is None:
        if not community.get("name") or not community.get("province_code"):
            raise NotEligible(why=_l("กรุณาระบุชื่อและจังหวัดของชุมชน"))
        if community.get("district_code") and not district_in_province(community["district_code"],
                                                                       community["province_code"]):
            raise NotEligible(why=_l("อำเภอไม่อยู่ในจังหวัดที่เลือก"))
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
    _record("created", nomination, actor)
    return nomination


def save_narratives(nomination: Nomination, narratives: dict, actor: User, *, autosave: bool = False) -> Nomination:
    """Update the narratives of a draft or returned nomination (also the autosave of the form)."""
    if not nomination.category.window_open():
        raise WindowClosed()
    if nomination.status not in EDITABLE:
        raise NotEditable()
    merged = {**(nomination.narratives or {}), **{k: v for k, v in narratives.items() if v is not None}}
    nomination.narratives = _check_narratives(nomination.category, merged)
    nomination.updated_at = utcnow()
    if not autosave:
        _record("saved", nomination, actor)
    db.session.flush()
    return nomination


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


def submit_nomination(nomination: Nomination, actor: User) -> Nomination:
    """Send a complete draft (or a corrected, returned nomination) for the eligibility review."""
    if not nomination.category.window_open():
        raise WindowClosed()
    if nomination.status not in EDITABLE:
        raise WrongStatus(status=nomination.status.label)
    missing = missing_parts(nomination)
    if missing:
        raise Incomplete(missing=", ".join(missing))
    before = nomination.snapshot()
    resubmitted = nomination.status == NominationStatus.returned
    nomination.status = NominationStatus.submitted
    nomination.submitted_at = utcnow()
    _record("resubmitted" if resubmitted else "submitted", nomination, actor, before)
    _notify(nomination)
    return nomination


def add_evidence(nomination: Nomination, accepted, caption: str, actor: User) -> Evidence:
    """Attach an accepted, stored file (see core.uploads.accept_evidence) to an editable nomination."""
    if not nomination.category.window_open():
        raise WindowClosed()
    if nomination.status not in EDITABLE:
        raise NotEditable()
    if len(nomination.evidence) >= nomination.category.max_files:
        raise TooManyFiles(n=nomination.category.max_files)
    evidence = Evidence(nomination=nomination, kind=accepted.kind, storage_key=accepted.key,
                        thumb_key=accepted.thumb_key, original_name=accepted.name[:255],
                        caption=(caption or "").strip()[:300], size_bytes=accepted.size, sha256=accepted.sha256,
                        width=accepted.width, height=accepted.height, pages=accepted.pages,
                        flagged=accepted.flagged, flag_note=accepted.note)
    db.session.add(evidence)
    db.session.flush()
    audit.record("nomination.evidence_added", evidence, actor=actor, fair_id=nomination.fair_id,
                 after={"nomination_id": nomination.id, "kind": evidence.kind, "sha256": evidence.sha256,
                        "name": evidence.original_name})
    return evidence


def remove_evidence(evidence: Evidence, actor: User) -> None:
    """Detach a file; its bytes are deleted once the transaction commits."""
    nomination = evidence.nomination
    if not nomination.category.window_open():
        raise WindowClosed()
    if nomination.status not in EDITABLE:
        raise NotEditable()
    audit.record("nomination.evidence_removed", evidence, actor=actor, fair_id=nomination.fair_id,
                 before={"nomination_id": nomination.id, "sha256": evidence.sha256, "name": evidence.original_name})
    delete_after_commit(evidence.storage_key, evidence.thumb_key)
    db.session.delete(evidence)
    db.session.flush()


def delete_nomination(nomination: Nomination, actor: User) -> None:
    """Delete a draft and, after the commit, the bytes of its files."""
    if nomination.status != NominationStatus.draft:
        raise WrongStatus(status=nomination.status.label)
    audit.record("nomination.deleted", nomination, actor=actor, fair_id=nomination.fair_id,
                 before=nomination.snapshot())
    for evidence in nomination.evidence:
        delete_after_commit(evidence.storage_key, evidence.thumb_key)
    db.session.delete(nomination)
    db.session.flush()


# ---- staff ----

def _decide(nomination: Nomination, status: NominationStatus, actor: User, comment: str | None,
            action: str) -> Nomination:
    if nomination.status != NominationStatus.submitted:
        raise WrongStatus(status=nomination.status.label)
    before = nomination.snapshot()
    nomination.status = status
    nomination.review_note = comment
    nomination.decided_at = utcnow()
    _record(action, nomination, actor, before, comment)
    _notify(nomination)
    return nomination


def mark_eligible(nomination: Nomination, actor: User, comment: str | None = None) -> Nomination:
    return _decide(nomination, NominationStatus.eligible, actor, (comment or "").strip() or None, "eligible")


def mark_ineligible(nomination: Nomination, reason: str, actor: User) -> Nomination:
    if not (reason or "").strip():
        raise CommentRequired()
    return _decide(nomination, NominationStatus.ineligible, actor, reason.strip(), "ineligible")


def return_for_correction(nomination: Nomination, comment: str, actor: User) -> Nomination:
    if not (comment or "").strip():
        raise CommentRequired()
    return _decide(nomination, NominationStatus.returned, actor, comment.strip(), "returned")


def duplicate_groups(category_id: int) -> list[list[Nomination]]:
    """Nominations of one category that name the same nominee (an organization, or a community by name
    and district), drafts aside: each group has two or more."""
    rows = db.session.scalars(select(Nomination).where(
        Nomination.category_id == category_id, Nomination.status != NominationStatus.draft)).all()
    groups: dict[tuple, list[Nomination]] = {}
    for n in rows:
        key = (("org", n.nominee_org_id) if n.nominee_org_id else
               ("community", "".join((n.community_name or "").split()).lower(), n.community_district_code or "",
                n.community_province_code or ""))
        groups.setdefault(key, []).append(n)
    return [g for g in groups.values() if len(g) > 1]
