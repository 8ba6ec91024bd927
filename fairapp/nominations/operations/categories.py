"""Award categories: create and change them, audited with before and after.

Rules (one statement each, asked by the form for early messages and enforced here):
- the category's window lies inside the fair's nomination window, and closes on or after it opens;
- the files allowed are at least the photos and PDFs required;
- once the category has received nominations (past the draft stage: staff review them under these
  conditions), who may nominate (`nominator_kind`) and its eligible sectors and provinces may only
  widen (a nomination received stays within the conditions); whom the category is for
  (`nominee_kind`) may change, as it only shapes the form of nominations still to come;
- `max_files` / `narrative_max_chars` never drop below what any nomination (drafts too) already holds.
"""
from __future__ import annotations

from sqlalchemy import func, select

from ...accounts.models import User
from ...core import audit
from ...core.errors import DomainError
from ...core.i18n import locale_code
from ...core.thai import format_date
from ...extensions import db
from ...fairs.models import Fair
from ..models import SECTION_LABELS, Category, Evidence, Nomination, NominationStatus, NominatorKind
from .common import lock_category
from .errors import (BelowFilesAttached, BelowNarrativeWritten, ClosesBeforeOpens, FilesBelowMinimum,
                     NarrowedOnceNominated, OutsideFairWindow)

WIDEN_ONLY = ("eligible_sectors", "eligible_provinces")
NOMINATORS = {NominatorKind.self: {"self"}, NominatorKind.office: {"office"}, NominatorKind.both: {"self", "office"}}


def category_defaults(fair: Fair) -> dict:
    """What a new category starts with: every section, the fair's whole window."""
    return {"nominee_kind": "organization", "nominator_kind": NominatorKind.both.value, "max_per_nominator": 3,
            "sections": list(SECTION_LABELS), "narrative_max_chars": 3000, "min_photos": 3, "min_pdfs": 1,
            "max_files": 20, "opens_on": fair.nomination_opens, "closes_on": fair.nomination_closes,
            "eligible_sectors": [], "eligible_provinces": []}


def snapshot(category: Category) -> dict:
    """The category's settings, as the audit log keeps them."""
    values = {c.key: getattr(category, c.key) for c in Category.__table__.columns if c.key not in ("id", "fair_id")}
    values["nominator_kind"] = category.nominator_kind.value if category.nominator_kind else None
    return values


def category_problems(fair: Fair, values: dict) -> list[DomainError]:
    """What is wrong with these settings for a category of this fair (each error names its field).
    Values may be missing or None (a form with other errors): those rules are then left to the form."""
    problems: list[DomainError] = []
    lo, hi = fair.nomination_opens, fair.nomination_closes
    opens, closes = values.get("opens_on"), values.get("closes_on")
    lang = locale_code()
    for field in ("opens_on", "closes_on"):
        day = values.get(field)
        if day and not (lo <= day <= hi):
            problems.append(OutsideFairWindow(opens=format_date(lo, "short", lang),
                                              closes=format_date(hi, "short", lang), field=field))
    if opens and closes and closes < opens:
        problems.append(ClosesBeforeOpens())
    counts = [values.get(k) for k in ("max_files", "min_photos", "min_pdfs")]
    if None not in counts and counts[1] + counts[2] > counts[0]:
        problems.append(FilesBelowMinimum())
    return problems


def _check(fair: Fair, values: dict) -> None:
    problems = category_problems(fair, values)
    if problems:
        raise problems[0]


def create_category(fair: Fair, values: dict, actor: User) -> Category:
    """A new award category at the end of the fair's list."""
    _check(fair, values)
    last = db.session.scalar(select(func.max(Category.sort_order)).where(Category.fair_id == fair.id)) or 0
    category = Category(fair_id=fair.id, sort_order=last + 1, **values)
    db.session.add(category)
    db.session.flush()
    audit.record("nomination.category_created", category, actor=actor, fair_id=fair.id, after=snapshot(category))
    return category


def _narrows(old: list, new: list) -> bool:
    """An empty list means every sector (province): anything else is narrower than it."""
    if not new:
        return False
    return not old or not set(old) <= set(new)


def _in_use_problem(category: Category, values: dict) -> DomainError | None:
    received = db.session.scalar(select(Nomination.id).where(
        Nomination.category_id == category.id, Nomination.status != NominationStatus.draft).limit(1))
    if received is not None:
        if "nominator_kind" in values and not NOMINATORS[category.nominator_kind] <= NOMINATORS[
                NominatorKind(values["nominator_kind"])]:
            return NarrowedOnceNominated(field="nominator_kind")
        for key in WIDEN_ONLY:
            if key in values and _narrows(getattr(category, key) or [], values[key] or []):
                return NarrowedOnceNominated(field=key)
    if values.get("max_files") is not None and values["max_files"] < category.max_files:
        per_nomination = (select(func.count(Evidence.id).label("n")).join(Nomination)
                          .where(Nomination.category_id == category.id).group_by(Evidence.nomination_id).subquery())
        most = db.session.scalar(select(func.max(per_nomination.c.n))) or 0
        if values["max_files"] < most:
            return BelowFilesAttached(n=most)
    if values.get("narrative_max_chars") is not None and values["narrative_max_chars"] < category.narrative_max_chars:
        longest = max((len(text or "") for narratives in db.session.scalars(
            select(Nomination.narratives).where(Nomination.category_id == category.id))
            for text in (narratives or {}).values()), default=0)
        if values["narrative_max_chars"] < longest:
            return BelowNarrativeWritten(n=longest)
    return None


def update_category(category: Category, values: dict, actor: User) -> Category:
    """Change a category's settings; the audit entry keeps what changed, before and after.

    Takes the category's row lock, so a nomination started meanwhile is counted (create_nomination
    takes the same lock)."""
    lock_category(category)
    _check(category.fair, values)
    problem = _in_use_problem(category, values)
    if problem is not None:
        raise problem
    before = snapshot(category)
    for key, value in values.items():
        setattr(category, key, value)
    db.session.flush()
    after = snapshot(category)
    if after != before:
        audit.record("nomination.category_changed", category, actor=actor, fair_id=category.fair_id,
                     before={k: v for k, v in before.items() if after[k] != v},
                     after={k: v for k, v in after.items() if before[k] != v})
    return category
