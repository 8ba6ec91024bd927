"""Print batches: a set of certificates issued and rendered into one merged PDF, by jobs (core.jobs).

How a batch runs:
1. The set (fixed when the batch was made) is cut into chunks of `chunk_size`, one `PrintBatchChunk` row
   each holding its share (`items`), written with the batch. A chunk reads and writes its own row and the
   batch's counters, never the whole set: the work of a chunk does not grow with the batch. Once that commits, each chunk is a job (`run_chunk`,
   Celery's "print" queue: workers on any machine share one batch; or this process's job threads; or
   inline in tests).
2. A chunk job claims its chunk under the row's lock and a lease (`_claim_chunk`: one unit of work), plans
   it (finds existing certificates, gives new ones a serial and a signature), renders it with no
   transaction open (a process pool when this process may have one, CERTIFICATE_WORKERS; else here), then
   stores it in one unit of work under the chunk's and the batch's locks (`_finish_chunk`): the new
   certificates (PDF, SHA-256, row: hashed and packed where it rendered), the chunk's print PDF and
   certificate ids (its row) and the batch's progress, or nothing. A chunk
   that another worker finished meanwhile stores nothing (nothing is issued or stored twice); a chunk that
   loses a subject to another batch re-plans inside a savepoint (the unique constraint decides).
3. Each finished chunk's PDF can be printed at once from the batch page (printing.print_chunk), in order,
   while the next chunks render. Whoever finishes the last chunk enqueues `merge_batch` (after its
   commit); the merge streams the chunk PDFs into a temporary file (batch_render.merge_pdfs: one chunk
   in memory at a time, the artwork once) and that file to the store (Storage.save_file: S3 multipart)
   under the batch's lock, once, and the batch is done. The chunk
   files stay (printable again).

Faults: a worker killed mid-chunk leaves its chunk "running" with a lease (CERTIFICATE_CHUNK_LEASE); Celery
gives the task to another worker (acks_late, after CELERY_VISIBILITY_TIMEOUT), which claims it once the lease
ran out (a task that finds the chunk held sends itself again for then). A failing chunk is retried by Celery
with backoff; after the last try (at once in the local modes) the batch is failed, says so, and can be
retried. `sweep_batches` (every minute) sends again each chunk no job took (the broker was down when the
batch was made: `queue_missed_at`, its page says it is queued) or whose lease ran out, and lost merges.
`flask certificates work` runs the waiting chunks in the shell (batch_local).
"""
from __future__ import annotations

import logging
import multiprocessing
import os
import socket
import tempfile
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from datetime import timedelta
from functools import partial

from flask import current_app
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from ..core import jobs
from ..core.jobs import enqueue, every, job
from ..core.storage import storage
from ..core.time import utcnow
from ..core.transaction import after_commit, savepoint, unit_of_work
from ..extensions import db
from ..fairs.models import Fair
from ..nominations.models import Category
from . import operations as ops
from .models import PrintBatch, PrintBatchChunk
from .batch_rows import (SWEEP_AFTER, WAITING, _due, _merge_due, _pending, certificate_ids,  # noqa: F401
                         chunk_of, finished_chunks, printed_chunks, stalled, unfinished)
from .batch_render import (Stored, merge_pdfs, ping, pool, prefetched, render_chunk,  # noqa: F401
                           render_for_store, save_packed, shutdown_pool, stored_forms)

log = logging.getLogger(__name__)
LEASE = timedelta(seconds=30)         # the batch is being worked on until then (renewed by every chunk)
CHUNK_LEASE = timedelta(seconds=120)  # a worker holding a chunk longer than this is taken to have died
RETRY_BASE = 10  # seconds before a failed chunk's first retry (Celery); each next waits twice as long
CHUNK_SIZE = 25

# ---- making batches ----

