"""One unit of work per request, command or task: one commit at the end, then what waited for it.

Modelled on indico's `RH.process()` and cosmicpython's unit of work. `FairApp.dispatch_request` runs every
view inside `unit_of_work()`; CLI commands and background work use the same context manager. Inside it:
- operations flush, never commit; they queue mail (`core.mail.queue_mail`), file deletions
  (`core.storage.delete_after_commit`) and other follow-ups (`after_commit`);
- a normal end commits once, then sends the mail, deletes the files and runs the follow-ups;
- any exception rolls everything back and forgets the queues (the mail announced what did not happen,
  the files still belong to rows that remain), and deletes the files the unit stored (core.storage
  records every key it saves): a failed request leaves no orphan bytes.
`savepoint()` undoes only a part (an operation's local retry, a view's refused attempt) together with what
that part queued; `attempt()` is the view's form of it: a `DomainError` inside is shown to the user in the
one way the request asks for (core.errors.show) and the view goes on to render its page.

SQLite: a unit of work that changes state starts with BEGIN IMMEDIATE (the engine event below), so its
writes never lose a lock upgrade half-way and the rules that take row locks on PostgreSQL hold; a
savepoint always nests inside a real transaction (pysqlite would otherwise commit on its RELEASE), begun
IMMEDIATE too, so a GET that changes state inside `attempt()` takes the lock before it reads.
"""
from __future__ import annotations

import contextvars
from contextlib import contextmanager
from typing import Callable, Iterator

from flask import Flask, g, has_app_context, request
from sqlalchemy import event
from sqlalchemy.engine import Engine

from ..extensions import db
from .storage import delete_stored_since, stored_mark

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_QUEUES = ("mail_queue", "storage_deletions", "after_commit")
_write_intent: contextvars.ContextVar[bool] = contextvars.ContextVar("fairapp_write_intent", default=False)


def _queue(name: str) -> list:
    return g.setdefault(name, []) if has_app_context() else []


def after_commit(callback: Callable[[], None]) -> None:
    """Run `callback` once the unit of work has committed (never if it rolls back)."""
    _queue("after_commit").append(callback)


def _marks() -> dict[str, int]:
    return {name: len(_queue(name)) for name in _QUEUES}


def _truncate(marks: dict[str, int]) -> None:
    for name, length in marks.items():
        del _queue(name)[length:]


def _forget_queues() -> None:
    for name in _QUEUES:
        g.pop(name, None)


def _run_queues() -> None:
    from .mail import send_queued_mail
    from .storage import forget_stored

    forget_stored()
    send_queued_mail()
    for callback in g.pop("after_commit", []):
        callback()


@contextmanager
def unit_of_work(write: bool = True) -> Iterator[None]:
    """Commit once at the end and run what was queued; roll everything back on any exception.

    `write` says the work means to change state: on SQLite its transaction starts with BEGIN IMMEDIATE.
    """
    token = _write_intent.set(write)
    stored = stored_mark()  # a long app context (a CLI run, a test) may hold files of earlier units
    try:
        try:
            yield
            db.session.commit()
        except BaseException:
            db.session.rollback()
            _forget_queues()
            delete_stored_since(stored)
            raise
    finally:
        _write_intent.reset(token)
    # What follows the commit only reads (a job runs in a unit of its own): a load here must not take
    # SQLite's write lock, which an inline job right after would wait behind.
    token = _write_intent.set(False)
    try:
        _run_queues()
    finally:
        _write_intent.reset(token)


@contextmanager
def savepoint() -> Iterator[None]:
    """A part of the unit of work that can fail alone: its writes and its queued follow-ups are undone."""
    marks, stored = _marks(), stored_mark()
    _sqlite_real_transaction()
    try:
        with db.session.begin_nested():  # rolls back to the savepoint on any error, a failed flush too
            yield
    except BaseException:
        _truncate(marks)
        delete_stored_since(stored)
        raise


def abandon() -> None:
    """Give up what the request did so far (an error outside the view's unit of work, e.g. a hook)."""
    db.session.rollback()
    _forget_queues()
    delete_stored_since(0)


class Attempt:
    """What `attempt()` yields: truthy when the operations inside succeeded."""

    def __init__(self) -> None:
        self.error = None

    def __bool__(self) -> bool:
        return self.error is None


@contextmanager
def attempt(form=None, *, flash_errors: bool = True) -> Iterator[Attempt]:
    """Run operations inside a savepoint; a DomainError undoes them and is shown instead of raised.

    With a form, the error lands on its field (or above the form) and the typed input stays; without
    one it is flashed. A request that asks for JSON gets the one JSON envelope instead (the error is
    raised on to core.errors). `if outcome:` after the block tells the view whether to redirect.
    """
    from .errors import DomainError, show, wants_json

    outcome = Attempt()
    try:
        with savepoint():
            yield outcome
    except DomainError as error:
        if wants_json():
            raise
        outcome.error = error
        if form is not None or flash_errors:
            show(error, form)


class FairApp(Flask):
    """Flask whose every view runs as one unit of work (core.transaction.unit_of_work)."""

    def full_dispatch_request(self):
        # The intent is known before any before_request hook touches the database.
        token = _write_intent.set(request.method not in SAFE_METHODS)
        try:
            return super().full_dispatch_request()
        finally:
            _write_intent.reset(token)

    def dispatch_request(self):
        with unit_of_work(write=request.method not in SAFE_METHODS):
            return super().dispatch_request()


def in_write_unit() -> bool:
    """True inside a unit of work that means to change state."""
    return _write_intent.get()


def _sqlite_real_transaction() -> None:
    """On SQLite, make sure a real transaction is open, so a SAVEPOINT nests in it (pysqlite opens one
    only before a write, and a SAVEPOINT outside a transaction would commit on RELEASE). It begins
    IMMEDIATE: a savepoint is there to undo writes, and in a read unit (a GET that confirms an address) a
    plain BEGIN would read under a shared lock that the write must then upgrade, which SQLite refuses at
    once ("database is locked") when another request upgrades too."""
    connection = db.session.connection()
    if connection.dialect.name == "sqlite":
        driver = connection.connection.driver_connection
        if not driver.in_transaction:
            driver.execute("BEGIN IMMEDIATE")


@event.listens_for(Engine, "begin")
def _sqlite_begin(conn) -> None:
    # A unit of work that changes state takes SQLite's write lock up front (BEGIN IMMEDIATE): it then
    # never fails a lock upgrade half-way, and rules that lock a row on PostgreSQL hold here too. Reads
    # keep pysqlite's own handling (no transaction until the first write).
    if conn.dialect.name == "sqlite" and _write_intent.get():
        driver = conn.connection.driver_connection  # the driver, not conn.execute: no app statement
        if not driver.in_transaction:
            driver.execute("BEGIN IMMEDIATE")

