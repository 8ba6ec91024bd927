"""The one runner for race tests: jobs in threads of their own, released together at a barrier.

A job is `act` or a pair `(prepare, act)`. With `sessions` (a factory from the `thread_sessions_for`
fixture), each thread is a request of its own: its own request and app context (operations translate
labels, queue mail and audit in `g`) and its own session on an engine with a connection per thread.
`prepare()` runs before the barrier and loads what the view would have loaded (its read transaction then
ends, as a request's loader read may be stale by the time the work runs); after the release,
`act(prepared)` runs inside `unit(write=True)` (`core.transaction.unit_of_work` unless told), as FairApp
runs a POST: on PostgreSQL the operations' row locks decide, on SQLite the unit starts with BEGIN
IMMEDIATE. An outcome is what act returned or the exception it raised (the unit rolled back).

Without `sessions` the jobs run as they are (each one, say, a request through its own test client: the
real path, FairApp's own unit of work). `race()` returns the outcomes in the jobs' order; `.seconds` is
the time from the release to the last thread's end.
"""
from __future__ import annotations

import threading
import time
from typing import Any, Callable, Sequence

from fairapp.core.transaction import unit_of_work

TIMEOUT = 120  # seconds for the whole race: a thread still running then is a stuck lock


class Outcomes(list):
    seconds: float = 0.0


def race(jobs: Sequence[Callable | tuple[Callable, Callable]], *, app=None, sessions=None,
         unit: Callable = unit_of_work, timeout: float = TIMEOUT) -> Outcomes:
    from fairapp.extensions import db

    pairs = [job if isinstance(job, tuple) else (None, job) for job in jobs]
    barrier = threading.Barrier(len(pairs) + 1)
    outcomes = Outcomes([None] * len(pairs))

    def run(i: int, prepare, act) -> None:
        prepared, failed = None, None
        try:
            if prepare is not None:
                prepared = prepare()
                if sessions is not None:
                    db.session.commit()  # the read ends: the work begins its own transaction, with write intent
        except Exception as error:  # noqa: BLE001 - reported as the outcome
            failed = error
        barrier.wait(timeout=timeout)
        if failed is not None:
            outcomes[i] = failed
            return
        try:
            if sessions is None:
                outcomes[i] = act() if prepare is None else act(prepared)
            else:
                with unit(write=True):
                    outcomes[i] = act() if prepare is None else act(prepared)
        except Exception as error:  # noqa: BLE001 - the outcome under test
            outcomes[i] = error

    def thread_main(i: int, prepare, act) -> None:
        if sessions is None:
            run(i, prepare, act)
            return
        with app.test_request_context(method="POST"):
            db.session.registry.set(sessions())  # this thread's own session
            try:
                run(i, prepare, act)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=thread_main, args=(i, *pair), name=f"race-{i}", daemon=True)
               for i, pair in enumerate(pairs)]
    for thread in threads:
        thread.start()
    barrier.wait(timeout=timeout)
    released = time.perf_counter()
    deadline = released + timeout
    for thread in threads:
        thread.join(timeout=max(0.0, deadline - time.perf_counter()))
    outcomes.seconds = time.perf_counter() - released
    stuck = [t.name for t in threads if t.is_alive()]
    assert not stuck, f"stuck after {timeout} s: {stuck}"
    return outcomes


def times(n: int, act: Callable[[int], Any]) -> list[Callable[[], Any]]:
    """n jobs, the i-th running act(i)."""
    return [lambda i=i: act(i) for i in range(n)]


def kinds(outcomes) -> dict[str, int]:
    """How many outcomes of each type (by class name)."""
    from collections import Counter

    return Counter(type(o).__name__ for o in outcomes)


def on_sqlite() -> bool:
    """True when the tests run on SQLite (fewer threads race there: the lock is the whole database's)."""
    from fairapp.extensions import db

    return db.engine.dialect.name == "sqlite"