def create(fair: Fair, kind: str, candidates: list[ops.Candidate], actor, title: str,
           category: Category | None = None, *, chunk_size: int | None = None) -> PrintBatch:
    """A queued batch for these candidates (in the order given), with its chunk rows. Flushes; nothing runs
    until `start` (or the sweep, or `flask certificates work`)."""
    size = chunk_size or CHUNK_SIZE
    batch = PrintBatch(fair_id=fair.id, kind=kind, category_id=category.id if category else None,
                       title=title[:300], items=[], chunk_size=size,
                       chunk_keys={}, certificate_ids={}, total=len(candidates), done=0, skipped=0,
                       status="queued", created_by_id=actor.id, base_url=ops.public_base_url())
    db.session.add(batch)
    db.session.flush()
    db.session.add_all(PrintBatchChunk(batch_id=batch.id, index=i, status="queued", attempts=0,
                                       items=[c.to_json() for c in candidates[i * size:(i + 1) * size]])
                       for i in range(batch.chunks))
    db.session.flush()
    return batch


def start(batch: PrintBatch) -> None:
    """Ask for a job for each of the batch's unfinished chunks once this unit of work commits (never if it
    rolls back). Call inside the unit of work that made (or retried) the batch."""
    ids = _pending(batch.id)
    if ids:
        db.session.execute(update(PrintBatchChunk).where(PrintBatchChunk.id.in_(ids))
                           .values(queued_at=utcnow()).execution_options(synchronize_session=False))
    after_commit(partial(send, batch.id, ids))


def send(batch_id: int, chunk_ids: list[int]) -> bool:
    """Hand the chunks to the job runner (after the commit that wrote them); True when all went. When the
    broker cannot take one, the batch says so (`queue_missed_at`) and the sweep sends them once it is back."""
    app = current_app._get_current_object()
    if jobs.mode() == "thread" and int(app.config.get("CERTIFICATE_WORKERS", 2)) > 1:
        return send_here(app, chunk_ids)  # as many chunk threads as render processes
    for chunk_id in chunk_ids:
        if jobs.dispatch(app, run_chunk, chunk_id) is False:
            with unit_of_work():
                db.session.execute(update(PrintBatch).where(PrintBatch.id == batch_id)
                                   .values(queue_missed_at=utcnow()).execution_options(synchronize_session=False))
            return False
    return True


def requeue(batch: PrintBatch) -> None:
    """A failed batch, back in the queue: its failed chunks wait again (finished ones stay). Flushes."""
    if batch.status == "failed":
        db.session.execute(update(PrintBatchChunk).where(PrintBatchChunk.batch_id == batch.id,
                                                         PrintBatchChunk.status == "failed")
                           .values(status="queued", lease_until=None, error=None)
                           .execution_options(synchronize_session=False))
        batch.status, batch.error, batch.lease_until = "queued", None, None
        db.session.flush()


def resume(batch_id: int | None = None) -> int:
    """Ask again for the jobs of the chunks due (of one batch, or all: the sweep) and for lost merges (its own
    unit of work); returns how many."""
    now = utcnow()
    with unit_of_work():
        query = (select(PrintBatchChunk.id, PrintBatchChunk.batch_id)
                 .join(PrintBatch, PrintBatch.id == PrintBatchChunk.batch_id).where(_due(now))
                 .order_by(PrintBatchChunk.batch_id, PrintBatchChunk.index).limit(2000))
        merges = select(PrintBatch.id).where(_merge_due(now)).order_by(PrintBatch.id).limit(100)
        if batch_id is not None:
            query = query.where(PrintBatchChunk.batch_id == batch_id)
            merges = merges.where(PrintBatch.id == batch_id)
        due = db.session.execute(query).all()
        to_merge = list(db.session.scalars(merges))
        by_batch: dict[int, list[int]] = {}
        for chunk_id, owner in due:
            by_batch.setdefault(owner, []).append(chunk_id)
        if due:
            db.session.execute(update(PrintBatchChunk).where(PrintBatchChunk.id.in_([c for c, _ in due]))
                               .values(queued_at=now).execution_options(synchronize_session=False))
            db.session.execute(update(PrintBatch).where(PrintBatch.id.in_(list(by_batch)))
                               .values(queue_missed_at=None).execution_options(synchronize_session=False))
        for owner, ids in by_batch.items():
            after_commit(partial(send, owner, ids))
        for owner in to_merge:
            db.session.execute(update(PrintBatch).where(PrintBatch.id == owner)
                               .values(lease_until=now + LEASE).execution_options(synchronize_session=False))
            enqueue(merge_batch, owner)
    return len(due) + len(to_merge)


