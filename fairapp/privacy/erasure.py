"""Erasure (PDPA s.33): a person is pseudonymized everywhere, their files deleted, and what the law or
the fair's record needs is kept, without their name. Done when the DPO grants (wholly or partly) an
erasure request tied to an account (privacy.requests.decide), in that request's unit of work.

What erasing a person does:
- the account: the name becomes a pseudonym ("ผู้ขอลบข้อมูล #<id>": the same on every page, so a judge's
  scores stay the scores of one, unnamed judge), the email an address that cannot receive mail, no phone,
  no password, signed out everywhere, inactive; `erased_at` set;
- their memberships, organization and judge invitations to their address, requests to join an organization, notice receipts, consents and ended sessions go; mail
  to their address (queued or sent) goes, with its outbox files;
- their own certificates (a judge's) stay, with their serial and public check, but the name is withheld
  "at the holder's request" (`holder_withheld_at`); the certificate's PDF and the print batches that held
  it are deleted with their files (durably: core.storage.delete_after_commit; a certificate stored in its
  chunk's bundle is cut out of it: certificates.bundles.drop);
- their requests keep their decision and clock, under the pseudonym;
- the audit log: the personal part (names, emails, free text: core.audit.PERSONAL_KEYS) of every entry
  about them is removed with its salt (core.audit.erase_personal); the chains still verify, and the
  erasure's own entry (`privacy.erased`) lists those entries by a digest, so `flask audit verify` tells an
  erasure from a removal by hand.
Kept, and why: their fair roles and judges' scores (the fair's record of how awards were decided), the
organizations (not a person's data), what other people wrote.

Refused, with a reason the DPO can act on: an admin or the DPO (revoke the role first); the only manager of
an organization that has other members (appoint another first); a print batch with their certificate
still running (wait for it).
"""
from __future__ import annotations

import json
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, or_, select

from ..accounts.models import EndedSession, Invitation, JoinRequest, Membership, User
from ..certificates import bundles
from ..certificates.batch_rows import WAITING
from ..certificates.models import Certificate, PrintBatch, PrintBatchChunk
from ..core import audit
from ..core.audit import AuditEntry
from ..core.errors import DomainError
from ..core.mail import MailMessage
from ..core.storage import delete_after_commit
from ..core.time import utcnow
from ..core.transaction import after_commit
from ..extensions import db
from ..judging.models_invitations import JudgeInvitation
from .models import ConsentChange, NoticeReceipt, PrivacyRequest

PSEUDONYM = "ผู้ขอลบข้อมูล"  # stored in the account's name: shown as "ผู้ขอลบข้อมูล #12"
ERASED_DOMAIN = "erased.invalid"   # RFC 2606: no mail can reach it


class CannotErase(DomainError):
    message = _l("ลบข้อมูลของบุคคลนี้ไม่ได้")
    status = 409


class HoldsOfficeRole(CannotErase):
    message = _l("บุคคลนี้เป็นผู้ดูแลระบบหรือเจ้าหน้าที่คุ้มครองข้อมูลส่วนบุคคลอยู่ กรุณาถอนสิทธิ์นั้นก่อนจึงลบข้อมูลได้")


class OnlyManager(CannotErase):
    message = _l("บุคคลนี้เป็นผู้จัดการคนเดียวของ %(org)s ซึ่งยังมีสมาชิกคนอื่น กรุณาให้องค์กรแต่งตั้งผู้จัดการคนใหม่ก่อน")


class BatchRunning(CannotErase):
    message = _l("ชุดพิมพ์เกียรติบัตรที่มีชื่อบุคคลนี้กำลังสร้างอยู่ กรุณารอให้เสร็จแล้วลองอีกครั้ง")


class AlreadyErased(CannotErase):
    message = _l("ข้อมูลของบุคคลนี้ถูกลบไปแล้ว")


@dataclass
class Effect:
    """What an erasure does (or, planned, would do): counts for the DPO's page and the audit entry."""

    counts: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def pseudonym(user: User) -> str:
    return f"{PSEUDONYM} #{user.id}"


