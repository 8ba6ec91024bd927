"""Reaching certificates from a URL, and what the person may do with them.

Loaders: a fair's template, batch or certificate for the fair's staff and admins (404 when it does not
exist; else as `fairs.access.staff_fair_or_404`: 403 for the fair's judges and chair, 404 for anyone with
no role in the fair, so an outsider cannot tell another fair's certificate from a missing one); a category named in a form, within the
fair (404 otherwise); a holder's own certificate (404 for anyone else's: its existence is private).
Policies answer the pages' questions (`can_...`) from the operations' own rules, so a template never
re-derives one.
"""
from __future__ import annotations

from typing import TypeVar

from flask import abort

from ..core.errors import DomainError
from ..core.http import safe_id
from ..extensions import db
from ..fairs.access import staff_fair_or_404
from ..fairs.models import Fair
from ..nominations.models import Category
from . import operations as ops
from .errors import PrintedBefore
from .models import Certificate, CertificateTemplate, PrintBatch
from .queries import holder_certificates
from ..core.access import get_in, get_or_404  # noqa: F401  (the one loader; views use it through here)

T = TypeVar("T")


# ---- loaders ----

def staff_get_or_404(model: type[T], object_id: int) -> T:
    """A fair's template, batch or certificate, for that fair's staff (and admins) only."""
    obj = get_or_404(model, object_id)
    staff_fair_or_404(obj.fair_id)
    return obj


def template_or_404(template_id: int) -> CertificateTemplate:
    return staff_get_or_404(CertificateTemplate, template_id)


def batch_or_404(batch_id: int) -> PrintBatch:
    return staff_get_or_404(PrintBatch, batch_id)


def certificate_or_404(cert_id: int) -> Certificate:
    return staff_get_or_404(Certificate, cert_id)


def category_or_none(fair: Fair, typed) -> Category | None:
    """The fair's category a form names; None when the form names none (or one of another fair)."""
    category_id = safe_id(typed)
    category = db.session.get(Category, category_id) if category_id else None
    return category if category is not None and category.fair_id == fair.id else None


def holder_certificate_or_404(user, cert_id: int) -> Certificate:
    """One of the user's own certificates (their organizations', or theirs as a judge)."""
    cert = next((c for c in holder_certificates(user) if c.id == cert_id), None)
    if cert is None:
        abort(404)
    return cert


# ---- policies ----

def can_revoke(cert: Certificate) -> bool:
    return ops.revoke_problem(cert) is None


def can_reissue(cert: Certificate) -> bool:
    return ops.reissue_problem(cert) is None


def can_download(cert: Certificate) -> bool:
    """A holder downloads valid certificates only: a revoked or replaced one is not handed out again."""
    return cert.status == "valid"


def can_retry(batch: PrintBatch) -> bool:
    return batch.status == "failed"


def can_print(problem: DomainError | None) -> bool:
    """Printing may go ahead, now or once confirmed (`problem` from printing.print_problem)."""
    return problem is None or isinstance(problem, PrintedBefore)


def reprint_warning(problem: DomainError | None) -> PrintedBefore | None:
    """The "printed before" warning to show above the confirmation box, if printing needs one."""
    return problem if isinstance(problem, PrintedBefore) else None
