"""Issuing, revoking, reissuing and printing certificates. Operations flush, never commit.

Who may receive one is decided here and nowhere else:
- awardees: the results of a finalized category that reached an award level, in ranking order;
- exhibitors: applications checked in on the day (the organization, then each person named on the
  application), in booth-code order;
- judges: judges of the fair with at least one score;
- participants: names staff type in.
A subject (`subject_key`) has one current certificate: issuing again finds it, a revoked one is left out,
a reissue supersedes it with the next generation.
"""
from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field

from flask import current_app, has_request_context, request
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from ..accounts.models import User
from ..booths.models import Application, Booth
from ..core import audit
from ..core.errors import DomainError
from ..core.storage import storage
from ..core.thai import be_year, sort_key
from ..core.time import utcnow
from ..extensions import db
from ..fairs.models import Fair
from ..judging.models import Assignment, JudgeProfile, Result, Rubric, Score
from ..nominations.models import Category, Nomination
from . import serials, signing
from .models import KIND_LABELS, KINDS, Certificate, CertificatePrint, CertificateTemplate
from .render import Design, Face, Signatory, render_one

DEFAULT_REASONS = {
    "awardee": "ได้รับรางวัลระดับ[ระดับ] ประเภท[ประเภทรางวัล] ในงาน[งาน]",
    "exhibitor": "ได้ร่วมออกบูธเผยแพร่ผลงาน โชว์ แชร์ ช่วย เชื่อม ในงาน[งาน]",
    "judge": "ได้ร่วมเป็นกรรมการพิจารณาตัดสินรางวัล ในงาน[งาน]",
    "participant": "ได้เข้าร่วมงาน[งาน]",
}
_SEARCH_DROP = re.compile(r"[\s\u0e47-\u0e4e.,()\-_/'\"]+")


class NoTemplate(DomainError):
    message = _l("ยังไม่มีแม่แบบเกียรติบัตรสำหรับ%(kind)s กรุณาสร้างแม่แบบก่อน")


class NotFinalized(DomainError):
    message = _l("ผลการตัดสินประเภทนี้ยังไม่ประกาศ จึงยังออกเกียรติบัตรผู้ได้รับรางวัลไม่ได้")


class AlreadyRevoked(DomainError):
    message = _l("เกียรติบัตรเลขที่ %(serial)s ถูกเพิกถอนแล้ว")


class AlreadySuperseded(DomainError):
    message = _l("เกียรติบัตรเลขที่ %(serial)s มีฉบับใหม่แทนแล้ว จึงออกใหม่ซ้ำไม่ได้")


class ReasonRequired(DomainError):
    message = _l("กรุณาระบุเหตุผล")


class TemplateLocked(DomainError):
    message = _l("แม่แบบนี้ออกเกียรติบัตรไปแล้ว %(n)s ฉบับ จึงแก้ไม่ได้ (ฉบับที่ออกแล้วต้องเหมือนเดิม) "
                 "กรุณาทำสำเนาแม่แบบแล้วแก้ที่สำเนา")


def search_norm(text: str) -> str:
    """What kiosk search compares: no spaces, tone marks, ็ ์ or punctuation; case folded (NFC first)."""
    return _SEARCH_DROP.sub("", unicodedata.normalize("NFC", text or "")).casefold()


def fill(text: str, values: dict[str, str]) -> str:
    """The template text with its [placeholders] filled in; unknown ones stay as typed."""
    for name, value in values.items():
        text = text.replace(f"[{name}]", value)
    return re.sub(r"\s{2,}", " ", text).strip()


@dataclass
class Candidate:
    """Someone a certificate may be issued to, with what it will say."""

    kind: str
    subject_key: str
    holder_name: str
    holder_org: str = ""
    role_th: str = ""
    values: dict = field(default_factory=dict)  # placeholder values for the reason
    category_id: int | None = None
    level_th: str | None = None
    stage_order: int = 0
    search_extra: str = ""  # other spellings to find it by (English names)

    def to_json(self) -> dict:
        return self.__dict__.copy()

    @classmethod
    def from_json(cls, data: dict) -> "Candidate":
        return cls(**data)


# ---- who ----

