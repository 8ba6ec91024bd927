"""Background jobs: Celery workers over Redis when CELERY_BROKER_URL is set, this process otherwise.

A job is a function of ids (never objects) declared with `@job(queue)`; it runs as one unit of work
(core.transaction.unit_of_work) in an app context of its own. Operations never start one directly: they
call `enqueue(job, *ids)`, which waits for the unit of work to commit (a job must see the rows that
asked for it, and a rolled-back request asks for nothing). What a job is for is always written in the
database first (a mail row, a print batch), so a job that is lost (the broker down when it was sent, a
worker killed) is found again by `sweep` and sent again: nothing is lost; and every job checks that row
under its lock before acting, so a job sent twice does its work once.

Where jobs run (JOBS_MODE, chosen by `init_app`):
- "celery": CELERY_BROKER_URL is set. `enqueue` publishes the task; workers (`celery -A fairapp.worker
  worker`) run it; beat (`celery -A fairapp.worker beat`) runs the schedule below. Three queues, as pretix
  splits its own: "mail", "print" (certificate batches, slow), "default" (offers, reminders, thumbnails,
  the sweep), so a big print never delays mail or an offer's expiry. Tasks are acknowledged late and
  rejected when their worker dies, so another worker takes them again.
- "thread" (`make run`, no broker): after the commit, the job runs in a small thread pool of this process,
  one pool per queue (so here too a print never delays mail); a timer thread runs the same schedule.
- "inline" (tests): the job runs right after the commit, before the response goes.
"""
from __future__ import annotations

import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from contextlib import contextmanager
from typing import Callable, Iterator

from celery import Celery, Task
from kombu.exceptions import KombuError
from redis.exceptions import RedisError
from flask import Flask, current_app

from .transaction import after_commit, unit_of_work

log = logging.getLogger(__name__)

QUEUES = ("mail", "print", "default")
celery = Celery("fairapp", set_as_current=False)
_jobs: dict[str, "Job"] = {}
_pools: dict[str, ThreadPoolExecutor] = {}
THREADS = {"mail": 2, "print": 1, "default": 1}  # per queue: a big print never delays mail here either
_pool_lock = threading.Lock()


class Job:
    """A function of ids that runs as one unit of work; `.task` is its Celery task."""

    def __init__(self, fn: Callable, queue: str, own_units: bool, options: dict):
        self.fn, self.queue, self.own_units = fn, queue, own_units
        self.name = f"{fn.__module__}.{fn.__name__}"

        def run(task: Task, *ids):  # a plain function: Celery binds the task to it
            return self(*ids, attempt=task.request.retries, task=task)

        run.__name__, run.__module__, run.__doc__ = fn.__name__, fn.__module__, fn.__doc__
        self.task = celery.task(name=self.name, base=AppTask, bind=True, **options)(run)

    def __call__(self, *ids, attempt: int = 0, task: Task | None = None):
        """Run the job here and now (in an app context): one unit of work, unless it opens its own."""
        if self.own_units:
            return self.fn(*ids, attempt=attempt, task=task)
        with unit_of_work():
            return self.fn(*ids, attempt=attempt, task=task)

    def __repr__(self) -> str:
        return f"<Job {self.name} on {self.queue}>"


def job(queue: str = "default", *, own_units: bool = False, **options) -> Callable[[Callable], Job]:
    """Declare a job: `fn(*ids, attempt, task)` runs in an app context of its own, as one unit of work (or,
    with own_units, opening its units itself: a job that must not hold a lock while it waits on a mail
    server or renders for minutes). `attempt` counts Celery's retries (0 in the local modes); `task` is the
    Celery task (None in the local modes). Celery options (max_retries...) go to the task."""
    if queue not in QUEUES:
        raise ValueError(f"unknown queue {queue!r}")

    def wrap(fn: Callable) -> Job:
        declared = Job(fn, queue, own_units, options)
        _jobs[declared.name] = declared
        return declared
    return wrap


class AppTask(Task):
    """A Celery task run inside the Flask app's context (the worker's app, made in fairapp.worker)."""

    abstract = True
    acks_late = True
    reject_on_worker_lost = True

    def __call__(self, *args, **kwargs):
        with job_context(self.app.flask_app):
            return self.run(*args, **kwargs)


@contextmanager
def job_context(app: Flask) -> Iterator[None]:
    """Where a job runs: an app context of its own (its own `g` and database session, even inline inside the
    request that queued it), and a request on the site's address, so links in mail and the language work
    as they do for a command."""
    with app.app_context(), app.test_request_context(base_url=app.config["BASE_URL"]):
        yield


def mode() -> str:
    return current_app.config["JOBS_MODE"]


def enqueue(job_: Job, *ids: int) -> None:
    """Run `job_` with these ids once the current unit of work has committed (never if it rolls back)."""
    app = current_app._get_current_object()
    after_commit(lambda: dispatch(app, job_, *ids))


def dispatch(app: Flask, job_: Job, *ids: int):
    """Hand the job to whoever runs it now: inline, what the job returned (None if it failed); otherwise
    True when handed over, False when the broker could not take it (the sweep sends it again once the
    broker is back: what it is for is in the database)."""
    chosen = app.config["JOBS_MODE"]
    if chosen == "inline":
        return _run_local(app, job_, ids)
    if chosen == "thread":
        _thread_pool(job_.queue).submit(_run_local, app, job_, ids)
        return True
    try:
        job_.task.apply_async(args=ids, retry=False)
        return True
    except (KombuError, RedisError, OSError) as error:  # the broker is down or unreachable
        log.warning("could not queue %s%s: %s (the sweep sends it again)", job_.name, ids, error)
        return False


