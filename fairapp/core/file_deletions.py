"""Files deleted durably: a file whose row is deleted (an evidence photo, a booth photo, a plan image, a
template's artwork, what the retention purge removes) is named in `storage_deletions` in the same unit of
work as the row, so the intent commits or rolls back with it. After the commit a job deletes the files;
a store that refuses (down, timing out) leaves the row, with its attempts and error, for the sweep to try
again every minute. A file already gone counts as deleted. Nothing about a person stays in the store
because the store was down at the wrong moment (PDPA: erasure and retention must really remove files)."""
from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import Integer, String, Text, delete, select, update
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .jobs import enqueue, every, job
from .time import UTCDateTime, utcnow
from .transaction import unit_of_work

log = logging.getLogger(__name__)
BATCH = 500             # files a run deletes at most
RETRY_AFTER = timedelta(minutes=1)


class StorageDeletion(db.Model):
    __tablename__ = "storage_deletions"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(255))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)


def request(keys: list[str]) -> None:
    """Name these files for deletion in the current unit of work; the job runs once it has committed."""
    db.session.add_all(StorageDeletion(key=key) for key in keys)
    enqueue(delete_files)


@job("default", own_units=True)
def delete_files(*, attempt: int = 0, task=None) -> int:
    """Delete the files named for deletion (the oldest first, at most BATCH); how many went."""
    from .storage import storage

    with unit_of_work(write=False):
        rows = db.session.execute(select(StorageDeletion.id, StorageDeletion.key)
                                  .order_by(StorageDeletion.id).limit(BATCH)).all()
    if not rows:
        return 0
    store, done, failed = storage(), [], {}
    for row_id, key in rows:
        try:
            store.delete(key)
            done.append(row_id)
        except FileNotFoundError:
            done.append(row_id)
        except Exception as error:  # the store refused: the row stays for the sweep
            failed[row_id] = f"{type(error).__name__}: {error}"[:500]
    with unit_of_work():
        if done:
            db.session.execute(delete(StorageDeletion).where(StorageDeletion.id.in_(done)))
        for row_id, error in failed.items():
            db.session.execute(update(StorageDeletion).where(StorageDeletion.id == row_id)
                               .values(attempts=StorageDeletion.attempts + 1, last_error=error))
    if failed:
        log.warning("storage: %d file(s) not deleted yet (the store refused); the sweep tries again", len(failed))
    return len(done)


@every(timedelta(minutes=1))
@job("default")
def sweep_file_deletions(*, attempt: int = 0, task=None) -> bool:
    """Send the deletion job again when files wait longer than RETRY_AFTER (its run was lost, or the store
    refused)."""
    waiting = db.session.scalar(select(StorageDeletion.id).where(StorageDeletion.requested_at < utcnow() - RETRY_AFTER)
                                .limit(1))
    if waiting is not None:
        enqueue(delete_files)
    return waiting is not None
