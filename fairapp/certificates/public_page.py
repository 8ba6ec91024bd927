"""The public check's page for one certificate, rendered once per state and language in each process (and
its JSON, once per state and language).

On fair day the public scans the same few hundred QR codes again and again; rendering `verify.html` (the
site's layout, its translations, the check form) is most of the work of `/verify/<serial>`. The page of a
found certificate is a function of what its key holds, so it is kept (an LRU of MAX_PAGES pages per
process and app, each for at most TTL seconds) and served again as it is:
- the key holds every fact the page shows that can change: the certificate's status, revocation (when,
  the public reason), its successor, the holder, organization, role, date, PDF hash, the fair's names;
  plus the language, the host and the whole path with its query (the QR's signed token, so the QR
  verdict is part of the page). A revoked or reissued certificate therefore has another key: the public
  sees the change at once, on every server (the certificate row is read on every request, by a statement
  built once).
- only pages for visitors: a signed-in person's page has their own menu, and a page with a message
  (flash) waiting is never kept nor served from here.
- a visitor's page has nothing of theirs: its form looks up another serial by GET, with no CSRF token, so
  serving it neither reads nor writes a session (no cookie). A page rendered with a CSRF token (none today)
  would be kept with a marker in its place, and served with the token of the visitor's own session.
The TTL bounds what the key cannot see (a translation or template changed by a deploy restarts the
process anyway).
"""
from __future__ import annotations

import threading
import time
from collections import OrderedDict

from flask import current_app, g, request, session
from flask_login import current_user
from flask_wtf.csrf import generate_csrf

from sqlalchemy import bindparam, select
from sqlalchemy.orm import joinedload

from ..core.i18n import locale_code
from ..extensions import db
from ..fairs.models import Fair
from .models import Certificate

MAX_PAGES = 2048
TTL = 300.0  # seconds
MARKER = "fairapp-csrf-marker-5b1f"

_lock = threading.Lock()


def _pages() -> OrderedDict[tuple, tuple[float, str]]:
    """This app's kept pages (one store per app: every app a test makes starts empty)."""
    return current_app.extensions.setdefault("fairapp_verify_pages", OrderedDict())


def certificate(compact: str) -> Certificate | None:
    """The certificate with this serial and its fair, in one query (the whole page and JSON read it)."""
    return db.session.scalar(select(Certificate).options(joinedload(Certificate.fair))
                             .where(Certificate.serial == compact))


# What the kept page shows that can change: read as plain columns on every request (no ORM objects built:
# on a cache hit this row is all the database work of the page).
_FACTS = (Certificate.id, Certificate.revoked_at, Certificate.revoked_public_reason,
          Certificate.superseded_by_id, Certificate.holder_name, Certificate.holder_org, Certificate.role_th,
          Certificate.kind, Certificate.subject_key, Certificate.category_id, Certificate.given_on,
          Certificate.pdf_sha256, Certificate.fair_id, Certificate.holder_withheld_at)
_FAIR_FACTS = (Fair.name_th, Fair.name_en)


_FACTS_OF_SERIAL = (select(*_FACTS, *_FAIR_FACTS).join(Fair, Fair.id == Certificate.fair_id)
                    .where(Certificate.serial == bindparam("serial")))  # built once: every view runs it


def facts(compact: str) -> tuple | None:
    """The facts of the certificate with this serial (see key_of), or None when there is none."""
    row = db.session.connection().execute(_FACTS_OF_SERIAL, {"serial": compact}).first()
    return None if row is None else tuple(row)


def facts_of(cert: Certificate) -> tuple:
    """The same facts from a loaded certificate (so a page is kept under what it was rendered from)."""
    return (*(getattr(cert, column.key) for column in _FACTS),
            *(getattr(cert.fair, column.key) for column in _FAIR_FACTS))


def cacheable() -> bool:
    """A visitor (not signed in) with no message waiting to be shown."""
    return not current_user.is_authenticated and not session.get("_flashes")


def key_of(facts_: tuple, as_json: bool = False) -> tuple:
    """The page's key: the certificate's facts (its status among them), HTML or JSON, the language, host and
    full path."""
    return (*facts_, "json" if as_json else "html", locale_code(), request.host, request.full_path)


def _is_json(key: tuple) -> bool:
    return key[-4] == "json"


def get(key: tuple) -> str | None:
    """The kept page (an HTML page with this visitor's CSRF token put in), or None."""
    pages = _pages()
    with _lock:
        found = pages.get(key)
        if found is None:
            return None
        stored_at, body = found
        if time.monotonic() - stored_at > TTL:
            del pages[key]
            return None
        pages.move_to_end(key)
    return body if MARKER not in body else body.replace(MARKER, generate_csrf())


def put(key: tuple, body: str) -> None:
    """Keep a page just rendered (an HTML page's CSRF token, this visitor's, becomes the marker; the JSON is
    the same for everyone)."""
    token = g.get(current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token"))  # one the page was rendered with
    if token and not _is_json(key):
        if token not in body:
            return  # not the page we know how to personalize: never keep it
        body = body.replace(token, MARKER)
    pages = _pages()
    with _lock:
        pages[key] = (time.monotonic(), body)
        pages.move_to_end(key)
        while len(pages) > MAX_PAGES:
            pages.popitem(last=False)
