"""Fair staff's eligibility decision on a submitted nomination: eligible, ineligible (with a reason) or
returned for correction (with comments). Audited, kept in the history, mailed to the nominator."""
from __future__ import annotations

from ...accounts.models import User
from ...core.errors import DomainError
from ...core.time import utcnow
from ..models import Nomination, NominationStatus
from .common import lock, notify, notify_nominee, record
from .errors import CommentRequired, UnknownDecision, WrongStatus

DECISIONS = ("eligible", "ineligible", "return")


def decision_problem(nomination: Nomination) -> DomainError | None:
    """Why no decision can be taken on the nomination now (only a submitted one is decided), or None."""
    if nomination.status != NominationStatus.submitted:
        return WrongStatus(status=nomination.status.label)
    return None


def _decide(nomination: Nomination, status: NominationStatus, actor: User, comment: str | None,
            action: str) -> Nomination:
    lock(nomination)  # two staff deciding at once: the second sees the first's decision
    problem = decision_problem(nomination)
    if problem is not None:
        raise problem
    before = nomination.snapshot()
    nomination.status = status
    nomination.review_note = comment
    nomination.decided_at = utcnow()
    record(action, nomination, actor, before, comment)
    notify(nomination)
    if status == NominationStatus.eligible:
        notify_nominee(nomination, "eligible")
    return nomination


def mark_eligible(nomination: Nomination, actor: User, comment: str | None = None) -> Nomination:
    return _decide(nomination, NominationStatus.eligible, actor, (comment or "").strip() or None, "eligible")


def mark_ineligible(nomination: Nomination, reason: str, actor: User) -> Nomination:
    if not (reason or "").strip():
        raise CommentRequired()
    return _decide(nomination, NominationStatus.ineligible, actor, reason.strip(), "ineligible")


def return_for_correction(nomination: Nomination, comment: str, actor: User) -> Nomination:
    if not (comment or "").strip():
        raise CommentRequired()
    return _decide(nomination, NominationStatus.returned, actor, comment.strip(), "returned")


def decide(nomination: Nomination, decision: str, comment: str | None, actor: User) -> Nomination:
    """The review page's one operation: `decision` is "eligible", "ineligible" or "return"."""
    if decision == "eligible":
        return mark_eligible(nomination, actor, comment)
    if decision == "ineligible":
        return mark_ineligible(nomination, comment or "", actor)
    if decision == "return":
        return return_for_correction(nomination, comment or "", actor)
    raise UnknownDecision()
