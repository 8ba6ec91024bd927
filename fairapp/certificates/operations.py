"""Issuing, revoking and reissuing certificates. Operations flush, never commit.

Who may receive one is decided in `candidates` (re-exported here); templates are chosen and edited in
`template_ops`, printed copies recorded in `printing`, sets issued and rendered in `batches`.
A subject (`subject_key`) has one current certificate: issuing again finds it, a revoked one is left out,
a reissue supersedes it with the next generation.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from flask import current_app, has_request_context, request
from sqlalchemy import select

from ..accounts.models import User
from ..core import audit
from ..core.errors import DomainError
from ..core.storage import storage
from ..core.thai import be_year
from ..core.time import utcnow
from ..extensions import db
from ..fairs.models import Fair
from . import serials, signing
# Who may receive one (candidates) and template choice (template_ops) are used here and, through this
# module, by the demo, the benchmarks and the tests.
from .candidates import (Candidate, candidates_for, exhibitor_candidates, fill,  # noqa: F401
                         judge_candidates, participant_candidates, search_norm)
from .errors import AlreadyRevoked, AlreadySuperseded, NoTemplate, PublicReasonRequired, ReasonRequired, Withheld
from .labels import KIND_LABELS, KINDS, PUBLIC_REASONS, REISSUE_PUBLIC_REASON  # noqa: F401
from .models import Certificate, CertificateTemplate
from .render import Design, Face, Signatory, render_one
from .template_ops import new_template, template_for, templates_of  # noqa: F401


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
    """The template as the renderer sees it: texts, and images as files on this machine (with S3, copies
    cached on this machine: a key's bytes never change). A store that is down raises StorageUnavailable."""
    fair = fair or template.fair
    store = storage()

    def path(key: str | None) -> str | None:
        if not key:
            return None
        try:
            return str(store.local_path(key))
        except (FileNotFoundError, ValueError):  # an image gone from the store: the certificate goes without
            return None

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


def revoke_problem(certificate: Certificate) -> DomainError | None:
    """Why the certificate cannot be revoked (None: it can)."""
    if certificate.revoked_at is not None:
        return AlreadyRevoked(serial=certificate.grouped_serial)
    return None


def reissue_problem(certificate: Certificate) -> DomainError | None:
    """Why no new certificate can replace this one (None: it can be reissued)."""
    if certificate.superseded_by_id is not None:
        return AlreadySuperseded(serial=certificate.grouped_serial)
    if certificate.revoked_at is not None:  # revoked stays revoked: no new valid one for the subject
        return AlreadyRevoked(serial=certificate.grouped_serial)
    if certificate.holder_withheld_at is not None:  # erased at the holder's request: no new one with a name
        return Withheld()
    if certificate.template is None:
        return NoTemplate(kind=certificate.kind_label)
    return None


def _lock(certificate: Certificate) -> None:
    """The certificate's row lock, then its state as committed (two staff revoking or reissuing at once
    see each other's change)."""
    db.session.scalars(select(Certificate).where(Certificate.id == certificate.id).with_for_update()
                       .execution_options(populate_existing=True)).one()


def revoke(certificate: Certificate, reason: str, actor: User, *, public_reason: str | None = None) -> None:
    """Revoke for good. `reason` is the staff's internal note (staff pages and the audit log only);
    `public_reason` is what /verify tells everyone, a code of labels.PUBLIC_REASONS (the staff form always
    asks for one; a caller that gives None records none, and /verify then says only "revoked")."""
    reason = (reason or "").strip()
    if not reason:
        raise ReasonRequired()
    if public_reason is not None and public_reason not in PUBLIC_REASONS:
        raise PublicReasonRequired()
    _lock(certificate)
    problem = revoke_problem(certificate)
    if problem is not None:
        raise problem
    certificate.revoked_at = utcnow()
    certificate.revoked_reason = reason[:1000]
    certificate.revoked_public_reason = public_reason
    certificate.revoked_by_id = actor.id
    audit.record("certificate.revoked", certificate, actor=actor, fair_id=certificate.fair_id,
                 after={"serial": certificate.serial, "reason": certificate.revoked_reason,
                        "public_reason": public_reason})


def reissue(certificate: Certificate, reason: str, actor: User, *, holder_name: str | None = None,
            holder_org: str | None = None) -> Certificate:
    """A new certificate (new serial) for the same subject, with the holder's name or organization
    corrected; the old one is revoked (if it was not) and shows "superseded by" the new one. `reason` is
    the staff's internal note; /verify tells the public only that the details were corrected."""
    reason = (reason or "").strip()
    if not reason:
        raise ReasonRequired()
    _lock(certificate)
    problem = reissue_problem(certificate)
    if problem is not None:
        raise problem
    fair = certificate.fair
    template = certificate.template
    name = " ".join((holder_name if holder_name is not None else certificate.holder_name).split())
    org = " ".join((holder_org if holder_org is not None else certificate.holder_org).split())
    candidate = Candidate(kind=certificate.kind, subject_key=certificate.subject_key,
                          holder_name=name or certificate.holder_name, holder_org=org, role_th=certificate.role_th, category_id=certificate.category_id,
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
    certificate.revoked_reason = reason[:1000]  # internal: the public reads REISSUE_PUBLIC_REASON
    certificate.revoked_public_reason = REISSUE_PUBLIC_REASON
    certificate.superseded_by_id = new.id
    audit.record("certificate.reissued", certificate, actor=actor, fair_id=fair.id,
                 after={"serial": certificate.serial, "new_serial": new.serial, "new_id": new.id,
                        "reason": certificate.revoked_reason, "public_reason": REISSUE_PUBLIC_REASON,
                        "holder_name": new.holder_name, "holder_org": new.holder_org})
    return new
