"""Thai text in ReportLab PDFs, done right: Sarabun, HarfBuzz shaping, searchable text, line breaking.

What was measured (../shared/THAI-PDF.md) and why this module exists:
- `canvas.drawString(..., shaping=True)` does nothing in a normal install; pre-shaping the string with
  `shapeStr` and drawing the result is what stacks the marks (ที่นี่, ญี่ปุ่น, น้ำ, ผู้ใหญ่, ฐู).
- Shaped glyphs are mapped to private-use code points, so a reader copying the text would get broken
  Thai. Each drawn string is wrapped in a marked-content span whose /ActualText is the original string:
  poppler (pdftotext), Acrobat and browsers' viewers then extract exactly what was meant.
- Thai has no spaces between words: lines break at ICU's Thai word boundaries, never inside a cluster.

Images that every page of a batch repeats (a certificate's background, emblems and signatures) are
decoded and compressed once per process, not once per PDF (`draw_image`). Image streams are binary,
not ASCII85: a third smaller and no encoding time.

Public API: register_fonts, draw_text, text_width, fit_text_size, wrap_text, draw_image.
"""
from __future__ import annotations

import copy
import os
import threading
import unicodedata
from functools import lru_cache
from pathlib import Path

import icu
from reportlab import rl_config
from reportlab.lib.boxstuff import aspectRatioFix
from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfdoc, pdfmetrics
from reportlab.pdfgen.canvas import _digester
from reportlab.pdfbase.ttfonts import ShapedStr, TTFont, shapeStr

import fairapp

FONT_DIR = Path(fairapp.__file__).resolve().parent.parent / "static" / "fonts"
FONTS = {"Sarabun": "Sarabun-Regular.ttf", "Sarabun-Bold": "Sarabun-Bold.ttf"}

_lock = threading.Lock()
_registered = False
rl_config.useA85 = 0  # binary image streams (every PDF reader takes them; ASCII85 is 25% bigger and slow)

# A line never starts with these (closing punctuation, repetition mark, spacing vowels that belong to
# the consonant before them) and never ends with these (opening punctuation, Thai leading vowels).
_NO_LINE_START_CATEGORIES = {"Mn", "Mc", "Me", "Pe", "Pf", "Po"}
_NO_LINE_START = set("ๆฯ\u0e30\u0e32\u0e33\u0e45")  # ๆ ฯ ะ า ำ ๅ
_NO_LINE_END_CATEGORIES = {"Ps", "Pi"}
_NO_LINE_END = set("\u0e40\u0e41\u0e42\u0e43\u0e44")  # เ แ โ ใ ไ


def register_fonts() -> None:
    """Register Sarabun and Sarabun-Bold (TrueType, shapable) with ReportLab; safe to call again."""
    global _registered
    if _registered:
        return
    with _lock:
        if _registered:
            return
        known = set(pdfmetrics.getRegisteredFontNames())
        for name, filename in FONTS.items():
            if name not in known:
                pdfmetrics.registerFont(TTFont(name, str(FONT_DIR / filename)))
        # <b> in Paragraphs picks the bold face.
        addMapping("Sarabun", 0, 0, "Sarabun")
        addMapping("Sarabun", 1, 0, "Sarabun-Bold")
        addMapping("Sarabun", 0, 1, "Sarabun")
        addMapping("Sarabun", 1, 1, "Sarabun-Bold")
        for name in FONTS:
            _fix_private_codes(pdfmetrics.getFont(name))
            _keep_subsets(pdfmetrics.getFont(name))
        _registered = True


def _fix_private_codes(font: TTFont) -> None:
    """Give each glyph that no character maps to (Thai marks lowered or narrowed by shaping, ligatures) its
    private-use code now, in glyph order. ReportLab gives them one when shaping first meets them, so two
    processes that shaped different texts first would write the same glyph under different codes, and
    their PDFs' font subsets could never be the same bytes (see `prime`)."""
    hb_font = font.hbFont(10)
    face = font.face
    for gid in range(font.hbFace.glyph_count):
        if gid not in face.glyphToChar:
            font.hbAddPrivate(hb_font.glyph_to_string(gid), gid, hb_font.get_glyph_h_advance(gid))


