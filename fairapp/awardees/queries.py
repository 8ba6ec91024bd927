"""What the awardee pages and the results' cards read, in a fixed number of queries whatever the number of
awardees (no N+1): the awardees of a fair's finalized categories (results with an award level), each
with its nomination (and nominee organization), its published photos, its current certificate and
whether its name is withheld. No writes, no rules but these:

- an awardee exists publicly only once its category's results are final (Rubric.finalized_at) and it has
  an award level;
- only what the nominator chose is published: the sections in Nomination.public_sections (with text),
  the photos with Evidence.public (read on every request: a withdrawal takes effect at once);
- an awardee whose certificate's holder name was withheld at the holder's request (PDPA s.33:
  Certificate.holder_withheld_at, privacy.erasure) is not shown at all.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from markupsafe import Markup
from sqlalchemy import and_, select
from sqlalchemy.orm import selectinload

from ..booths.models import Application, Booth, Status
from ..certificates.models import Certificate
from ..core.geo import province_label
from ..extensions import db
from ..fairs.models import Fair
from ..judging.models import AwardLevel, Result, Rubric
from ..nominations.models import SECTION_LABELS, Category, Evidence, Nomination
from .levels import level_label, level_text


@dataclass
class Awardee:
    """One awarded nomination of a finalized category, as the public may see it."""

    nomination: Nomination
    category: Category
    level_th: str
    level_en: str | None
    position: int
    finalized_at: datetime
    photos: list[tuple[int, str]] = field(default_factory=list)  # published photos (id, caption), upload order
    certificate: Certificate | None = None              # current (not revoked, not superseded)
    withheld: bool = False
    application_id: int | None = None                   # its confirmed booth at this fair (page only)

    @property
    def subject_key(self) -> str:
        return f"award:{self.nomination.id}"

    def level(self) -> Markup:
        return level_label(self.level_th, self.level_en)

    def level_plain(self, lang: str) -> str:
        return level_text(self.level_th, self.level_en, lang)

    def name(self, lang: str) -> str:
        return self.nomination.nominee_name(lang) or self.nomination.nominee_name("th")

    def province(self, lang: str) -> str:
        n = self.nomination
        code = n.nominee_org.province_code if n.nominee_org is not None else n.community_province_code
        return province_label(code, lang) if code else ""

    def story(self) -> list[tuple[str, str]]:
        """The published sections with text, in the category's order: (title, text)."""
        published = set(self.nomination.public_sections or [])
        texts = self.nomination.narratives or {}
        return [(str(SECTION_LABELS.get(key, key)), texts[key]) for key in self.category.sections
                if key in published and (texts.get(key) or "").strip()]


def _awarded(fair: Fair, nomination_id: int | None = None) -> list[Awardee]:
    """The fair's awardees of finalized categories, by category then position (1 query, +2 for the
    nominations and their organizations, +1 photos, +1 certificates); the withheld ones left out."""
    query = (select(Result, Category, Rubric.finalized_at, AwardLevel.name_en)
             .join(Rubric, Rubric.id == Result.rubric_id).join(Category, Category.id == Rubric.category_id)
             .outerjoin(AwardLevel, and_(AwardLevel.rubric_id == Rubric.id, AwardLevel.name_th == Result.level_th))
             .where(Category.fair_id == fair.id, Rubric.finalized_at.is_not(None), Result.level_th.is_not(None))
             .order_by(Category.sort_order, Category.id, Result.position, Result.id))
    if nomination_id is not None:
        query = query.where(Result.nomination_id == nomination_id)
    seen: set[int] = set()
    rows = []
    for result, category, finalized_at, name_en in db.session.execute(query).all():
        if result.id not in seen:  # two levels of one name would repeat the row
            seen.add(result.id)
            rows.append((result, category, finalized_at, name_en))
    if not rows:
        return []
    ids = [result.nomination_id for result, *_rest in rows]
    nominations = {n.id: n for n in db.session.scalars(
        select(Nomination).where(Nomination.id.in_(ids)).options(selectinload(Nomination.nominee_org)))}
    out = [Awardee(nomination=nominations[result.nomination_id], category=category, level_th=result.level_th,
                   level_en=name_en, position=result.position, finalized_at=finalized_at)
           for result, category, finalized_at, name_en in rows]
    photos: dict[int, list[tuple[int, str]]] = {}
    for nid, eid, caption in db.session.execute(
            select(Evidence.nomination_id, Evidence.id, Evidence.caption)
            .where(Evidence.nomination_id.in_(ids), Evidence.kind == "photo", Evidence.public.is_(True))
            .order_by(Evidence.id)):
        photos.setdefault(nid, []).append((eid, caption or ""))
    certificates: dict[str, list[Certificate]] = {}
    for cert in db.session.scalars(select(Certificate).where(
            Certificate.fair_id == fair.id, Certificate.subject_key.in_([a.subject_key for a in out]))):
        certificates.setdefault(cert.subject_key, []).append(cert)
    for awardee in out:
        awardee.photos = photos.get(awardee.nomination.id, [])
        held = certificates.get(awardee.subject_key, [])
        awardee.withheld = any(c.holder_withheld_at is not None for c in held)
        current = [c for c in held if c.revoked_at is None and c.superseded_by_id is None]
        awardee.certificate = max(current, key=lambda c: c.generation) if current else None
    return [a for a in out if not a.withheld]


def awardees(fair: Fair) -> dict[int, list[Awardee]]:
    """The results page's cards: each finalized category's awardees (by category id), in position order.
    A fixed number of queries (5) whatever the number of awardees."""
    by_category: dict[int, list[Awardee]] = {}
    for awardee in _awarded(fair):
        by_category.setdefault(awardee.category.id, []).append(awardee)
    return by_category


def awardee(fair: Fair, nomination_id: int) -> Awardee | None:
    """One awardee of the fair as the public may see it (with its confirmed booth, if it had one), else
    None: not of this fair, not awarded, its category not final, or its name withheld."""
    found = _awarded(fair, nomination_id)
    if not found:
        return None
    one = found[0]
    if one.nomination.nominee_org_id is not None:
        one.application_id = db.session.scalar(
            select(Application.id).join(Booth, Booth.application_id == Application.id)
            .where(Application.fair_id == fair.id, Application.organization_id == one.nomination.nominee_org_id,
                   Application.status == Status.approved)
            .order_by(Application.id).limit(1))
    return one


def photo_keys(evidence_id: int, awardee: Awardee) -> tuple[str, str] | None:
    """(thumbnail key or, until it is made, the photo's, file name) of a published photo of this awardee,
    else None."""
    if evidence_id not in {eid for eid, _caption in awardee.photos}:
        return None
    evidence = db.session.get(Evidence, evidence_id)
    if evidence is None or not evidence.public or evidence.nomination_id != awardee.nomination.id:
        return None
    key = evidence.thumb_key or evidence.storage_key
    return key, f"awardee-{awardee.nomination.id}-{evidence.id}.{key.rsplit('.', 1)[1]}"