def awardee_candidates(category: Category) -> list[Candidate]:
    rubric = db.session.scalar(select(Rubric).where(Rubric.category_id == category.id))
    if rubric is None or not rubric.finalized:
        raise NotFinalized()
    results = db.session.scalars(
        select(Result).where(Result.rubric_id == rubric.id, Result.level_th.is_not(None))
        .order_by(Result.position)).all()
    nominations = {n.id: n for n in db.session.scalars(
        select(Nomination).where(Nomination.id.in_([r.nomination_id for r in results]))
        .options(selectinload(Nomination.nominee_org)))}
    fair = category.fair
    out = []
    for result in results:
        nomination = nominations[result.nomination_id]
        values = {"ระดับ": result.level_th, "ประเภทรางวัล": category.name_th, "งาน": fair.name_th,
                  "หน่วยงาน": fair.organizer_th, "องค์กร": nomination.nominee_name("th")}
        out.append(Candidate(
            kind="awardee", subject_key=f"award:{nomination.id}", holder_name=nomination.nominee_name("th"),
            holder_org=nomination.nominee_place("th"), role_th=f"รางวัลระดับ{result.level_th} ประเภท{category.name_th}",
            values=values, category_id=category.id, level_th=result.level_th, stage_order=result.position,
            search_extra=nomination.nominee_name("en")))
    return out


def _booth_order(code: str) -> tuple:
    """A01 < A2 < A10 < B1: letters, then numbers as numbers."""
    return tuple((0, int(part), "") if part.isdigit() else (1, 0, part) for part in re.findall(r"\d+|\D+", code))


def exhibitor_candidates(fair: Fair) -> list[Candidate]:
    rows = db.session.execute(
        select(Application, Booth.code).join(Booth, Booth.application_id == Application.id)
        .where(Application.fair_id == fair.id, Application.checked_in_at.is_not(None))
        .options(selectinload(Application.people), selectinload(Application.organization))).all()
    rows.sort(key=lambda row: _booth_order(row[1]))
    out, order = [], 0
    for application, code in rows:
        org_name = application.organization.name("th")
        values = {"งาน": fair.name_th, "หน่วยงาน": fair.organizer_th, "บูธ": code, "องค์กร": org_name}
        order += 1
        out.append(Candidate(kind="exhibitor", subject_key=f"booth:{application.id}", holder_name=org_name,
                             holder_org=f"บูธ {code}", role_th=f"ผู้ออกบูธ {code}", values=values,
                             stage_order=order, search_extra=application.organization.name("en")))
        for person in application.people:
            order += 1
            out.append(Candidate(kind="exhibitor", subject_key=f"booth:{application.id}:person:{person.id}",
                                 holder_name=person.full_name, holder_org=org_name,
                                 role_th=f"ผู้ประจำบูธ {code}", values=values, stage_order=order))
    return out


def judge_candidates(fair: Fair) -> list[Candidate]:
    judge_ids = db.session.scalars(
        select(Assignment.judge_id).join(Score, Score.assignment_id == Assignment.id)
        .join(Nomination, Nomination.id == Assignment.nomination_id)
        .where(Nomination.fair_id == fair.id).distinct()).all()
    users = db.session.scalars(select(User).where(User.id.in_(judge_ids))).all()
    profiles = {p.user_id: p for p in db.session.scalars(
        select(JudgeProfile).where(JudgeProfile.fair_id == fair.id, JudgeProfile.user_id.in_(judge_ids))
        .options(selectinload(JudgeProfile.affiliation)))}
    users.sort(key=lambda u: sort_key(u.first_name + " " + u.last_name))
    out = []
    for order, user in enumerate(users, start=1):
        profile = profiles.get(user.id)
        org = profile.affiliation.name("th") if profile and profile.affiliation else ""
        out.append(Candidate(kind="judge", subject_key=f"judge:{user.id}", holder_name=user.full_name,
                             holder_org=org, role_th="กรรมการพิจารณาตัดสินรางวัล",
                             values={"งาน": fair.name_th, "หน่วยงาน": fair.organizer_th, "องค์กร": org},
                             stage_order=order))
    return out


def _identity(text: str) -> str:
    """A name as an identity: NFC, spaces collapsed, case folded; marks kept (นำ and น้ำ are two people)."""
    return " ".join(unicodedata.normalize("NFC", text or "").split()).casefold()


def participant_candidates(fair: Fair, lines: str) -> list[Candidate]:
    """One participant a line: "ชื่อ-สกุล" or "ชื่อ-สกุล | หน่วยงาน". The same name and organization twice
    is one person; the same name with another organization is another person."""
    out, seen = [], set()
    for raw in (lines or "").splitlines():
        name, _, org = raw.partition("|")
        name, org = " ".join(name.split()), " ".join(org.split())
        if not name:
            continue
        digest = hashlib.sha256(f"{_identity(name)}|{_identity(org)}".encode("utf-8")).hexdigest()[:24]
        if digest in seen:
            continue
        seen.add(digest)
        out.append(Candidate(kind="participant", subject_key=f"participant:{digest}", holder_name=name[:300],
                             holder_org=org[:300], role_th="ผู้เข้าร่วมงาน",
                             values={"งาน": fair.name_th, "หน่วยงาน": fair.organizer_th, "องค์กร": org},
                             stage_order=len(out) + 1))
    return out


