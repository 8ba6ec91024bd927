"""The staff's eligibility decision on several nominations at once: the ticked ones, or every nomination
the review list's search and filters match ("select all matching"). Each is decided as one decision on
its page is (review.decide: its row lock, the rule that only a submitted nomination is decided, history,
mail), in a savepoint of its own: one that may not be decided is left as it was and reported with its
reason; the others stand."""
from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l

from ...accounts.models import User
from ...core.errors import DomainError
from ...core.transaction import savepoint
from ...extensions import db
from ..models import Nomination
from .errors import CommentRequired, UnknownDecision
from .review import DECISIONS, decide


class NothingChosen(DomainError):
    message = _l("กรุณาเลือกการเสนอชื่ออย่างน้อยหนึ่งรายการ")


@dataclass
class Decided:
    """What a bulk decision did: how many were decided, and those left as they were, with the reason."""

    done: int = 0
    skipped: list[tuple[Nomination, DomainError]] = field(default_factory=list)


def decide_many(nominations: list[Nomination], decision: str, comment: str | None, actor: User) -> Decided:
    """One decision ("eligible", "ineligible" or "return") for each nomination, oldest submission first.
    A refusal of the whole request (no decision, no comment where one is needed, nothing chosen) changes
    nothing."""
    if decision not in DECISIONS:
        raise UnknownDecision()
    if decision != "eligible" and not (comment or "").strip():
        raise CommentRequired()
    if not nominations:
        raise NothingChosen()
    result = Decided()
    for nomination in sorted(nominations, key=lambda n: (n.submitted_at or n.created_at, n.id)):
        try:
            with savepoint():
                decide(nomination, decision, comment, actor)
            result.done += 1
        except DomainError as error:
            db.session.refresh(nomination)
            result.skipped.append((nomination, error))
    return result