@every(timedelta(minutes=1))
@job("default", own_units=True)
def sweep_batches(*, attempt: int = 0, task=None) -> int:
    """Send again what no worker holds: chunks whose job was lost (the broker was down when the batch was
    made, or their worker was killed and its lease ran out), and merges that were lost."""
    return resume()


# ---- a chunk ----

def chunk_lease() -> timedelta:
    """How long a worker holds a chunk (CERTIFICATE_CHUNK_LEASE seconds when set; else CHUNK_LEASE)."""
    seconds = current_app.config.get("CERTIFICATE_CHUNK_LEASE")
    return timedelta(seconds=float(seconds)) if seconds else CHUNK_LEASE


def _locked(model, row_id: int):
    """The row under its lock, read afresh (what another worker committed is seen)."""
    return db.session.scalars(select(model).where(model.id == row_id).with_for_update()
                              .execution_options(populate_existing=True)).one_or_none()


def _claim_chunk(chunk_id: int):
    """Take the chunk for this worker (one unit of work, under the chunk's and the batch's locks):
    (batch id, chunk index, the batch's site) when taken; None when there is nothing to do (done, failed,
    its batch failed or finished); a timedelta when another worker holds it (how long its lease still runs)."""
    now = utcnow()
    with unit_of_work():
        chunk = _locked(PrintBatchChunk, chunk_id)
        if chunk is None or chunk.status in ("done", "failed"):
            return None
        batch = _locked(PrintBatch, chunk.batch_id)
        if batch.status not in WAITING:
            return None
        if chunk.index >= batch.chunks:
            chunk.status, chunk.lease_until = "done", None
            return None
        if chunk.status == "running" and chunk.lease_until is not None and chunk.lease_until > now:
            return chunk.lease_until - now
        chunk.status, chunk.lease_until, chunk.error = "running", now + chunk_lease(), None
        chunk.attempts += 1
        chunk.claimed_by = f"{socket.gethostname()}:{os.getpid()}"[:120]
        batch.status, batch.queue_missed_at = "running", None
        if batch.lease_until is None or batch.lease_until < chunk.lease_until:
            batch.lease_until = chunk.lease_until
        return batch.id, chunk.index, batch.base_url


def _prepare(chunk_id: int):
    """(planned, skipped, render jobs) of one chunk (its own row's share of the set): read in the current
    transaction."""
    chunk = db.session.get(PrintBatchChunk, chunk_id)
    batch = db.session.get(PrintBatch, chunk.batch_id)
    candidates = [ops.Candidate.from_json(item) for item in chunk.items or []]
    planned, skipped = ops.plan(batch.fair, candidates, batch.created_by, ops.templates_of(batch.fair))
    return planned, skipped, [(p.design, p.face, p.new is not None) for p in planned]


Rendered = tuple[list[Stored], "bytes | None", "dict[str, bytes] | None"]


def _render_here(render_jobs) -> Rendered:
    """render_for_store in this process (with batches.render_chunk: what a test may replace). In a Celery
    worker, on a thread of its own: a task runs deep in Celery's and Flask's frames, and there CPython 3.11
    gave the QR encoder's recursion a new 16 KB frame-stack chunk (mmap) and took it back (munmap) on
    almost every call, at a chunk's edge (python/cpython#142183, fixed in 3.13): 16,000 mappings and a
    third more CPU a chunk. A new thread's frames start at the bottom of a stack of their own."""
    packed = bool(current_app.config.get("CERTIFICATE_PACKED"))
    if jobs.mode() != "celery":
        return render_for_store(render_jobs, packed, render_chunk)
    with ThreadPoolExecutor(1, thread_name_prefix="render") as own_stack:
        return own_stack.submit(render_for_store, render_jobs, packed, render_chunk).result()


