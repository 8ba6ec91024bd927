"""What the nominator lets the fair publish on the awardee's public page (awardees/) if the nomination is
awarded: narrative sections (Nomination.public_sections) and photos (Evidence.public). Nothing is
published until ticked. The nominating organization's members change it at any time, whatever the
nomination's status or the category's window (also after the award: the public page reads it on every
request, so a withdrawal takes effect at once). Each change is audited with what was published before and
after, and is a history event."""
from __future__ import annotations

from typing import Iterable

from ...accounts.models import User
from ...core import audit
from ...extensions import db
from ..models import Evidence, Nomination, NominationEvent
from .common import lock


def _published(nomination: Nomination) -> dict:
    return {"public_sections": list(nomination.public_sections or []),
            "public_photos": sorted(e.id for e in nomination.evidence if e.kind == "photo" and e.public)}


def _record(nomination: Nomination, before: dict, actor: User) -> None:
    audit.record("nomination.publication", nomination, actor=actor, fair_id=nomination.fair_id,
                 before=before, after=_published(nomination))
    db.session.add(NominationEvent(nomination_id=nomination.id, action="publication",
                                   actor_id=getattr(actor, "id", None)))


def set_public_sections(nomination: Nomination, sections: Iterable[str], actor: User) -> bool:
    """Publish exactly these narrative sections (keys that are not the category's are ignored; kept in the
    category's order). True when something changed (then audited)."""
    nomination = lock(nomination)
    wanted = set(sections)
    chosen = [key for key in nomination.category.sections if key in wanted]
    if chosen == list(nomination.public_sections or []):
        return False
    before = _published(nomination)
    nomination.public_sections = chosen
    _record(nomination, before, actor)
    db.session.flush()
    return True


def set_photo_public(evidence: Evidence, public: bool, actor: User) -> bool:
    """Publish a photo, or withdraw it (PDFs are never published). True when something changed."""
    nomination = lock(evidence.nomination)
    db.session.refresh(evidence)
    public = bool(public) and evidence.kind == "photo"
    if evidence.public == public:
        return False
    before = _published(nomination)
    evidence.public = public
    _record(nomination, before, actor)
    db.session.flush()
    return True
