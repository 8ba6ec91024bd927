"""Uploads are accepted by their content, never by their name or the browser's content type.

An image is opened with Pillow (decompression bombs refused), must be JPEG, PNG or WebP, is re-encoded
(which drops EXIF, GPS location included) and scaled down to a maximum size before it is stored.

Evidence (`accept_evidence`) is a photo or a PDF, decided by the first bytes and a successful decode:
- a photo must decode completely (a truncated one is refused); it is turned upright, re-encoded without
  any metadata, scaled to fit MAX_EVIDENCE_SIDE, and stored (in the request: nothing uncleaned is ever
  stored); its 480 px JPEG thumbnail is slow work made later from the stored photo (`evidence_thumbnail`,
  by the nominations.jobs.make_thumbnail job);
- a PDF must parse with pypdf, must not be encrypted, and must carry no script, automatic action, launch
  action or embedded file; its original bytes are stored. A PDF that parses only after pypdf repairs its
  cross-reference table is accepted but flagged for staff.
Everything else is refused with a message that names the file and, for sizes, the limit.
"""
from __future__ import annotations

import hashlib
import io
import re
import unicodedata
import warnings
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from PIL import Image, ImageOps, UnidentifiedImageError

from .errors import UploadRefused
from .pdf_check import MAX_PDF_PAGES, check_pdf  # noqa: F401  (MAX_PDF_PAGES re-exported: the evidence page shows it)
from .storage import storage

IMAGE_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
MAX_IMAGE_BYTES = 8 * 1024 * 1024
MAX_PIXELS = 40_000_000          # decoded size refused beyond this (a "bomb")
MAX_SIDE = 2000                  # stored images are scaled to fit this

# Evidence (nominations)
MB = 1024 * 1024
MAX_PHOTO_BYTES = 10 * MB
MAX_PDF_BYTES = 20 * MB
MAX_EVIDENCE_PIXELS = 64_000_000  # a 50-megapixel phone photo passes; a 20,000 x 20,000 bomb does not
MAX_EVIDENCE_SIDE = 2560          # stored photos are scaled to fit this
MAX_IMAGE_EDGE = 20_000           # no side longer than this, whatever the pixel count
THUMB_SIDE = 480
MAX_NAME_CHARS = 120

EXTENSIONS = {"photo": ("jpg", "jpeg", "png", "webp"), "pdf": ("pdf",)}
MIMETYPES = {"jpg": "image/jpeg", "png": "image/png", "webp": "image/webp", "pdf": "application/pdf"}


@dataclass
class Accepted:
    """A cleaned, stored evidence file (what operations.add_evidence reads)."""

    key: str
    kind: str                      # photo | pdf
    name: str                      # the uploaded name, cleaned for display (never used as a path)
    size: int                      # bytes stored
    sha256: str                    # of the bytes stored
    width: int | None = None
    height: int | None = None
    pages: int | None = None
    flagged: bool = False
    note: str | None = None
    keys: list[str] = field(default_factory=list, repr=False)  # every key written

    def discard(self) -> None:
        """Delete the stored bytes (the row that would own them was not saved)."""
        for key in self.keys:
            storage().delete(key)


# ---- names ----

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")


def display_name(raw: str | None) -> str:
    """The uploaded file's name as shown and stored: last path part, no control or bidi characters,
    NFC, at most MAX_NAME_CHARS characters (the extension kept). Never used to build a path."""
    name = unicodedata.normalize("NFC", str(raw or ""))
    name = re.split(r"[\\/]", name)[-1]
    name = _CONTROL.sub("", name).strip().strip(".").strip()
    if len(name) > MAX_NAME_CHARS:
        stem, dot, ext = name.rpartition(".")
        if dot and 0 < len(ext) <= 10:
            name = stem[:MAX_NAME_CHARS - len(ext) - 2] + "…." + ext
        else:
            name = name[:MAX_NAME_CHARS - 1] + "…"
    return name or str(_l("(ไม่มีชื่อ)"))


def download_name(name: str, key: str) -> str:
    """A name for Content-Disposition whose extension matches what is served (x.html -> x.html.jpg)."""
    ext = key.rsplit(".", 1)[1]
    kind = "pdf" if ext == "pdf" else "photo"
    if "." in name and name.rsplit(".", 1)[1].lower() in EXTENSIONS[kind]:
        return name
    return f"{name}.{ext}"


# ---- reading ----

