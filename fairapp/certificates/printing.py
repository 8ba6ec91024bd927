"""Printing: one certificate (its page, the kiosk), a batch's chunks as they finish and its merged PDF,
and making and retrying batches. Every printed copy is recorded and put in the audit log's hash chain
(its row id and copy number: `unchained_prints` compares the rows with the chain); printing what was
printed before needs a confirmation, decided here once (`print_problem`) for the single print, the
kiosk, a batch's chunk and a batch.
"""
from __future__ import annotations

import io
from dataclasses import dataclass, field
from functools import partial

from pypdf import PdfReader, PdfWriter
from sqlalchemy import func, select

from ..accounts.models import User
from ..core import audit, jobs
from ..core.audit import AuditEntry
from ..core.errors import DomainError
from ..core.storage import storage
from ..core.time import utcnow
from ..core.transaction import after_commit
from ..extensions import db
from ..fairs.models import Fair
from ..nominations.models import Category
from . import batches
from .batch_render import read_certificate
from .candidates import candidates_for
from .errors import (BatchNotReady, NoCandidates, NotFinalized, NothingToPrint, NoTemplate, NotPrintable, PrintedBefore,
                     Withheld)
from .labels import KIND_LABELS, batch_title_th
from .models import Certificate, CertificatePrint, PrintBatch
from .queries import last_prints
from .template_ops import template_for, templates_of


# ---- may it be printed now ----

def print_problem(certificates: list[Certificate], *, confirmed: bool = False,
                  batch: bool = False) -> DomainError | None:
    """What stops printing these certificates now, None when nothing does.

    None of them valid any more: NotPrintable (one) or NothingToPrint (a set). Some printed before and the
    printing not `confirmed`: PrintedBefore, saying when and by whom the latest copy was printed.
    """
    valid = [c for c in certificates if c.status == "valid"]
    if not valid:
        return NothingToPrint() if batch or not certificates else NotPrintable(serial=certificates[0].grouped_serial)
    if confirmed:
        return None
    prints = last_prints([c.id for c in valid])
    if not prints:
        return None
    latest = max(prints.values(), key=lambda p: p.printed_at)
    return PrintedBefore(latest, len(prints), batch=batch)


def batch_print_problem(batch: PrintBatch, *, confirmed: bool = False,
                        certificates: list[Certificate] | None = None) -> DomainError | None:
    """What stops printing the batch now: not finished yet, or as print_problem for its certificates."""
    if batch.status != "done" or not batch.result_key:
        return BatchNotReady()
    certificates = batch_certificates(batch) if certificates is None else certificates
    return print_problem(certificates, confirmed=confirmed, batch=True)


def _lock(certificates: list[Certificate]) -> None:
    """Row locks on the certificates: two desks printing the same one at once see each other's copy."""
    ids = [c.id for c in certificates]
    if ids:
        db.session.execute(select(Certificate.id).where(Certificate.id.in_(ids)).with_for_update())


AUDIT_CHUNK = 1000  # printed copies per audit entry: a 5,000-page batch is five entries, not 5,000


def _record(certificates: list[Certificate], actor: User, via: str, batch: PrintBatch | None = None) -> None:
    """One CertificatePrint row per copy, and the copies in the audit log's hash chain: each entry lists
    [certificate id, print row id, copy number] (the copy number counts that certificate's printed
    copies), with when, by whom, how and which batch, so a print row deleted or changed later no longer
    matches the chain (`unchained_prints`)."""
    if not certificates:
        return
    now = utcnow()
    ids = [c.id for c in certificates]
    before = dict(db.session.execute(select(CertificatePrint.certificate_id, func.count())
                                     .where(CertificatePrint.certificate_id.in_(ids))
                                     .group_by(CertificatePrint.certificate_id)).all())
    rows = [CertificatePrint(certificate_id=cert.id, printed_at=now, printed_by_id=actor.id,
                             batch_id=batch.id if batch else None, via=via) for cert in certificates]
    db.session.add_all(rows)
    db.session.flush()
    for start in range(0, len(rows), AUDIT_CHUNK):
        part = list(zip(certificates[start:start + AUDIT_CHUNK], rows[start:start + AUDIT_CHUNK]))
        audit.record("certificates.printed", actor=actor, fair_id=certificates[0].fair_id,
                     object_type="certificates",
                     after={"serials": [c.serial for c, _ in part], "via": via,
                            "batch_id": batch.id if batch else None, "printed_at": now,
                            "copies": [[c.id, row.id, before.get(c.id, 0) + 1] for c, row in part]})


