"""A second app on the test database with routes that exist only for a test module (the session's app
has served requests already, so no route can be added to it)."""
from __future__ import annotations

from contextlib import contextmanager

from flask import Blueprint

from fairapp import create_app
from fairapp.extensions import db as _db

_SHARED = ("SQLALCHEMY_DATABASE_URI", "SECRET_KEY", "MAIL_OUTBOX_DIR", "PASSWORD_HASH_METHOD", "BASE_URL",
           "JOBS_MODE")


@contextmanager
def route_app(app, blueprint: Blueprint):
    """The app with `blueprint` registered; its own connection pool is closed at the end."""
    test_app = create_app({"TESTING": True, "SESSION_COOKIE_SECURE": False, "WTF_CSRF_ENABLED": False,
                           **{k: app.config[k] for k in _SHARED}})
    test_app.instance_path = app.instance_path
    test_app.register_blueprint(blueprint)
    test_app.test_client_class = type(app.test_client())
    try:
        yield test_app
    finally:
        with test_app.app_context():
            _db.engine.dispose()  # unclosed connections warn, and warnings are errors
