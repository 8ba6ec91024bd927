"""The nominations' slow work: an evidence photo's 480 px thumbnail, made after the upload committed.

The upload request only cleans and stores the photo (core.uploads.accept_evidence: nothing uncleaned is
ever stored); `ops.add_evidence` then enqueues `make_thumbnail`, which a worker (the "default" queue) runs
after the commit. Until it has run, the thumbnail route serves the cleaned photo itself, so no page shows
a broken image. A job that was lost (the broker down when it was sent, a worker killed) is sent again by
`sweep_thumbnails`: what it is for is in the database (a photo row with no thumb_key).

`make_thumbnail` reads the row and the stored photo and renders with no transaction open; it then stores
the thumbnail and sets thumb_key in one unit of work under the nomination's row lock (as every change
to a nomination's files), so
- a job sent twice stores one thumbnail (the second finds thumb_key set under the lock);
- a row deleted meanwhile (the file or the whole draft) gets none stored;
- a unit that fails deletes what it stored (core.transaction): no orphan object.
"""
from __future__ import annotations

import logging
from datetime import timedelta

from sqlalchemy import select

from ..core.errors import UploadRefused
from ..core.jobs import enqueue, every, job
from ..core.storage import storage
from ..core.time import utcnow
from ..core.transaction import unit_of_work
from ..core.uploads import evidence_thumbnail
from ..extensions import db
from .models import Evidence, Nomination

log = logging.getLogger(__name__)

SWEEP_AFTER = timedelta(minutes=1)  # a photo this old with no thumbnail lost its job
SWEEP_LIMIT = 100                   # photos sent again per sweep


def _wanting(evidence: Evidence | None) -> bool:
    return evidence is not None and evidence.kind == "photo" and not evidence.thumb_key


def _locked(evidence_id: int) -> Evidence | None:
    """The evidence row re-read under its nomination's row lock (None when it is gone)."""
    nomination_id = db.session.scalar(select(Evidence.nomination_id).where(Evidence.id == evidence_id))
    if nomination_id is None:
        return None
    db.session.execute(select(Nomination.id).where(Nomination.id == nomination_id).with_for_update())
    return db.session.scalars(select(Evidence).where(Evidence.id == evidence_id).with_for_update()
                              .execution_options(populate_existing=True)).one_or_none()


@job("default", own_units=True)
def make_thumbnail(evidence_id: int, *, attempt: int = 0, task=None) -> str | None:
    """Store the thumbnail of one evidence photo and name it on its row; the new key, or None when
    there is nothing to do (the row is gone, is a PDF, or has its thumbnail already)."""
    with unit_of_work(write=False):
        evidence = db.session.get(Evidence, evidence_id)
        if not _wanting(evidence):
            return None
        photo_key, name = evidence.storage_key, evidence.original_name
    try:
        thumb = evidence_thumbnail(storage().read(photo_key), name)
    except FileNotFoundError:
        log.warning("evidence %s: photo %s is not stored; no thumbnail", evidence_id, photo_key)
        return None
    except UploadRefused as error:  # the cleaned photo no longer decodes: the photo itself is served
        log.warning("evidence %s: no thumbnail (%s)", evidence_id, error)
        return None
    with unit_of_work():
        evidence = _locked(evidence_id)
        if not _wanting(evidence) or evidence.storage_key != photo_key:
            return None  # deleted meanwhile, or another run made it: nothing stored
        evidence.thumb_key = storage().save(thumb, "jpg")  # deleted again if this unit fails
        db.session.flush()
        key = evidence.thumb_key
    return key


@every(timedelta(minutes=5))
@job("default")
def sweep_thumbnails(*, attempt: int = 0, task=None) -> int:
    """Send again the thumbnails whose job was lost: photos older than a minute with none, the newest first,
    at most SWEEP_LIMIT a run (a photo whose thumbnail cannot be made is served itself; it never blocks
    newer ones)."""
    ids = db.session.scalars(select(Evidence.id).where(
        Evidence.kind == "photo", Evidence.thumb_key.is_(None), Evidence.created_at < utcnow() - SWEEP_AFTER,
    ).order_by(Evidence.id.desc()).limit(SWEEP_LIMIT)).all()  # the newest first
    for evidence_id in ids:
        enqueue(make_thumbnail, evidence_id)
    return len(ids)
