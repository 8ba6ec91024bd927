"""What waits for a fair's staff, on the fair's page (issue 16: "the fair's page gathers review, plan,
check-in, nominations, judging progress and certificates with counts of what waits for them"). fairs
knows none of those features (they depend on it): each registers a source with `source` when its
blueprint is imported; the fair's page asks every source for its items, one or two queries each."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from .models import Fair


@dataclass
class Work:
    order: int        # where it goes (lower first)
    label: str        # what it is, translated
    url: str
    waiting: int = 0  # how many wait for the staff (0: nothing to do there now)
    note: str = ""    # a figure beside it (e.g. checked in 12 of 40)


_SOURCES: list[Callable[[Fair], list[Work]]] = []


def source(func: Callable[[Fair], list[Work]]) -> Callable[[Fair], list[Work]]:
    if func.__qualname__ not in {f.__qualname__ for f in _SOURCES if f.__module__ == func.__module__}:
        _SOURCES.append(func)
    return func


def items_for(fair: Fair) -> list[Work]:
    return sorted((item for make in _SOURCES for item in make(fair)), key=lambda w: w.order)
