"""Jobs on a real broker: a Redis server of the test's own and a Celery worker (in a thread of this process,
so a test can make the mail server refuse). Mail is the job here; the same core.jobs runs the others.

- A mail queued by a request is delivered by the worker, not by the request.
- A mail server that refuses: the job retries with backoff, the row tells every attempt; after the last one
  the mail is failed, shown to admins, and sent again from /admin/mail.
- Redis down when the request commits: the request still answers at once, the mail row waits, and the sweep
  sends it once Redis is back. Nothing is lost, nothing is sent twice.
"""
from __future__ import annotations

import logging
import shutil
import socket
import subprocess
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
from celery.contrib.testing.worker import start_worker

from fairapp import create_app
from fairapp.core import jobs, mail
from fairapp.core.mail import MailMessage
from fairapp.extensions import db as _db
from fairapp.extensions import limiter
from tests.factories import create_user

pytestmark = pytest.mark.skipif(shutil.which("redis-server") is None,
                                reason="redis-server missing: scripts/system-deps.sh installs it")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_port(port: int) -> None:
    deadline = time.monotonic() + 10
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


@contextmanager
def _redis(port: int, folder: Path):
    process = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                                "--appendonly", "no", "--dir", str(folder)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait_port(port)
        yield process
    finally:
        process.terminate()
        process.wait(10)


@pytest.fixture(scope="module")
def _redis_server(tmp_path_factory):
    """One Redis for the module (Celery keeps its connection pool for the URL it first used)."""
    port, folder = _free_port(), tmp_path_factory.mktemp("redis")
    state = {"url": f"redis://127.0.0.1:{port}/0", "port": port, "dir": folder}
    with _redis(port, folder) as process:
        state["process"] = process
        yield state
        process = state["process"]  # a test may have restarted it
    if state["process"].poll() is None:
        state["process"].terminate()


