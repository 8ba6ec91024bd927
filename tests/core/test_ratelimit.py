"""The database limiter storage (core.ratelimit, `fairapp+db://`): what Flask-Limiter's fixed window asks
of a `limits` storage, on SQLite and PostgreSQL; expired rows go; long keys fit; RATELIMIT_STORAGE_URI
still chooses another storage; on SQLite a limit checked too late fails at once instead of waiting for the
request's own write lock."""
from __future__ import annotations

import time

import pytest
from flask import Flask
from limits.errors import ConfigurationError
from limits.storage import MemoryStorage, storage_from_string
from sqlalchemy import insert, select, text

from fairapp import config as config_module
from fairapp.core import ratelimit
from fairapp.core.ratelimit import DatabaseStorage, LimitTooLate, rate_limits, storage_key
from fairapp.core.transaction import unit_of_work
from fairapp.extensions import limiter
from tests.limits import database_limits


@pytest.fixture
def storage(app, db):
    with database_limits(app) as storage:
        yield storage


@pytest.fixture
def clock(monkeypatch):
    now = [time.time()]
    monkeypatch.setattr(ratelimit, "_now", lambda: now[0])
    return now


def test_an_app_counts_in_its_database_by_default(monkeypatch, tmp_path, app, db):
    monkeypatch.delenv("RATELIMIT_STORAGE_URI", raising=False)  # whatever the environment says
    monkeypatch.setenv("SECRET_KEY", "x")
    flask_app = Flask(__name__, instance_path=str(tmp_path))
    config_module.load(flask_app, None)
    assert flask_app.config["RATELIMIT_STORAGE_URI"] == "fairapp+db://"
    with database_limits(app):
        assert isinstance(limiter.storage, DatabaseStorage)
        assert app.config["RATELIMIT_STRATEGY"] == "fixed-window"  # the one strategy it implements


def test_a_configured_storage_uri_still_wins(monkeypatch, tmp_path):
    flask_app = Flask(__name__, instance_path=str(tmp_path))
    monkeypatch.setenv("RATELIMIT_STORAGE_URI", "memory://")
    monkeypatch.setenv("SECRET_KEY", "x")
    config_module.load(flask_app, None)
    assert flask_app.config["RATELIMIT_STORAGE_URI"] == "memory://"
    assert isinstance(storage_from_string(flask_app.config["RATELIMIT_STORAGE_URI"]), MemoryStorage)
    monkeypatch.setenv("RATELIMIT_STORAGE_URI", "redis://redis.internal:6379/0")
    config_module.load(flask_app, None)
    assert flask_app.config["RATELIMIT_STORAGE_URI"] == "redis://redis.internal:6379/0"


def test_a_cluster_counts_in_the_brokers_redis_unless_told_otherwise(monkeypatch, tmp_path):
    monkeypatch.delenv("RATELIMIT_STORAGE_URI", raising=False)
    monkeypatch.setenv("SECRET_KEY", "x")
    monkeypatch.setenv("CELERY_BROKER_URL", "redis://127.0.0.1:6390/0")
    flask_app = Flask(__name__, instance_path=str(tmp_path))
    config_module.load(flask_app, None)
    assert flask_app.config["RATELIMIT_STORAGE_URI"] == "redis://127.0.0.1:6390/0"
    monkeypatch.setenv("RATELIMIT_STORAGE_URI", "fairapp+db://")
    config_module.load(flask_app, None)
    assert flask_app.config["RATELIMIT_STORAGE_URI"] == "fairapp+db://"


def test_the_fixed_window(storage, clock):
    assert storage.get("k") == 0 and storage.get_expiry("k") == clock[0]
    assert [storage.incr("k", 60) for _ in range(3)] == [1, 2, 3]
    assert storage.incr("k", 60, amount=2) == 5
    assert storage.get("k") == 5 and storage.get_expiry("k") == pytest.approx(clock[0] + 60)
    started = clock[0]
    clock[0] += 59
    assert storage.incr("k", 60) == 6 and storage.get_expiry("k") == pytest.approx(started + 60)
    clock[0] += 1  # the window has ended: it reads as empty, and the next hit starts a new one
    assert storage.get("k") == 0
    assert storage.incr("k", 60) == 1 and storage.get_expiry("k") == pytest.approx(clock[0] + 60)
    storage.incr("other", 60)
    storage.clear("k")
    assert storage.get("k") == 0 and storage.get("other") == 1
    assert storage.check() is True
    assert storage.reset() == 1 and storage.get("other") == 0


def test_expired_rows_are_deleted_now_and_then(storage, db, clock):
    db.session.execute(insert(rate_limits), [{"key": f"old{i}", "count": 1, "expires_at": clock[0] - 1}
                                             for i in range(3)])
    db.session.commit()
    storage.incr("new", 60)  # the first hit of this storage deletes what has expired
    assert db.session.scalars(select(rate_limits.c.key)).all() == ["new"]
    db.session.execute(insert(rate_limits).values(key="old", count=1, expires_at=clock[0] - 1))
    db.session.commit()
    storage.incr("new", 60)
    assert db.session.scalar(select(rate_limits.c.key).where(rate_limits.c.key == "old")) == "old"
    clock[0] += ratelimit.PURGE_EVERY
    storage.incr("new", 60)  # a minute later: gone
    assert db.session.scalars(select(rate_limits.c.key)).all() == ["new"]


def test_a_long_key_keeps_naming_one_limit(storage):
    one, two = "LIMITER/login:" + "a" * 600, "LIMITER/login:" + "a" * 599 + "b"
    assert len(storage_key(one)) == 255 and storage_key(one) != storage_key(two)
    assert storage_key("short") == "short"
    assert [storage.incr(one, 60), storage.incr(one, 60), storage.incr(two, 60)] == [1, 2, 1]


def test_a_hit_commits_on_its_own_connection(app, db, storage):
    with pytest.raises(RuntimeError):
        with app.test_request_context("/", method="GET"), unit_of_work(write=False):
            db.session.execute(text("SELECT 1"))
            storage.incr("kept", 60)
            raise RuntimeError("the request fails")
    assert storage.get("kept") == 1


def test_a_limit_checked_inside_a_writing_transaction(app, db, storage):
    """SQLite: the request's BEGIN IMMEDIATE holds the write lock, which the limiter's connection would
    wait for until the busy timeout (then 'database is locked'): it refuses at once instead. PostgreSQL has
    no such lock: the hit is counted."""
    sqlite = db.engine.dialect.name == "sqlite"
    with app.test_request_context("/", method="POST"), unit_of_work(write=True):
        storage.incr("early", 60)  # before the request's transaction: fine everywhere
        db.session.execute(text("SELECT 1"))
        started = time.monotonic()
        if sqlite:
            with pytest.raises(LimitTooLate):
                storage.incr("late", 60)
        else:
            assert storage.incr("late", 60) == 1
        assert time.monotonic() - started < 1
    assert storage.get("early") == 1


def test_an_in_memory_sqlite_database_is_refused(tmp_path, monkeypatch):
    """Its one connection is the request's too: the limiter's commit would commit the request's work."""
    from fairapp import create_app
    from fairapp.extensions import db

    monkeypatch.setenv("FAIRAPP_INSTANCE", str(tmp_path))
    other = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "x", "TESTING": True})
    with other.app_context():
        with pytest.raises(ConfigurationError):
            storage_from_string("fairapp+db://").incr("k", 60)
        db.engine.dispose()
