"""Print batches: a set of certificates issued and rendered into one merged PDF, in the background.

How a batch runs (`run`):
1. The set (`PrintBatch.items`, fixed when the batch was made) is cut into chunks of `chunk_size`.
2. For each chunk not yet done, this process plans it (finds existing certificates, gives new ones a
   serial and a signature) and sends it to a pool of processes (CERTIFICATE_WORKERS, both cores by
   default) that render each new certificate's own PDF and the chunk's print PDF.
3. As each chunk comes back, in order, its new certificates are stored (PDF, SHA-256, row) and the chunk's
   print PDF is saved: each chunk is its own unit of work (core.transaction.unit_of_work), with the batch's
   progress. A batch that stops (a crash, a restart) resumes at the first chunk without a PDF: finished
   work is never redone; a chunk that fails leaves nothing (its rows roll back, its files are deleted).
4. When every chunk is done, the chunk PDFs are joined into the result (pypdf) and the batch is done.

Who runs it: `start`, called once the request that made (or retried, or found stalled) the batch has
committed (`core.transaction.after_commit`, see printing.py): a thread of this app (CERTIFICATE_BATCH_MODE
"thread"), or right there, before the response goes ("inline", for tests). A worker holds a batch by a
lease in the database (`claim`), renewed chunk by chunk; the progress endpoint restarts a batch whose
lease ran out (its worker died), so any app server can pick it up. `flask certificates work` runs waiting
batches from a shell or a timer.
"""
from __future__ import annotations

import io
import logging
import os
import threading
from collections import deque
from concurrent.futures import Executor, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from datetime import timedelta
import multiprocessing

from flask import current_app
from pypdf import PdfReader, PdfWriter
from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError

from ..core.storage import delete_after_commit, storage
from ..core.time import utcnow
from ..core.transaction import savepoint, unit_of_work
from ..extensions import db
from ..fairs.models import Fair
from ..nominations.models import Category
from . import operations as ops
from .models import PrintBatch
from .queries import batch_certificate_ids as certificate_ids  # noqa: F401 (the batch's pages, in order)
from .render import Design, Face, render_pages

log = logging.getLogger(__name__)
LEASE = timedelta(seconds=30)
CHUNK_SIZE = 25

_pool: Executor | None = None
_pool_lock = threading.Lock()


# ---- rendering, in worker processes ----

def _warm() -> None:
    from ..core import pdf
    pdf.register_fonts()


def ping(_: int = 0) -> int:
    """A no-op task that makes a pool process start (fonts registered); returns its pid."""
    _warm()
    return os.getpid()


def render_chunk(jobs: list[tuple[Design, Face, bool]]) -> tuple[list[bytes], bytes | None]:
    """(the own PDFs of the jobs marked new, in order; the chunk's print PDF or None when empty).

    The chunk is rendered once, as the print PDF (each design's fixed part drawn once); each new
    certificate's own PDF is its page taken out of it with pypdf, with the images, fonts and fixed part
    it uses. That is about a third less work than drawing every certificate twice.
    """
    if not jobs:
        return [], None
    merged = render_pages([(design, face) for design, face, _ in jobs])
    own = []
    if any(new for _, _, new in jobs):
        reader = PdfReader(io.BytesIO(merged))
        for (design, face, new), page in zip(jobs, reader.pages):
            if new:
                writer = PdfWriter()
                writer.add_page(page)
                writer.add_metadata({"/Title": face.title or face.holder, "/Author": design.issuer,
                                     "/Creator": "fairapp"})
                out = io.BytesIO()
                writer.write(out)
                own.append(out.getvalue())
    return own, merged


def pool(workers: int) -> Executor | None:
    """The process pool that renders chunks (None: render in this process). Spawned, not forked: the
    app may have threads and open database connections that a fork would copy."""
    global _pool
    if workers <= 1:
        return None
    with _pool_lock:
        if _pool is None:
            _pool = ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"),
                                        initializer=_warm)
        return _pool


def shutdown_pool(wait: bool = True) -> None:
    global _pool
    with _pool_lock:
        if _pool is not None:
            _pool.shutdown(wait=wait, cancel_futures=not wait)
            _pool = None


