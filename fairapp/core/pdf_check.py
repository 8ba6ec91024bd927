"""Is an uploaded PDF safe to keep and to serve? Parsed by pypdf, walked for scripts, actions and files.

Refused: encrypted PDFs, PDFs with JavaScript, launch actions, embedded files, an HTML polyglot head, a
missing end, more than MAX_PDF_PAGES pages, and every automatic action whatever its type: an /OpenAction that
is an action (even a /GoTo or a /URI), /AA on the catalog, a page, an annotation or a form field. The
"open at this page" destination that office suites write in /OpenAction is not an action and is accepted; a
link may lead to the web, mail or a phone number only (never `javascript:` or `file:`). A PDF that parses
only after pypdf repairs its cross-reference table is accepted with a note for staff, unless a dictionary
says one key twice (two readers would see two different documents).

Refused rather than rewritten without the actions: the evidence is kept byte for byte as uploaded (its hash
is what was sent; a digital signature stays valid), no ordinary tool writes these actions, and the message
tells the nominator how to make a clean copy (Print to PDF).
"""
from __future__ import annotations

import io
import logging
import re
import warnings
from contextlib import contextmanager

from flask_babel import lazy_gettext as _l

from .errors import UploadRefused

MAX_PDF_PAGES = 200
MAX_PDF_OBJECTS = 200_000         # objects walked when looking for scripts; more is refused


class _PdfWarnings(logging.Handler):
    """Collects pypdf's warnings (a file it had to repair) while a PDF is read."""

    def __init__(self):
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record):
        self.messages.append(record.getMessage())


@contextmanager
def _pdf_warnings():
    logger = logging.getLogger("pypdf")
    handler = _PdfWarnings()
    saved = logger.propagate, logger.level, logger.disabled
    logger.addHandler(handler)
    # Collected here, not printed; and whatever the process's logging says (a Celery worker sets the root
    # level to its own, dictConfig may disable loggers): a repair pypdf only warns about must be seen.
    logger.propagate, logger.disabled = False, False
    logger.setLevel(logging.WARNING)
    try:
        yield handler
    finally:
        logger.removeHandler(handler)
        logger.propagate, logger.disabled = saved[0], saved[2]
        logger.setLevel(saved[1])


# Names that mean "run something": refused wherever they appear in the document.
_SCRIPT_KEYS = {"/JS", "/JavaScript"}
_DANGEROUS_ACTIONS = {"/JavaScript", "/Launch", "/ImportData", "/SubmitForm", "/GoToE", "/GoToR", "/Rendition",
                      "/RichMediaExecute", "/Movie", "/Sound"}
_EMBEDDED_KEYS = {"/EmbeddedFile", "/EmbeddedFiles", "/EF", "/RichMedia", "/RichMediaContent"}
# An explicit destination ([page /XYZ left top zoom], [page /Fit] …): where the viewer opens, not an action.
_FITS = {"/XYZ", "/Fit", "/FitH", "/FitV", "/FitR", "/FitB", "/FitBH", "/FitBV"}
# A link may lead here (what pdf.js follows too); anything else (javascript:, file:, data:) is refused.
_LINK_SCHEMES = {"http", "https", "ftp", "mailto", "tel"}
_SCHEME = re.compile(r"([a-z][a-z0-9+.\-]*):")
_HTML = re.compile(rb"<\s*(?:html|script|body|head|iframe|svg|!doctype|\?xml)", re.I)
_RAW_SCRIPT = re.compile(rb"/(?:JS|JavaScript|Launch|EmbeddedFiles?|AA)(?=[\s/<\[(>]|$)|/OpenAction\s*<<")


class _Dangerous(Exception):
    def __init__(self, what: str):
        super().__init__(what)
        self.what = what


def _is_destination(value) -> bool:
    """An explicit destination to a page of this document: [page-ref fit number-or-null …]."""
    from pypdf.generic import ArrayObject, DictionaryObject, FloatObject, IndirectObject, NullObject, NumberObject

    if isinstance(value, IndirectObject):
        value = value.get_object()
    if not isinstance(value, ArrayObject) or not 2 <= len(value) <= 6:
        return False
    page, fit, *numbers = value
    if isinstance(page, IndirectObject):
        page = page.get_object()
        if not isinstance(page, DictionaryObject) or page.get("/Type") != "/Page":
            return False
    elif not isinstance(page, NumberObject) or page < 0:  # a page number (not the spec's, but harmless)
        return False
    return fit in _FITS and all(isinstance(n, (NumberObject, FloatObject, NullObject)) for n in numbers)


def _is_web_link(uri) -> bool:
    """A /URI action's target leads to the web, mail or a phone (or is relative): not javascript:, file: …"""
    from pypdf.generic import ByteStringObject, IndirectObject, TextStringObject

    if isinstance(uri, IndirectObject):
        uri = uri.get_object()
    if isinstance(uri, ByteStringObject):
        uri = bytes(uri).decode("latin-1")
    elif not isinstance(uri, (TextStringObject, str)):
        return False
    # Browsers drop spaces, tabs and control characters before they read the scheme ("java\tscript:").
    squeezed = "".join(c for c in str(uri) if ord(c) > 32 and ord(c) != 127).lower()
    scheme = _SCHEME.match(squeezed)
    return scheme is None or scheme.group(1) in _LINK_SCHEMES


