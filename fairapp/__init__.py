"""fairapp: the Morality Market fair (ตลาดนัดคุณธรรม) — booths, nominations, judging, certificates."""
from __future__ import annotations

import os
from pathlib import Path

from flask import Flask

ROOT = Path(__file__).resolve().parent.parent


def create_app(config: dict | None = None) -> Flask:
    """The application factory: config, extensions, blueprints, CLI, error handlers."""
    from .core.transaction import FairApp

    app = FairApp(__name__, instance_path=os.environ.get("FAIRAPP_INSTANCE", str(ROOT / "instance")),
                template_folder=str(ROOT / "templates"), static_folder=str(ROOT / "static"))
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)

    from . import config as config_module
    config_module.load(app, config)

    from .extensions import babel, csrf, db, limiter, login_manager, migrate
    from .core import http, jobs
    from .core.i18n import select_locale

    http.register(app)  # before the blueprints: their <int:...> rules use the bounded converter
    if app.config.get("PROXY_COUNT"):  # behind N reverse proxies: the client's address and scheme
        from werkzeug.middleware.proxy_fix import ProxyFix
        n = int(app.config["PROXY_COUNT"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"))
    csrf.init_app(app)
    from .core import ratelimit  # noqa: F401  (registers fairapp+db://, the default limiter storage)
    limiter.init_app(app)
    jobs.init_app(app)
    babel.init_app(app, locale_selector=select_locale,
                   default_translation_directories=str(Path(__file__).parent / "translations"))
    _setup_login(app)

    from . import models  # noqa: F401  (every model registered before mappers configure)
    from .accounts.blueprint import bp as accounts_bp
    from .admin.blueprint import bp as admin_bp
    from .booths.blueprint import bp as booths_bp
    from .nominations.blueprint import bp as nominations_bp
    from .core.views import bp as core_bp
    from .fairs.blueprint import bp as fairs_bp
    from .judging.blueprint import bp as judging_bp
    from .certificates.blueprint import bp as certificates_bp
    from .privacy.blueprint import bp as privacy_bp
    from .directory.blueprint import bp as directory_bp

    for blueprint in (core_bp, accounts_bp, fairs_bp, admin_bp, booths_bp, nominations_bp, judging_bp,
                      certificates_bp, privacy_bp, directory_bp):
        app.register_blueprint(blueprint)
    from .badges.views import bp as badges_bp; app.register_blueprint(badges_bp)  # noqa: E702  (issue 17)
    from .stage.blueprint import bp as stage_bp; app.register_blueprint(stage_bp)  # noqa: E702  (issue 16)
    from .awardees.blueprint import bp as awardees_bp; app.register_blueprint(awardees_bp)  # noqa: E702  (issue 16)
    from .core.offline import bp as offline_bp; app.register_blueprint(offline_bp)  # noqa: E702  (issue 16)

    from .core import errors, security, templating, text
    errors.register(app)
    text.register(app)  # JSON bodies held to the forms' text rule (after the CSRF check)
    security.register(app)
    templating.register(app)

    from . import cli
    from .core import audit_jobs  # noqa: F401  (the daily full check of the audit log)
    from .core import file_deletions  # noqa: F401  (files deleted after their rows, durably)
    from .privacy import purge  # noqa: F401  (the daily retention purge)
    cli.register(app)
    jobs.finish_setup(app)  # every feature has declared its jobs: beat's schedule
    return app


def _setup_login(app: Flask) -> None:
    from flask_babel import lazy_gettext as _l

    from .extensions import db, login_manager

    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = _l("กรุณาเข้าสู่ระบบก่อนใช้งานหน้านี้")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"

    @login_manager.unauthorized_handler
    def unauthorized():
        # A page goes to the login form (and back); a script's request learns its session is gone.
        from flask import flash, redirect, request, url_for
        from flask_login.utils import login_url

        from .core.errors import envelope, wants_json

        if wants_json() or request.is_json:
            return envelope("login_required", login_manager.login_message, 401,
                            login_url=url_for("accounts.login"))
        flash(login_manager.login_message, login_manager.login_message_category)
        return redirect(login_url(login_manager.login_view, next_url=request.url))

    @login_manager.user_loader
    def load_user(identity: str):
        # The session's (or remember cookie's) identity is "<user id>:<session version>:<session nonce>"
        # (User.get_id). A version the user has since left (password reset, sign out everywhere) or a
        # nonce that was logged out loads no one. A bare id (a session made before versions existed)
        # counts as version 0.
        import re

        from sqlalchemy import literal, select

        from .accounts.models import EndedSession, User

        match = re.fullmatch(r"([0-9]{1,18})(?::([0-9]{1,18})(?::([A-Za-z0-9_-]{16,32}))?)?", str(identity))
        if match is None:
            return None
        nonce = match[3]
        # One query on every signed-in request: the user, and whether this session was ended.
        ended = select(EndedSession.id).where(EndedSession.nonce == nonce).exists() if nonce else literal(False)
        row = db.session.execute(select(User, ended).where(User.id == int(match[1]))).first()
        if row is None or row[1] or not row[0].session_matches(int(match[2] or 0)):
            return None
        user = row[0]
        user.session_nonce = nonce
        return user
