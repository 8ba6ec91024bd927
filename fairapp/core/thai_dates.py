"""Date inputs in the Buddhist Era (issue 16: "every date input is a Buddhist Era picker"): a text input
showing and taking day/month/year B.E. (1/12/2569), with a calendar in Thai months and B.E. years
(static/js/thaidate.js) beside it. What is typed is read leniently: 1/12/2569, 01-12-2569, 1.12.2569,
"1 ธ.ค. 2569", "1 ธันวาคม พ.ศ. 2569", Thai digits, and ISO 2026-12-01 (what scripts and tests send); a year
from 2400 on is B.E., one before it C.E. With a time: the same, then HH:MM (เวลา 14:30 น. too).
"""
from __future__ import annotations

import re
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from wtforms import DateField, DateTimeField
from wtforms.widgets import TextInput

from .thai import MONTHS_EN, MONTHS_EN_ABBR, MONTHS_TH, MONTHS_TH_ABBR

BE_OFFSET = 543
_THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")
_MONTH_WORDS = {name.lower().rstrip("."): i + 1 for names in (MONTHS_TH, MONTHS_TH_ABBR, MONTHS_EN, MONTHS_EN_ABBR)
                for i, name in enumerate(names)}
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ](\d{1,2}):(\d{2}))?$")
_NUMERIC = re.compile(r"^(\d{1,2})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d{4})(?:\s+(\d{1,2})[:.](\d{2}))?$")
_WORDS = re.compile(r"^(\d{1,2})\s+([^\d\s]+(?:\s?[^\d\s]+)?)\s+(\d{4})(?:\s+(\d{1,2})[:.](\d{2}))?$")
DATE_HINT = _l("วัน/เดือน/ปี พ.ศ. เช่น 1/12/2569")
DATE_ERROR = _l("วันที่ไม่ถูกต้อง กรุณากรอกเป็น วัน/เดือน/ปี พ.ศ. เช่น 1/12/2569 หรือเลือกจากปฏิทิน")
TIME_ERROR = _l("วันและเวลาไม่ถูกต้อง กรุณากรอกเป็น วัน/เดือน/ปี พ.ศ. แล้วเวลา เช่น 1/12/2569 14:30")


def _clean(text: str) -> str:
    text = (text or "").translate(_THAI_DIGITS).strip()
    text = re.sub(r"พ\.?\s?ศ\.?", " ", text)
    text = re.sub(r"\s*(?:เวลา|น\.)\s*", " ", text).replace(",", " ")
    return re.sub(r"\s+", " ", text).strip()


def parse(text: str, *, with_time: bool = False) -> datetime | None:
    """The date (and time) typed, or None when it cannot be read as one (or is not a real day)."""
    text = _clean(text)
    found = _ISO.match(text)
    if found:
        year, month, day, hour, minute = found.groups()
    else:
        found = _NUMERIC.match(text) or _WORDS.match(text)
        if not found:
            return None
        day, month, year, hour, minute = found.groups()
        if not month.isdigit():
            month = _MONTH_WORDS.get(month.lower().rstrip(".").replace(" ", ""))
            if month is None:
                return None
    if (hour is None) == with_time:
        return None
    year = int(year) - BE_OFFSET if int(year) >= 2400 else int(year)
    try:
        return datetime(year, int(month), int(day), int(hour or 0), int(minute or 0))
    except ValueError:
        return None


def show(value: date | datetime | None, *, with_time: bool = False) -> str:
    """A date as the input shows it: 1/12/2569 (with the time: 1/12/2569 14:30)."""
    if value is None:
        return ""
    text = f"{value.day}/{value.month}/{value.year + BE_OFFSET}"
    return f"{text} {value:%H:%M}" if with_time else text


def _widget_kw(with_time: bool) -> dict:
    return {"inputmode": "numeric", "autocomplete": "off", "data-thai-date": "time" if with_time else "date",
            "placeholder": "1/12/2569 14:30" if with_time else "1/12/2569"}


class ThaiDateField(DateField):
    """A date typed or picked in the Buddhist Era; `.data` is a date."""
    widget = TextInput()

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("render_kw", {}).update(_widget_kw(False))
        kwargs.setdefault("description", DATE_HINT)
        super().__init__(label, validators, **kwargs)

    def _value(self):
        return " ".join(self.raw_data) if self.raw_data else show(self.data)

    def process_formdata(self, valuelist):
        if not valuelist or not " ".join(valuelist).strip():
            self.data = None
            return
        found = parse(" ".join(valuelist))
        self.data = found.date() if found else None
        if found is None:
            raise ValueError(str(DATE_ERROR))


class ThaiDateTimeField(DateTimeField):
    """A date and time (Thai time, naive as the form gives it) typed or picked in the Buddhist Era."""
    widget = TextInput()

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("render_kw", {}).update(_widget_kw(True))
        super().__init__(label, validators, **kwargs)

    def _value(self):
        return " ".join(self.raw_data) if self.raw_data else show(self.data, with_time=True)

    def process_formdata(self, valuelist):
        if not valuelist or not " ".join(valuelist).strip():
            self.data = None
            return
        self.data = parse(" ".join(valuelist), with_time=True)
        if self.data is None:
            raise ValueError(str(TIME_ERROR))
