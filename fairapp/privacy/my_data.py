"""Everything fairapp holds about a person (PDPA s.30 access, s.31 portability), gathered from every feature:
their account, organizations (in full for the ones they manage), fair roles, booth applications and
nominations of their organizations, their judging, certificates, mail and their own actions in the audit
log. `collect(user)` gives plain data (JSON-ready); `files(user)` names the stored files that belong in the
ZIP (application photos, the evidence of their organizations' nominations, their certificates' PDFs).

Queries are per section, never per row (a judge with 500 scores is one query for the scores)."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from ..accounts.models import Invitation, JoinRequest, Membership, Organization, User
from ..booths.models import Application, CheckInScan
from ..certificates.queries import holder_certificates
from ..core.audit import AuditEntry
from ..core.mail import MailMessage
from ..extensions import db
from ..fairs.models import FairRole
from ..judging.models import Assignment, Conflict, JudgeProfile, Score
from ..judging.models_invitations import JudgeInvitation
from ..nominations.models import Evidence, Nomination
from .models import ConsentChange, NoticeReceipt

FORMAT = 1  # the layout of the JSON (a reader of old downloads knows which one it holds)


def _plain(value):
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if hasattr(value, "value") and not isinstance(value, (int, float, str, bool)):
        return value.value  # enums
    return value


def _row(obj, names) -> dict:
    return {name: _plain(getattr(obj, name)) for name in names}


def managed_org_ids(user: User) -> set[int]:
    return {m.organization_id for m in user.memberships if m.role == "owner"}


def _org_ids(user: User) -> set[int]:
    return {m.organization_id for m in user.memberships}


def _applications(org_ids) -> list[Application]:
    if not org_ids:
        return []
    return list(db.session.scalars(select(Application).where(Application.organization_id.in_(org_ids))
                                   .options(selectinload(Application.people), selectinload(Application.fair))
                                   .order_by(Application.id)))


def _nominations(org_ids) -> list[Nomination]:
    if not org_ids:
        return []
    return list(db.session.scalars(
        select(Nomination).where(or_(Nomination.nominator_org_id.in_(org_ids), Nomination.nominee_org_id.in_(org_ids)))
        .options(selectinload(Nomination.evidence), selectinload(Nomination.category))
        .order_by(Nomination.id)))


def collect(user: User, base_url: str = "") -> dict:
    """The person's data as plain values (dates in ISO 8601, UTC)."""
    org_ids, managed = _org_ids(user), managed_org_ids(user)
    orgs = {o.id: o for o in db.session.scalars(select(Organization).where(Organization.id.in_(org_ids or {0})))}
    members = db.session.execute(
        select(Membership.organization_id, Membership.role, User.title, User.first_name, User.last_name)
        .join(User, User.id == Membership.user_id).where(Membership.organization_id.in_(managed or {0}))
        .order_by(Membership.organization_id, User.first_name)).all()
    organizations = []
    for m in sorted(user.memberships, key=lambda m: m.organization_id):
        org = orgs[m.organization_id]
        entry = {"id": org.id, "name_th": org.name_th, "name_en": org.name_en, "your_role": m.role,
                 "member_since": _plain(m.created_at)}
        if org.id in managed:  # its managers get the organization's own record
            entry.update(_row(org, ("sector", "province_code", "district_code", "tax_id", "is_provincial_office",
                                    "created_at")))
            entry["members"] = [{"name": f"{t}{f} {l}".strip(), "role": r}
                                for oid, r, t, f, l in members if oid == org.id]
        organizations.append(entry)

    applications = []
    for a in _applications(org_ids):
        row = _row(a, ("id", "fair_id", "organization_id", "status", "show_text", "share_text", "help_text",
                       "connect_text", "needs_power", "needs_water", "needs_wheelchair", "needs_note",
                       "created_at", "submitted_at", "decided_at", "checked_in_at"))
        row["fair"] = a.fair.name_th
        row["photo"] = f"files/application-{a.id}.{a.photo_key.rsplit('.', 1)[-1]}" if a.photo_key else None
        row["people"] = [{"title": p.title, "first_name": p.first_name, "last_name": p.last_name} for p in a.people]
        applications.append(row)

    nominations = []
    for n in _nominations(org_ids):
        row = _row(n, ("id", "fair_id", "category_id", "nominator_org_id", "nominee_org_id", "community_name",
                       "community_village", "status", "narratives", "created_at", "submitted_at", "decided_at"))
        row["category"] = n.category.name_th
        own = n.nominator_org_id in org_ids  # the nominator's files; the nominee sees what was said of it
        row["evidence"] = [{"kind": e.kind, "original_name": e.original_name, "caption": e.caption,
                            "sha256": e.sha256, "file": _evidence_name(e) if own else None} for e in n.evidence]
        nominations.append(row)

    scores = db.session.execute(
        select(Assignment.id, Assignment.nomination_id, Score.criterion_id, Score.value, Score.comment,
               Score.updated_at)
        .join(Score, Score.assignment_id == Assignment.id).where(Assignment.judge_id == user.id)
        .order_by(Assignment.id, Score.criterion_id)).all()
    conflicts = db.session.scalars(select(Conflict).where(Conflict.judge_id == user.id).order_by(Conflict.id)).all()
    profiles = db.session.scalars(select(JudgeProfile).where(JudgeProfile.user_id == user.id)).all()
    roles = db.session.scalars(select(FairRole).where(FairRole.user_id == user.id)
                               .options(selectinload(FairRole.fair)).order_by(FairRole.id)).all()
    certificates = holder_certificates(user)
    mail = db.session.scalars(select(MailMessage).where(MailMessage.to == user.email)
                              .order_by(MailMessage.id)).all()
    invitations = db.session.scalars(select(Invitation).where(Invitation.email == user.email)
                                     .order_by(Invitation.id)).all()
    judge_invitations = db.session.scalars(select(JudgeInvitation).where(
        JudgeInvitation.email == user.email.lower()).order_by(JudgeInvitation.id)).all()
    join_requests = db.session.scalars(select(JoinRequest).where(JoinRequest.user_id == user.id)
                                       .order_by(JoinRequest.id)).all()
    actions = db.session.execute(
        select(AuditEntry.created_at, AuditEntry.action, AuditEntry.object_type, AuditEntry.object_id,
               AuditEntry.fair_id).where(AuditEntry.actor_id == user.id).order_by(AuditEntry.id)).all()
    receipts = db.session.execute(select(NoticeReceipt.version, NoticeReceipt.form, NoticeReceipt.seen_at)
                                  .where(NoticeReceipt.user_id == user.id).order_by(NoticeReceipt.id)).all()
    scans = db.session.execute(select(CheckInScan.scanned_at, CheckInScan.fair_id, CheckInScan.application_id,
                                      CheckInScan.result).where(CheckInScan.by_id == user.id)
                               .order_by(CheckInScan.id)).all()
    return {
        "format": FORMAT,
        "account": {**_row(user, ("id", "email", "title", "first_name", "last_name", "phone", "locale",
                                  "is_admin", "is_dpo", "active", "email_confirmed_at", "created_at",
                                  "last_login_at")),
                    "password": "stored only as a one-way hash (scrypt); not included"},
        "organizations": organizations,
        "fair_roles": [{"fair_id": r.fair_id, "fair": r.fair.name_th, "role": r.role,
                        "since": _plain(r.created_at)} for r in roles],
        "judge_profiles": [_row(p, ("fair_id", "affiliation_org_id")) for p in profiles],
        "booth_applications": applications,
        "nominations": nominations,
        "judging": {
            "scores": [{"assignment_id": a, "nomination_id": n, "criterion_id": c, "value": v, "comment": m,
                        "updated_at": _plain(u)} for a, n, c, v, m, u in scores],
            "conflicts": [_row(c, ("nomination_id", "source", "reason", "confirmed", "created_at"))
                          for c in conflicts],
        },
        "certificates": [{"serial": c.grouped_serial, "kind": c.kind, "holder_name": c.holder_name,
                          "holder_org": c.holder_org, "award_or_role": c.role_th, "given_on": _plain(c.given_on),
                          "status": c.status, "pdf_sha256": c.pdf_sha256, "file": f"files/{c.grouped_serial}.pdf",
                          "verify_url": f"{base_url}/verify/{c.grouped_serial}"} for c in certificates],
        "mail": [_row(m, ("created_at", "sent_at", "status", "subject", "body")) for m in mail],
        "invitations": [_row(i, ("organization_id", "created_at", "accepted_at", "cancelled_at"))
                        for i in invitations],
        "judge_invitations": [_row(i, ("fair_id", "name", "created_at", "expires_at", "accepted_at", "cancelled_at"))
                              for i in judge_invitations],
        "join_requests": [_row(j, ("organization_id", "message", "state", "created_at", "decided_at"))
                          for j in join_requests],
        "checkin_scans_made": [{"scanned_at": _plain(s), "fair_id": f, "application_id": a, "result": r}
                               for s, f, a, r in scans],
        "consents": [{"purpose": c.purpose, "given": c.given, "version": c.version, "at": _plain(c.at)}
                     for c in db.session.scalars(select(ConsentChange).where(ConsentChange.user_id == user.id)
                                                 .order_by(ConsentChange.id))],
        "notices_seen": [{"version": v, "form": f, "seen_at": _plain(t)} for v, f, t in receipts],
        "your_actions": [{"at": _plain(t), "action": a, "object_type": o, "object_id": i, "fair_id": f}
                         for t, a, o, i, f in actions],
    }


def _evidence_name(e: Evidence) -> str:
    ext = e.storage_key.rsplit(".", 1)[-1] if "." in e.storage_key else ("pdf" if e.kind == "pdf" else "jpg")
    return f"files/evidence-{e.nomination_id}-{e.id}.{ext}"


def files(user: User) -> list[tuple[str, str, str]]:
    """(name in the ZIP, storage key, kind) of each stored file that belongs to the person's download:
    "file" keys are read from storage, "certificate" ones through the certificate reader (packed PDFs)."""
    org_ids = _org_ids(user)
    out = [(f"files/application-{a.id}.{a.photo_key.rsplit('.', 1)[-1]}", a.photo_key, "file")
           for a in _applications(org_ids) if a.photo_key]
    out += [(_evidence_name(e), e.storage_key, "file")
            for n in _nominations(org_ids) if n.nominator_org_id in org_ids for e in n.evidence]
    out += [(f"files/{c.grouped_serial}.pdf", str(c.id), "certificate") for c in holder_certificates(user)]
    return out
