"""One way to answer with a file: every download and inline file of fairapp goes through `send_bytes`.

The header policy lives here, not in each view: a Content-Disposition that carries a Thai name
(RFC 6266: an ASCII fallback and `filename*` in UTF-8), nosniff, a content-type-specific CSP (a PDF or an
image can run nothing), the cache policy (files of a person or an organization are `private`; `no-store`
unless the caller says they may be kept a while), and an ETag with conditional answers where asked. A
download (`inline=False`) gets the strictest CSP (a sandbox, nothing loaded): no viewer of the site shows it.

`send_stream` is the same answer for a stored file read in chunks (core.storage's `send`: a 20 MB evidence
PDF, a merged print PDF), so a large file never sits whole in a web worker's memory, whatever the store.
Downloads always go through the app (never a link to the store): the access check stays in the view, and
the headers above stay ours.
"""
from __future__ import annotations

from typing import Callable
from urllib.parse import quote

from flask import current_app, request
from werkzeug.wsgi import wrap_file

# A PDF opens in the browser's viewer (which a CSP sandbox would break) but may load nothing of the site.
CSP_PDF = ("default-src 'none'; img-src 'self' data: blob:; style-src 'unsafe-inline'; object-src 'self'; "
           "frame-ancestors 'none'; form-action 'none'; base-uri 'none'")
CSP_FILE = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; frame-ancestors 'none'; sandbox"
# The kiosk prints a certificate from a frame of its own page: the PDF may be framed by the site itself.
CSP_FRAMEABLE = "default-src 'none'; frame-ancestors 'self'"
# A download (attachment) is shown by no page of the site: nothing may run, load or frame it.
CSP_DOWNLOAD = "default-src 'none'; frame-ancestors 'none'; form-action 'none'; base-uri 'none'; sandbox"

MIMETYPES = {
    "pdf": "application/pdf", "png": "image/png", "jpg": "image/jpeg", "webp": "image/webp",
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json",
}


def content_disposition(name: str, *, inline: bool) -> str:
    """`inline|attachment; filename="ascii"; filename*=UTF-8''…` (Thai names survive every browser)."""
    ascii_name = "".join(c if 32 <= ord(c) < 127 and c not in '"\\;' else "_" for c in name)
    kind = "inline" if inline else "attachment"
    return f"{kind}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name, safe='')}"


def send_bytes(data: bytes, name: str, *, mimetype: str | None = None, inline: bool = True,
               max_age: int = 0, etag: str | None = None, frameable: bool = False):
    """A response carrying a file's bytes with fairapp's one header policy.

    `name` is the file name shown to the person (its extension picks the type when `mimetype` is not
    given); `max_age` > 0 lets the browser keep a private copy (thumbnails), else nothing is stored;
    `etag` makes the answer conditional (304 for an unchanged file); `frameable` lets the site's own
    pages frame it (the kiosk's print frame).
    """
    response = current_app.response_class(data, mimetype=_mimetype(name, mimetype))
    _policy(response, name, inline=inline, max_age=max_age, frameable=frameable)
    if etag:
        response.set_etag(etag)
        return response.make_conditional(request)
    return response


def send_stream(open_file: Callable, name: str, *, mimetype: str | None = None, inline: bool = True,
                max_age: int = 0, etag: str | None = None, frameable: bool = False):
    """send_bytes for a file read in chunks: `open_file()` gives an object with `read(n)`, `close()` and
    `size` (core.storage.StoredFile). With `etag`, a conditional request is answered (304) before the file
    is opened; the file is closed when the answer has been sent."""
    response = current_app.response_class(mimetype=_mimetype(name, mimetype))
    _policy(response, name, inline=inline, max_age=max_age, frameable=frameable)
    if etag:
        response.set_etag(etag)
        response = response.make_conditional(request)
        if response.status_code in (304, 412):
            return response
    fh = open_file()
    response.response = wrap_file(request.environ, fh, buffer_size=256 * 1024)
    response.direct_passthrough = True
    response.headers.pop("Content-Length", None)
    if getattr(fh, "size", None) is not None:
        response.content_length = fh.size
    return response


def _mimetype(name: str, mimetype: str | None) -> str:
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    return mimetype or MIMETYPES.get(ext, "application/octet-stream")


def _policy(response, name: str, *, inline: bool, max_age: int, frameable: bool) -> None:
    """fairapp's one header policy for a file (see the module's docstring)."""
    h = response.headers
    h["Content-Disposition"] = content_disposition(name, inline=inline)
    h["X-Content-Type-Options"] = "nosniff"
    h["Cross-Origin-Resource-Policy"] = "same-origin"
    h["Cache-Control"] = f"private, max-age={max_age}" if max_age > 0 else "private, no-store"
    if frameable:
        h["X-Frame-Options"] = "SAMEORIGIN"
        h["Content-Security-Policy"] = CSP_FRAMEABLE
    elif not inline:
        h["Content-Security-Policy"] = CSP_DOWNLOAD
    elif response.mimetype == "application/pdf":
        h["Content-Security-Policy"] = CSP_PDF
    elif response.mimetype.startswith("image/"):
        h["Content-Security-Policy"] = CSP_FILE
