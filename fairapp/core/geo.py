"""Thailand's 77 provinces and 928 districts (DOPA codes) from the geothai package."""
from __future__ import annotations

from functools import lru_cache

import geothai

from .thai import sort_thai


def _name(area, locale: str) -> str:
    return area.name_en if locale == "en" else area.name_th


@lru_cache(maxsize=2)
def province_choices(locale: str = "th") -> list[tuple[str, str]]:
    """(code, name) of every province, sorted in the locale's order."""
    rows = [(p.code, _name(p, locale)) for p in geothai.provinces()]
    if locale == "th":
        return sort_thai(rows, key=lambda row: row[1])
    return sorted(rows, key=lambda row: row[1])


@lru_cache(maxsize=256)
def district_choices(province_code: str, locale: str = "th") -> list[tuple[str, str]]:
    """(code, name) of the districts of a province; empty for an unknown province."""
    rows = [(d.code, _name(d, locale)) for d in geothai.districts(province_code)]
    if locale == "th":
        return sort_thai(rows, key=lambda row: row[1])
    return sorted(rows, key=lambda row: row[1])


def province_name(code: str | None, locale: str = "th") -> str:
    """The province's name, or "" when the code is empty or unknown."""
    if not code:
        return ""
    area = geothai.province(code)
    return _name(area, locale) if area else ""


def district_name(code: str | None, locale: str = "th") -> str:
    """The district's name, or "" when the code is empty or unknown."""
    if not code:
        return ""
    area = geothai.district(code)
    return _name(area, locale) if area else ""


def district_in_province(district_code: str, province_code: str) -> bool:
    """True when the district belongs to the province."""
    return any(code == district_code for code, _ in district_choices(province_code))


def province_label(code: str | None, locale: str = "th") -> str:
    """The province as written in a Thai address: "จังหวัดเชียงราย", but "กรุงเทพมหานคร"."""
    name = province_name(code, locale)
    if name and locale == "th" and code != "10":
        return "จังหวัด" + name
    return name
