"""Uploads are accepted by their content, never by their name or the browser's content type.

An image is opened with Pillow (decompression bombs refused), must be JPEG, PNG or WebP, is re-encoded
(which drops EXIF, GPS location included) and scaled down to a maximum size before it is stored.
"""
from __future__ import annotations

import io
import warnings

from flask_babel import lazy_gettext as _l
from PIL import Image, ImageOps, UnidentifiedImageError

from .errors import DomainError
from .storage import storage

IMAGE_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
MAX_IMAGE_BYTES = 8 * 1024 * 1024
MAX_PIXELS = 40_000_000          # decoded size refused beyond this (a "bomb")
MAX_SIDE = 2000                  # stored images are scaled to fit this


class UploadRefused(DomainError):
    message = _l("ไฟล์นี้ใช้ไม่ได้")


def accept_image(file_storage, max_bytes: int = MAX_IMAGE_BYTES, max_side: int = MAX_SIDE) -> str:
    """Check, clean and store an uploaded image; return its storage key or raise UploadRefused."""
    name = getattr(file_storage, "filename", "") or ""
    data = file_storage.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise UploadRefused(_l("ไฟล์ %(name)s ใหญ่เกิน %(mb)d MB", name=name, mb=max_bytes // (1024 * 1024)))
    if not data:
        raise UploadRefused(_l("ไฟล์ %(name)s ว่างเปล่า", name=name))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            fmt = image.format
            if fmt not in IMAGE_FORMATS:
                raise UploadRefused(_l("ไฟล์ %(name)s ไม่ใช่รูปภาพ JPEG, PNG หรือ WebP", name=name))
            if image.width * image.height > MAX_PIXELS:
                raise UploadRefused(_l("รูป %(name)s มีขนาดพิกเซลใหญ่เกินไป", name=name))
            image.load()
    except UploadRefused:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise UploadRefused(_l("ไฟล์ %(name)s ไม่ใช่รูปภาพ JPEG, PNG หรือ WebP ที่เปิดได้", name=name))
    except (OSError, ValueError, SyntaxError):
        raise UploadRefused(_l("ไฟล์ %(name)s เสียหรือไม่สมบูรณ์ กรุณาส่งไฟล์ใหม่", name=name))
    image = ImageOps.exif_transpose(image)  # keep the photo upright once EXIF is gone
    image.thumbnail((max_side, max_side))
    out = io.BytesIO()
    if fmt == "JPEG":
        image.convert("RGB").save(out, "JPEG", quality=85, optimize=True)
    elif fmt == "PNG":
        image.save(out, "PNG", optimize=True)
    else:
        image.save(out, "WEBP", quality=85)
    return storage().save(out.getvalue(), IMAGE_FORMATS[fmt])
