"""QR codes as module matrices (qrcode) and as runs of dark modules, the shape both SVG and PDF draw."""
from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterator

import qrcode
from qrcode import util
from qrcode.exceptions import DataOverflowError


def matrix(data: str, *, border: int = 4, mask: int | None = None) -> list[list[bool]]:
    """The QR code's modules (True is dark), error correction M, with a quiet zone of `border` modules.

    `mask` fixes the mask pattern: choosing the best of eight costs qrcode ~15 ms for a long payload, and
    every mask decodes the same.
    """
    return code(data, border=border, mask=mask).get_matrix()


def code(data: str, *, border: int = 4, mask: int | None = None) -> qrcode.QRCode:
    """The qrcode.QRCode of `data` (error correction M), made in the smallest version that holds it.

    The version is counted (smallest_version), not found by qrcode's best_fit, which writes every bit of
    the data out to count them before make writes them all again: a third of the time of a long payload.
    """
    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=border, mask_pattern=mask)
    qr.add_data(data)
    qr.version = smallest_version(qr.data_list, qr.error_correction)
    qr.make(fit=False)
    return qr


_BITS = {util.MODE_NUMBER: lambda n: 10 * (n // 3) + (0, 4, 7)[n % 3],  # 3 digits in 10 bits (qrcode.util)
         util.MODE_ALPHA_NUM: lambda n: 11 * (n // 2) + 6 * (n % 2),  # 2 characters in 11 bits
         util.MODE_8BIT_BYTE: lambda n: 8 * n}


def smallest_version(segments: list[util.QRData], error_correction: int) -> int:
    """The smallest QR version whose capacity at this error correction holds the segments, as qrcode's
    best_fit finds it: each segment is its mode (4 bits), its length (in the width the version gives that
    mode) and its data, counted by arithmetic. DataOverflowError when no version holds them."""
    version = 1
    while True:
        widths = util.mode_sizes_for_version(version)
        needed = sum(4 + widths[s.mode] + _BITS[s.mode](len(s)) for s in segments)
        found = bisect_left(util.BIT_LIMIT_TABLE[error_correction], needed, version)
        if found > 40:
            raise DataOverflowError()
        if util.mode_sizes_for_version(found) is widths:  # the length widths change at versions 10 and 27
            return found
        version = found


def runs(modules: list[list[bool]]) -> Iterator[tuple[int, int, int]]:
    """(row, first column, length) of every horizontal run of dark modules, top to bottom (found by a
    regular expression over each row's bytes: C, not a Python loop per module)."""
    for y, row in enumerate(modules):
        for run in _DARK_RUN.finditer(bytes(row)):
            start, end = run.span()
            yield y, start, end - start


_DARK_RUN = re.compile(rb"\x01+")  # a run of dark modules in a row (the bytes of its booleans)