class _Now:
    """A future for work done right here (no pool)."""

    def __init__(self, fn, *args):
        self._value = fn(*args)

    def result(self):
        return self._value


# ---- making and running batches ----

def create(fair: Fair, kind: str, candidates: list[ops.Candidate], actor, title: str,
           category: Category | None = None) -> PrintBatch:
    """A queued batch for these candidates (in the order given). Flushes."""
    batch = PrintBatch(fair_id=fair.id, kind=kind, category_id=category.id if category else None,
                       title=title[:300], items=[c.to_json() for c in candidates], chunk_size=CHUNK_SIZE,
                       chunk_keys={}, certificate_ids={}, total=len(candidates), done=0, skipped=0,
                       status="queued", created_by_id=actor.id, base_url=ops.public_base_url())
    db.session.add(batch)
    db.session.flush()
    return batch


def claim(batch_id: int) -> bool:
    """Take the batch for this worker when nobody holds it (atomic: one UPDATE, its own unit of work)."""
    now = utcnow()
    with unit_of_work():
        result = db.session.execute(
            update(PrintBatch)
            .where(PrintBatch.id == batch_id, PrintBatch.status.in_(("queued", "running")),
                   or_(PrintBatch.lease_until.is_(None), PrintBatch.lease_until < now))
            .values(status="running", lease_until=now + LEASE)
            .execution_options(synchronize_session=False))
    return result.rowcount == 1


def requeue(batch: PrintBatch) -> None:
    """A failed batch, back in the queue: it resumes at its first unfinished chunk. Flushes."""
    if batch.status == "failed":
        batch.status, batch.error, batch.lease_until = "queued", None, None
        db.session.flush()


def stalled(batch: PrintBatch) -> bool:
    """True when the batch waits for work and no live worker holds it."""
    if batch.status not in ("queued", "running"):
        return False
    return batch.lease_until is None or batch.lease_until < utcnow()


def run(batch_id: int, *, stop_after: int | None = None) -> None:
    """Run a claimed batch to the end (or, for tests, stop after `stop_after` chunks as if killed).
    Call outside any unit of work: each chunk is one."""
    try:
        _run(batch_id, stop_after)
    except Exception as error:  # a batch that cannot go on says so on its page
        log.exception("certificate batch %s failed", batch_id)
        with unit_of_work():
            batch = db.session.get(PrintBatch, batch_id)
            batch.status = "failed"
            batch.error = f"{type(error).__name__}: {error}"[:2000]
            batch.lease_until = None


