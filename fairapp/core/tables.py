"""Tables as spreadsheets: CSV (UTF-8 with a BOM, so Excel shows Thai) and XLSX, safe from formulas.

Every export builds a `Table` and hands it to `to_csv` or `to_xlsx`.
"""
from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


@dataclass
class Table:
    """What a sheet holds: a title (the sheet's name), a header row and the data rows."""

    title: str
    header: list[str]
    rows: list[list] = field(default_factory=list)


# ---- writers ----

def _text(value) -> str | int:
    """A cell's value; text that a spreadsheet would run as a formula is quoted (CSV injection)."""
    if value is None:
        return ""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value
    value = str(value)
    return "'" + value if value.startswith(FORMULA_START) else value


def to_csv(table: Table) -> bytes:
    """UTF-8 with a byte order mark (so Excel reads Thai), lines ending in CRLF, a header row."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(table.header)
    writer.writerows([_text(v) for v in row] for row in table.rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


@lru_cache(maxsize=4096)
def _char_width(ch: str) -> int:
    if unicodedata.combining(ch) or unicodedata.category(ch) == "Mn":
        return 0
    return 2 if unicodedata.east_asian_width(ch) in "WF" else 1


def display_width(text: str) -> int:
    """Columns a text takes on screen: Thai vowel and tone marks above or below take none."""
    return sum(map(_char_width, text))


def column_widths(table: Table, least: int = 6, most: int = 60) -> list[int]:
    """A width per column: the widest line of its header and cells, within [least, most]."""
    widths = []
    for i, head in enumerate(table.header):
        texts = [head] + [str(row[i]) for row in table.rows if row[i] not in (None, "")]
        widest = max(display_width(line) for text in texts for line in text.split("\n"))
        widths.append(max(least, min(most, widest + 2)))
    return widths


def to_xlsx(table: Table) -> bytes:
    """An Excel workbook of one sheet: bold frozen header with filters, widths that fit, Thai intact."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    book = Workbook()
    sheet = book.active
    sheet.title = re.sub(r"[\[\]:*?/\\]", " ", table.title)[:31]
    for r, row in enumerate([table.header] + table.rows, start=1):
        for c, value in enumerate(row, start=1):
            if value is None or value == "":
                continue  # an empty cell, not an empty string
            if isinstance(value, str):
                cell = sheet.cell(row=r, column=c, value=_ILLEGAL_XML.sub("", value))
                cell.data_type = "s"  # text, even when it starts with "=": never a formula
            else:
                sheet.cell(row=r, column=c, value=value)
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="E8EEF4")
    for cell in sheet[1]:
        cell.font, cell.fill = bold, fill
        cell.alignment = Alignment(vertical="top", wrap_text=True)
    for i, width in enumerate(column_widths(table), start=1):
        sheet.column_dimensions[get_column_letter(i)].width = width
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions
    book.properties.creator = "fairapp"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