def _render(render_jobs) -> Rendered:
    """Render a chunk and hash (and pack) its new certificates: in the process pool when this process may
    have one (a Celery worker's process may not: it renders itself, and its siblings share the work), else
    here. Returns (the new certificates as stored, the chunk's PDF, the artwork their packs leave out)."""
    workers = int(current_app.config.get("CERTIFICATE_WORKERS", 2))
    if jobs.mode() == "celery" or multiprocessing.current_process().daemon:
        workers = 0
    executor = pool(workers)
    if executor is None:
        return _render_here(render_jobs)
    try:
        return executor.submit(render_for_store, render_jobs,
                               bool(current_app.config.get("CERTIFICATE_PACKED"))).result()
    except BrokenProcessPool:  # a render process died (out of memory?): a new pool next time
        shutdown_pool(wait=False)
        return _render_here(render_jobs)


def _store(planned, rendered: Rendered, batch: PrintBatch):  # (the chunk's PDF key, its certificates)
    own, merged, shared = rendered
    if current_app.config.get("CERTIFICATE_PACKED"):  # small: batch_render
        certificates = save_packed(planned, own, batch.created_by, batch.fair, shared)
    else:
        certificates = ops.save_new(planned, [o.data for o in own], batch.created_by, batch.fair)
    return (storage().save(merged, "pdf") if merged else ""), certificates


def _finish_chunk(chunk_id: int, batch_id: int, planned, skipped: int, rendered: Rendered, *, merge: bool) -> str:
    """Store the rendered chunk (one unit of work, under the chunk's lock): its new certificates and its PDF,
    unless another worker stored it first; then, under the batch's lock too, the batch's progress. The
    files are written before the batch is locked, so the chunks of a batch store at once (on S3, a
    chunk's uploads took the batch's lock from every other worker for a quarter of a second). The last
    chunk asks for the merge (`merge`) once this commits."""
    with unit_of_work():
        chunk = _locked(PrintBatchChunk, chunk_id)
        if chunk.status == "done":
            return "duplicate"  # another worker stored it (its lease had run out): nothing twice
        batch = db.session.get(PrintBatch, batch_id)  # who asked, the fair: never change
        try:
            with savepoint():
                key, certificates = _store(planned, rendered, batch)
        except IntegrityError:
            # Another batch issued some of these subjects meanwhile: the savepoint undid our rows and
            # deleted the files it stored; plan again (finding theirs) and render again, here.
            planned, skipped, render_jobs = _prepare(chunk_id)
            key, certificates = _store(planned, _render_here(render_jobs), batch)
        batch = _locked(PrintBatch, batch_id)  # the progress, as the other chunks left it
        now = utcnow()
        chunk.pdf_key, chunk.certificate_ids = key, [c.id for c in certificates]
        chunk.pages = len(chunk.certificate_ids)
        batch.done = min(batch.total, batch.done + len(chunk.items or []))  # each chunk counted once
        batch.skipped += skipped
        batch.lease_until = now + LEASE
        chunk.status, chunk.lease_until, chunk.finished_at, chunk.error = "done", None, now, None
        if merge and batch.done >= batch.total:
            enqueue(merge_batch, batch_id)
    return "done"


def _chunk_failed(chunk_id: int, error: Exception, attempt: int, task) -> str:
    """The chunk could not be done: Celery tries it again later (with backoff) while it has tries left;
    then (at once in the local modes) the chunk and its batch are failed, and the page says so."""
    message = f"{type(error).__name__}: {error}"[:2000]
    retry = task is not None and attempt < (task.max_retries or 0)
    now = utcnow()
    with unit_of_work():
        chunk = _locked(PrintBatchChunk, chunk_id)
        if chunk is None or chunk.status == "done":
            return "done"
        batch = _locked(PrintBatch, chunk.batch_id)
        chunk.error = message
        if retry:
            countdown = RETRY_BASE * 2 ** attempt
            chunk.status, chunk.queued_at = "queued", now
            chunk.lease_until = now + timedelta(seconds=countdown) + chunk_lease()  # the sweep waits for it
            after_commit(partial(_retry, task, countdown))
            return "retrying"
        chunk.status, chunk.lease_until = "failed", None
        if batch.status in WAITING:
            batch.status, batch.error, batch.lease_until = "failed", message, None
    return "failed"


