"""What every benchmark shares: an app on a throwaway database with a bare `SELECT 1` route as the
baseline, a route check, and the measurement of one request (median time, SQL queries per request)."""
from __future__ import annotations

import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask import Blueprint  # noqa: E402
from sqlalchemy import event, text  # noqa: E402
from werkzeug.exceptions import MethodNotAllowed, NotFound  # noqa: E402

from fairapp import create_app  # noqa: E402
from fairapp.extensions import db  # noqa: E402

BASELINE = "/_bench/select1"
TEMP_DIRS: list[str] = []  # what make_app and temp_dir made: removed by cleanup()


def temp_dir(name: str) -> str:
    """A new temporary folder that cleanup() removes."""
    path = tempfile.mkdtemp(prefix=f"fairapp-bench-{name}-")
    TEMP_DIRS.append(path)
    return path


def cleanup() -> None:
    """Remove every temporary folder this run made (call it in a `finally`: also on failure or Ctrl-C)."""
    while TEMP_DIRS:
        shutil.rmtree(TEMP_DIRS.pop(), ignore_errors=True)


def json_line(figures: dict) -> None:
    """The benchmark's last line: one JSON object of its figures and ratios (floats rounded)."""
    def rounded(value):
        if isinstance(value, float):
            return round(value, 4)
        if isinstance(value, dict):
            return {k: rounded(v) for k, v in value.items()}
        if isinstance(value, list):
            return [rounded(v) for v in value]
        return value
    print(json.dumps(rounded(figures), ensure_ascii=False), flush=True)


def make_app(name: str, **config):
    """The app on a new SQLite file (or DATABASE_URL), CSRF and rate limits off, with the baseline route."""
    tmp = temp_dir(name)
    os.environ["FAIRAPP_INSTANCE"] = tmp
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{tmp}/bench.db"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SESSION_COOKIE_SECURE": False, "SECRET_KEY": "bench",
                      "RATELIMIT_ENABLED": False, "WTF_CSRF_ENABLED": False, "MAIL_OUTBOX_DIR": f"{tmp}/mail",
                      **config})
    baseline = Blueprint("bench", __name__)

    @baseline.get(BASELINE)
    def select1():
        db.session.execute(text("SELECT 1"))
        return "ok"

    app.register_blueprint(baseline)
    return app


def migrate_fresh(app) -> None:
    """Apply the migrations to an empty database (on PostgreSQL its public schema is dropped first)."""
    from flask_migrate import upgrade

    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            db.session.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
            db.session.commit()
        upgrade(directory=str(Path(__file__).resolve().parent.parent / "migrations"))


def has_route(app, path: str, method: str = "GET") -> bool:
    """True when the app answers this path (a page another feature may not have built yet)."""
    adapter = app.url_map.bind("localhost")
    try:
        adapter.match(path, method=method)
        return True
    except (NotFound, MethodNotAllowed):
        return False


def measure(call, repeat: int, engine):
    """Median seconds and mean queries per request of call() (after one warm-up request)."""
    count = [0]

    def before(*a, **k):
        count[0] += 1

    response = call()
    if response.status_code >= 400:
        return None, None, response.status_code
    event.listen(engine, "before_cursor_execute", before)
    times = []
    try:
        for _ in range(repeat):
            start = time.perf_counter()
            response = call()
            times.append(time.perf_counter() - start)
            assert response.status_code < 400, (response.status_code, response.get_data(as_text=True)[:300])
    finally:
        event.remove(engine, "before_cursor_execute", before)
    return statistics.median(times), count[0] / repeat, response.status_code