@dataclass
class PrintCheck:
    """Printed copies compared with the audit log: rows no entry lists (added behind the app's back, or
    printed before copies were chained), entries whose row is gone, and rows that differ from their entry."""

    unrecorded: list[int] = field(default_factory=list)  # print row ids
    missing: list[int] = field(default_factory=list)     # print row ids the chain lists, rows deleted
    changed: list[int] = field(default_factory=list)     # print row ids whose row differs from the entry

    @property
    def ok(self) -> bool:
        return not (self.unrecorded or self.missing or self.changed)


def unchained_prints(fair_id: int | None = None) -> PrintCheck:
    """Compare every printed copy (of one fair, or all) with the chained audit entries that record it.
    Together with core.audit.verify_chain (which proves the entries themselves unaltered) it shows a
    print row deleted, edited or inserted directly in the database. Reads the entries' JSON: one pass."""
    entries = select(AuditEntry).where(AuditEntry.action == "certificates.printed").order_by(AuditEntry.id)
    prints = select(CertificatePrint)
    if fair_id is not None:
        entries = entries.where(AuditEntry.fair_id == fair_id)
        prints = prints.join(Certificate).where(Certificate.fair_id == fair_id)
    chained: dict[int, tuple] = {}
    for entry in db.session.scalars(entries):
        after = entry.after or {}
        for cert_id, print_id, _ in after.get("copies") or []:
            chained[print_id] = (cert_id, entry.actor_id, after.get("via"), after.get("batch_id"),
                                 after.get("printed_at"))
    result = PrintCheck()
    for row in db.session.scalars(prints.order_by(CertificatePrint.id)):
        recorded = chained.pop(row.id, None)
        if recorded is None:
            result.unrecorded.append(row.id)
        elif recorded != (row.certificate_id, row.printed_by_id, row.via, row.batch_id,
                          row.printed_at.isoformat() if row.printed_at else None):
            result.changed.append(row.id)
    result.missing = sorted(chained)
    return result


def print_certificates(certificates: list[Certificate], actor: User, via: str, *,
                       confirmed: bool = False) -> list[Certificate]:
    """Record a printed copy of each valid certificate (`via` single or kiosk); returns them.
    Raises print_problem's refusal."""
    _lock(certificates)
    problem = print_problem(certificates, confirmed=confirmed)
    if problem is not None:
        raise problem
    valid = [c for c in certificates if c.status == "valid"]
    _record(valid, actor, via)
    return valid


def print_batch(batch: PrintBatch, actor: User, *, confirmed: bool = False) -> bytes:
    """The batch's merged PDF to print, its copies recorded. Pages of certificates revoked or replaced
    since the batch was made are left out. Raises batch_print_problem's refusal."""
    certificates = batch_certificates(batch)
    _lock(certificates)
    problem = batch_print_problem(batch, confirmed=confirmed, certificates=certificates)
    if problem is not None:
        raise problem
    pages = [index for index, cert in enumerate(certificates) if cert.status == "valid"]
    data = storage().read(batch.result_key)
    if len(pages) < len(certificates):
        data = _only_pages(data, pages, batch.title)
    _record([certificates[index] for index in pages], actor, "batch", batch)
    batch.printed_at = utcnow()
    return data


def chunk_print_problem(batch: PrintBatch, index: int, *, confirmed: bool = False,
                        certificates: list[Certificate] | None = None) -> DomainError | None:
    """What stops printing one chunk of the batch now: not rendered yet, or as print_problem for its
    certificates (printed before, by the chunk or the whole batch: the same confirmation)."""
    if not 0 <= index < batch.chunks or batches.chunk_of(batch, index) is None:
        return BatchNotReady()
    certificates = chunk_certificates(batch, index) if certificates is None else certificates
    return print_problem(certificates, confirmed=confirmed, batch=True)