def _walk_pdf(reader) -> None:
    """Everything reachable from the trailer (catalog, names, actions, pages, annotations, forms):
    raise _Dangerous at the first script, automatic action, launch, link off the web or embedded file."""
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

    stack = [reader.trailer]
    seen: set[tuple[int, int]] = set()
    walked = 0
    while stack:
        obj = stack.pop()
        if isinstance(obj, IndirectObject):
            ref = (obj.idnum, obj.generation)
            if ref in seen:
                continue
            seen.add(ref)
            walked += 1
            if walked > MAX_PDF_OBJECTS:
                raise _Dangerous("objects")
            obj = obj.get_object()
        if isinstance(obj, DictionaryObject):  # streams too: their dictionary, never their data
            keys = set(obj.keys())
            if keys & _SCRIPT_KEYS:
                raise _Dangerous("script")
            if "/AA" in keys:  # additional actions: each runs by itself (a page shown, a key typed, a hover)
                raise _Dangerous("script")
            if "/OpenAction" in keys and not _is_destination(obj["/OpenAction"]):
                raise _Dangerous("script")  # an action run on opening, whatever its type (/URI, /GoTo …)
            if "/XFA" in keys:  # XML forms carry their own scripts
                raise _Dangerous("script")
            if keys & _EMBEDDED_KEYS:
                raise _Dangerous("embedded")
            action = obj.get("/S")
            if isinstance(action, IndirectObject):
                action = action.get_object()
            if action in _DANGEROUS_ACTIONS:
                raise _Dangerous("launch" if action != "/JavaScript" else "script")
            if action == "/URI" and not _is_web_link(obj.get("/URI")):
                raise _Dangerous("script")
            if obj.get("/Type") == "/Filespec" and "/EF" in keys:
                raise _Dangerous("embedded")
            stack.extend(obj.values())
        elif isinstance(obj, ArrayObject):
            stack.extend(obj)


def check_pdf(data: bytes, name: str) -> tuple[int, str | None]:
    """Parse and inspect a PDF; return (pages, a note for staff or None) or raise UploadRefused."""
    from pypdf import PdfReader

    broken = UploadRefused(_l("ไฟล์ %(name)s เป็น PDF ที่เสียหรือไม่สมบูรณ์ กรุณาบันทึกเป็น PDF ใหม่แล้วส่งอีกครั้ง",
                              name=name))
    if _HTML.search(data[:1024]):  # what a browser would sniff as a web page (a PDF/HTML polyglot)
        raise UploadRefused(_l("ไฟล์ %(name)s มีเนื้อหาอื่นปนอยู่ ไม่ใช่ไฟล์ PDF ล้วน กรุณาบันทึกเป็น PDF ใหม่แล้วส่งอีกครั้ง",
                               name=name))
    if b"%%EOF" not in data[-2048:]:
        raise broken  # cut off before its end (an interrupted download or copy)
    note = None
    try:
        with warnings.catch_warnings(), _pdf_warnings() as complaints:  # pypdf's, not the user's business
            warnings.simplefilter("ignore")
            try:
                reader = PdfReader(io.BytesIO(data), strict=True)
                encrypted = reader.is_encrypted
                pages = 0 if encrypted else len(reader.pages)
            except Exception:
                # A file pypdf can repair (an off-by-some cross-reference table, common in scanners)
                # is accepted and flagged; one it cannot read at all is refused below.
                reader = PdfReader(io.BytesIO(data), strict=False)
                encrypted = reader.is_encrypted
                pages = 0 if encrypted else len(reader.pages)
                note = str(_l("PDF มีโครงสร้างผิดปกติเล็กน้อย ระบบซ่อมเพื่ออ่านได้ กรุณาตรวจว่าเปิดได้ครบทุกหน้า"))
            if encrypted:
                raise UploadRefused(_l("ไฟล์ %(name)s เป็น PDF ที่ตั้งรหัสผ่านไว้ กรุณาส่งไฟล์ที่ไม่มีรหัสผ่าน",
                                       name=name))
            if pages < 1:
                raise broken
            if pages > MAX_PDF_PAGES:
                raise UploadRefused(_l("ไฟล์ %(name)s มี %(n)d หน้า เกิน %(max)d หน้า", name=name, n=pages,
                                       max=MAX_PDF_PAGES))
            _walk_pdf(reader)
            if any(m.startswith("Multiple definitions") for m in complaints.messages):
                raise broken  # a key said twice: pypdf kept the first, a viewer may take the last
            if _RAW_SCRIPT.search(data):  # a cheap second look, for what the walk could not reach
                raise _Dangerous("script")
            for page in reader.pages:  # every page must resolve to a page with a size
                page.mediabox  # noqa: B018
    except UploadRefused:
        raise
    except _Dangerous as exc:
        if exc.what == "embedded":
            raise UploadRefused(_l("ไฟล์ %(name)s เป็น PDF ที่มีไฟล์อื่นฝังอยู่ ซึ่งระบบไม่รับ", name=name))
        if exc.what == "objects":
            raise broken
        raise UploadRefused(_l("ไฟล์ %(name)s เป็น PDF ที่มีสคริปต์หรือคำสั่งอัตโนมัติ ซึ่งระบบไม่รับ "
                               "กรุณาพิมพ์เป็น PDF ใหม่ (Print to PDF) แล้วส่งอีกครั้ง", name=name))
    except Exception:  # noqa: BLE001 - whatever pypdf raises on a hostile file means "not a PDF we can read"
        raise broken
    return pages, note
