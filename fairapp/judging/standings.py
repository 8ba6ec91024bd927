"""A category's standings as the chair page shows them (each judge's progress, the spread, the ranking that
finalizing would freeze, the nominations still short of scores), computed once per state of the fair and
reused by the views that follow until something of the fair changes.

Why this is sound: everything the standings are computed from is changed only by audited operations of
the fair (scores, assignments, conflicts, the rubric, a nomination's state, a judge's role, an
affiliation), and every audited write appends to the fair's hash chain. The chain's tail (its last entry's
id and hash) therefore names the state: while it is the same, the standings are the same. A view reads the
tail first and the scores after it, so what is kept is never older than the tail it is kept under (a
change committed between the two is seen by the next view, under the newer tail, and computed again).
The hash is part of the key, so a database built again (tests, a restore) with the same ids is not
mistaken for the old one.

Names are not kept: a page loads the names of its rows, its judges and its problems itself (an erasure or
a renamed organization is not a change of the fair's chain, and a name is not a standing).

Kept per app process (a few categories, least recently used dropped first), so each app server computes a
category once per change; finalizing never reads this: it computes the ranking it freezes itself, inside
its own unit of work (finalizing.finalize).
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import select

from ..core.audit import AuditEntry
from ..core.gc_pause import paused_gc
from ..extensions import db
from .finalizing import ranking
from .models import Rubric
from .queries import eligible_nomination_ids, progress, scoring_inputs
from .scoring import RankedRow, Spread, panel_totals, spread

KEPT = 32  # categories kept per process
_LOCK = threading.Lock()


@dataclass(frozen=True)
class Standings:
    progress: dict[int, tuple[int, int]]   # judge -> (complete sheets, assigned sheets)
    sheets: int                            # assigned (judge, nomination) pairs
    spread: Spread
    rows: list[RankedRow]                  # the whole ranking, in order
    raw: dict[int, float]                  # nomination -> raw mean
    z: dict[int, float]                    # nomination -> z-normalized mean
    complete: dict[int, int]               # nomination -> complete sheets
    short: list[int]                       # eligible nominations with fewer complete sheets than needed
    scored: bool                           # the rubric has criteria (else nothing is computed)


def _tail(fair_id: int) -> tuple[int, str] | None:
    """The fair's chain's last entry (id, hash), by its index (chain, id): one row whatever the log's size."""
    row = db.session.execute(select(AuditEntry.id, AuditEntry.hash).where(AuditEntry.chain == fair_id)
                             .order_by(AuditEntry.id.desc()).limit(1)).first()
    return tuple(row) if row is not None else None


def _compute(rubric: Rubric) -> Standings:
    criteria, sheets = scoring_inputs(rubric)
    totals = panel_totals(sheets, criteria) if criteria else {}
    complete: dict[int, int] = {}
    for (_j, n), total in totals.items():
        complete[n] = complete.get(n, 0) + int(total is not None)
    rows, raw, z = ranking(rubric, (criteria, sheets, totals)) if criteria else ([], {}, {})
    needed = rubric.judges_per_nomination
    short = sorted(n for n in eligible_nomination_ids(rubric.category_id) if complete.get(n, 0) < needed)
    return Standings(progress=progress(sheets, totals), sheets=len(sheets), spread=spread(totals), rows=rows,
                     raw=raw, z=z, complete=complete, short=short, scored=bool(criteria))


def _kept() -> OrderedDict:
    return current_app.extensions.setdefault("fairapp.standings", OrderedDict())


def of(rubric: Rubric) -> Standings:
    """The rubric's category's standings now: kept ones when the fair's chain has not moved since."""
    tail = _tail(rubric.category.fair_id)
    key = (rubric.id, rubric.finalized_at, rubric.judges_per_nomination, tail)
    kept = _kept()
    with _LOCK:
        found = kept.get(rubric.id)
        if found is not None and found[0] == key:
            kept.move_to_end(rubric.id)
            return found[1]
    with paused_gc():  # tens of thousands of short-lived objects at national scale, none in cycles
        standings = _compute(rubric)
    with _LOCK:
        kept[rubric.id] = (key, standings)
        kept.move_to_end(rubric.id)
        while len(kept) > KEPT:
            kept.popitem(last=False)
    return standings


def forget() -> None:
    """Drop what is kept (tests that change rows behind the operations' back)."""
    with _LOCK:
        _kept().clear()
