"""Language: Thai by default, English on request; the choice sticks in a cookie (and the account)."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app, g, has_request_context, request
from flask_babel import get_locale
from flask_login import current_user

LANG_COOKIE = "lang"


def select_locale() -> str:
    """The cookie's choice, else the signed-in user's saved language, else Thai (also outside requests)."""
    langs = current_app.config["LANGUAGES"]
    if not has_request_context():
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    chosen = request.cookies.get(LANG_COOKIE)
    if chosen in langs:
        return chosen
    user = current_user if current_app.login_manager else None
    if user is not None and user.is_authenticated and user.locale in langs:
        return user.locale
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def locale_code() -> str:
    """'th' or 'en' for the current request."""
    return str(get_locale() or "th")


def use_thai_digits(on: bool) -> None:
    """Turn Thai numerals on for this request (a fair that asks for them)."""
    g.thai_digits = bool(on)


def safe_next(target: str | None, fallback: str) -> str:
    """A same-site relative path to go to next, or the fallback (no open redirects)."""
    if not target:
        return fallback
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") \
            or "\\" in target:
        return fallback
    return target
