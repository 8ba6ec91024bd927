"""The booths' scheduled work: waiting-list offers past their deadline lapse and the place passes on.

Celery beat runs it every minute on a cluster; the app's own timer does under `make run`. `flask booths
expire-offers` does the same from a shell. One unit of work per run, so a failure leaves every offer as it
was for the next run, and a run that overlaps another finds nothing left (the offers are locked as read).
"""
from __future__ import annotations

from datetime import timedelta

from ..core.jobs import every, job
from .operations import expire_offers


@every(timedelta(minutes=1))
@job("default")
def lapse_offers(*, attempt: int = 0, task=None) -> int:
    return len(expire_offers())