def _keep_subsets(font: TTFont) -> None:
    """Build each font subset once per process: `prime` makes most documents ask for the same one."""
    build = font.face.makeSubset
    kept = lru_cache(maxsize=32)(lambda codes: build(list(codes)))
    font.face.makeSubset = lambda subset: kept(tuple(subset))


def _prime_codes(font: TTFont) -> str:
    """What `prime` puts first in a subset: Thai, the Thai glyphs shaping picks (in glyph order) and the
    punctuation of names and dates; ASCII has its fixed codes already."""
    face, hb_font = font.face, font.hbFont(10)
    thai = [c for c in range(0x0E01, 0x0E5C) if c in face.charToGlyph]
    shaped = []
    for code in sorted((c for c in face.charToGlyph if 0xE000 <= c < 0xF900), key=face.charToGlyph.get):
        glyph = hb_font.glyph_to_string(face.charToGlyph[code])
        if "thai" in glyph or glyph.startswith("uni0E"):
            shaped.append(code)
    punctuation = [c for c in (0x2013, 0x2014, 0x2018, 0x2019, 0x201C, 0x201D, 0x2026) if c in face.charToGlyph]
    return "".join(map(chr, thai + shaped + punctuation))


@lru_cache(maxsize=None)
def _prime_text(name: str) -> str:
    register_fonts()
    return _prime_codes(pdfmetrics.getFont(name))


def prime(canvas, fonts: tuple[str, ...] = tuple(FONTS)) -> None:
    """Give every Thai character and glyph its code in the canvas' font subsets before anything is drawn,
    in one fixed order: every PDF so made carries byte-identical subsets whatever its names, so a merged
    file (and the store) keeps one copy of each font instead of one per chunk. Characters beyond these
    (a name in another script) are added after them, as usual."""
    doc = canvas._doc
    for name in fonts:
        font = pdfmetrics.getFont(name)
        font.splitString(_prime_text(name), doc)
        font.getSubsetInternalName(0, doc)  # the font is written even when no page uses it


@lru_cache(maxsize=8192)
def _shaped(text: str, font: str) -> str:
    """The string as HarfBuzz shaped it (a ShapedStr), or the string itself when shaping changes nothing.

    Cached: a certificate batch draws the same wording on every page, and wrapping and fitting measure
    the same pieces again and again, at several sizes. A ShapedStr carries glyph ids and advances per
    1,000 units of size only, the same at any size (Sarabun has no size-dependent tables), so one shaping
    serves every size; and each canvas maps the glyphs into its own font subset when it draws them, so
    one shaped string serves any document.
    """
    register_fonts()
    return shapeStr(text, font, _SHAPING_SIZE) if text else text


_SHAPING_SIZE = 12


def _width(shaped: str, font: str, size: float) -> float:
    if isinstance(shaped, ShapedStr) and shaped.__shapeData__ is not None:
        return sum(d.x_advance for d in shaped.__shapeData__) * size / 1000
    return pdfmetrics.stringWidth(shaped, font, size)


def text_width(text: str, font: str = "Sarabun", size: float = 12) -> float:
    """The width in points of the text as drawn by draw_text (shaped: marks take no room)."""
    return _width(_shaped(text, font), font, size)


def actual_text(text: str) -> str:
    """The text as a PDF hex string of UTF-16BE with its byte-order mark: <FEFF...>."""
    return "<FEFF" + text.encode("utf-16-be").hex().upper() + ">"