def _read_limited(file_storage, max_bytes: int) -> bytes:
    """At most max_bytes + 1 bytes: enough to tell that a file is too big without reading all of it."""
    stream = getattr(file_storage, "stream", file_storage)
    chunks, left = [], max_bytes + 1
    while left > 0:
        chunk = stream.read(min(left, 1024 * 1024))
        if not chunk:
            break
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def sniff(data: bytes) -> str | None:
    """'jpg', 'png', 'webp' or 'pdf' from the first bytes; None for anything else."""
    if data[:3] == b"\xff\xd8\xff":
        return "jpg"
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        return "png"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    if data.lstrip(b" \t\r\n\x0c")[:5] == b"%PDF-":
        return "pdf"
    return None


# ---- images ----

def _open_image(data: bytes, name: str, max_pixels: int, *, verify: bool = False, draft: int | None = None):
    """Decode completely, refusing bombs and truncated or unknown files; return (image, format)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            if verify:  # a first pass over the chunks (PNG CRCs, the end of the file)
                with Image.open(io.BytesIO(data)) as probe:
                    probe.verify()
            image = Image.open(io.BytesIO(data))
            fmt = image.format
            if fmt not in IMAGE_FORMATS:
                raise UploadRefused(_l("ไฟล์ %(name)s ไม่ใช่รูปภาพ JPEG, PNG หรือ WebP", name=name))
            if image.width * image.height > max_pixels or max(image.size) > MAX_IMAGE_EDGE:
                raise UploadRefused(_l("รูป %(name)s มีขนาดพิกเซลใหญ่เกินไป (ไม่เกิน %(mp)d ล้านพิกเซล)",
                                       name=name, mp=max_pixels // 1_000_000))
            if draft and fmt == "JPEG":
                image.draft("RGB", (draft, draft))  # let libjpeg scale while decoding: less memory
            image.load()
    except UploadRefused:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise UploadRefused(_l("รูป %(name)s มีขนาดพิกเซลใหญ่เกินไป (ไม่เกิน %(mp)d ล้านพิกเซล)",
                               name=name, mp=max_pixels // 1_000_000))
    except UnidentifiedImageError:
        raise UploadRefused(_l("ไฟล์ %(name)s ไม่ใช่รูปภาพ JPEG, PNG หรือ WebP ที่เปิดได้", name=name))
    except (OSError, ValueError, SyntaxError, EOFError, MemoryError):
        raise UploadRefused(_l("ไฟล์ %(name)s เสียหรือไม่สมบูรณ์ กรุณาส่งไฟล์ใหม่", name=name))
    return image, fmt


def _encode(image: Image.Image, fmt: str) -> bytes:
    """Re-encode without metadata (no EXIF, GPS, XMP, ICC text, comments)."""
    out = io.BytesIO()
    if fmt == "JPEG":
        image.convert("RGB").save(out, "JPEG", quality=85, optimize=True)
    elif fmt == "PNG":
        if image.mode not in ("1", "L", "LA", "P", "RGB", "RGBA"):
            image = image.convert("RGBA" if "A" in image.getbands() else "RGB")
        image.save(out, "PNG", optimize=True)
    else:
        if image.mode not in ("RGB", "RGBA"):
            image = image.convert("RGBA" if "A" in image.getbands() or image.mode == "P" else "RGB")
        image.save(out, "WEBP", quality=85)
    return out.getvalue()


def _thumbnail(image: Image.Image) -> bytes:
    thumb = image.copy()
    thumb.thumbnail((THUMB_SIDE, THUMB_SIDE))
    if thumb.mode in ("RGBA", "LA", "P", "PA"):
        thumb = thumb.convert("RGBA")
        background = Image.new("RGB", thumb.size, (255, 255, 255))
        background.paste(thumb, mask=thumb.getchannel("A"))
        thumb = background
    out = io.BytesIO()
    thumb.convert("RGB").save(out, "JPEG", quality=80, optimize=True)
    return out.getvalue()


def evidence_thumbnail(data: bytes, name: str = "") -> bytes:
    """The 480 px JPEG thumbnail (on white) of a stored evidence photo: the cleaned bytes, already upright
    and without metadata. Raises UploadRefused if they do not decode (they did when they were stored)."""
    image, _ = _open_image(data, name, MAX_EVIDENCE_PIXELS, draft=THUMB_SIDE)
    try:
        return _thumbnail(image)
    except (OSError, ValueError, MemoryError):
        raise UploadRefused(_l("ไฟล์ %(name)s เสียหรือไม่สมบูรณ์ กรุณาส่งไฟล์ใหม่", name=name))


def accept_image(file_storage, max_bytes: int = MAX_IMAGE_BYTES, max_side: int = MAX_SIDE, *,
                 as_jpeg: bool = False) -> str:
    """Check, clean and store an uploaded image; return its storage key or raise UploadRefused.

    `as_jpeg` stores it as a JPEG on white (a certificate's background: PDFs embed JPEG as it is).
    """
    name = getattr(file_storage, "filename", "") or ""
    data = file_storage.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise UploadRefused(_l("ไฟล์ %(name)s ใหญ่เกิน %(mb)d MB", name=name, mb=max_bytes // (1024 * 1024)))
    if not data:
        raise UploadRefused(_l("ไฟล์ %(name)s ว่างเปล่า", name=name))
    image, fmt = _open_image(data, name, MAX_PIXELS)
    image = ImageOps.exif_transpose(image)  # keep the photo upright once EXIF is gone
    image.thumbnail((max_side, max_side))
    if as_jpeg:
        if image.mode in ("RGBA", "LA", "P", "PA"):
            image = image.convert("RGBA")
            flat = Image.new("RGB", image.size, (255, 255, 255))
            flat.paste(image, mask=image.getchannel("A"))
            image = flat
        fmt = "JPEG"
    return storage().save(_encode(image, fmt), IMAGE_FORMATS[fmt])


# ---- evidence ----

def accept_evidence(file_storage, *, max_bytes: int | None = None) -> Accepted:
    """Check, clean and store an evidence file (a photo or a PDF); return what was stored.

    max_bytes overrides both per-file limits (tests, a smaller limit for a category). Raises
    UploadRefused with a Thai message naming the file; nothing stays stored when it does.
    """
    name = display_name(getattr(file_storage, "filename", None))
    photo_limit = max_bytes if max_bytes is not None else MAX_PHOTO_BYTES
    pdf_limit = max_bytes if max_bytes is not None else MAX_PDF_BYTES
    data = _read_limited(file_storage, max(photo_limit, pdf_limit))
    if not data:
        raise UploadRefused(_l("ไฟล์ %(name)s ว่างเปล่า", name=name))
    ext = sniff(data)
    if ext is None:
        if len(data) > max(photo_limit, pdf_limit):
            raise UploadRefused(_l("ไฟล์ %(name)s ใหญ่เกิน %(mb)s MB", name=name, mb=_mb(max(photo_limit, pdf_limit))))
        raise UploadRefused(_l("ไฟล์ %(name)s ไม่ใช่รูปภาพ (JPEG, PNG, WebP) หรือไฟล์ PDF", name=name))
    limit = pdf_limit if ext == "pdf" else photo_limit
    if len(data) > limit:
        raise UploadRefused(_l("ไฟล์ %(name)s ใหญ่เกิน %(mb)s MB", name=name, mb=_mb(limit)))
    if ext == "pdf":
        pages, note = check_pdf(data, name)
        key = storage().save(data, "pdf")
        return Accepted(key=key, kind="pdf", name=name, size=len(data), sha256=hashlib.sha256(data).hexdigest(),
                        pages=pages, flagged=note is not None, note=note, keys=[key])
    image, fmt = _open_image(data, name, MAX_EVIDENCE_PIXELS, verify=True, draft=MAX_EVIDENCE_SIDE)
    if IMAGE_FORMATS[fmt] != ext:  # the first bytes and the decoder disagree
        raise UploadRefused(_l("ไฟล์ %(name)s ไม่ใช่รูปภาพ JPEG, PNG หรือ WebP ที่เปิดได้", name=name))
    try:
        image = ImageOps.exif_transpose(image)
        image.thumbnail((MAX_EVIDENCE_SIDE, MAX_EVIDENCE_SIDE))
        cleaned = _encode(image, fmt)
    except (OSError, ValueError, MemoryError):
        raise UploadRefused(_l("ไฟล์ %(name)s เสียหรือไม่สมบูรณ์ กรุณาส่งไฟล์ใหม่", name=name))
    key = storage().save(cleaned, ext)
    return Accepted(key=key, kind="photo", name=name, size=len(cleaned), sha256=hashlib.sha256(cleaned).hexdigest(),
                    width=image.width, height=image.height, keys=[key])


def _mb(limit: int) -> str:
    value = limit / MB
    return f"{value:g}" if value >= 1 else f"{max(round(value, 2), 0.01):g}"
