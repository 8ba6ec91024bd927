"""Request limits kept in the database, so every server process counts against one limit.

Flask-Limiter counts in a `limits` storage named by RATELIMIT_STORAGE_URI. The default here is
`fairapp+db://`: the `rate_limits` table of the app's own database, so `gunicorn -w 4` (or several app
servers on one database) lets the login limit's 10 a minute through in all, not 10 per process. A Redis
(or any other `limits`) URI in RATELIMIT_STORAGE_URI replaces it; `memory://` counts per process again.

How a hit is counted (Flask-Limiter's default strategy, the fixed window):
- one statement, an upsert that returns the new count (`INSERT ... ON CONFLICT (key) DO UPDATE ...
  RETURNING count`); a window that has expired starts again at this hit inside the same statement, so two
  processes never both see an empty window;
- on a connection of its own from the app's engine, committed at once: a hit stays counted when the
  request that made it rolls back (a failed login must count);
- outside the request's write intent (core.transaction): on SQLite that connection takes the write lock
  only for its one statement. The request's own transaction must not hold SQLite's write lock yet when a
  limit is checked (the limiter's write would wait for it): put `@limiter.limit` above anything that reads
  the database (`@login_required` loads the user). A limit checked too late fails loudly (`LimitTooLate`),
  not after the busy timeout;
- expired rows are deleted now and then (at most once a minute per process, through the expiry index).
"""
from __future__ import annotations

import contextvars
import hashlib
import time
from typing import Callable, TypeVar

from limits.errors import ConfigurationError
from limits.storage import Storage
from sqlalchemy import Column, Float, Integer, String, Table, case, delete, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError

from ..extensions import db

rate_limits = Table(
    "rate_limits", db.metadata,
    Column("key", String(255), primary_key=True),
    Column("count", Integer, nullable=False),
    Column("expires_at", Float, nullable=False, index=True),
)

SCHEME = "fairapp+db"
KEY_LENGTH = 255
PURGE_EVERY = 60.0  # seconds between two deletions of expired rows, per process

T = TypeVar("T")


def _now() -> float:
    """Seconds since the epoch (one clock for every process of a server; tests move it)."""
    return time.time()


class LimitTooLate(RuntimeError):
    """A limit was checked after the request's SQLite transaction took the write lock."""


def storage_key(key: str) -> str:
    """The key as stored: a key longer than the column (an email key is typed by anyone) keeps its start
    and ends with its SHA-256, so it still names one limit."""
    if len(key) <= KEY_LENGTH:
        return key
    digest = hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()
    return key[:KEY_LENGTH - len(digest) - 1] + "#" + digest


def _insert_for(dialect: str):
    if dialect == "postgresql":
        return postgresql.insert
    if dialect == "sqlite":
        return sqlite.insert
    raise ConfigurationError(f"{SCHEME}:// supports PostgreSQL and SQLite, not {dialect}")


def _request_holds_sqlite_lock(engine: Engine) -> bool:
    """True when the request's session has a transaction open on an SQLite connection: in a unit of work
    that writes, that is BEGIN IMMEDIATE, and another connection's write would wait for it."""
    if engine.dialect.name != "sqlite":
        return False
    from flask import has_app_context

    if not has_app_context() or not db.session.registry.has():
        return False
    transaction = db.session().get_transaction()
    if transaction is None:
        return False
    connections = getattr(transaction, "connections", None)  # SQLAlchemy 2.1.7+
    if connections is None:
        connections = {entry[0] for entry in transaction._connections.values()}
    for conn in connections:
        if isinstance(conn, Connection) and not conn.closed and not conn.invalidated:
            if getattr(conn.connection.driver_connection, "in_transaction", False):
                return True
    return False