def candidates_for(fair: Fair, kind: str, category: Category | None = None, lines: str = "") -> list[Candidate]:
    if kind == "awardee":
        return awardee_candidates(category)
    if kind == "exhibitor":
        return exhibitor_candidates(fair)
    if kind == "judge":
        return judge_candidates(fair)
    return participant_candidates(fair, lines)


# ---- templates and designs ----

def templates_of(fair: Fair) -> list[CertificateTemplate]:
    return db.session.scalars(select(CertificateTemplate).where(CertificateTemplate.fair_id == fair.id)
                              .order_by(CertificateTemplate.kind, CertificateTemplate.id)).all()


def template_for(templates: list[CertificateTemplate], kind: str, category_id: int | None = None,
                 level_th: str | None = None) -> CertificateTemplate | None:
    """The most specific template: category and level, then category, then the kind's general one."""
    best, best_rank = None, -1
    for template in templates:
        if template.kind != kind:
            continue
        if template.category_id is not None and template.category_id != category_id:
            continue
        if template.level_th and template.level_th != level_th:
            continue
        rank = (2 if template.category_id else 0) + (1 if template.level_th else 0)
        if rank > best_rank:
            best, best_rank = template, rank
    return best


LOOPBACK_BASE = "http://127.0.0.1:5000"  # config.py's default: a development machine


def public_base_url() -> str:
    """The site's address for QR codes and the verify hint: BASE_URL when it was set; else the address
    the staff member's request came in on (so a forgotten BASE_URL never prints 127.0.0.1 on paper)."""
    configured = (current_app.config.get("BASE_URL") or "").rstrip("/")
    if has_request_context() and (not configured or configured == LOOPBACK_BASE):
        return request.url_root.rstrip("/")
    return configured or LOOPBACK_BASE


def verify_hint() -> str:
    base = public_base_url()
    host = re.sub(r"^https?://", "", base)
    return f"ตรวจสอบเกียรติบัตรได้ที่ {host}/verify"


def design_for(template: CertificateTemplate, fair: Fair | None = None) -> Design:
    """The template as the renderer sees it: texts, and images as files on this machine."""
    fair = fair or template.fair
    store = storage()

    def path(key: str | None) -> str | None:
        return str(store.local_path(key)) if key and store.exists(key) else None

    signatories = tuple(Signatory(s.get("name", ""), s.get("position", ""), path(s.get("signature_key")))
                        for s in (template.signatories or []) if s.get("name") or s.get("position"))
    return Design(
        key=f"{template.id}:{template.updated_at.isoformat() if template.updated_at else ''}",
        page_size=template.page_size, orientation=template.orientation, title=template.title_th,
        issuer=fill(template.issuer_th, {"หน่วยงาน": fair.organizer_th, "งาน": fair.name_th}),
        preamble=template.preamble_th, date_line=template.date_line_th,
        background=path(template.background_key),
        logos=tuple(p for p in (path(k) for k in (template.logo_keys or [])) if p),
        signatories=signatories, thai_numerals=fair.thai_numerals, verify_hint=verify_hint())


def face_for(certificate: Certificate) -> Face:
    return Face(serial=certificate.grouped_serial, holder=certificate.holder_name,
                holder_org=certificate.holder_org, reason=certificate.reason, given_on=certificate.given_on,
                qr=signing.qr_url(public_base_url(), certificate.grouped_serial, certificate.token),
                title=f"เกียรติบัตร {certificate.grouped_serial}")


# ---- issuing ----

@dataclass
class Planned:
    """One certificate of a set: an existing one, or a new one with everything but its PDF."""

    candidate: Candidate
    certificate: Certificate | None  # existing (valid) one
    new: Certificate | None = None
    design: Design | None = None
    face: Face | None = None


def current_certificates(fair_id: int, subject_keys: list[str]) -> dict[str, Certificate]:
    """The latest generation of each subject's certificate, by subject key."""
    if not subject_keys:
        return {}
    rows = db.session.scalars(select(Certificate).where(Certificate.fair_id == fair_id,
                                                        Certificate.subject_key.in_(subject_keys))).all()
    latest: dict[str, Certificate] = {}
    for cert in rows:
        if cert.subject_key not in latest or cert.generation > latest[cert.subject_key].generation:
            latest[cert.subject_key] = cert
    return latest


