"""Fixtures: app (migrated database: SQLite, or PostgreSQL when DATABASE_URL is set), db, client,
login_as, form posting with CSRF, a query counter, a live server and a Chromium browser."""
from __future__ import annotations

import contextvars
import os
import re
import shutil
import threading
from contextlib import contextmanager
from pathlib import Path

import pytest
from flask.globals import _cv_app
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import event, text
from werkzeug.serving import make_server

from fairapp import create_app
from fairapp.extensions import db as _db
from fairapp.extensions import limiter


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-quic",
                 "--no-first-run", "--disable-component-update", "--disable-sync"]


def pytest_report_header(config):
    url = os.environ.get("DATABASE_URL")
    return f"fairapp database: {'PostgreSQL ' + url.split('@')[-1] if url else 'SQLite (temporary file)'}"


@pytest.fixture(scope="session")
def app(tmp_path_factory):
    """The app on a freshly migrated database (Alembic migrations, not create_all)."""
    instance = tmp_path_factory.mktemp("instance")
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{instance / 'test.db'}"
    app = create_app({
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": url,
        "SECRET_KEY": "test-secret",
        "SESSION_COOKIE_SECURE": False,
        "REMEMBER_COOKIE_SECURE": False,
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        "MAIL_OUTBOX_DIR": str(instance / "mail"),
        "SERVER_NAME": None,
        "BASE_URL": "https://fair.example.org",
        "JOBS_MODE": "inline",               # jobs (mail, print batches) run right after the commit: no threads
        "CERTIFICATE_WORKERS": 0,            # render in the test process (one test runs the process pool)
    })
    app.instance_path = str(instance)
    with app.app_context():
        if _db.engine.dialect.name == "postgresql":
            with _db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
        upgrade(directory=str(Path(__file__).resolve().parent.parent / "migrations"))
    yield app
    with app.app_context():
        _db.engine.dispose()  # close pooled connections (unclosed ones warn, and warnings are errors)


@pytest.fixture
def db(app):
    """The database, emptied after each test (and the mail outbox and rate limits with it)."""
    with app.app_context():
        limiter.reset()
        yield _db
        _db.session.rollback()
        for table in reversed(_db.metadata.sorted_tables):
            _db.session.execute(table.delete())
        _db.session.commit()
        _db.session.remove()
    shutil.rmtree(app.config["MAIL_OUTBOX_DIR"], ignore_errors=True)


class FreshContextClient(FlaskClient):
    """A test client whose every request gets its own app context, as in production.

    The test body holds an app context of its own (for factories and assertions); without this,
    requests would reuse it and share `g`, the Flask-Login user cache and the database session.
    After each request the test's session is expired, so it reads what the request committed.
    """

    def open(self, *args, **kwargs):
        response = contextvars.Context().run(super().open, *args, **kwargs)
        if _cv_app.get(None) is not None:
            _db.session.expire_all()
        return response


@pytest.fixture
def client(app, db):
    app.test_client_class = FreshContextClient
    return app.test_client()


@pytest.fixture
def login_as(client):
    """login_as(user): the test client's session belongs to that user from now on."""
    def _login(user):
        with client.session_transaction() as session:
            session["_user_id"] = str(user.id)
            session["_fresh"] = True
        return client
    return _login


_TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"')


def csrf_token_from(html: str) -> str:
    match = _TOKEN.search(html)
    assert match, "page has no CSRF token"
    return match.group(1) or match.group(2)


@pytest.fixture
def post_form(client):
    """post_form(url, data, page=None): GET the page (url by default) for its CSRF token, then POST."""
    def _post(url, data, page=None, **kwargs):
        html = client.get(page or url).get_data(as_text=True)
        return client.post(url, data={**data, "csrf_token": csrf_token_from(html)}, **kwargs)
    return _post


@pytest.fixture
def count_queries(app):
    """with count_queries() as n: ... then n[0] is the number of SQL statements run."""
    @contextmanager
    def _count():
        counter = [0]

        def before(*args, **kwargs):
            counter[0] += 1

        engine = _db.engine
        event.listen(engine, "before_cursor_execute", before)
        try:
            yield counter
        finally:
            event.remove(engine, "before_cursor_execute", before)
    return _count


@pytest.fixture
def thread_sessions_for(db):
    """thread_sessions_for(n): a session factory for n racing threads (tests/race.py), on an engine with a
    connection for each. On SQLite a writing unit of work waits up to 60 s for the database's lock."""
    from sqlalchemy import create_engine
    from sqlalchemy.orm import sessionmaker

    engines = []

    def _make(n: int):
        sqlite = db.engine.dialect.name == "sqlite"
        engine = create_engine(db.engine.url, pool_size=n, max_overflow=0, pool_timeout=60,
                               **({"connect_args": {"timeout": 60}} if sqlite else {}))
        engines.append(engine)
        return sessionmaker(bind=engine, expire_on_commit=False)

    yield _make
    for engine in engines:
        engine.dispose()


@pytest.fixture
def outbox(app):
    """The mail written to the outbox folder, as OutboxMessage objects, newest first."""
    from fairapp.core.mail import outbox_messages

    def _read():
        with app.test_request_context():
            return outbox_messages()
    return _read


# ---- browser tests: a live server and Debian's chromium through Playwright ----

@pytest.fixture(scope="session")
def live_server(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: run scripts/system-deps.sh (make test does)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server, db):
    """A fresh browser context at phone width (360 x 780), Thai by default."""
    context = browser.new_context(viewport={"width": 360, "height": 780}, base_url=live_server,
                                  locale="th-TH")
    page = context.new_page()
    yield page
    context.close()