def print_chunk(batch: PrintBatch, index: int, actor: User, *, confirmed: bool = False) -> bytes:
    """One finished chunk's PDF to print while the rest of the batch renders, its copies recorded as the
    batch print records them (so the whole batch asks for a confirmation before printing them again).
    Pages of certificates revoked or replaced since are left out. Raises chunk_print_problem's refusal."""
    certificates = chunk_certificates(batch, index)
    _lock(certificates)
    problem = chunk_print_problem(batch, index, confirmed=confirmed, certificates=certificates)
    if problem is not None:
        raise problem
    pages = [i for i, cert in enumerate(certificates) if cert.status == "valid"]
    data = storage().read(batches.chunk_of(batch, index).pdf_key)
    if len(pages) < len(certificates):
        data = _only_pages(data, pages, batch.title)
    _record([certificates[i] for i in pages], actor, "batch", batch)
    return data


def _in_order(ids: list[int]) -> list[Certificate]:
    rows = {c.id: c for c in db.session.scalars(select(Certificate).where(Certificate.id.in_(ids)))} if ids else {}
    return [rows[i] for i in ids if i in rows]


def batch_certificates(batch: PrintBatch) -> list[Certificate]:
    """The batch's certificates as they are now (revoked or replaced ones included), in page order."""
    return _in_order(batches.certificate_ids(batch))


def chunk_certificates(batch: PrintBatch, index: int) -> list[Certificate]:
    """The certificates of one finished chunk of the batch as they are now, in its pages' order."""
    chunk = batches.chunk_of(batch, index)
    return _in_order(chunk.certificate_ids or []) if chunk is not None else []


def certificate_pdf(certificate: Certificate) -> bytes:
    """The certificate's PDF as issued, byte for byte (its SHA-256 is the row's), stored whole or small
    (a batch with CERTIFICATE_PACKED: batch_render.pack). Downloads, the kiosk and the PNG preview read it
    here."""
    if certificate.holder_withheld_at is not None:
        raise Withheld()
    return read_certificate(storage(), certificate.pdf_key)


def _only_pages(data: bytes, pages: list[int], title: str) -> bytes:
    reader = PdfReader(io.BytesIO(data))
    writer = PdfWriter()
    for index in pages:
        writer.add_page(reader.pages[index])
    writer.add_metadata({"/Title": title, "/Creator": "fairapp"})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


# ---- batches ----

def create_batch(fair: Fair, kind: str, actor: User, *, category: Category | None = None,
                 names: str = "") -> PrintBatch:
    """A print batch issuing the kind's candidates (an awardee batch: one finalized category's; a
    participant batch: the typed names), audited. It starts once the unit of work has committed it.

    Refuses, before anything is written: a category without announced results (NotFinalized), nobody to
    issue to (NoCandidates), a candidate without a template (NoTemplate: said now, not half-way through).
    """
    category_for = category if kind == "awardee" else None
    if kind == "awardee" and (category is None or category.fair_id != fair.id):
        raise NotFinalized()
    candidates = candidates_for(fair, kind, category_for, names)  # NotFinalized before the results are out
    if not candidates:
        raise NoCandidates(field="names" if kind == "participant" else None)
    templates = templates_of(fair)
    for candidate in candidates:
        if template_for(templates, candidate.kind, candidate.category_id, candidate.level_th) is None:
            raise NoTemplate(kind=str(KIND_LABELS[kind]))
    batch = batches.create(fair, kind, candidates, actor, batch_title_th(kind, category_for), category_for)
    audit.record("certificate_batch.created", batch, actor=actor, fair_id=fair.id,
                 after={"kind": kind, "category_id": batch.category_id, "total": batch.total})
    batches.start(batch)  # its chunks' jobs are asked for once this commits
    return batch


def retry_batch(batch: PrintBatch, actor: User) -> bool:
    """A failed batch, again from its first unfinished chunk (after the commit); False when it had not
    failed (nothing to do)."""
    if batch.status != "failed":
        return False
    batches.requeue(batch)
    audit.record("certificate_batch.retried", batch, actor=actor, fair_id=batch.fair_id)
    batches.start(batch)
    return True


def resume_stalled(batch: PrintBatch) -> bool:
    """A batch whose worker died (or never started) is picked up again once this unit of work ends;
    True when it was. Only where jobs run in this process: with Celery, the sweep (beat) does it, and a page
    polled every second never waits on a broker that is down."""
    if jobs.mode() == "celery" or not batches.stalled(batch):
        return False
    after_commit(partial(batches.resume, batch.id))
    return True


def waiting_for_job_server(batch: PrintBatch) -> bool:
    """True when the batch is queued but the job server could not take it (it starts once it is back)."""
    return batch.status in batches.WAITING and batch.queue_missed_at is not None
