"""Moving the stage: one row per fair (stage_positions), created on first use and changed under its row
lock, so two phones pressing Next at once move it two slides, never one. Flushes, never commits."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite

from ..core.time import utcnow
from ..extensions import db
from ..fairs.models import Fair
from .models import StagePosition

ACTIONS = ("next", "back", "jump")


def _insert():
    return postgresql.insert if db.session.get_bind().dialect.name == "postgresql" else sqlite.insert


def move(fair: Fair, action: str, count: int, to: int | None = None) -> int:
    """Move the fair's stage: `next` / `back` one slide, or `jump` to slide `to`; kept within 0..count (0 is
    the cover, 1..count the awardees). Returns the new index."""
    db.session.execute(_insert()(StagePosition).values(fair_id=fair.id, index=0, updated_at=utcnow())
                       .on_conflict_do_nothing(index_elements=["fair_id"]))
    row = db.session.scalars(select(StagePosition).where(StagePosition.fair_id == fair.id)
                             .with_for_update().execution_options(populate_existing=True)).one()
    here = min(max(row.index, 0), count)
    if action == "next":
        there = here + 1
    elif action == "back":
        there = here - 1
    else:
        there = to if to is not None else here
    row.index = min(max(there, 0), count)
    row.updated_at = utcnow()
    db.session.flush()
    return row.index
