"""Print batches as jobs on a real broker: a Redis server of the module's own and Celery workers started as
production starts them (`celery -A fairapp.worker worker -Q print`, with DATABASE_URL, CELERY_BROKER_URL and
the instance folder in the environment), or in a thread of this process.

- Two workers (two processes, as on two machines) share one batch: each chunk is claimed once, every
  certificate is issued once, and the merged PDF has each one's page once, in order.
- A worker killed with SIGKILL in the middle of a chunk: its task comes back (acks_late, the visibility
  timeout), another worker takes the chunk once its lease ran out, and the batch completes with nothing
  issued or printed twice.
- A chunk whose render fails is retried by Celery and the batch completes.
- Redis down when the batch is made: the page answers and says the batch is queued and starts by itself;
  nothing is lost; the sweep sends its chunks once Redis is back and a worker runs it once.
"""
from __future__ import annotations

import hashlib
import io
import logging
import os
import shutil
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from types import SimpleNamespace
from pathlib import Path

import pytest
from celery.contrib.testing.worker import start_worker
from pypdf import PdfReader

from fairapp import create_app
from fairapp.accounts.models import User
from fairapp.certificates import batches, printing
from fairapp.certificates.batch_render import read_certificate
from fairapp.certificates.models import Certificate, PrintBatch, PrintBatchChunk
from fairapp.core import jobs
from fairapp.core.storage import storage
from fairapp.core.transaction import unit_of_work
from fairapp.extensions import db as _db
from fairapp.extensions import limiter
from fairapp.fairs.models import Fair
from tests.certificates.world import build_cert_world
from tests.core.test_jobs import _redis, _redis_server, broker  # noqa: F401  (fixtures)

pytestmark = pytest.mark.skipif(shutil.which("redis-server") is None,
                                reason="redis-server missing: scripts/system-deps.sh installs it")

ROOT = Path(__file__).resolve().parents[2]
NAMES = "\n".join(f"นายทดสอบ งานพิมพ์{i:03d} | ชุมชนที่ {i}" for i in range(1, 61))
LEASE = 3  # seconds a worker holds a chunk here (production: batches.CHUNK_LEASE)
SHORT_LEASE = "tests.certificates.print_worker"  # fairapp.worker with that lease and visibility timeout


@pytest.fixture
def w(db):
    """The world's ids only: its rows are read again in the Celery app's own session (a row of the test's
    session loaded under the other app would hold a connection of that app's engine past its disposal)."""
    world = build_cert_world(db)
    return SimpleNamespace(fair_id=world.fair.id, staff_id=world.staff.id)


def _forget_broker_connections() -> None:
    """Celery keeps the connection pool of the broker it first used: a module with a Redis of its own (here,
    tests/core/test_jobs.py) must not inherit this module's, nor this one theirs."""
    jobs.celery._pool = None
    if "amqp" in jobs.celery.__dict__:
        jobs.celery.amqp._producer_pool = None


@pytest.fixture
def print_app(app, db, broker, monkeypatch):
    """The app in Celery mode on the test's database and files; a short chunk lease and visibility timeout."""
    shared = {k: app.config[k] for k in ("SQLALCHEMY_DATABASE_URI", "SECRET_KEY", "MAIL_OUTBOX_DIR",
                                          "PASSWORD_HASH_METHOD", "BASE_URL")}
    flask_app = create_app({"TESTING": True, "WTF_CSRF_ENABLED": False, "SESSION_COOKIE_SECURE": False,
                            "JOBS_MODE": "celery", "CELERY_BROKER_URL": broker["url"],
                            "CELERY_VISIBILITY_TIMEOUT": LEASE, "CERTIFICATE_CHUNK_LEASE": LEASE,
                            "UPLOAD_DIR": str(Path(app.instance_path) / "uploads"), **shared})
    flask_app.instance_path = app.instance_path
    monkeypatch.setattr(batches, "CHUNK_SIZE", 10)
    _forget_broker_connections()
    try:
        yield flask_app
    finally:
        with flask_app.app_context():
            _db.engine.dispose()
        jobs.init_app(app)  # the global Celery app back to the session app's (inline) settings
        limiter.init_app(app)  # and the global limiter (the celery app counted in its Redis)
        _forget_broker_connections()