def draw_text(canvas, x: float, y: float, text: str, font: str = "Sarabun", size: float = 12,
              align: str = "left") -> float:
    """Draw one line of text, shaped, with its original string as /ActualText; returns its width.

    `align` is "left" (x is the start), "center" (x is the middle) or "right" (x is the end).
    Leaves the canvas' font set to `font` at `size`.
    """
    if align not in ("left", "center", "right"):
        raise ValueError(f"align must be left, center or right, not {align!r}")
    if not text:
        return 0.0
    shaped = _shaped(text, font)
    canvas.setFont(font, size)
    # A marked-content span around the text object: /ActualText gives extractors the real characters.
    canvas.addLiteral(f"/Span <</ActualText {actual_text(text)}>> BDC")
    if align == "left":
        canvas.drawString(x, y, shaped)
    elif align == "center":
        canvas.drawCentredString(x, y, shaped)
    else:
        canvas.drawRightString(x, y, shaped)
    canvas.addLiteral("EMC")
    return _width(shaped, font, size)


def fit_text_size(text: str, font: str, max_width: float, size: float, min_size: float) -> float:
    """The largest size (in steps of 0.5 pt) <= size and >= min_size at which the text fits max_width.

    min_size when nothing fits (the caller then wraps or accepts the overflow).
    """
    if text_width(text, font, size) <= max_width:
        return size
    width_1000 = text_width(text, font, 1000)
    guess = size if width_1000 <= 0 else max_width * 1000 / width_1000
    candidate = max(min_size, min(size, int(guess * 2) / 2))
    while candidate > min_size and text_width(text, font, candidate) > max_width:
        candidate = max(min_size, candidate - 0.5)
    return candidate


_local = threading.local()  # ICU break iterators hold state: one of each per thread


def _boundaries(kind: str, text: str) -> list[int]:
    """The boundaries (offsets) of words ("word") or grapheme clusters ("char") in the text."""
    iterators = getattr(_local, "iterators", None)
    if iterators is None:
        thai = icu.Locale("th")
        iterators = _local.iterators = {"word": icu.BreakIterator.createWordInstance(thai),
                                        "char": icu.BreakIterator.createCharacterInstance(thai)}
    it = iterators[kind]
    it.setText(text)
    if all(ord(c) <= 0xFFFF for c in text):
        return list(it)
    # ICU counts UTF-16 code units; Python counts code points (they differ past U+FFFF, e.g. emoji).
    index, unit = {}, 0
    for i, c in enumerate(text):
        index[unit] = i
        unit += 2 if ord(c) > 0xFFFF else 1
    index[unit] = len(text)
    return [index[b] for b in it if b in index]


def _may_break(text: str, pos: int) -> bool:
    """True when a line may end just before text[pos] (pos is a word or cluster boundary)."""
    before, after = text[pos - 1], text[pos]
    if before.isspace() or after.isspace():
        return True
    if after in _NO_LINE_START or unicodedata.category(after) in _NO_LINE_START_CATEGORIES:
        return False
    if before in _NO_LINE_END or unicodedata.category(before) in _NO_LINE_END_CATEGORIES:
        return False
    return True


def _pieces(text: str) -> list[str]:
    """The text cut at the places where a line may break (Thai word boundaries, spaces)."""
    cuts = [0] + [b for b in _boundaries("word", text) if 0 < b < len(text) and _may_break(text, b)]
    cuts.append(len(text))
    return [text[a:b] for a, b in zip(cuts, cuts[1:]) if b > a]


def _split_long(piece: str, font: str, size: float, max_width: float) -> list[str]:
    """A word wider than the line, cut between grapheme clusters (never inside one)."""
    cuts = [0] + [b for b in _boundaries("char", piece) if 0 < b < len(piece) and _may_break(piece, b)]
    cuts.append(len(piece))
    lines, line = [], ""
    for segment in (piece[a:b] for a, b in zip(cuts, cuts[1:])):
        if line and text_width(line + segment, font, size) > max_width:
            lines.append(line)
            line = segment
        else:
            line += segment  # a single cluster wider than the line stays whole, alone
    if line:
        lines.append(line)
    return lines


