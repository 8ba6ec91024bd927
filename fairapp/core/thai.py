"""Thai formatting: Buddhist Era dates, Thai numerals and dictionary-order sorting (ICU th)."""
from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime
from functools import lru_cache
from typing import Callable, Iterable, TypeVar

import icu

from .time import to_local

T = TypeVar("T")

MONTHS_TH = ("มกราคม", "กุมภาพันธ์", "มีนาคม", "เมษายน", "พฤษภาคม", "มิถุนายน", "กรกฎาคม",
             "สิงหาคม", "กันยายน", "ตุลาคม", "พฤศจิกายน", "ธันวาคม")
MONTHS_TH_ABBR = ("ม.ค.", "ก.พ.", "มี.ค.", "เม.ย.", "พ.ค.", "มิ.ย.", "ก.ค.", "ส.ค.", "ก.ย.",
                  "ต.ค.", "พ.ย.", "ธ.ค.")
MONTHS_EN = ("January", "February", "March", "April", "May", "June", "July", "August",
             "September", "October", "November", "December")
MONTHS_EN_ABBR = tuple(m[:3] for m in MONTHS_EN)

_THAI_DIGITS = str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙")
BE_OFFSET = 543
NBSP = "\u00a0"


def thai_digits(text: object) -> str:
    """Arabic digits in text replaced by Thai digits (๐-๙)."""
    return str(text).translate(_THAI_DIGITS)


def be_year(year: int) -> int:
    """The Buddhist Era year of a Common Era year."""
    return year + BE_OFFSET


def format_date(value: date | datetime | None, style: str = "long", locale: str = "th",
                digits: bool = False) -> str:
    """A date in Buddhist Era, the one way dates are shown.

    style "long": ๑๑ พฤศจิกายน พ.ศ. ๒๕๖๓ / 11 November B.E. 2563;
    style "short": 11 พ.ย. 2563 / 11 Nov 2563 BE;
    style "datetime": 11 พ.ย. 2563 13:00 น. / 11 Nov 2563 BE 13:00.
    The era and the year are joined by a no-break space, so a narrow screen never splits them.
    Datetimes are shown in Bangkok time. `digits` turns on Thai numerals (Thai locale only).
    """
    if value is None:
        return ""
    time_part = ""
    if isinstance(value, datetime):
        value = to_local(value)
        time_part = f"{value:%H:%M}"
    day, month, year = value.day, value.month - 1, be_year(value.year)
    if locale == "th":
        if style == "long":
            text = f"{day} {MONTHS_TH[month]} พ.ศ.{NBSP}{year}"
        else:
            text = f"{day} {MONTHS_TH_ABBR[month]}{NBSP}{year}"
        if style == "datetime" and time_part:
            text += f" {time_part} น."
        return thai_digits(text) if digits else text
    if style == "long":
        text = f"{day} {MONTHS_EN[month]} B.E.{NBSP}{year}"
    else:
        text = f"{day} {MONTHS_EN_ABBR[month]} {year}{NBSP}BE"
    if style == "datetime" and time_part:
        text += f" {time_part}"
    return text


@lru_cache(maxsize=1)
def _collator() -> icu.Collator:
    return icu.Collator.createInstance(icu.Locale("th_TH"))


def sort_key(text: str | None) -> bytes:
    """A key that orders Thai text as a Thai dictionary does (ICU th collation)."""
    return _collator().getSortKey(text or "")


def sort_thai(items: Iterable[T], key: Callable[[T], str] | None = None) -> list[T]:
    """Items sorted in Thai dictionary order; `key` picks the text of each item."""
    pick = key or (lambda item: item)  # type: ignore[assignment, return-value]
    return sorted(items, key=lambda item: sort_key(pick(item)))


def mask_id(value: str | None) -> str:
    """A 13-digit ID for someone who does not need it in full: its first and last digits only, grouped as
    Thai IDs are written (1-2345-67890-12-3 -> 1-xxxx-xxxxx-x2-3)."""
    digits = "".join(ch for ch in (value or "") if ch.isdigit())
    if len(digits) != 13:
        return "x" * len(digits)
    masked = digits[0] + "x" * 10 + digits[11:]
    return f"{masked[0]}-{masked[1:5]}-{masked[5:10]}-{masked[10:12]}-{masked[12]}"


# ---- organization names: one spelling for comparing (accounts.models.org_name_key) ----

# Abbreviations written for the full word, longest first (so รพ.สต. is read before รพ., อบจ. before จ.).
ORG_ABBREVIATIONS = (
    ("มทร.", "มหาวิทยาลัยเทคโนโลยีราชมงคล"),
    ("มรภ.", "มหาวิทยาลัยราชภัฏ"),
    ("รพ.สต.", "โรงพยาบาลส่งเสริมสุขภาพตำบล"),
    ("สพป.", "สำนักงานเขตพื้นที่การศึกษาประถมศึกษา"),
    ("สพม.", "สำนักงานเขตพื้นที่การศึกษามัธยมศึกษา"),
    ("อบต.", "องค์การบริหารส่วนตำบล"),
    ("อบจ.", "องค์การบริหารส่วนจังหวัด"),
    ("สนง.", "สำนักงาน"),
    ("รพ.", "โรงพยาบาล"),
    ("รร.", "โรงเรียน"),
    ("ทต.", "เทศบาลตำบล"),
    ("ทม.", "เทศบาลเมือง"),
    ("ทน.", "เทศบาลนคร"),
    ("จ.", "จังหวัด"),
)
_ABBREVIATION = re.compile("|".join(re.escape(short) for short, _full in ORG_ABBREVIATIONS))
_FULL = dict(ORG_ABBREVIATIONS)
_UNIVERSITY = re.compile(r"^ม\.\s*")  # ม. is มหาวิทยาลัย only at the start (ม.๓ is a school grade)
_SARA_AM = re.compile("\u0e4d([\u0e48-\u0e4b]?)\u0e32")  # ํ + า typed for ำ (the tone mark may sit between)
_ARABIC_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")


def _last_word(text: str) -> str:
    """The last word of Thai text (ICU's dictionary word breaks), '' when there is none."""
    words = icu.BreakIterator.createWordInstance(icu.Locale("th_TH"))
    words.setText(text)
    ends = list(words)
    return text[ends[-2]:ends[-1]] if len(ends) >= 2 else text[:ends[-1]] if ends else ""


def org_name_form(name: str | None) -> str:
    """An organization's name spelled one way, for comparing names (not for showing): abbreviations written
    out (มทร. -> มหาวิทยาลัยเทคโนโลยีราชมงคล, ม. at the start -> มหาวิทยาลัย, รพ. -> โรงพยาบาล ...), ๆ as the
    word it repeats (เด็กๆ -> เด็กเด็ก), ํา as ำ, Thai digits as Arabic ones. Spaces, tone marks and
    punctuation are left for the search folding that follows (certificates.candidates.search_norm);
    a temple's name (วัด...) has no abbreviation and is kept as written."""
    text = unicodedata.normalize("NFC", name or "").strip()
    text = _SARA_AM.sub("\\1\u0e33", text).translate(_ARABIC_DIGITS)
    text = _UNIVERSITY.sub("มหาวิทยาลัย", text)
    text = _ABBREVIATION.sub(lambda m: _FULL[m.group(0)], text)
    while "ๆ" in text:
        at = text.index("ๆ")
        before = text[:at].rstrip()
        text = before + _last_word(before) + text[at + 1:]
    return text
