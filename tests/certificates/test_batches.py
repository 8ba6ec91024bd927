"""Print batches: chunked, resumable without redoing finished chunks, rendered by a process pool on
both cores, run in a background thread with progress, merged into one PDF in set order."""
import io
import threading
import time

import pytest
from pypdf import PdfReader

from fairapp.certificates import batches, operations as ops
from fairapp.certificates.models import Certificate, PrintBatch
from fairapp.core.storage import storage

from tests.certificates.world import build_cert_world

NAMES = "\n".join(f"นายทดสอบ ผู้ใหญ่{i:03d} | ชุมชนที่ {i}" for i in range(1, 61))


@pytest.fixture
def w(db):
    return build_cert_world(db)


def _participant_batch(w, app, size=10):
    with app.test_request_context():
        candidates = ops.participant_candidates(w.fair, NAMES)
        batch = batches.create(w.fair, "participant", candidates, w.staff, "ผู้เข้าร่วมงาน", chunk_size=size)
        from fairapp.extensions import db
        db.session.commit()
        return batch.id


def _pages_text(data: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


def test_an_interrupted_batch_resumes_without_redoing_finished_chunks(app, w, db):
    batch_id = _participant_batch(w, app)
    with app.test_request_context():
        assert batches.claim(batch_id)
        batches.run(batch_id, stop_after=2)  # "killed" after two chunks
        db.session.expire_all()
        batch = db.session.get(PrintBatch, batch_id)
        assert batch.status == "running" and batch.done == 20 and len(batches.finished_chunks(batch)) == 2
        first_ids = batches.certificate_ids(batch)
        first_serials = {c.id: c.serial for c in Certificate.query}
        assert len(first_serials) == 20
        assert not batches.claim(batch_id)  # its lease still holds: nobody else takes it yet
        batch.lease_until = None  # the lease ran out
        db.session.commit()
        assert batches.stalled(batch)
        assert batches.claim(batch_id)
        batches.run(batch_id)
        db.session.expire_all()
        batch = db.session.get(PrintBatch, batch_id)
        assert batch.status == "done" and batch.done == 60 and batch.result_key
        # The first twenty were not issued again: same rows, same serials, same order at the front.
        assert batches.certificate_ids(batch)[:20] == first_ids
        assert {c.id: c.serial for c in Certificate.query if c.id in first_serials} == first_serials
        assert Certificate.query.count() == 60
        texts = _pages_text(storage().read(batch.result_key))
        assert len(texts) == 60
        # Chunk files stay once merged: staff may print a chunk again.
        assert all(storage().exists(k) for k in batch.chunk_keys.values() if k)


def test_the_pool_renders_on_two_processes_with_the_same_result(app, w, db):
    batch_id = _participant_batch(w, app, size=8)
    app.config["CERTIFICATE_WORKERS"] = 2
    try:
        with app.test_request_context():
            assert batches.claim(batch_id)
            batches.run(batch_id)
            batch = db.session.get(PrintBatch, batch_id)
            assert batch.status == "done", batch.error
            reader = PdfReader(io.BytesIO(storage().read(batch.result_key)))
            assert len(reader.pages) == 60
            certs = {c.id: c for c in Certificate.query}
            # Each certificate's own PDF is the one its hash names, rendered in another process.
            import hashlib
            from fairapp.certificates.batch_render import read_certificate
            for cert in list(certs.values())[:5]:
                assert hashlib.sha256(read_certificate(storage(), cert.pdf_key)).hexdigest() == cert.pdf_sha256
    finally:
        app.config["CERTIFICATE_WORKERS"] = 0
        batches.shutdown_pool()


def test_a_batch_in_a_thread_shows_progress_until_done(app, client, login_as, post_form, w, db):
    app.config["JOBS_MODE"] = "thread"  # as under `make run`: chunks in this process's job threads
    try:
        login_as(w.staff)
        page = f"/fairs/{w.fair.id}/certificates"
        response = post_form(f"/fairs/{w.fair.id}/certificates/batches", {"kind": "participant", "names": NAMES},
                             page=page)
        assert response.status_code == 302
        batch_url = response.headers["Location"]
        progress = batch_url + "/progress"
        html = client.get(batch_url).get_data(as_text=True)
        assert f'data-progress="{progress.replace("http://localhost", "")}"' in html
        seen = []
        for _ in range(300):
            data = client.get(progress).get_json()
            seen.append(data["done"])
            if data["status"] in ("done", "failed"):
                break
            time.sleep(0.05)
        assert data["status"] == "done" and data["done"] == data["total"] == 60
        assert seen == sorted(seen)
        html = client.get(batch_url).get_data(as_text=True)
        assert "ดาวน์โหลด PDF เพื่อพิมพ์" in html
    finally:
        app.config["JOBS_MODE"] = "inline"


def test_the_progress_page_restarts_a_stalled_batch(app, client, login_as, w, db):
    batch_id = _participant_batch(w, app)
    login_as(w.staff)
    data = client.get(f"/certificates/batches/{batch_id}/progress").get_json()
    # Picked up once the request's unit of work ended (inline here: before the answer went out).
    assert data["ok"] is True and data["resumed"] is True and data["status"] == "queued"
    data = client.get(f"/certificates/batches/{batch_id}/progress").get_json()
    assert data == {**data, "ok": True, "resumed": False, "status": "done", "done": 60, "total": 60}


def test_a_failing_batch_says_so(app, w, db, monkeypatch):
    batch_id = _participant_batch(w, app)

    def boom(jobs):
        raise RuntimeError("disk full")
    monkeypatch.setattr(batches, "render_chunk", boom)
    with app.test_request_context():
        assert batches.claim(batch_id)
        batches.run(batch_id)
        batch = db.session.get(PrintBatch, batch_id)
        assert batch.status == "failed" and "disk full" in batch.error and Certificate.query.count() == 0


def test_a_chunk_stores_its_files_without_holding_the_batch(app, w, db, monkeypatch):
    """The chunks of a batch store at once: while one writes its certificates and PDF (on S3, 25 uploads),
    the batch's row is not locked, so the other workers' chunks are not kept waiting; the progress is
    still written under the batch's lock, after."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL only (row locks)")
    import sqlalchemy
    batch_id = _participant_batch(w, app, size=30)
    seen = []
    real_store = batches._store

    def store_and_look(planned, rendered, batch):
        with db.engine.connect() as other:  # another worker's connection
            try:
                other.execute(sqlalchemy.select(PrintBatch.id).where(PrintBatch.id == batch_id)
                              .with_for_update(nowait=True))
                seen.append("free")
            except sqlalchemy.exc.OperationalError:
                seen.append("locked")
            other.rollback()
        return real_store(planned, rendered, batch)

    monkeypatch.setattr(batches, "_store", store_and_look)
    with app.test_request_context():
        assert batches.claim(batch_id)
        batches.run(batch_id)
        batch = db.session.get(PrintBatch, batch_id)
        assert batch.status == "done" and batch.done == 60 and seen == ["free", "free"]


def test_in_a_celery_worker_a_chunk_renders_on_a_thread_of_its_own(app, monkeypatch):
    """Under CPython 3.11 a task's deep stack made the QR encoder map and unmap a frame-stack chunk on
    almost every call (batches._render_here): a Celery worker renders on a new thread, the others here."""
    seen = []

    def render(jobs):
        seen.append(threading.current_thread())
        return [], None
    monkeypatch.setattr(batches, "render_chunk", render)
    with app.app_context():
        for mode, elsewhere in (("celery", True), ("inline", False), ("thread", False)):
            monkeypatch.setitem(app.config, "JOBS_MODE", mode)
            assert batches._render_here([]) == ([], None, None)
            assert (seen[-1] is not threading.current_thread()) is elsewhere, mode