class DatabaseStorage(Storage):
    """A `limits` storage in the app's database (table `rate_limits`), for the fixed-window strategy.

    It is built from the URI alone (Flask-Limiter calls `storage_from_string` in init_app, before the
    models load); the engine is the current app's, found at each call, so several apps in one process
    (tests) each count in their own database.
    """

    STORAGE_SCHEME = [SCHEME]

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options) -> None:
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        self._next_purge: dict[int, float] = {}

    @property
    def base_exceptions(self) -> type[Exception] | tuple[type[Exception], ...]:
        return SQLAlchemyError

    # ---- the connection of its own ----

    @staticmethod
    def _engine() -> Engine:
        from flask import has_app_context

        if not has_app_context():
            raise RuntimeError(f"{SCHEME}:// counts in the current app's database: no app context")
        engine = db.engine
        if engine.dialect.name == "sqlite" and engine.url.database in (None, "", ":memory:"):
            # An in-memory SQLite database has one connection for all: the limiter's commit would commit
            # the request's half-done work.
            raise ConfigurationError(f"{SCHEME}:// needs a database file or server; "
                                     "set RATELIMIT_STORAGE_URI=memory:// for an in-memory database")
        return engine

    @staticmethod
    def _outside_request(fn: Callable[..., T], *args) -> T:
        # A blank context: no write intent, so core.transaction's "begin" hook leaves this connection to
        # the driver (no BEGIN IMMEDIATE for a read; one statement, one short lock for a write).
        return contextvars.Context().run(fn, *args)

    def _write(self, engine: Engine, work: Callable[[Connection], T]) -> T:
        if _request_holds_sqlite_lock(engine):
            raise LimitTooLate(
                "a request limit was checked after the request's transaction took SQLite's write lock: "
                "put @limiter.limit above the decorators that read the database (@login_required)")

        def run() -> T:
            with engine.begin() as conn:
                return work(conn)
        return self._outside_request(run)

    def _read(self, engine: Engine, statement) -> object:
        def run():
            with engine.connect() as conn:  # given back to the pool, which ends its transaction
                return conn.execute(statement).scalar()
        return self._outside_request(run)

    # ---- the Storage interface ----

    def incr(self, key: str, expiry: float, amount: int = 1) -> int:
        """Add `amount` to the key's window and return its count; an expired (or absent) window starts
        again with this hit and lasts `expiry` seconds."""
        engine = self._engine()
        insert = _insert_for(engine.dialect.name)
        now = _now()
        statement = insert(rate_limits).values(key=storage_key(key), count=amount, expires_at=now + expiry)
        expired = rate_limits.c.expires_at <= now
        statement = statement.on_conflict_do_update(
            index_elements=[rate_limits.c.key],
            set_={
                "count": case((expired, statement.excluded["count"]),
                              else_=rate_limits.c["count"] + statement.excluded["count"]),
                "expires_at": case((expired, statement.excluded.expires_at), else_=rate_limits.c.expires_at),
            },
        ).returning(rate_limits.c["count"])

        def work(conn: Connection) -> int:
            count = conn.execute(statement).scalar_one()
            if now >= self._next_purge.get(id(engine), 0.0):
                self._next_purge[id(engine)] = now + PURGE_EVERY
                conn.execute(delete(rate_limits).where(rate_limits.c.expires_at < now))
            return count
        return self._write(engine, work)

    def get(self, key: str) -> int:
        engine = self._engine()
        count = self._read(engine, select(rate_limits.c["count"]).where(
            rate_limits.c.key == storage_key(key), rate_limits.c.expires_at > _now()))
        return int(count or 0)

    def get_expiry(self, key: str) -> float:
        engine = self._engine()
        now = _now()
        expires_at = self._read(engine, select(rate_limits.c.expires_at).where(
            rate_limits.c.key == storage_key(key), rate_limits.c.expires_at > now))
        return float(expires_at) if expires_at is not None else now

    def check(self) -> bool:
        try:
            engine = self._engine()
            self._read(engine, select(func.count()).select_from(rate_limits).where(rate_limits.c.key == ""))
            return True
        except Exception:  # noqa: BLE001 — the health check answers, it does not raise
            return False

    def reset(self) -> int | None:
        engine = self._engine()
        return self._write(engine, lambda conn: conn.execute(delete(rate_limits)).rowcount)

    def clear(self, key: str) -> None:
        engine = self._engine()
        self._write(engine, lambda conn: conn.execute(delete(rate_limits).where(
            rate_limits.c.key == storage_key(key))))