def _new_certificate(fair: Fair, candidate: Candidate, template: CertificateTemplate, actor: User | None,
                     generation: int = 1) -> Certificate:
    given_on = template.date_given()
    serial = serials.new_serial(serials.prefix_for(be_year(fair.starts_on.year)))
    facts = signing.Facts(serial=serial, holder=candidate.holder_name, kind=candidate.kind, fair_id=fair.id,
                          date=given_on.isoformat())
    reason = fill(template.reason_th, candidate.values)
    return Certificate(
        serial=serial, fair_id=fair.id, kind=candidate.kind, subject_key=candidate.subject_key,
        generation=generation, template_id=template.id, category_id=candidate.category_id,
        holder_name=candidate.holder_name, holder_org=candidate.holder_org, reason=reason,
        role_th=candidate.role_th, given_on=given_on, stage_order=candidate.stage_order,
        search_key="|".join(search_norm(t) for t in (candidate.holder_name, candidate.holder_org,
                                                       candidate.search_extra) if t)[:700],
        token=signing.sign(facts, signing.signing_key()), issued_by_id=getattr(actor, "id", None),
        issued_at=utcnow())


def plan(fair: Fair, candidates: list[Candidate], actor: User | None,
         templates: list[CertificateTemplate] | None = None) -> tuple[list[Planned], int]:
    """What issuing these candidates means: (planned certificates in order, how many were left out
    because their certificate was revoked). Nothing is written; new ones carry serials and signatures."""
    templates = templates if templates is not None else templates_of(fair)
    existing = current_certificates(fair.id, [c.subject_key for c in candidates])
    designs: dict[int, Design] = {}
    planned, skipped = [], 0
    for candidate in candidates:
        cert = existing.get(candidate.subject_key)
        if cert is not None:
            if cert.status != "valid":
                skipped += 1
                continue
            template = cert.template
        else:
            template = template_for(templates, candidate.kind, candidate.category_id, candidate.level_th)
            if template is None:
                raise NoTemplate(kind=str(KIND_LABELS[candidate.kind]))
        item = Planned(candidate, cert)
        if cert is None:
            item.new = _new_certificate(fair, candidate, template, actor)
            source = item.new
        else:
            source = cert
        if template is not None:
            if template.id not in designs:
                designs[template.id] = design_for(template, fair)
            item.design = designs[template.id]
            item.face = face_for(source)
        planned.append(item)
    return planned, skipped


def save_new(planned: list[Planned], pdfs: list[bytes], actor: User | None, fair: Fair) -> list[Certificate]:
    """Store the new certificates' PDFs and rows (pdfs in the order of the new ones in `planned`)."""
    store = storage()
    new = [p for p in planned if p.new is not None]
    if len(new) != len(pdfs):
        raise ValueError("one PDF for each new certificate")
    for item, data in zip(new, pdfs):
        item.new.pdf_key = store.save(data, "pdf")
        item.new.pdf_sha256 = hashlib.sha256(data).hexdigest()
        db.session.add(item.new)
        item.certificate = item.new
    if new:
        db.session.flush()
        audit.record("certificates.issued", actor=actor, fair_id=fair.id, object_type="certificates",
                     after={"serials": [p.new.serial for p in new]})
    return [p.certificate for p in planned]


def issue(fair: Fair, candidates: list[Candidate], actor: User | None) -> tuple[list[Certificate], int]:
    """Issue (or find) the candidates' certificates here and now, rendering in this process.

    For a handful (participants typed in, a reissue); sets go through a print batch, which renders on
    every core. Returns (certificates in order, number left out as revoked).
    """
    planned, skipped = plan(fair, candidates, actor)
    pdfs = [render_one(p.design, p.face) for p in planned if p.new is not None]
    return save_new(planned, pdfs, actor, fair), skipped


def revoke(certificate: Certificate, reason: str, actor: User) -> None:
    reason = (reason or "").strip()
    if not reason:
        raise ReasonRequired()
    if certificate.revoked_at is not None:
        raise AlreadyRevoked(serial=certificate.grouped_serial)
    certificate.revoked_at = utcnow()
    certificate.revoked_reason = reason[:1000]
    certificate.revoked_by_id = actor.id
    audit.record("certificate.revoked", certificate, actor=actor, fair_id=certificate.fair_id,
                 after={"serial": certificate.serial, "reason": certificate.revoked_reason})


