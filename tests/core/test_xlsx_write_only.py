"""XLSX exports are written row by row (issue 14): core.pagination.xlsx_bytes makes the same workbook as
core.tables.to_xlsx (values, text never a formula, bold frozen header with filters, widths) with openpyxl's
write-only sheet, reading its rows from a generator once."""
from __future__ import annotations

import io

import openpyxl

from fairapp.core import pagination
from fairapp.core.tables import Table, to_xlsx


def _sheet(data: bytes):
    return openpyxl.load_workbook(io.BytesIO(data)).active


def test_the_same_workbook_as_to_xlsx():
    table = Table("ผลการตัดสิน: ประเภท/1", ["ลำดับ", "ชื่อ", "หมายเหตุ"],
                  [[1, "องค์กรคุณธรรม", "=HYPERLINK(\"x\")"], [2, None, "มี\x01อักขระควบคุม"], [3, "ข" * 80, ""]])
    data = pagination.xlsx_bytes(table)
    streamed = _sheet(data)
    whole = _sheet(to_xlsx(table))
    assert [[c.value for c in r] for r in streamed.iter_rows()] == [[c.value for c in r] for r in whole.iter_rows()]
    assert streamed["C2"].data_type == "s" and streamed["C2"].value.startswith("=")  # text, not a formula
    assert streamed.title == whole.title and streamed.freeze_panes == "A2" and streamed.auto_filter.ref == "A1:C4"
    assert streamed["A1"].font.b
    for col in "ABC":
        assert streamed.column_dimensions[col].width == whole.column_dimensions[col].width


def test_rows_are_read_once_from_a_generator(monkeypatch):
    monkeypatch.setattr(pagination, "XLSX_WIDTH_SAMPLE", 10)
    read = []

    def rows():
        for i in range(1000):
            read.append(i)
            yield [i, f"แถว {i}"]

    sheet = _sheet(pagination.xlsx_bytes(Table("t", ["n", "ชื่อ"], rows())))
    assert read == list(range(1000)) and sheet.max_row == 1001 and sheet["B1001"].value == "แถว 999"
