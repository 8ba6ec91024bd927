"""Printing issued certificates again, from the issued list: the ticked ones, or every one its search and
filters match ("select all matching"). They go through the existing printing: a print batch per kind
(batches.create, rendered by jobs chunk by chunk; its page prints it and asks before printing copies
printed before). Each certificate meets the rules a single print applies (printing.print_problem,
certificate_pdf): one no longer valid (revoked or replaced) or whose holder's name was withheld is left out
and reported, never printed."""
from __future__ import annotations

from dataclasses import dataclass, field

from ..accounts.models import User
from ..core import audit
from ..core.errors import DomainError
from ..fairs.models import Fair
from . import batches
from .candidates import Candidate
from .errors import NothingToPrint, NotPrintable, Withheld
from .labels import KINDS, batch_title_th
from .models import Certificate, PrintBatch


@dataclass
class Sorted:
    """The certificates asked for: those that may be printed, and those left out with the reason."""

    printable: list[Certificate] = field(default_factory=list)
    refused: list[tuple[Certificate, DomainError]] = field(default_factory=list)


def reprint_problem(certificate: Certificate) -> DomainError | None:
    """Why this certificate may not be printed again (None: it may)."""
    if certificate.status != "valid":
        return NotPrintable(serial=certificate.grouped_serial)
    if certificate.holder_withheld_at is not None:
        return Withheld()
    return None


def sort_out(certificates: list[Certificate]) -> Sorted:
    result = Sorted()
    for certificate in certificates:
        problem = reprint_problem(certificate)
        if problem is None:
            result.printable.append(certificate)
        else:
            result.refused.append((certificate, problem))
    return result


def _candidate(certificate: Certificate) -> Candidate:
    """The certificate's subject as a batch plans it: the batch finds this (current, valid) certificate by
    its subject key and renders it as issued, never a new one."""
    return Candidate(kind=certificate.kind, subject_key=certificate.subject_key,
                     holder_name=certificate.holder_name, holder_org=certificate.holder_org,
                     role_th=certificate.role_th, category_id=certificate.category_id,
                     stage_order=certificate.stage_order)


def reprint(fair: Fair, certificates: list[Certificate], actor: User) -> tuple[list[PrintBatch], Sorted]:
    """A print batch of the printable ones of each kind (in the order given), audited and started once the
    unit of work commits; and what was left out. Nothing printable: NothingToPrint, nothing written."""
    chosen = sort_out(certificates)
    if not chosen.printable:
        raise NothingToPrint()
    made = []
    for kind in KINDS:
        of_kind = [c for c in chosen.printable if c.kind == kind]
        if not of_kind:
            continue
        categories = {c.category for c in of_kind}
        category = categories.pop() if kind == "awardee" and len(categories) == 1 else None
        batch = batches.create(fair, kind, [_candidate(c) for c in of_kind], actor, batch_title_th(kind, category),
                               category)
        audit.record("certificate_batch.created", batch, actor=actor, fair_id=fair.id,
                     after={"kind": kind, "category_id": batch.category_id, "total": batch.total,
                            "reprint": [c.serial for c in of_kind]})
        batches.start(batch)
        made.append(batch)
    return made, chosen