def reissue(certificate: Certificate, reason: str, actor: User, *, holder_name: str | None = None,
            holder_org: str | None = None) -> Certificate:
    """A new certificate (new serial) for the same subject, with the holder's name or organization
    corrected; the old one is revoked (if it was not) and shows "superseded by" the new one."""
    reason = (reason or "").strip()
    if not reason:
        raise ReasonRequired()
    if certificate.superseded_by_id is not None:
        raise AlreadySuperseded(serial=certificate.grouped_serial)
    if certificate.revoked_at is not None:  # revoked stays revoked: no new valid one for the subject
        raise AlreadyRevoked(serial=certificate.grouped_serial)
    fair = certificate.fair
    template = certificate.template
    if template is None:
        raise NoTemplate(kind=certificate.kind_label)
    name = " ".join((holder_name if holder_name is not None else certificate.holder_name).split())
    org = " ".join((holder_org if holder_org is not None else certificate.holder_org).split())
    candidate = Candidate(kind=certificate.kind, subject_key=certificate.subject_key, holder_name=name or certificate.holder_name,
                          holder_org=org, role_th=certificate.role_th, category_id=certificate.category_id,
                          stage_order=certificate.stage_order)
    new = _new_certificate(fair, candidate, template, actor, generation=certificate.generation + 1)
    new.reason = certificate.reason  # the reason as issued (the template's wording may not be refilled)
    data = render_one(design_for(template, fair), face_for(new))
    new.pdf_key = storage().save(data, "pdf")
    new.pdf_sha256 = hashlib.sha256(data).hexdigest()
    db.session.add(new)
    db.session.flush()
    certificate.revoked_at = utcnow()
    certificate.revoked_by_id = actor.id
    certificate.revoked_reason = reason[:1000]
    certificate.superseded_by_id = new.id
    audit.record("certificate.reissued", certificate, actor=actor, fair_id=fair.id,
                 after={"serial": certificate.serial, "new_serial": new.serial, "reason": reason,
                        "holder_name": new.holder_name, "holder_org": new.holder_org})
    return new


def record_prints(certificates: list[Certificate], actor: User, via: str, batch_id: int | None = None) -> None:
    now = utcnow()
    for cert in certificates:
        db.session.add(CertificatePrint(certificate_id=cert.id, printed_at=now, printed_by_id=actor.id,
                                        batch_id=batch_id, via=via))
    db.session.flush()


def last_prints(certificate_ids: list[int]) -> dict[int, CertificatePrint]:
    """The latest printed copy of each certificate that has one (one query)."""
    if not certificate_ids:
        return {}
    latest = (select(CertificatePrint.certificate_id, func.max(CertificatePrint.id).label("last"))
              .where(CertificatePrint.certificate_id.in_(certificate_ids))
              .group_by(CertificatePrint.certificate_id).subquery())
    rows = db.session.scalars(select(CertificatePrint).join(latest, CertificatePrint.id == latest.c.last)
                              .options(selectinload(CertificatePrint.printed_by))).all()
    return {row.certificate_id: row for row in rows}


def ensure_unlocked(template: CertificateTemplate) -> None:
    used = db.session.scalar(select(func.count(Certificate.id)).where(Certificate.template_id == template.id))
    if used:
        raise TemplateLocked(n=used)


def new_template(fair: Fair, kind: str, actor: User, category_id: int | None = None) -> CertificateTemplate:
    """A template for the kind with the usual Thai wording, ready to edit."""
    if kind not in KINDS:
        raise ValueError(kind)
    names = {"awardee": "เกียรติบัตรผู้ได้รับรางวัล", "exhibitor": "เกียรติบัตรผู้ออกบูธ",
             "judge": "เกียรติบัตรกรรมการ", "participant": "เกียรติบัตรผู้เข้าร่วมงาน"}
    template = CertificateTemplate(fair_id=fair.id, kind=kind, category_id=category_id, name=names[kind],
                                   issuer_th="[หน่วยงาน]", reason_th=DEFAULT_REASONS[kind],
                                   updated_by_id=actor.id, logo_keys=[], signatories=[])
    db.session.add(template)
    db.session.flush()
    audit.record("certificate_template.created", template, actor=actor, fair_id=fair.id,
                 after=template.snapshot())
    return template


def copy_template(template: CertificateTemplate, actor: User) -> CertificateTemplate:
    data = {k: v for k, v in template.snapshot().items() if k not in ("id", "updated_by_id")}
    data["name"] = (template.name + " (สำเนา)")[:200]
    copy = CertificateTemplate(**data, updated_by_id=actor.id)
    db.session.add(copy)
    db.session.flush()
    audit.record("certificate_template.copied", copy, actor=actor, fair_id=template.fair_id,
                 after={"from": template.id})
    return copy