def run_here(app: Flask, job_: Job, *ids: int):
    """Run a job now in this process (a thread of the caller's choosing, a command), as the job runner
    runs it locally: its own app context (its own session), its own unit of work; returns what the job
    returned, or None when it failed (logged: its row says what is left)."""
    return _run_local(app, job_, ids)


def _run_local(app: Flask, job_: Job, ids: tuple):
    """A job in this process: its own app context (its own session), its own unit of work."""
    try:
        with job_context(app):
            return job_(*ids)
    except Exception:  # noqa: BLE001  (a local job that fails is logged; its row says what is left)
        app.logger.exception("job %s%s failed", job_.name, ids)
        return None


def _thread_pool(queue: str) -> ThreadPoolExecutor:
    with _pool_lock:
        if queue not in _pools:
            _pools[queue] = ThreadPoolExecutor(max_workers=THREADS[queue], thread_name_prefix=f"fairapp-{queue}")
        return _pools[queue]


def broker_up(app: Flask | None = None) -> bool | None:
    """True/False: can the broker be reached now; None when there is no broker (local modes)."""
    app = app or current_app._get_current_object()
    if app.config["JOBS_MODE"] != "celery":
        return None
    try:
        with celery.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        return True
    except Exception:  # noqa: BLE001
        return False


# ---- the schedule (celery beat; a timer thread in the "thread" mode) ----

SCHEDULE: dict[str, tuple[str, timedelta]] = {}


def every(period: timedelta) -> Callable[[Job], Job]:
    """Run this job (with no ids) every `period`: celery beat, or this process's timer."""
    def wrap(job_: Job) -> Job:
        SCHEDULE[job_.name] = (job_.name, period)
        return job_
    return wrap


def period_of(name: str, cfg) -> float:
    """Seconds between two runs of a scheduled job: its declared period, except that the every-minute ones
    (the sweeps, offer expiry) run every SWEEP_EVERY seconds when that is set (the test cluster: 10)."""
    period = SCHEDULE[name][1].total_seconds()
    sweep = cfg.get("SWEEP_EVERY")
    return float(sweep) if sweep and period <= 60 else period


def _beat_schedule(cfg) -> dict:
    return {name: {"task": task, "schedule": period_of(name, cfg)} for name, (task, _) in SCHEDULE.items()}


class _Timer(threading.Thread):
    """The schedule in this process (JOBS_MODE "thread"): each job when its period has passed."""

    def __init__(self, app: Flask):
        super().__init__(name="fairapp-schedule", daemon=True)
        self.app = app
        self.stopped = threading.Event()

    def run(self) -> None:
        import time
        due = {name: time.monotonic() + 5 for name in SCHEDULE}
        while not self.stopped.wait(1):
            now = time.monotonic()
            for name in SCHEDULE:
                if now >= due[name]:
                    due[name] = now + period_of(name, self.app.config)
                    _run_local(self.app, _jobs[name], ())


_timer: _Timer | None = None


def start_timer(app: Flask) -> None:
    """Start this process's schedule (once); `make run` calls it when it serves. Never for a test app: its
    sweeps would run, once a minute, inside whichever tests come after, on their database."""
    global _timer
    if _timer is None and app.config["JOBS_MODE"] == "thread" and not app.testing:
        _timer = _Timer(app)
        _timer.start()


def init_app(app: Flask) -> None:
    cfg = app.config
    broker = cfg.get("CELERY_BROKER_URL")
    if not cfg.get("JOBS_MODE"):
        cfg["JOBS_MODE"] = "celery" if broker else "thread"
    if cfg["JOBS_MODE"] not in ("celery", "thread", "inline"):
        raise ValueError("JOBS_MODE is celery, thread or inline")
    if cfg["JOBS_MODE"] == "celery" and not broker:
        raise ValueError("JOBS_MODE celery needs CELERY_BROKER_URL")
    celery.conf.update(
        broker_url=broker or "memory://",
        result_backend=None,
        task_ignore_result=True,
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_default_queue="default",
        task_create_missing_queues=True,
        broker_connection_retry_on_startup=True,
        broker_connection_timeout=3,
        # A task whose worker died unacknowledged goes back to the queue after this (Redis).
        broker_transport_options={"visibility_timeout": cfg.get("CELERY_VISIBILITY_TIMEOUT", 300),
                                  "socket_connect_timeout": 3, "socket_timeout": 10,
                                  # look for a dead worker's unacknowledged tasks every 10 s, not ~100 s
                                  "unacked_restore_interval": 10, "unacked_restore_throttle": 1,
                                  # the broker down: a request that queues a job learns it at once (the
                                  # work waits in the database for the sweep), not after kombu's 6 s of retries
                                  "max_retries": 1, "interval_start": 0, "interval_step": 0, "interval_max": 0},
        timezone="Asia/Bangkok",
        enable_utc=True,
    )
    celery.flask_app = app
    app.extensions["celery"] = celery
    if cfg["JOBS_MODE"] == "thread":
        @app.before_request
        def _schedule_here() -> None:  # a serving process runs the schedule; a command does not
            start_timer(app)


def finish_setup(app: Flask) -> None:
    """After every feature has declared its jobs (create_app's end): the schedule for beat."""
    celery.conf.beat_schedule = _beat_schedule(app.config)
    celery.conf.task_routes = {name: {"queue": declared.queue} for name, declared in _jobs.items()}