def _run(batch_id: int, stop_after: int | None) -> None:
    with unit_of_work(write=False):
        batch = db.session.get(PrintBatch, batch_id)
        fair = batch.fair
        actor = batch.created_by
        candidates = [ops.Candidate.from_json(item) for item in batch.items]
        size = batch.chunk_size
        todo = [i for i in range(batch.chunks) if str(i) not in batch.chunk_keys]
        templates = ops.templates_of(fair)
    workers = int(current_app.config.get("CERTIFICATE_WORKERS", 2))
    store = storage()
    inflight: deque = deque()
    finished = 0

    def prepare(index: int):
        planned, skipped = ops.plan(fair, candidates[index * size:(index + 1) * size], actor, templates)
        return planned, skipped, [(p.design, p.face, p.new is not None) for p in planned]

    def submit(jobs):
        executor = pool(workers)
        if executor is None:
            return _Now(render_chunk, jobs)
        try:
            return executor.submit(render_chunk, jobs)
        except BrokenProcessPool:  # a render process died (out of memory?): a new pool next time
            shutdown_pool(wait=False)
            return _Now(render_chunk, jobs)

    def store_chunk(planned, own, merged):
        key = store.save(merged, "pdf") if merged else ""
        return key, ops.save_new(planned, own, actor, fair)

    def finish() -> None:
        nonlocal finished
        index, planned, skipped, jobs, future = inflight.popleft()
        try:
            own, merged = future.result()
        except BrokenProcessPool:
            shutdown_pool(wait=False)
            own, merged = render_chunk(jobs)
        with unit_of_work():  # the chunk: its certificates, its PDF and the batch's progress, or nothing
            try:
                with savepoint():
                    key, certificates = store_chunk(planned, own, merged)
            except IntegrityError:
                # Another batch issued some of these subjects meanwhile: the savepoint undid our rows and
                # deleted the files it stored; plan again (finding theirs) and render again, here.
                planned, skipped, jobs = prepare(index)
                own, merged = render_chunk(jobs)
                key, certificates = store_chunk(planned, own, merged)
            batch = db.session.get(PrintBatch, batch_id)
            batch.chunk_keys = {**batch.chunk_keys, str(index): key}
            batch.certificate_ids = {**batch.certificate_ids, str(index): [c.id for c in certificates]}
            batch.done = min(batch.total, batch.done + len(candidates[index * size:(index + 1) * size]))
            batch.skipped += skipped
            batch.lease_until = utcnow() + LEASE
        finished += 1

    for index in todo:
        if stop_after is not None and finished + len(inflight) >= stop_after:
            break
        with unit_of_work(write=False):  # what the chunk issues is read in one transaction
            planned, skipped, jobs = prepare(index)
        inflight.append((index, planned, skipped, jobs, submit(jobs)))
        if len(inflight) > max(workers, 1):
            finish()
    while inflight:
        finish()
    with unit_of_work():
        batch = db.session.get(PrintBatch, batch_id)
        if stop_after is None or len(batch.chunk_keys) >= batch.chunks:
            _merge(batch)


def _merge(batch: PrintBatch) -> None:
    """Join the chunk PDFs into the result; the batch is done. The chunk files go after the commit."""
    store = storage()
    keys = [batch.chunk_keys[str(i)] for i in range(batch.chunks)]
    writer = PdfWriter()
    pages = 0
    for key in keys:
        if key:
            before = len(writer.pages)
            writer.append(io.BytesIO(store.read(key)))
            pages += len(writer.pages) - before
    if pages:
        writer.add_metadata({"/Title": batch.title, "/Creator": "fairapp"})
        out = io.BytesIO()
        writer.write(out)
        batch.result_key = store.save(out.getvalue(), "pdf")
    batch.status = "done"
    batch.done = batch.total
    batch.finished_at = utcnow()
    batch.lease_until = None
    delete_after_commit(*keys)  # the chunks are in the result now


# ---- who runs it ----

def _thread_main(app, batch_id: int, base_url: str) -> None:
    # A request context on the address the batch was asked from: QR codes name the same site.
    with app.test_request_context(base_url=base_url):
        try:
            if claim(batch_id):
                run(batch_id)
        finally:
            db.session.remove()


def start(batch_id: int) -> None:
    """Run the batch: in a thread of this app (the default) or right here (CERTIFICATE_BATCH_MODE inline).
    Call once the batch is committed, outside any unit of work (`after_commit(partial(start, id))`)."""
    app = current_app._get_current_object()
    if app.config.get("CERTIFICATE_BATCH_MODE") == "inline":
        if claim(batch_id):
            run(batch_id)
        return
    base_url = db.session.scalar(select(PrintBatch.base_url).where(PrintBatch.id == batch_id))
    threading.Thread(target=_thread_main, args=(app, batch_id, base_url or ops.public_base_url()), daemon=True,
                     name=f"certificate-batch-{batch_id}").start()


def run_waiting(app) -> int:
    """Run every batch nobody is running (for `flask certificates work`), each in a request context on
    the site it was made from (its QR codes name that site); returns how many ran."""
    ran = 0
    with app.app_context():
        waiting = db.session.execute(select(PrintBatch.id, PrintBatch.base_url).where(
            PrintBatch.status.in_(("queued", "running"))).order_by(PrintBatch.id)).all()
    for batch_id, base_url in waiting:
        with app.test_request_context(base_url=base_url or app.config["BASE_URL"]):
            if claim(batch_id):
                run(batch_id)
                ran += 1
            db.session.remove()
    return ran
