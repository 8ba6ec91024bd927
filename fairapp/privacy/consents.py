"""Consent where the basis is consent (PDPA s.19): the registry's optional purposes (news mail, people's
photos and names on public pages). Each choice starts un-ticked, is given or withdrawn with one click on
/my/data, and takes effect at once wherever the purpose is used (`consenting(purpose)` is what a public page
or a mailing asks). Every change is a new row (the history) and an audit entry. None of these commits."""
from __future__ import annotations

from sqlalchemy import func, select

from ..accounts.models import User
from ..core import audit
from ..extensions import db
from . import registry
from .models import ConsentChange

OPTIONAL = tuple(p.key for p in registry.PURPOSES if p.basis == "consent")


def current(user: User) -> dict[str, bool]:
    """Each optional purpose: does the person consent now?"""
    latest = select(ConsentChange.purpose, func.max(ConsentChange.id).label("id")) \
        .where(ConsentChange.user_id == user.id).group_by(ConsentChange.purpose).subquery()
    given = dict(db.session.execute(select(ConsentChange.purpose, ConsentChange.given)
                                    .join(latest, ConsentChange.id == latest.c.id)).all())
    return {purpose: bool(given.get(purpose, False)) for purpose in OPTIONAL}


def set_consent(user: User, purpose: str, given: bool) -> bool:
    """Give or withdraw; False when it already was so (nothing recorded)."""
    if purpose not in OPTIONAL:
        raise KeyError(purpose)
    if current(user)[purpose] == given:
        return False
    change = ConsentChange(user_id=user.id, purpose=purpose, given=given, version=registry.VERSION)
    db.session.add(change)
    audit.record("privacy.consent_given" if given else "privacy.consent_withdrawn", user, actor=user,
                 after={"purpose": purpose, "given": given, "version": registry.VERSION})
    return True


def consenting(purpose: str):
    """A select of the ids of the users who consent to `purpose` now (for public pages and mailings)."""
    if purpose not in OPTIONAL:
        raise KeyError(purpose)
    latest = select(ConsentChange.user_id, func.max(ConsentChange.id).label("id")) \
        .where(ConsentChange.purpose == purpose).group_by(ConsentChange.user_id).subquery()
    return select(ConsentChange.user_id).join(latest, ConsentChange.id == latest.c.id) \
        .where(ConsentChange.given.is_(True))


def history(user: User) -> list[ConsentChange]:
    return list(db.session.scalars(select(ConsentChange).where(ConsentChange.user_id == user.id)
                                   .order_by(ConsentChange.id)))
