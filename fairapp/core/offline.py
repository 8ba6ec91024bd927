"""Offline on the fair's day (issue 16): the service worker (static/js/sw.js) served at the site's root, so
its scope is every page, and the two headers it relies on.

The worker caches only the pages that must open with the hall's network lost, once opened on that phone:
check-in, the judge's dashboard and scoring pages, the stage's projector and control pages (and the
pictures those pages show: stage photos, a nomination's evidence). Their HTML is network-first (fresh when
online), the cached copy when the network fails; the static files are cache-first in a cache named by
VERSION (a hash of every file under static/ and of the worker itself), so a changed file is a new worker
and the old cache goes. No other page is ever cached.

The pages of one person are never shown to another on a shared phone:
- every response but a static file's carries `X-Fairapp-Session`, an HMAC of the signed-in session's identity ("-" when no
  one is signed in); the worker keeps the pages cache for one session and empties it when a page comes
  from another session (a different person, or the same person signed in again);
- a sign-in or sign-out (POST to accounts.login / accounts.logout) empties it as the browser sends it, and
  the sign-out's response says `Clear-Site-Data: "cache"` (the browser's HTTP cache; not "storage", which
  would also erase the check-in and scoring queues' unsent work kept in localStorage).
"""
from __future__ import annotations

import hashlib
import hmac
import json
from functools import lru_cache
from pathlib import Path

from flask import Blueprint, current_app, request, session, url_for

bp = Blueprint("offline", __name__)

SESSION_HEADER = "X-Fairapp-Session"

# The pages cached for use offline, as paths under the script root (regular expressions the worker tests
# a request's path against). Their static files are precached when the worker installs.
PAGES = (
    r"/fairs/\d+/checkin",                      # booths.checkin
    r"/fairs/\d+/judging",                      # judging.judge_dashboard
    r"/judging/assignments/\d+",                # judging.score_page
    r"/fairs/\d+/stage",                        # stage.projector
    r"/fairs/\d+/stage/control",                # stage.control
)
# Pictures those pages show, kept with the pages (the same session, emptied with them).
PICTURES = (
    r"/fairs/\d+/stage/photo/\d+",              # stage.photo
    r"/judging/assignments/\d+/evidence/\d+(/thumb)?",  # judging.evidence_file, its thumbnail
)
PRECACHE = (
    "css/app.css", "css/checkin.css", "css/judging.css", "css/evidence.css", "css/stage.css",
    "fonts/Sarabun-Regular.ttf", "fonts/Sarabun-Italic.ttf", "fonts/Sarabun-SemiBold.ttf",
    "fonts/Sarabun-Bold.ttf", "img/favicon.svg", "js/app.js", "js/thaidate.js", "js/queue.js",
    "js/checkin.js", "js/scoring.js", "js/stage.js", "js/offline.js", "vendor/jsqr/jsQR.js",
)


@lru_cache(maxsize=4)
def _version(static_folder: str) -> str:
    """A hash of every file under static/ (sw.js included): the same on every app server running the same
    release, different as soon as one file changes."""
    digest = hashlib.sha256()
    root = Path(static_folder)
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        digest.update(str(path.relative_to(root)).encode() + b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def version() -> str:
    if current_app.debug:
        _version.cache_clear()  # development: a file edited since the last request is a new worker
    return _version(current_app.static_folder)


def session_mark() -> str:
    """The signed-in session's mark (never the identity itself), "-" when no one is signed in."""
    identity = session.get("_user_id")
    if not identity:
        return "-"
    key = current_app.config["SECRET_KEY"]
    key = key.encode() if isinstance(key, str) else key
    return hmac.new(key, b"offline-session:" + str(identity).encode(), hashlib.sha256).hexdigest()[:24]


@bp.get("/sw.js")
def service_worker():
    """The worker, its settings written in: the cache version, the script root, the pages' patterns, the
    static files to precache, the sign-in and sign-out paths. Always revalidated (no-cache)."""
    root = request.script_root
    settings = {
        "version": version(),
        "root": root,
        "pages": [f"^{root}{p}$" for p in PAGES],
        "pictures": [f"^{root}{p}$" for p in PICTURES],
        "static": url_for("static", filename=""),
        "precache": [url_for("static", filename=name) for name in PRECACHE],
        "clearOn": [url_for("accounts.login"), url_for("accounts.logout")],
        "sessionHeader": SESSION_HEADER,
    }
    source = Path(current_app.static_folder, "js", "sw.js").read_text(encoding="utf-8")
    body = source.replace("/*SETTINGS*/{}", json.dumps(settings, separators=(",", ":")), 1)
    return body, 200, {"Content-Type": "text/javascript; charset=utf-8", "Cache-Control": "no-cache",
                       "Service-Worker-Allowed": root or "/"}


@bp.after_app_request
def mark_session(response):
    if request.endpoint != "static":  # the pages and the pictures the worker may keep
        response.headers[SESSION_HEADER] = session_mark()
    if request.endpoint == "accounts.logout":
        response.headers["Clear-Site-Data"] = '"cache"'
    return response
