"""QR codes as module matrices (qrcode) and as runs of dark modules, the shape both SVG and PDF draw."""
from __future__ import annotations

import re
from collections.abc import Iterator

import qrcode


def matrix(data: str, *, border: int = 4, mask: int | None = None) -> list[list[bool]]:
    """The QR code's modules (True is dark), error correction M, with a quiet zone of `border` modules.

    `mask` fixes the mask pattern: choosing the best of eight costs qrcode ~15 ms for a long payload, and
    every mask decodes the same.
    """
    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=border, mask_pattern=mask)
    qr.add_data(data)
    qr.make(fit=True)
    return qr.get_matrix()


def runs(modules: list[list[bool]]) -> Iterator[tuple[int, int, int]]:
    """(row, first column, length) of every horizontal run of dark modules, top to bottom (found by a
    regular expression over each row's bytes: C, not a Python loop per module)."""
    for y, row in enumerate(modules):
        for run in _DARK_RUN.finditer(bytes(row)):
            start, end = run.span()
            yield y, start, end - start


_DARK_RUN = re.compile(rb"\x01+")  # a run of dark modules in a row (the bytes of its booleans)
