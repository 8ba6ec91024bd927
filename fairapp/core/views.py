"""Routes every feature shares: health and liveness checks, language switch, district lookup."""
from __future__ import annotations

from flask import Blueprint, current_app, jsonify, redirect, request, url_for
from flask_login import current_user
from sqlalchemy import text

from ..extensions import db
from .geo import district_choices
from .i18n import LANG_COOKIE, locale_code, safe_next
from .jobs import broker_up
from .storage import store_health
from .transaction import abandon

bp = Blueprint("core", __name__)


@bp.get("/livez")
def livez():
    """This process answers, nothing else checked (no database, broker or store): a liveness probe for a
    process supervisor, and the floor of the fair-day load run (benchmarks/load.py), where every other
    kind of request is compared with it."""
    return "ok", 200, {"Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store"}


@bp.get("/healthz")
def healthz():
    """Each part on its own; 200 when the database answers, 503 otherwise.

    `store` is "ok" or "down" (`storage`: "local" or "s3") and `broker` "ok", "down" or "none" (jobs run in
    this process). Both are shared by every server, so their failure is reported, not failed: a 503 would
    make the load balancer take every server out at once and answer with its own error page, where the
    app still serves every page that needs no file, says in the user's language that an upload must wait,
    and keeps queued work in the database for the sweep.
    """
    try:
        db.session.execute(text("SELECT 1"))
        database = "ok"
    except Exception as exc:  # any failure of the database means "not healthy"
        current_app.logger.warning("healthz: database check failed: %s", exc)
        abandon()  # the unit of work then has nothing to commit
        database = "error"
    broker = {True: "ok", False: "down", None: "none"}[broker_up()]
    store = store_health()
    status = 200 if database == "ok" else 503
    return jsonify(status="ok" if status == 200 else "error", database=database,
                   dialect=db.engine.dialect.name, store=store,
                   storage="s3" if current_app.config.get("STORAGE_URL") else "local",
                   broker=broker, jobs=current_app.config["JOBS_MODE"]), status


@bp.get("/session")
def session_state():
    """For pages that save in the background (core queue.js): still signed in? and a fresh CSRF token."""
    from flask_wtf.csrf import generate_csrf

    response = jsonify(ok=True, signed_in=bool(current_user.is_authenticated), csrf_token=generate_csrf())
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/lang/<code>", methods=["GET", "POST"])
def set_language(code: str):
    """Switch language in one click; the choice sticks for a year (a cookie).

    A GET (the link anonymous visitors click) only sets the cookie: a GET never changes what is stored.
    A signed-in person's switch is a POST (a button with the CSRF token), which also makes the account's
    language the choice, so mail to them follows it.
    """
    target = safe_next(request.args.get("next"), url_for("fairs.index"))
    response = redirect(target)
    if code in current_app.config["LANGUAGES"]:
        response.set_cookie(LANG_COOKIE, code, max_age=365 * 24 * 3600, samesite="Lax",
                            secure=current_app.config["SESSION_COOKIE_SECURE"], httponly=True)
        if request.method == "POST" and current_user.is_authenticated and current_user.locale != code:
            current_user.locale = code  # the unit of work commits it
    return response


@bp.get("/geo/districts/<province_code>")
def districts(province_code: str):
    """The districts of a province, for the sign-up form's district list."""
    rows = district_choices(province_code, locale_code())
    response = jsonify([{"code": code, "name": name} for code, name in rows])
    response.cache_control.public = True
    response.cache_control.max_age = 86400
    return response