@pytest.fixture
def workers(print_app, broker, app):
    """Start `celery -A fairapp.worker worker -Q print` processes as production does; killed after."""
    # The test's instance folder: the same files (UPLOAD_DIR) and signing key as this process.
    env = {**os.environ, "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"], "CELERY_BROKER_URL": broker["url"],
           "FAIRAPP_INSTANCE": app.instance_path, "SECRET_KEY": app.config["SECRET_KEY"],
           "BASE_URL": app.config["BASE_URL"], "FAIRAPP_TEST_LEASE": str(LEASE)}
    env.pop("JOBS_MODE", None)
    env.pop("PYTHONTRACEMALLOC", None)
    started: list[subprocess.Popen] = []

    def start(name: str, concurrency: int = 1, module: str = "fairapp.worker") -> subprocess.Popen:
        process = subprocess.Popen(
            [str(Path(sys.executable).parent / "celery"), "-A", module, "worker", "-Q", "print",
             "-c", str(concurrency), "-n", f"{name}@%h", "--without-gossip", "--without-mingle",
             "--without-heartbeat", "-l", "warning"],
            cwd=ROOT, env=env, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        started.append(process)
        return process

    def ready(count: int, timeout: float = 40) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if len(jobs.celery.control.ping(timeout=0.5) or []) >= count:
                return
            dead = [p for p in started if p.poll() is not None]
            assert not dead, dead[0].stderr.read().decode()[-3000:]
        raise AssertionError(f"{count} worker(s) not ready")

    start.ready = ready
    try:
        yield start
    finally:
        for process in started:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(10)
            process.stderr.close()


@contextmanager
def _thread_worker():
    """A worker in a thread of this process (the print and default queues)."""
    root = logging.getLogger()
    saved = root.level, list(root.handlers)
    try:
        with start_worker(jobs.celery, pool="threads", concurrency=2, perform_ping_check=False,
                          queues=["print", "default"], shutdown_timeout=30):
            yield
    finally:
        root.setLevel(saved[0])
        root.handlers[:] = saved[1]


def _make_batch(print_app, w) -> int:
    """A batch of 60 (six chunks of 10) made as a request makes it: its chunks go to the broker after the
    commit. (The world's rows are read in this app's own session.)"""
    with print_app.test_request_context(), unit_of_work():
        batch = printing.create_batch(_db.session.get(Fair, w.fair_id), "participant",
                                      _db.session.get(User, w.staff_id), names=NAMES)
    return batch.id


def _wait_for(predicate, timeout=60.0, step=0.1) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        _db.session.rollback()
        _db.session.expire_all()
        if predicate():
            return True
        time.sleep(step)
    return False


def _batch(batch_id: int) -> PrintBatch:
    return _db.session.get(PrintBatch, batch_id)


def _chunks(batch_id: int) -> list[PrintBatchChunk]:
    return _db.session.query(PrintBatchChunk).filter_by(batch_id=batch_id).order_by(PrintBatchChunk.index).all()


def _assert_issued_and_merged_once(batch_id: int) -> None:
    """Every certificate issued once, each chunk stored once, the merged PDF has each page once in order."""
    _db.session.expire_all()
    batch = _batch(batch_id)
    assert batch.status == "done", (batch.status, batch.error)
    certificates = _db.session.query(Certificate).all()
    assert len(certificates) == 60 and len({c.subject_key for c in certificates}) == 60
    ids = batches.certificate_ids(batch)
    assert sorted(ids) == sorted(c.id for c in certificates)  # each once in the batch's pages
    pages = [page.extract_text() for page in PdfReader(io.BytesIO(storage().read(batch.result_key))).pages]
    assert len(pages) == 60
    by_id = {c.id: c for c in certificates}
    for text, cert_id in zip(pages, ids):  # page n is certificate n, and no other serial is on it
        assert by_id[cert_id].grouped_serial in text
    for cert in certificates:
        assert sum(cert.grouped_serial in text for text in pages) == 1
        assert hashlib.sha256(read_certificate(storage(), cert.pdf_key)).hexdigest() == cert.pdf_sha256
    assert all(c.status == "done" for c in _chunks(batch_id))


def test_two_worker_processes_share_one_batch(print_app, workers, w):
    workers("print1")
    workers("print2")
    workers.ready(2)
    with print_app.app_context():
        batch_id = _make_batch(print_app, w)
        assert len(_chunks(batch_id)) == 6
        assert _wait_for(lambda: _batch(batch_id).status in ("done", "failed")), _batch(batch_id).status
        _assert_issued_and_merged_once(batch_id)
        chunks = _chunks(batch_id)
        assert [c.attempts for c in chunks] == [1] * 6  # each chunk claimed once
        assert len({c.claimed_by for c in chunks}) == 2  # by both workers


def test_a_worker_killed_mid_chunk_and_the_batch_still_completes_once(print_app, workers, w):
    first = workers("doomed", module=SHORT_LEASE)
    workers.ready(1)
    with print_app.app_context():
        batch_id = _make_batch(print_app, w)

        def mid_batch() -> bool:
            chunks = _chunks(batch_id)
            return any(c.status == "done" for c in chunks) and any(c.status == "running" for c in chunks)
        assert _wait_for(mid_batch, step=0.02)
        os.killpg(first.pid, signal.SIGKILL)  # kill -9, in the middle of a chunk
        first.wait(10)
        _db.session.rollback()
        _db.session.expire_all()
        killed = [c.index for c in _chunks(batch_id) if c.status == "running"]
        assert killed, [c.status for c in _chunks(batch_id)]
        assert _batch(batch_id).status == "running"

        workers("rescuer", concurrency=2, module=SHORT_LEASE)  # its task comes back after the visibility timeout
        assert _wait_for(lambda: _batch(batch_id).status in ("done", "failed"), timeout=90), \
            [(c.index, c.status, c.attempts) for c in _chunks(batch_id)]
        _assert_issued_and_merged_once(batch_id)
        chunks = _chunks(batch_id)
        for index in killed:  # taken again, by the other worker
            assert chunks[index].attempts >= 2 and not chunks[index].claimed_by.endswith(f":{first.pid}")


def test_a_chunk_that_fails_once_is_retried_and_the_batch_completes(print_app, w, monkeypatch):
    real = batches.render_chunk
    calls = []

    def fails_first(render_jobs):
        calls.append(1)
        if len(calls) == 2:
            raise OSError("the disk was busy")
        return real(render_jobs)
    monkeypatch.setattr(batches, "render_chunk", fails_first)
    monkeypatch.setattr(batches, "RETRY_BASE", 0.2)
    with print_app.app_context():
        batch_id = _make_batch(print_app, w)
        with _thread_worker():
            assert _wait_for(lambda: _batch(batch_id).status in ("done", "failed"))
        _assert_issued_and_merged_once(batch_id)
        assert sorted(c.attempts for c in _chunks(batch_id)) == [1] * 5 + [2]


def test_redis_down_when_the_batch_is_made_says_queued_and_the_sweep_runs_it(print_app, broker, w):
    client = print_app.test_client()
    with client.session_transaction() as session:
        session["_user_id"], session["_fresh"] = str(w.staff_id), True
    broker["process"].terminate()
    broker["process"].wait(10)
    started = time.monotonic()
    response = client.post(f"/fairs/{w.fair_id}/certificates/batches", data={"kind": "participant", "names": NAMES})
    assert response.status_code == 302 and time.monotonic() - started < 15
    page = client.get(response.headers["Location"])
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "ชุดนี้อยู่ในคิวแล้ว" in html and "จะเริ่มออกเกียรติบัตรเองเมื่อระบบกลับมาทำงาน" in html
    with print_app.app_context():
        batch = _db.session.query(PrintBatch).one()
        batch_id = batch.id
        assert batch.status == "queued" and batch.queue_missed_at is not None
        assert len(_chunks(batch.id)) == 6 and _db.session.query(Certificate).count() == 0
        progress = client.get(f"/certificates/batches/{batch.id}/progress").get_json()
        assert progress["waiting"] is True and progress["resumed"] is False  # the sweep's job, not the page's

    with _redis(broker["port"], broker["dir"]) as process:
        broker["process"] = process
        with print_app.app_context():
            with jobs.job_context(print_app):
                assert batches.sweep_batches() == 6
                assert batches.sweep_batches() == 0  # asked for once: a second beat sends nothing more
            with _thread_worker():
                assert _wait_for(lambda: _batch(batch_id).status in ("done", "failed"))
            _assert_issued_and_merged_once(batch_id)
            assert [c.attempts for c in _chunks(batch_id)] == [1] * 6
            html = client.get(f"/certificates/batches/{batch_id}").get_data(as_text=True)
            assert "ชุดนี้อยู่ในคิวแล้ว" not in html and "ดาวน์โหลด PDF เพื่อพิมพ์" in html
