"""The login limits hold across server processes (issue 12.7): they are counted in the database
(core.ratelimit, `fairapp+db://`), not in each process's memory, so `gunicorn -w 4` lets 10 a minute
through in all. Each hit is committed on its own connection (a request that fails still counts), a
window starts again once it has expired, and on SQLite the limiter's write never waits for the request's
own lock."""
from __future__ import annotations

import contextvars
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import insert, select

from fairapp.accounts import operations as ops
from fairapp.core import ratelimit
from fairapp.core.ratelimit import rate_limits
from fairapp.extensions import db as _db
from tests.factories import PASSWORD, create_user
from tests.limits import database_limits

ROOT = Path(__file__).resolve().parents[2]

# One server process: its own app on the test database, posting to /login as the parent asks.
WORKER = r"""
import json, sys
from fairapp import create_app
config, posts = json.loads(sys.argv[1]), json.loads(sys.argv[2])
app = create_app(config)
client = app.test_client()
codes = [client.post("/login", data={"email": email, "password": "wrong-password-1"},
                     environ_base={"REMOTE_ADDR": address}).status_code for email, address in posts]
with app.app_context():
    from fairapp.extensions import db
    db.engine.dispose()
print(json.dumps(codes))
"""


def _workers(app, posts_per_worker: list[list[tuple[str, str]]]) -> list[int]:
    """Run one process per list of (email, address) posts, all at once; the status codes of all."""
    config = {"TESTING": True, "WTF_CSRF_ENABLED": False, "SESSION_COOKIE_SECURE": False,
              **{k: app.config[k] for k in ("SQLALCHEMY_DATABASE_URI", "SECRET_KEY", "PASSWORD_HASH_METHOD",
                                            "MAIL_OUTBOX_DIR", "BASE_URL")}}
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "RATELIMIT_STORAGE_URI")}
    env.update(FAIRAPP_INSTANCE=app.instance_path, PYTHONPATH=str(ROOT))
    procs = [subprocess.Popen([sys.executable, "-c", WORKER, json.dumps(config), json.dumps(posts)],
                              cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for posts in posts_per_worker]
    codes = []
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
        codes += json.loads(out.strip().splitlines()[-1])
    return codes


def test_two_server_processes_share_the_login_limits(app, db):
    """Before: each process counted alone (memory://), so two let 16 of 16 through from one address and
    30 of 30 for one email; the limits are 10 a minute per address and 20 an hour per email."""
    # Each process: 8 posts from one address (each for another email), then 15 for one email (each from
    # another address).
    posts = [[(f"p{w}-{i}@example.org", "198.51.100.7") for i in range(8)]
             + [("target@example.org", f"203.0.113.{w * 20 + i}") for i in range(15)] for w in range(2)]
    codes = _workers(app, posts)
    per_address, per_email = codes[:8] + codes[23:31], codes[8:23] + codes[31:]
    assert sorted(per_address) == [200] * 10 + [429] * 6
    assert sorted(per_email) == [200] * 20 + [429] * 10


def _login(client, email: str, password: str = "wrong-password-1", address: str = "192.0.2.1"):
    return client.post("/login", data={"email": email, "password": password},
                       environ_base={"REMOTE_ADDR": address})


@pytest.fixture
def db_limits(app, db):
    """Posts without a CSRF token, counted in the database (the production default)."""
    app.config["WTF_CSRF_ENABLED"] = False
    try:
        with database_limits(app):
            yield
    finally:
        app.config["WTF_CSRF_ENABLED"] = True


def test_the_window_starts_again_after_it_expires(client, db, db_limits, monkeypatch):
    clock = [time.time()]
    monkeypatch.setattr(ratelimit, "_now", lambda: clock[0])
    assert [_login(client, "a@example.org").status_code for _ in range(11)] == [200] * 10 + [429]
    clock[0] += 30
    assert _login(client, "a@example.org").status_code == 429  # the same minute's window
    clock[0] += 31
    assert [_login(client, "a@example.org").status_code for _ in range(11)] == [200] * 10 + [429]


def test_a_hit_is_counted_when_the_request_rolls_back(client, db, db_limits, monkeypatch):
    def failing_authenticate(email, password):
        _db.session.execute(insert(rate_limits).values(key="written by the request", count=1,
                                                       expires_at=time.time() + 60))
        raise RuntimeError("the request fails after writing")

    monkeypatch.setattr(ops, "authenticate", failing_authenticate)
    assert [_login(client, "b@example.org").status_code for _ in range(3)] == [500] * 3
    rows = dict(db.session.execute(select(rate_limits.c.key, rate_limits.c["count"])).all())
    assert "written by the request" not in rows  # the request's own work was rolled back
    assert sorted(rows.values()) == [3, 3, 3]  # the address's two windows and the email's kept every hit


def test_concurrent_logins_on_one_database_never_wait_for_a_lock(app, db, db_limits):
    """Racing threads, half of them signing in (a writing transaction each) and half failing: exactly the
    limit gets through, nothing answers 500 and nothing waits out SQLite's busy timeout (5 s)."""
    create_user("racer@example.org")
    results: list[int] = []
    barrier = threading.Barrier(12)

    def one(i: int) -> None:
        client = app.test_client()
        barrier.wait()
        response = contextvars.Context().run(_login, client, "racer@example.org",
                                             PASSWORD if i % 2 else "wrong-password-1", "192.0.2.50")
        results.append(response.status_code)

    started = time.monotonic()
    threads = [threading.Thread(target=one, args=(i,)) for i in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert time.monotonic() - started < 4.5
    assert len(results) == 12 and 500 not in results
    assert results.count(429) == 2 and len([c for c in results if c in (200, 302)]) == 10


def test_a_long_email_counts_without_error(client, db, db_limits):
    email = "x" * 1000 + "@example.org"
    codes = [_login(client, email, address=f"192.0.2.{i}").status_code for i in range(21)]
    assert codes == [200] * 20 + [429]
    keys = db.session.scalars(select(rate_limits.c.key)).all()
    assert max(len(key) for key in keys) == 255


def test_resending_the_confirmation_is_limited(client, db, login_as, db_limits):
    """The limit sits above login_required, which reads the user: on SQLite a limit counted after that
    read would wait for the request's own write lock (before: 500 after the busy timeout)."""
    login_as(create_user("new@example.org", confirmed=False))
    codes = [client.post("/confirm/resend").status_code for _ in range(6)]
    assert codes == [302] * 5 + [429]