def _needles(user: User) -> list[str]:
    """What identifies the person in free text: their email and their name as written."""
    names = {user.full_name, f"{user.first_name} {user.last_name}".strip()}
    return [n for n in (user.email, *names) if n and len(n) >= 3]


def _mentions(value, needles: list[str]) -> bool:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return any(n in text for n in needles)


def audit_entries(user: User) -> list[int]:
    """The audit entries whose personal part is about the person: entries about their account, and entries
    whose personal values name them or their email. (The JSON is stored with \\u escapes: the pre-filter in
    SQL looks for both forms, then each candidate is confirmed in Python.)"""
    needles = _needles(user)
    forms = {form for n in needles for form in (n, json.dumps(n)[1:-1])}
    text_of = [func.coalesce(db.cast(AuditEntry.before, db.Text), ""), func.coalesce(db.cast(AuditEntry.after, db.Text), "")]
    mentioned = or_(*[column.contains(form, autoescape=True) for form in forms for column in text_of])
    about = (AuditEntry.object_type == "users") & (AuditEntry.object_id == user.id)
    rows = db.session.execute(select(AuditEntry.id, AuditEntry.object_type, AuditEntry.object_id, AuditEntry.before,
                                     AuditEntry.after).where(AuditEntry.personal_salt.is_not(None), or_(about, mentioned))
                              .order_by(AuditEntry.id)).all()
    found = []
    for row in rows:
        part = audit.personal_part(row)
        if part and ((row.object_type, row.object_id) == ("users", user.id) or _mentions(part, needles)):
            found.append(row.id)
    return found


def _certificates(user: User) -> list[Certificate]:
    return list(db.session.scalars(select(Certificate).where(Certificate.subject_key == f"judge:{user.id}",
                                                             Certificate.holder_withheld_at.is_(None))))


def _batches(certificates: list[Certificate]) -> list[PrintBatch]:
    """The print batches whose pages hold one of these certificates (by each chunk's certificate ids)."""
    if not certificates:
        return []
    wanted = {c.id for c in certificates}
    pairs = {(c.fair_id, c.kind) for c in certificates}
    batch_ids = set()
    for fair_id, kind in pairs:
        rows = db.session.execute(select(PrintBatchChunk.batch_id, PrintBatchChunk.certificate_ids)
                                  .join(PrintBatch, PrintBatch.id == PrintBatchChunk.batch_id)
                                  .where(PrintBatch.fair_id == fair_id, PrintBatch.kind == kind)).all()
        batch_ids |= {row.batch_id for row in rows if wanted & set(row.certificate_ids or [])}
    return list(db.session.scalars(select(PrintBatch).where(PrintBatch.id.in_(batch_ids)))) if batch_ids else []


def _running_batch(user: User) -> bool:
    """A batch still making judges' certificates of a fair where the person judges (its set is not final)."""
    fairs = [r.fair_id for r in user.fair_roles if r.role in ("judge", "chair")]
    return bool(fairs) and db.session.scalar(
        select(PrintBatch.id).where(PrintBatch.fair_id.in_(fairs), PrintBatch.kind == "judge",
                                    PrintBatch.status.in_(WAITING)).limit(1)) is not None


def _check(user: User) -> None:
    if user.erased_at is not None:
        raise AlreadyErased()
    if user.is_admin or user.is_dpo:
        raise HoldsOfficeRole()
    for membership in user.memberships:
        if membership.role != "owner":
            continue
        others = [m for m in membership.organization.memberships if m.user_id != user.id]
        if others and not any(m.role == "owner" for m in others):
            raise OnlyManager(org=membership.organization.name_th)
    if _running_batch(user):
        raise BatchRunning()


def _mail(user: User):
    return MailMessage.__table__, func.lower(MailMessage.to) == user.email.lower()


def _outbox_files(user: User) -> list[Path]:
    """Outbox files (`make run` writes mail there) addressed to the person."""
    outbox = Path(current_app.config["MAIL_OUTBOX_DIR"])
    if not outbox.is_dir():
        return []
    wanted = f"to: {user.email.lower()}"
    found = []
    for path in outbox.glob("*.eml"):
        try:
            with path.open("rb") as handle:
                head = handle.read(4096).decode("utf-8", "replace").lower()
        except OSError:
            continue
        if any(line.strip() == wanted for line in head.splitlines()):
            found.append(path)
    return sorted(found)


