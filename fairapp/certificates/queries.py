"""What the certificate pages read: lists, searches, counts and printed copies (no writes, no rules)."""
from __future__ import annotations

from sqlalchemy import exists, func, or_, select
from sqlalchemy.orm import selectinload

from ..booths.models import Application, BoothPerson
from ..core.pagination import Page, paginate
from ..extensions import db
from ..fairs.models import Fair
from ..judging.models import Rubric
from ..nominations.models import Category, Nomination
from .candidates import search_norm
from .labels import KINDS
from .models import Certificate, CertificatePrint, PrintBatch
from .serials import SerialError, normalize


def categories_of(fair: Fair) -> list[Category]:
    return db.session.scalars(select(Category).where(Category.fair_id == fair.id)
                              .order_by(Category.sort_order, Category.id)).all()


def finalized_categories(fair: Fair) -> list[Category]:
    """The fair's award categories whose results were announced (their awardees may get certificates)."""
    return db.session.scalars(
        select(Category).join(Rubric, Rubric.category_id == Category.id)
        .where(Category.fair_id == fair.id, Rubric.finalized_at.is_not(None))
        .order_by(Category.sort_order, Category.id)).all()


def valid_counts(fair: Fair) -> dict[str, int]:
    """How many valid certificates of each kind the fair has."""
    return dict(db.session.execute(
        select(Certificate.kind, func.count(Certificate.id))
        .where(Certificate.fair_id == fair.id, Certificate.superseded_by_id.is_(None),
               Certificate.revoked_at.is_(None)).group_by(Certificate.kind)).all())


def recent_batches(fair: Fair, limit: int = 10) -> list[PrintBatch]:
    return db.session.scalars(select(PrintBatch).where(PrintBatch.fair_id == fair.id)
                              .options(selectinload(PrintBatch.category))
                              .order_by(PrintBatch.id.desc()).limit(limit)).all()


def _search(query, typed: str):
    """A typed serial (any spelling of it) finds that certificate; anything else searches the names."""
    try:
        return query.where(Certificate.serial == normalize(typed))
    except SerialError:
        return query.where(Certificate.search_key.contains(search_norm(typed), autoescape=True))


ISSUED_FILTERS = ("q", "kind", "status", "printed")
STATUSES = ("valid", "revoked", "superseded")


def _issued_filtered(fair: Fair, filters: dict, query):
    """The issued list's search (a serial, or the names folded as the kiosk folds them: the stored
    search_key) and filters: kind, state (valid / revoked / replaced) and printed or not."""
    query = query.where(Certificate.fair_id == fair.id)
    if filters["kind"] in KINDS:
        query = query.where(Certificate.kind == filters["kind"])
    if filters["q"].strip() and search_norm(filters["q"]):
        query = _search(query, filters["q"])
    if filters["status"] == "valid":
        query = query.where(Certificate.superseded_by_id.is_(None), Certificate.revoked_at.is_(None))
    elif filters["status"] == "revoked":
        query = query.where(Certificate.superseded_by_id.is_(None), Certificate.revoked_at.is_not(None))
    elif filters["status"] == "superseded":
        query = query.where(Certificate.superseded_by_id.is_not(None))
    printed = exists().where(CertificatePrint.certificate_id == Certificate.id)
    if filters["printed"] == "yes":
        query = query.where(printed)
    elif filters["printed"] == "no":
        query = query.where(~printed)
    return query


def issued_filters(args) -> dict:
    return {k: (args.get(k) or "")[:100] for k in ISSUED_FILTERS}


def issued_page(fair: Fair, args) -> tuple[Page, dict]:
    """One page (core.pagination, 50 a page, the search and filters kept in its links) of the fair's
    certificates in every state, by kind and stage order: two queries (the count, the page)."""
    filters = issued_filters(args)
    query = _issued_filtered(fair, filters, select(Certificate)).order_by(
        Certificate.kind, Certificate.stage_order, Certificate.id)
    return paginate(query), filters


def issued_matching(fair: Fair, args) -> list[Certificate]:
    """Every certificate of the fair the issued list's search and filters match now, on every page, in
    the list's order: what "select all matching" prints. One query."""
    return db.session.scalars(_issued_filtered(fair, issued_filters(args), select(Certificate))
                              .order_by(Certificate.kind, Certificate.stage_order, Certificate.id)).all()


def certificates_in(fair: Fair, ids) -> list[Certificate]:
    """The fair's certificates among `ids`, in the list's order (ids of another fair are left out)."""
    ids = [i for i in ids if i]
    if not ids:
        return []
    return db.session.scalars(select(Certificate).where(Certificate.fair_id == fair.id, Certificate.id.in_(ids))
                              .order_by(Certificate.kind, Certificate.stage_order, Certificate.id)).all()


def printed_count(certificate_ids: list[int]) -> int:
    """How many of these certificates were printed before (one query)."""
    if not certificate_ids:
        return 0
    return db.session.scalar(select(func.count(func.distinct(CertificatePrint.certificate_id)))
                             .where(CertificatePrint.certificate_id.in_(certificate_ids))) or 0


def kiosk_search(fair: Fair, typed: str, limit: int = 30) -> list[Certificate]:
    """The fair's valid certificates matching a name (Thai or English, forgiving spaces and tone marks)
    or a serial; nothing when nothing searchable was typed."""
    if not search_norm(typed):
        return []
    query = select(Certificate).where(Certificate.fair_id == fair.id, Certificate.superseded_by_id.is_(None),
                                      Certificate.revoked_at.is_(None))
    return db.session.scalars(_search(query, typed).options(selectinload(Certificate.category))
                              .order_by(Certificate.kind, Certificate.stage_order).limit(limit)).all()


def certificate_by_pdf(sha256: str) -> Certificate | None:
    """The certificate whose PDF, as issued, has this SHA-256."""
    return db.session.scalar(select(Certificate).where(Certificate.pdf_sha256 == sha256))


def history(certificate: Certificate) -> list[Certificate]:
    """Every generation of the certificate's subject, oldest first."""
    return db.session.scalars(select(Certificate).where(Certificate.fair_id == certificate.fair_id,
                                                        Certificate.subject_key == certificate.subject_key)
                              .order_by(Certificate.generation)).all()


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


def holder_certificates(user) -> list[Certificate]:
    """The certificates whose holder is the user's organization (or its people), or the user as a judge."""
    org_ids = [m.organization_id for m in user.memberships]
    keys = [f"judge:{user.id}"]
    if org_ids:
        app_ids = db.session.scalars(select(Application.id).where(Application.organization_id.in_(org_ids))).all()
        keys += [f"booth:{a}" for a in app_ids]
        if app_ids:
            keys += [f"booth:{a}:person:{p}" for a, p in db.session.execute(
                select(BoothPerson.application_id, BoothPerson.id).where(BoothPerson.application_id.in_(app_ids)))]
        keys += [f"award:{n}" for n in db.session.scalars(select(Nomination.id).where(
            or_(Nomination.nominee_org_id.in_(org_ids), Nomination.nominator_org_id.in_(org_ids))))]
    return db.session.scalars(
        select(Certificate).where(Certificate.subject_key.in_(keys))
        .options(selectinload(Certificate.fair), selectinload(Certificate.superseded_by),
                 selectinload(Certificate.category))
        .order_by(Certificate.issued_at.desc(), Certificate.id.desc())).all()