def wrap_text(text: str, font: str, size: float, max_width: float) -> list[str]:
    """The text broken into lines that fit max_width at that size.

    Breaks at spaces and at Thai word boundaries (ICU, locale th), never inside a grapheme cluster and
    never before a combining mark, a spacing vowel or closing punctuation; a newline always breaks.
    A word longer than a whole line is cut between grapheme clusters.
    """
    lines: list[str] = []
    for paragraph in text.split("\n"):
        if text_width(paragraph.rstrip(), font, size) <= max_width:
            # The common case (a table cell, a short line): the paragraph fits whole. One shaping of it,
            # not one per growing candidate (that made long documents' wrapping quadratic in a line's
            # pieces and filled the shaping cache with prefixes). The same line the loop below would make.
            lines.append(paragraph.rstrip())
            continue
        line = ""
        for piece in _pieces(paragraph):
            candidate = line + piece
            if text_width(candidate.rstrip(), font, size) <= max_width:
                line = candidate
                continue
            if line.strip():
                lines.append(line.rstrip())
            piece = piece.lstrip()
            if text_width(piece.rstrip(), font, size) <= max_width:
                line = piece
            else:
                parts = _split_long(piece.rstrip(), font, size, max_width)
                lines.extend(parts[:-1])
                line = parts[-1] if parts else ""
        lines.append(line.rstrip())
    return lines


_images: dict[tuple, tuple] = {}
_images_lock = threading.Lock()
MAX_CACHED_IMAGES = 64


def _image_object(path: str, mask):
    """The image's XObject (and its soft mask), built once per process for a file that did not change.

    Building one decodes the PNG and compresses its pixels (tens of milliseconds for an emblem); a batch
    of certificates would otherwise do it for every certificate's own PDF.
    """
    stat = os.stat(path)
    key = (path, str(mask), stat.st_mtime_ns, stat.st_size)
    with _images_lock:
        entry = _images.get(key)
        if entry is None:
            name = _digester(f"{path}{mask}".encode("utf-8"))
            obj = pdfdoc.PDFImageXObject(name, path, mask=mask)
            obj.name = name
            smask = getattr(obj, "_smask", None)
            if smask is not None:
                del obj._smask
            if len(_images) >= MAX_CACHED_IMAGES:
                _images.clear()
            entry = _images[key] = (obj, smask)
    return entry


def draw_image(canvas, path: str, x: float, y: float, width: float, height: float, *, mask=None,
               preserve_aspect: bool = False) -> None:
    """canvas.drawImage(path, ...) with the image object cached for the process (see _image_object).

    Registers the same objects in this canvas' document the way drawImage does (an XObject and, for
    transparent PNGs, its soft mask), then draws it scaled into the box.
    """
    cached, cached_mask = _image_object(path, mask)
    doc = canvas._doc
    reg_name = doc.getXObjectName(cached.name)
    obj = doc.idToObject.get(reg_name)
    if obj is None:
        # A shallow copy per document: a registered object carries its name in that document; the
        # pixels (streamContent) are shared.
        obj, smask = copy.copy(cached), copy.copy(cached_mask) if cached_mask is not None else None
        canvas._setXObjects(obj)
        doc.Reference(obj, reg_name)
        doc.addForm(obj.name, obj)
        if smask is not None:
            mask_name = doc.getXObjectName(smask.name)
            if doc.idToObject.get(mask_name) is None:
                canvas._setXObjects(smask)
                obj.smask = doc.Reference(smask, mask_name)
            else:
                obj.smask = pdfdoc.PDFObjectReference(mask_name)
    x, y, width, height, _ = aspectRatioFix(preserve_aspect, "c", x, y, width, height, obj.width, obj.height,
                                            False)
    canvas._currentPageHasImages = 1
    canvas.saveState()
    canvas.translate(x, y)
    canvas.scale(width, height)
    canvas._code.append(f"/{reg_name} Do")
    canvas.restoreState()
    canvas._formsinuse.append(obj.name)