def _retry(task, countdown: float) -> None:
    try:
        task.retry(countdown=countdown, throw=False)
    except Exception as error:  # noqa: BLE001  (the broker is down: the sweep sends it once it is back)
        log.warning("could not queue the retry of %s: %s", task.request.id, error)


def _again_later(chunk_id: int, wait: timedelta) -> None:
    """A chunk another worker holds: ask for this job again for when its lease runs out (that worker may
    have died: Celery gave us its task); if it finishes first, the job then finds it done."""
    try:
        run_chunk.task.apply_async(args=(chunk_id,), countdown=wait.total_seconds() + 1, retry=False)
    except Exception as error:  # noqa: BLE001  (the sweep takes it once its lease ran out)
        log.warning("could not queue chunk %s again: %s", chunk_id, error)


def do_chunk(chunk_id: int, *, attempt: int = 0, task=None, merge: bool = True) -> str:
    """One chunk, start to end: claimed, planned, rendered, stored (each step its own unit of work; no
    transaction is open while it renders). Returns what happened: done, duplicate, busy, skipped,
    retrying or failed."""
    claimed = _claim_chunk(chunk_id)
    if claimed is None:
        return "skipped"
    if isinstance(claimed, timedelta):
        if task is not None:
            _again_later(chunk_id, claimed)
        return "busy"
    batch_id, index, base_url = claimed
    # A request on the address the batch was asked from: its QR codes name that site.
    with current_app.test_request_context(base_url=base_url or ops.public_base_url()):
        try:
            with unit_of_work(write=False):  # what the chunk issues is read in one transaction
                planned, skipped, render_jobs = _prepare(chunk_id)
            rendered = _render(render_jobs)
            return _finish_chunk(chunk_id, batch_id, planned, skipped, rendered, merge=merge)
        except Exception as error:  # noqa: BLE001  (told on the chunk and, after its last try, the batch)
            log.exception("certificate batch %s, chunk %s failed", batch_id, index)
            return _chunk_failed(chunk_id, error, attempt, task)


@job("print", own_units=True, max_retries=3)
def run_chunk(chunk_id: int, *, attempt: int = 0, task=None) -> str:
    """A chunk of a print batch, as a job (Celery's "print" queue, or this process)."""
    return do_chunk(chunk_id, attempt=attempt, task=task)


@job("print")
def merge_batch(batch_id: int, *, attempt: int = 0, task=None) -> str:
    """Join a finished batch's chunks into its result, once: under the batch's lock, and only while it is
    not done (a second merge asked for finds it done)."""
    batch = _locked(PrintBatch, batch_id)
    if batch is None or batch.status not in WAITING:
        return "skipped"
    if unfinished(batch_id):
        return "waiting"
    with current_app.test_request_context(base_url=batch.base_url or ops.public_base_url()):
        _merge(batch)
    return "done"


def _merge(batch: PrintBatch) -> None:
    """Join the chunk PDFs into the result, streamed (a chunk merged while the next two are read: prefetched;
    written to a temporary file, each piece of artwork once, that file to the store: Storage.save_file); the
    batch is done. The chunk files stay: staff may have printed from them while the rest rendered, and may
    print a chunk again. The batch's JSON maps of chunk keys and certificate ids are written here, once
    (readers of a finished batch)."""
    store = storage()
    rows = db.session.execute(select(PrintBatchChunk.index, PrintBatchChunk.pdf_key, PrintBatchChunk.certificate_ids)
                              .where(PrintBatchChunk.batch_id == batch.id).order_by(PrintBatchChunk.index)).all()
    with tempfile.TemporaryFile() as out:
        pages = merge_pdfs(prefetched([partial(store.read, key) for _, key, _ in rows if key]), out, batch.title)
        if pages:
            out.seek(0)
            batch.result_key = store.save_file(out, "pdf")
    batch.chunk_keys = {str(index): key or "" for index, key, _ in rows}
    batch.certificate_ids = {str(index): ids or [] for index, _, ids in rows}
    batch.status = "done"
    batch.done = batch.total
    batch.finished_at = utcnow()
    batch.lease_until = None
    batch.queue_missed_at = None


from .batch_local import claim, run, run_waiting, send_here  # noqa: E402,F401
