"""The request limits on the database store (core.ratelimit, the production default), for a test whose app
was made with another store. The suite's own app counts in its database like production (the db fixture
empties `rate_limits` with every other table)."""
from __future__ import annotations

from contextlib import contextmanager

from fairapp.extensions import limiter


@contextmanager
def database_limits(app):
    """The shared limiter counts in `app`'s database (`fairapp+db://`) inside the block."""
    before = app.config["RATELIMIT_STORAGE_URI"]
    app.config["RATELIMIT_STORAGE_URI"] = "fairapp+db://"
    limiter.init_app(app)  # a second init_app builds the storage again; the hooks stay registered once
    try:
        yield limiter.storage
    finally:
        app.config["RATELIMIT_STORAGE_URI"] = before
        limiter.init_app(app)