def plan(user: User) -> Effect:
    """What erasing the person would do now (shown on the request's page before the DPO decides)."""
    certificates = _certificates(user)
    table, where = _mail(user)
    return Effect(counts={
        "audit_entries": len(audit_entries(user)),
        "certificates_withheld": len(certificates),
        "print_batches": len(_batches(certificates)),
        "memberships": len(user.memberships),
        "mail": db.session.scalar(select(func.count()).select_from(table).where(where)) or 0,
        "outbox_files": len(_outbox_files(user)),
    })


def blocker(user: User) -> CannotErase | None:
    """Why the person cannot be erased now (None: they can)."""
    try:
        _check(user)
    except CannotErase as refusal:
        return refusal
    return None


def erase(user: User, actor: User, request: PrivacyRequest | None = None) -> Effect:
    """Erase the person (see the module's docstring). Never commits: the caller's unit of work does."""
    _check(user)
    token = secrets.token_hex(16)
    done = Effect()
    entries = audit_entries(user)  # before the name and email change: they are what is looked for
    outbox = _outbox_files(user)
    table, where = _mail(user)
    done.counts["mail"] = db.session.execute(delete(table).where(where)
                                             .execution_options(synchronize_session=False)).rowcount or 0
    done.counts["invitations"] = db.session.execute(
        delete(Invitation).where(func.lower(Invitation.email) == user.email.lower())
        .execution_options(synchronize_session=False)).rowcount or 0
    done.counts["judge_invitations"] = db.session.execute(
        delete(JudgeInvitation).where(JudgeInvitation.email == user.email.lower())  # stored lower-case
        .execution_options(synchronize_session=False)).rowcount or 0
    done.counts["join_requests"] = db.session.execute(
        delete(JoinRequest).where(JoinRequest.user_id == user.id).execution_options(synchronize_session=False)
    ).rowcount or 0
    for model in (NoticeReceipt, ConsentChange, EndedSession):
        db.session.execute(delete(model).where(model.user_id == user.id).execution_options(synchronize_session=False))
    done.counts["memberships"] = len(user.memberships)
    for membership in list(user.memberships):
        db.session.delete(membership)

    now = utcnow()
    certificates = _certificates(user)
    batches = _batches(certificates)
    bundles.drop(certificates)  # their files; a chunk's bundle is stored again with the others only
    for certificate in certificates:
        certificate.holder_name, certificate.search_key, certificate.holder_withheld_at = "", "", now
        certificate.token = ""  # the QR's signed payload names them (the printed QR still checks: name withheld)
    for batch in batches:
        keys = db.session.scalars(select(PrintBatchChunk.pdf_key).where(PrintBatchChunk.batch_id == batch.id)).all()
        delete_after_commit(*[k for k in (*keys, batch.result_key) if k])
        db.session.delete(batch)
    done.counts["certificates_withheld"], done.counts["print_batches"] = len(certificates), len(batches)

    for item in db.session.scalars(select(PrivacyRequest).where(PrivacyRequest.subject_user_id == user.id)):
        item.subject_name, item.subject_contact = pseudonym(user), ""

    user.title, user.first_name, user.last_name = "", PSEUDONYM, f"#{user.id}"
    user.email = f"erased-{user.id}-{token[:8]}@{ERASED_DOMAIN}"
    user.phone, user.password_hash, user.active = None, "!erased", False
    user.email_confirmed_at, user.last_login_at = None, None
    user.session_version = (user.session_version or 0) + 1
    user.erased_at = now

    erased = audit.erase_personal(entries, token)
    done.counts["audit_entries"] = len(erased)
    after_commit(lambda: [path.unlink(missing_ok=True) for path in outbox])  # files: only once the rows are gone
    done.counts["outbox_files"] = len(outbox)
    audit.record(audit.ERASURE_ACTION, user, actor=actor,
                 after={"token": token, "entries": len(erased), "entries_digest": audit.ids_digest(erased),
                        "request_id": request.id if request is not None else None, **done.counts})
    return done
