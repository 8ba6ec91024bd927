"""Running a print batch in this process, chunk by chunk, as a worker would (each chunk claimed under its
lease, each its own unit of work): `flask certificates work` (the waiting batches nobody runs), the
benchmarks and the tests; and, under `make run` (JOBS_MODE thread), the chunk jobs on threads of their own
(`send_here`). Re-exported by certificates.batches (`batches.claim`, `batches.run`, `batches.send_here`)."""
from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import or_, select, update

from ..core import jobs
from ..core.time import utcnow
from ..core.transaction import unit_of_work
from ..extensions import db
from . import batches as _batches
from .models import PrintBatch

_threads: ThreadPoolExecutor | None = None
_threads_lock = threading.Lock()


def send_here(app, chunk_ids: list[int]) -> bool:
    """Run the chunks' jobs on this process's chunk threads, two per render process (CERTIFICATE_WORKERS):
    while a thread stores its rendered chunk and plans its next one, another's chunk is already waiting
    in the pool, so no render process idles between chunks (one thread per process left each idle for
    the storing and planning: about a third of the time). They start in order: the first pages come first."""
    global _threads
    with _threads_lock:
        if _threads is None:
            _threads = ThreadPoolExecutor(max_workers=2 * max(1, int(app.config.get("CERTIFICATE_WORKERS", 2))),
                                          thread_name_prefix="fairapp-chunk")
    for chunk_id in chunk_ids:
        _threads.submit(jobs.run_here, app, _batches.run_chunk, chunk_id)
    return True


def claim(batch_id: int) -> bool:
    """Take the batch for this process when nobody holds it (atomic: one UPDATE, its own unit of work)."""
    now = utcnow()
    with unit_of_work():
        result = db.session.execute(
            update(PrintBatch)
            .where(PrintBatch.id == batch_id, PrintBatch.status.in_(_batches.WAITING),
                   or_(PrintBatch.lease_until.is_(None), PrintBatch.lease_until < now))
            .values(status="running", lease_until=now + _batches.LEASE)
            .execution_options(synchronize_session=False))
    return result.rowcount == 1


def run(batch_id: int, *, stop_after: int | None = None) -> None:
    """Run a claimed batch's unfinished chunks here, in order, each claimed as a worker claims it (a chunk
    a live worker holds is left to it), then merge it when every chunk is done (or, for tests, stop after
    `stop_after` chunks as if killed). Call outside any unit of work: each chunk is its own."""
    with unit_of_work(write=False):
        todo = _batches._pending(batch_id)
    ran = 0
    for chunk_id in todo:
        if stop_after is not None and ran >= stop_after:
            return
        outcome = _batches.do_chunk(chunk_id, merge=False)
        if outcome == "failed":
            return
        ran += 1
    with unit_of_work():
        batch = _batches._locked(PrintBatch, batch_id)
        if batch.status in _batches.WAITING and not _batches.unfinished(batch_id):
            _batches._merge(batch)


def run_waiting(app) -> int:
    """Run every batch nobody is running (for `flask certificates work`), here; returns how many ran."""
    ran = 0
    with app.app_context():
        waiting = list(db.session.scalars(select(PrintBatch.id).where(
            PrintBatch.status.in_(_batches.WAITING)).order_by(PrintBatch.id)))
    for batch_id in waiting:
        with jobs.job_context(app):
            if claim(batch_id):
                run(batch_id)
                ran += 1
            db.session.remove()
    return ran
