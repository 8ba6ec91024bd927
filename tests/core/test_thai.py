from datetime import date, datetime, timezone

import pytest

from fairapp.core import geo
from fairapp.core.thai import be_year, format_date, sort_thai, thai_digits


def test_buddhist_era_long_and_short():
    d = date(2020, 11, 11)
    assert be_year(2020) == 2563
    assert format_date(d) == "11 พฤศจิกายน พ.ศ.\u00a02563"  # era and year never split
    assert format_date(d, digits=True) == "๑๑ พฤศจิกายน พ.ศ.\u00a0๒๕๖๓"
    assert format_date(d, "short") == "11 พ.ย.\u00a02563"
    assert format_date(d, "long", locale="en") == "11 November B.E.\u00a02563"
    assert format_date(d, "short", locale="en") == "11 Nov 2563\u00a0BE"


def test_datetime_shown_in_bangkok_time():
    # 18:30 UTC on 31 Dec is already 1 January in Bangkok (UTC+7): the year changes too.
    moment = datetime(2020, 12, 31, 18, 30, tzinfo=timezone.utc)
    assert format_date(moment, "datetime") == "1 ม.ค.\u00a02564 01:30 น."
    assert format_date(moment, "datetime", locale="en") == "1 Jan 2564\u00a0BE 01:30"


def test_empty_date_is_blank():
    assert format_date(None) == ""


def test_thai_digits():
    assert thai_digits("A07 2563") == "A๐๗ ๒๕๖๓"


def test_thai_dictionary_order_not_code_point_order():
    words = ["ฮา", "ใจ", "ไก่", "กา", "เกาะ", "ขนม", "กอ", "โกน", "แกง"]
    expected = ["กอ", "กา", "เกาะ", "แกง", "โกน", "ไก่", "ขนม", "ใจ", "ฮา"]
    assert sort_thai(words) == expected
    assert sorted(words) != expected  # code point order puts leading vowels first


def test_sort_thai_with_key():
    rows = [{"n": "ไก่"}, {"n": "กา"}]
    assert [r["n"] for r in sort_thai(rows, key=lambda r: r["n"])] == ["กา", "ไก่"]


def test_77_provinces_and_their_districts():
    provinces = geo.province_choices("th")
    assert len(provinces) == 77
    assert provinces[0][1] == "กระบี่"  # dictionary order
    assert sum(len(geo.district_choices(code)) for code, _ in provinces) == 928
    assert ("5701", "เมืองเชียงราย") in geo.district_choices("57")
    assert geo.district_in_province("5701", "57")
    assert not geo.district_in_province("1001", "57")
    assert geo.district_choices("99") == []


@pytest.mark.parametrize("code,locale,label", [
    ("57", "th", "จังหวัดเชียงราย"), ("10", "th", "กรุงเทพมหานคร"), ("57", "en", "Chiang Rai"), ("99", "th", ""),
])
def test_province_label(code, locale, label):
    assert geo.province_label(code, locale) == label
