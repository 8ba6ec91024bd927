"""The audit log's scheduled work: once a day, the full check of every chain.

The pages (the chair page, /admin/audit) check only what follows each chain's last checkpoint, so an entry
altered before it would be seen only by `flask audit verify`. `check_audit_chains` runs that full check
every day (celery beat, or `make run`'s timer):
- intact: a checkpoint at each chain's tail, and the checkpoints of each chain but its last KEEP deleted
  (the pages write one whenever they find something new);
- broken: every checkpoint is deleted, so each page checks its chain from the start again and shows the
  break to whoever opens it, and the break is logged as an error. Nothing else changes: the entries stay
  as found, for whoever investigates.
"""
from __future__ import annotations

import logging
from datetime import timedelta

from sqlalchemy import delete, select, func

from ..extensions import db
from .audit import AuditCheckpoint, full_check, save_checkpoints
from .jobs import every, job

log = logging.getLogger(__name__)
KEEP = 3  # checkpoints kept per chain


def prune_checkpoints(keep: int = KEEP) -> int:
    """Delete each chain's checkpoints but its newest `keep`; how many went."""
    ranked = select(AuditCheckpoint.id, func.row_number().over(
        partition_by=AuditCheckpoint.chain, order_by=AuditCheckpoint.id.desc()).label("rank")).subquery()
    kept = select(ranked.c.id).where(ranked.c.rank <= keep)
    return db.session.execute(delete(AuditCheckpoint).where(AuditCheckpoint.id.not_in(kept))
                              .execution_options(synchronize_session=False)).rowcount


@every(timedelta(hours=24))
@job("default")
def check_audit_chains(*, attempt: int = 0, task=None) -> dict:
    """The full check, then checkpoints as the module says; what was found, for the log and the tests."""
    check = full_check()
    if check.bad:
        removed = db.session.execute(delete(AuditCheckpoint)).rowcount
        log.error("audit log BROKEN at entries %s (%d of %d entries); %d checkpoints removed so every page "
                  "checks from the start", check.bad[:20], len(check.bad), check.hashed, removed)
        return {"bad": check.bad, "hashed": check.hashed, "checkpoints_removed": removed}
    save_checkpoints(check.tails)
    db.session.flush()
    pruned = prune_checkpoints()
    return {"bad": [], "hashed": check.hashed, "chains": len(check.tails), "pruned": pruned}