@pytest.fixture
def broker(_redis_server):
    """The module's Redis, running and empty."""
    if _redis_server["process"].poll() is not None:
        _redis_server["process"] = subprocess.Popen(
            ["redis-server", "--port", str(_redis_server["port"]), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(_redis_server["dir"])],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _wait_port(_redis_server["port"])
    import redis
    redis.Redis.from_url(_redis_server["url"]).flushall()
    return _redis_server


@pytest.fixture
def celery_app(app, db, broker):
    """The app in Celery mode on the test's database and outbox; the session's app is put back after."""
    shared = {k: app.config[k] for k in ("SQLALCHEMY_DATABASE_URI", "SECRET_KEY", "MAIL_OUTBOX_DIR",
                                          "PASSWORD_HASH_METHOD", "BASE_URL")}
    flask_app = create_app({"TESTING": True, "WTF_CSRF_ENABLED": False, "SESSION_COOKIE_SECURE": False,
                            "JOBS_MODE": "celery", "CELERY_BROKER_URL": broker["url"], **shared})
    flask_app.instance_path = app.instance_path
    try:
        yield flask_app
    finally:
        with flask_app.app_context():
            _db.engine.dispose()
        jobs.init_app(app)  # the global Celery app back to the session app's (inline) settings
        limiter.init_app(app)  # and the global limiter (the celery app counted in its Redis)


@contextmanager
def _worker():
    root = logging.getLogger()
    saved = root.level, list(root.handlers)  # the worker sets up logging for the process: put it back
    try:
        with start_worker(jobs.celery, pool="threads", concurrency=2, perform_ping_check=False,
                          queues=list(jobs.QUEUES), shutdown_timeout=20):
            yield
    finally:
        root.setLevel(saved[0])
        root.handlers[:] = saved[1]


def _wait_for(predicate, timeout=20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        _db.session.expire_all()
        if predicate():
            return True
        time.sleep(0.1)
    return False


def _mails():
    return _db.session.query(MailMessage).order_by(MailMessage.id).all()


def _ask_for_reset(flask_app, email="mali@example.org"):
    client = flask_app.test_client()
    started = time.monotonic()
    response = client.post("/password/forgot", data={"email": email})
    return response, time.monotonic() - started


def test_a_mail_queued_by_a_request_is_delivered_by_a_worker(celery_app, outbox):
    create_user("mali@example.org")
    response, _ = _ask_for_reset(celery_app)
    assert response.status_code == 302
    [message] = _mails()
    assert message.status == "queued" and outbox() == []  # the request only handed it over
    with _worker():
        assert _wait_for(lambda: _mails()[0].status == "sent"), _mails()[0].status
    [message] = _mails()
    assert message.attempts == 1 and message.sent_at is not None
    [sent] = outbox()
    assert sent.to == "mali@example.org" and "ตั้งรหัสผ่านใหม่" in sent.subject


def test_a_refusing_mail_server_is_retried_with_backoff_then_shown_and_resent(celery_app, outbox, monkeypatch,
                                                                              client, login_as):
    create_user("mali@example.org")
    refusals = []

    def refusing(message):
        refusals.append(time.monotonic())
        raise ConnectionRefusedError(111, "Connection refused")

    monkeypatch.setattr(mail, "transmit", refusing)
    monkeypatch.setattr(mail, "RETRY_BASE", 0.5)  # 0.5 s, 1 s, 2 s...: the same curve, faster
    monkeypatch.setattr(mail.deliver.task, "max_retries", 2)
    _ask_for_reset(celery_app)
    with _worker():
        assert _wait_for(lambda: _mails()[0].status == "failed", timeout=30), _mails()[0].status
    [message] = _mails()
    assert message.attempts == 3 and "Connection refused" in message.last_error
    gaps = [b - a for a, b in zip(refusals, refusals[1:])]
    assert len(refusals) == 3 and gaps[0] >= 0.4 and gaps[1] >= 0.9  # it waited, longer each time
    assert outbox() == []

    # An admin sees it and sends it again (the session's app: inline, so it goes at once).
    monkeypatch.undo()
    login_as(create_user("admin@example.org", admin=True))
    page = client.get("/admin/mail?status=failed").get_data(as_text=True)
    assert "ส่งไม่สำเร็จ" in page and "mali@example.org" in page
    detail = client.get(f"/admin/mail/{message.id}").get_data(as_text=True)
    assert "Connection refused" in detail and "ส่งอีกครั้ง" in detail
    from tests.conftest import csrf_token_from
    response = client.post(f"/admin/mail/{message.id}/resend", data={"csrf_token": csrf_token_from(detail)})
    assert response.status_code == 302
    [message] = _mails()
    assert message.status == "sent" and message.attempts == 4
    assert [m.to for m in outbox()] == ["mali@example.org"]


def test_redis_down_at_commit_loses_nothing_and_the_sweep_sends_it_once(celery_app, broker, outbox,
                                                                        monkeypatch):
    create_user("mali@example.org")
    broker["process"].terminate()
    broker["process"].wait(10)
    response, took = _ask_for_reset(celery_app)
    assert response.status_code == 302 and took < 3  # the page answered at once, the broker down or not
    [message] = _mails()
    assert message.status == "queued" and outbox() == []

    monkeypatch.setitem(celery_app.config, "MAIL_SWEEP_AFTER", 0)  # "a while ago" is now
    with _redis(broker["port"], broker["dir"]) as process:
        broker["process"] = process
        with celery_app.app_context():
            assert mail.sweep_mail() == 1
            assert mail.sweep_mail() == 1  # swept twice (two beats): still sent once below
        with _worker():
            assert _wait_for(lambda: _mails()[0].status == "sent")
            time.sleep(0.5)
    [message] = _mails()
    assert message.attempts == 1
    assert [m.to for m in outbox()] == ["mali@example.org"]


def test_healthz_tells_the_broker_apart_and_stays_up_without_it(celery_app, broker):
    client = celery_app.test_client()
    body = client.get("/healthz").get_json()
    assert body["database"] == "ok" and body["broker"] == "ok" and body["jobs"] == "celery"
    broker["process"].terminate()
    broker["process"].wait(10)
    response = client.get("/healthz")
    assert response.status_code == 200  # pages still serve; queued work waits in the database
    assert response.get_json()["broker"] == "down"


def test_run_here_runs_a_job_in_its_own_context_and_says_none_when_it_fails(app, caplog):
    """jobs.run_here: the public way to run a job now in this process (the print batch's chunk threads)."""
    from flask import g

    from fairapp.core import jobs as core_jobs

    seen = {}

    def fine(value):
        seen["g"] = id(g._get_current_object())
        g.mark = value
        return value * 2

    def broken(value):
        raise RuntimeError("no paper")

    fine.name, broken.name = "fine", "broken"
    with app.app_context():
        outer = id(g._get_current_object())
        assert core_jobs.run_here(app, fine, 21) == 42
        assert seen["g"] != outer and "mark" not in g  # its own app context
        assert core_jobs.run_here(app, broken, 1) is None
    assert "job broken(1,) failed" in caplog.text


def test_a_serving_process_runs_the_schedule_and_a_test_app_never_does(app, monkeypatch):
    """`make run`'s schedule starts with the first request it serves (JOBS_MODE thread); a test app that
    serves in thread mode (the browser tests) must not start it, or its sweeps would run inside later tests."""
    started = []
    monkeypatch.setattr(jobs, "_timer", None)
    monkeypatch.setattr(jobs._Timer, "start", lambda self: started.append(self.app))
    monkeypatch.setitem(app.config, "JOBS_MODE", "thread")
    jobs.start_timer(app)
    assert started == [] and jobs._timer is None
    app.testing = False
    try:
        jobs.start_timer(app)
        jobs.start_timer(app)  # once a process
    finally:
        app.testing = True
    assert started == [app] and jobs._timer is not None
