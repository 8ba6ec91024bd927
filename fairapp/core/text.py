"""What a text may hold, in one place: the forms, the JSON bodies, the raw form fields and mail headers.

C0/C1 control characters and DEL are never part of a text people type; bidi overrides and isolates
(U+202A-U+202E, U+2066-U+2069) reorder what follows them, so a name typed with U+202E prints backwards
on a certificate and on /verify. A one-line text (a name, a title, a subject) also holds no line break:
an organization's name with CR/LF would break the header of every mail that names it.
"""
from __future__ import annotations

import re

from flask import request
from flask_babel import lazy_gettext as _l

from .errors import DomainError

NEVER = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
LINE_BREAKS = re.compile(r"[\r\n\u2028\u2029]")
CONTROL_MESSAGE = _l("ข้อความมีอักขระควบคุมที่ใช้ไม่ได้ กรุณาพิมพ์ใหม่")

HEADER_MAX = 180  # characters of a mail subject; a longer one ends with "…"


def is_clean(value: str, *, multiline: bool = False) -> bool:
    """True when `value` holds no control or bidi-override character (and no line break unless multiline)."""
    return not (NEVER.search(value) or (not multiline and LINE_BREAKS.search(value)))


def has_unclean(data, *, multiline: bool = True) -> bool:
    """True when any string in a decoded JSON value (dicts and lists walked) is not clean."""
    if isinstance(data, str):
        return not is_clean(data, multiline=multiline)
    if isinstance(data, dict):
        return any(has_unclean(k, multiline=False) or has_unclean(v, multiline=multiline)
                   for k, v in data.items())
    if isinstance(data, list):
        return any(has_unclean(v, multiline=multiline) for v in data)
    return False


class UncleanText(DomainError):
    """A text sent outside a form (a raw form field, a JSON body) holds a control or bidi-override character."""

    message = CONTROL_MESSAGE
    status = 400


def form_text(name: str, *, multiline: bool = False) -> str:
    """A raw form field's text (not part of a BaseForm), stripped; UncleanText when it is not clean."""
    value = (request.form.get(name) or "").strip()
    if not is_clean(value, multiline=multiline):
        raise UncleanText()
    return value


def header_text(value: str, limit: int = HEADER_MAX) -> str:
    """A text made safe for a mail header whatever it holds (stored before the forms refused such
    characters, or built from several texts): controls dropped, line breaks and runs of space made one
    space, cut at `limit` characters."""
    text = LINE_BREAKS.sub(" ", NEVER.sub("", str(value)))
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def register(app) -> None:
    """Every JSON body is held to the same rule as the forms, before any view reads it (after the CSRF
    check, which is registered earlier): 400 with the one error envelope."""
    from .errors import envelope

    @app.before_request
    def refuse_unclean_json():
        if request.is_json and request.method not in ("GET", "HEAD", "OPTIONS"):
            if has_unclean(request.get_json(silent=True)):
                return envelope(UncleanText.code, UncleanText.message, UncleanText.status)
