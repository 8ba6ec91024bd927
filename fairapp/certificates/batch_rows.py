"""Reading a print batch from its chunk rows (re-exported by certificates.batches): which chunks are done or
due, the certificates and print files they made, in order. Each chunk row holds its own share and results,
so these read rows, never a batch-wide JSON map."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import and_, exists, or_, select

from ..core.time import utcnow
from ..extensions import db
from .models import PrintBatch, PrintBatchChunk

WAITING = ("queued", "running")
SWEEP_AFTER = timedelta(minutes=3)  # a chunk asked for this long ago and still not taken is asked again


def _pending(batch_id: int) -> list[int]:
    """The ids of the batch's chunks not done yet, in order."""
    return list(db.session.scalars(select(PrintBatchChunk.id).where(
        PrintBatchChunk.batch_id == batch_id, PrintBatchChunk.status != "done").order_by(PrintBatchChunk.index)))


def unfinished(batch_id: int) -> bool:
    """True while some chunk of the batch is not done (one indexed query)."""
    return db.session.scalar(select(PrintBatchChunk.id).where(
        PrintBatchChunk.batch_id == batch_id, PrintBatchChunk.status != "done").limit(1)) is not None


def _due(now):
    """Chunks that wait for a job nobody is running: queued and never asked for (or asked for a while ago,
    or the broker missed them) and not waiting for a retry; or held by a worker whose lease ran out."""
    return and_(PrintBatch.status.in_(WAITING), or_(
        and_(PrintBatchChunk.status == "queued",
             or_(PrintBatchChunk.lease_until.is_(None), PrintBatchChunk.lease_until < now),
             or_(PrintBatchChunk.queued_at.is_(None), PrintBatchChunk.queued_at < now - SWEEP_AFTER,
                 PrintBatch.queue_missed_at.is_not(None))),
        and_(PrintBatchChunk.status == "running", PrintBatchChunk.lease_until < now)))


def _merge_due(now):
    """Batches whose chunks are all done but which are not (their merge was lost)."""
    unfinished = exists().where(PrintBatchChunk.batch_id == PrintBatch.id, PrintBatchChunk.status != "done")
    return and_(PrintBatch.status.in_(WAITING), ~unfinished,
                or_(PrintBatch.lease_until.is_(None), PrintBatch.lease_until < now))


def stalled(batch: PrintBatch) -> bool:
    """True when the batch waits for work that no live worker holds and no job was asked for lately."""
    now = utcnow()
    if batch.status not in WAITING or (batch.lease_until is not None and batch.lease_until >= now):
        return False
    due = select(PrintBatchChunk.id).join(PrintBatch, PrintBatch.id == PrintBatchChunk.batch_id).where(
        PrintBatchChunk.batch_id == batch.id, _due(now)).limit(1)
    merge = select(PrintBatch.id).where(PrintBatch.id == batch.id, _merge_due(now))
    return db.session.scalar(due) is not None or db.session.scalar(merge) is not None


def certificate_ids(batch: PrintBatch) -> list[int]:
    """The certificate ids of the batch's finished chunks, in page order."""
    rows = db.session.scalars(select(PrintBatchChunk.certificate_ids).where(
        PrintBatchChunk.batch_id == batch.id, PrintBatchChunk.status == "done").order_by(PrintBatchChunk.index))
    return [cid for ids in rows for cid in ids or []]


def chunk_of(batch: PrintBatch, index: int) -> PrintBatchChunk | None:
    """The batch's chunk `index` when it is done (its PDF and certificates are there), else None."""
    return db.session.scalars(select(PrintBatchChunk).where(
        PrintBatchChunk.batch_id == batch.id, PrintBatchChunk.index == index,
        PrintBatchChunk.status == "done")).one_or_none()


def finished_chunks(batch: PrintBatch, after: int = -1) -> list[dict]:
    """The batch's finished chunks with pages to print, in order, as long as they follow one another from
    the first (pages are printed in order), after the chunk `after`: index, first and last page (counted
    from 1). Reads the chunk rows' index, status, key and page count (not their lists)."""
    rows = db.session.execute(select(PrintBatchChunk.index, PrintBatchChunk.status, PrintBatchChunk.pdf_key,
                                     PrintBatchChunk.pages)
                              .where(PrintBatchChunk.batch_id == batch.id).order_by(PrintBatchChunk.index))
    chunks, page = [], 0
    for index, status, key, count in rows:
        if status != "done":
            break
        if key and count and index > after:
            chunks.append({"index": index, "first": page + 1, "last": page + count})
        page += count or 0
    return chunks


def printed_chunks(batch: PrintBatch) -> set[int]:
    """The indexes of the batch's chunks of which a certificate was printed before (two queries)."""
    from .models import CertificatePrint

    owner = {cid: index for index, ids in db.session.execute(
        select(PrintBatchChunk.index, PrintBatchChunk.certificate_ids).where(
            PrintBatchChunk.batch_id == batch.id, PrintBatchChunk.status == "done")) for cid in ids or []}
    if not owner:
        return set()
    printed = db.session.scalars(select(CertificatePrint.certificate_id).distinct()
                                 .where(CertificatePrint.certificate_id.in_(list(owner))))
    return {owner[cid] for cid in printed}
