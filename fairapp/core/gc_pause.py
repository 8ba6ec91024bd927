"""The garbage collector paused around a computation that makes many short-lived objects without cycles.

CPython's cyclic collector runs every time enough new container objects have been made; a computation that
builds tens of thousands of them (the chair's standings of a national category: score sheets, totals, rows)
pays for collections that find nothing to free: half of its time at 10x (210 -> 100 ms). Reference
counting still frees everything as usual while the collector is paused.

    with paused_gc():
        standings = compute(...)

The collector is process-wide, so pauses are counted: it is turned off by the first of concurrent pauses
(other threads of the process then run without it too, for that moment) and back on by the last to end,
only if it was on when the first began; an exception ends a pause like a return does. Only around work
that ends inside the `with` (never across a `yield`: a streamed answer that is abandoned would keep the
collector off until the generator is closed).
"""
from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_pauses = 0
_was_enabled = False


@contextmanager
def paused_gc() -> Iterator[None]:
    global _pauses, _was_enabled
    with _lock:
        if _pauses == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _pauses += 1
    try:
        yield
    finally:
        with _lock:
            _pauses -= 1
            if _pauses == 0 and _was_enabled:
                gc.enable()
