"""What the stage shows, in a fixed number of queries whatever the number of awardees: the slides (the
cover, then each finalized category's results with an award level, by category then position: the order
of the awardee certificates, `certificates.candidates.awardee_candidates`' stage_order), whether each
awardee's photo may be shown, whether its certificate is printed, and the shared position."""
from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from ..booths.models import Application
from ..certificates.models import Certificate, CertificatePrint
from ..extensions import db
from ..fairs.models import Fair
from ..judging.models import Result, Rubric
from ..nominations.models import Category, Nomination
from ..privacy.consents import consenting
from .models import StagePosition


@dataclass
class Slide:
    """One awardee on the stage (the cover is index 0 and has no Slide)."""

    index: int
    category: Category
    level_th: str
    nomination: Nomination
    photo_application_id: int | None = None  # the booth application whose photo is shown
    certificate_id: int | None = None         # its current awardee certificate, if issued
    printed: int = 0                          # copies of that certificate printed

    @property
    def subject_key(self) -> str:
        return f"award:{self.nomination.id}"

    def category_name(self, lang: str) -> str:
        return (self.category.name_en or self.category.name_th) if lang == "en" else self.category.name_th

    def name(self, lang: str) -> str:
        return self.nomination.nominee_name(lang) or self.nomination.nominee_name("th")

    def thai_mark(self, what: str, lang: str) -> Markup:
        """` lang="th"` for a category or name shown in Thai on a page in another language (none in English)."""
        shown = getattr(self, "category_name" if what == "category" else what)
        return Markup(' lang="th"') if lang != "th" and shown(lang) == shown("th") else Markup("")


def slides(fair: Fair, *, photos: bool = True, prints: bool = False) -> list[Slide]:
    """The awardees of the fair's finalized categories, in stage order (1 query, +1 for the photos, +1 for
    the certificates and their prints)."""
    rows = db.session.execute(
        select(Result, Category)
        .join(Rubric, Rubric.id == Result.rubric_id).join(Category, Category.id == Rubric.category_id)
        .where(Category.fair_id == fair.id, Rubric.finalized_at.is_not(None), Result.level_th.is_not(None))
        .order_by(Category.id, Result.position, Result.id)).all()
    nominations = {n.id: n for n in db.session.scalars(
        select(Nomination).where(Nomination.id.in_([r.nomination_id for r, _c in rows]))
        .options(selectinload(Nomination.nominee_org)))} if rows else {}
    out = [Slide(index=i, category=category, level_th=result.level_th,
                 nomination=nominations[result.nomination_id])
           for i, (result, category) in enumerate(rows, start=1)]
    if photos:
        _add_photos(fair, out)
    if prints:
        _add_prints(fair, out)
    return out


def _add_photos(fair: Fair, out: list[Slide]) -> None:
    """The organization's booth application photo in this fair, while its maker consents to public pages
    (privacy.consents, as the directory); the latest such application. One query."""
    org_ids = {s.nomination.nominee_org_id for s in out if s.nomination.nominee_org_id}
    if not org_ids:
        return
    found = dict(db.session.execute(
        select(Application.organization_id, func.max(Application.id))
        .where(Application.fair_id == fair.id, Application.organization_id.in_(org_ids),
               Application.photo_key.is_not(None),
               Application.created_by_id.in_(consenting("public_pages")))
        .group_by(Application.organization_id)).all())
    for slide in out:
        slide.photo_application_id = found.get(slide.nomination.nominee_org_id)


def _add_prints(fair: Fair, out: list[Slide]) -> None:
    """Each awardee's current certificate (the latest generation, revoked ones left out) and its printed
    copies (CertificatePrint rows). One query."""
    if not out:
        return
    printed = (select(func.count(CertificatePrint.id)).where(CertificatePrint.certificate_id == Certificate.id)
               .correlate(Certificate).scalar_subquery())
    rows = db.session.execute(
        select(Certificate.subject_key, Certificate.id, Certificate.generation, printed)
        .where(Certificate.fair_id == fair.id, Certificate.subject_key.in_([s.subject_key for s in out]),
               Certificate.revoked_at.is_(None))).all()
    current: dict[str, tuple[int, int, int]] = {}
    for key, cert_id, generation, copies in rows:
        if key not in current or generation > current[key][0]:
            current[key] = (generation, cert_id, copies)
    for slide in out:
        if slide.subject_key in current:
            _generation, slide.certificate_id, slide.printed = current[slide.subject_key]


def photo_key(fair: Fair, application_id: int) -> str | None:
    """The stored photo of an awardee's booth application that the stage may show, else None: the
    application is this fair's, of an organization awarded in a finalized category, with a photo whose
    maker consents to public pages now. One query."""
    awarded = (select(Nomination.nominee_org_id).join(Result, Result.nomination_id == Nomination.id)
               .join(Rubric, Rubric.id == Result.rubric_id)
               .where(Nomination.fair_id == fair.id, Rubric.finalized_at.is_not(None),
                      Result.level_th.is_not(None)))
    return db.session.scalar(
        select(Application.photo_key)
        .where(Application.id == application_id, Application.fair_id == fair.id,
               Application.photo_key.is_not(None), Application.organization_id.in_(awarded),
               Application.created_by_id.in_(consenting("public_pages"))))


def position(fair: Fair) -> StagePosition | None:
    return db.session.get(StagePosition, fair.id)


def current_index(fair: Fair, count: int) -> int:
    """The slide shown now, within 0..count (the awardees may have changed since it was set)."""
    row = position(fair)
    return min(max(row.index, 0), count) if row else 0


def certificates(ids: list[int]) -> list[Certificate]:
    """The certificates with these ids, in the order given (one query)."""
    rows = {c.id: c for c in db.session.scalars(select(Certificate).where(Certificate.id.in_(ids)))} if ids else {}
    return [rows[i] for i in ids if i in rows]
