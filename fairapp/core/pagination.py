"""One page of a staff list: every list that grows with the data shows PAGE_SIZE rows at a time, ordered
in SQL (LIMIT/OFFSET), with the page's filters kept in every link of its navigation.

    page = paginate(query)              # ?page=N of the request (bounded; past the end: the last page)
    page.items, page.number, page.pages, page.total, page.url(n)

`stream_csv(table, name)` sends a CSV export while its rows are read (exports stream).
`thai_order(column)` sorts in Thai dictionary order in SQL (ICU th on both databases).
Templates show it with `{% from "_pagination.html" import pager %}{{ pager(page) }}` ("หน้า 2 จาก 9",
previous / next, first / last; wraps at 360 px). Two queries: the count and the page's rows. With
`count=False` (a log too long to count on every view) it reads one row more than a page to know whether
there is a next one, and the page has no total.
"""
from __future__ import annotations

import base64
import binascii
import csv
import io
import json
import sqlite3
from datetime import datetime, timezone
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Callable, Iterator

from flask import has_request_context, request, url_for
from sqlalchemy import and_, event, func, literal, select, tuple_
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from ..extensions import db
from .tables import _text as cell
from .thai import sort_key

PAGE_SIZE = 50
PG_THAI = "th-TH-x-icu"  # PostgreSQL's ICU Thai collation (indexes of migration 0013 use it)
MAX_PAGE = 1_000_000  # a bounded page number: OFFSET stays a plain integer on every database


def page_number(value: Any = None) -> int:
    """The page asked for (?page=N), 1 for anything that is not a positive whole number."""
    if value is None and not has_request_context():
        return 1
    raw = request.args.get("page", "") if value is None else value
    try:
        number = int(str(raw).strip())
    except ValueError:
        return 1
    return min(max(number, 1), MAX_PAGE)


@lru_cache(maxsize=262_144)
def _key(text: str | None) -> bytes:
    return sort_key(text)


def _thai_compare(a: str | None, b: str | None) -> int:
    ka, kb = _key(a), _key(b)
    return (ka > kb) - (ka < kb)


@event.listens_for(Engine, "connect")
def _sqlite_thai_collation(dbapi_connection, _record) -> None:
    """SQLite: the `thai` collation (ICU th, as core.thai.sort_key) on every connection."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        dbapi_connection.create_collation("thai", _thai_compare)


def thai_order(column):
    """`column` in Thai dictionary order inside SQL (ORDER BY, so a page is cut by the database): ICU's
    th collation on PostgreSQL (indexed, migration 0013), the same ICU rules as a collation on SQLite."""
    name = db.session.get_bind().dialect.name
    if name == "postgresql":
        return column.collate(PG_THAI)
    if name == "sqlite":
        return column.collate("thai")
    return column


@dataclass
class Page:
    items: list
    number: int
    size: int
    total: int | None  # None: not counted (count=False)
    has_next: bool
    args: dict = field(default_factory=dict)  # the request's query arguments, page aside
    endpoint: str | None = None
    view_args: dict = field(default_factory=dict)

    def __iter__(self):
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    @property
    def pages(self) -> int | None:
        if self.total is None:
            return None
        return max(1, -(-self.total // self.size))

    @property
    def has_prev(self) -> bool:
        return self.number > 1

    @property
    def first(self) -> int:
        """Position of the page's first row (1-based; 0 when the page is empty)."""
        return (self.number - 1) * self.size + 1 if self.items else 0

    @property
    def last(self) -> int:
        return (self.number - 1) * self.size + len(self.items)

    def url(self, number: int) -> str:
        """This list's address at page `number`, its filters kept."""
        args = dict(self.args)
        if number > 1:
            args["page"] = number
        return url_for(self.endpoint or request.endpoint, **{**self.view_args, **args})


def _request_args() -> dict:
    if not has_request_context():
        return {}
    return {k: v for k, v in request.args.items() if k != "page" and v != ""}


def _here() -> tuple[str | None, dict]:
    if not has_request_context():
        return None, {}
    return request.endpoint, dict(request.view_args or {})


def paginate(query, *, size: int = PAGE_SIZE, count: bool = True, number: int | None = None,
             total: int | None = None, scalars: bool = True) -> Page:
    """One page of an ordered select (ORM entities with `scalars`, else rows). `total` when the caller
    already knows it (e.g. summed from counts per status) saves the count query."""
    number = page_number() if number is None else number
    if count:
        if total is None:
            total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
        pages = max(1, -(-total // size))
        number = min(number, pages)
    run = db.session.scalars if scalars else db.session.execute
    rows = list(run(query.limit(size + (0 if count else 1)).offset((number - 1) * size)).all())
    if count:
        has_next = number * size < total
    else:
        has_next = len(rows) > size
        rows = rows[:size]
    return Page(items=rows, number=number, size=size, total=total if count else None, has_next=has_next,
                args=_request_args(), endpoint=_here()[0], view_args=_here()[1])


# ---- keyset ("seek") pagination: OFFSET reads and drops every row before the page (page 60 of a queue
# reads 3,000 rows); a seek starts at the key of the row next to the page, from an index, so every page
# costs what the first one does. Links carry the key: ?after=K&page=N (the page after the row K),
# ?before=K&page=N, ?last=1 (read backwards from the end); a bare ?page=N (an old link) is OFFSET. ----

SEEK_ARGS = ("after", "before", "last")


def encode_key(values) -> str:
    """A row's position as a link argument (URL-safe base64 of JSON; datetimes as ISO text)."""
    plain = [v.isoformat() if isinstance(v, datetime) else getattr(v, "value", v) for v in values]
    raw = json.dumps(plain, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def decode_key(token: str | None, types: tuple) -> list | None:
    """The values of encode_key's token, each read as its type (str, int, datetime), or None for anything
    that is not such a token (a link that was cut or altered is the first page, never an error)."""
    if not token or len(token) > 2000:
        return None
    try:
        plain = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        if not isinstance(plain, list) or len(plain) != len(types):
            return None
        values = [datetime.fromisoformat(v) if kind is datetime else v for kind, v in zip(types, plain)]
        if any(kind is not datetime and (not isinstance(v, kind) or isinstance(v, bool))
               for kind, v in zip(types, values)):
            return None
        return [v.replace(tzinfo=timezone.utc) if isinstance(v, datetime) and not v.tzinfo else v for v in values]
    except (ValueError, TypeError, UnicodeDecodeError, binascii.Error):
        return None


def seek_condition(columns: list, key: list, direction: str):
    """Rows after (or before) `key` in the order of `columns` (all ascending, the last one unique): the row
    comparison, and the first column's bound so that an index on the columns starts its scan at the key."""
    values = [literal(v, type_=getattr(c, "type", None)) for c, v in zip(columns, key)]
    if direction == "after":
        return and_(columns[0] >= values[0], tuple_(*columns) > tuple_(*values))
    return and_(columns[0] <= values[0], tuple_(*columns) < tuple_(*values))


def seek_fetch(query, columns: list, *, scalars: bool = False):
    """fetch(direction, key, limit) for seek_page over one ordered select: the `limit` rows after `key`
    (ascending) or before it (descending, nearest first); no key: from the start or from the end."""
    run = db.session.scalars if scalars else db.session.execute

    def fetch(direction: str, key: list | None, limit: int) -> list:
        q = query if key is None else query.where(seek_condition(columns, key, direction))
        order = columns if direction == "after" else [c.desc() for c in columns]
        return list(run(q.order_by(*order).limit(limit)).all())

    def offset(start: int, limit: int) -> list:
        return list(run(query.order_by(*columns).offset(start).limit(limit)).all())

    return fetch, offset


@dataclass
class SeekPage(Page):
    """A Page whose neighbours are found by key (seek_page): its links carry the key of its edge rows."""

    next_key: str | None = None
    prev_key: str | None = None

    def url(self, number: int) -> str:
        args = {k: v for k, v in self.args.items() if k not in SEEK_ARGS}
        if number > 1:
            args["page"] = number
        if number == self.number + 1 and self.next_key:
            args["after"] = self.next_key
        elif number == self.number - 1 and number > 1 and self.prev_key:
            args["before"] = self.prev_key
        elif number > 1 and number == self.pages:
            args["last"] = 1
        return url_for(self.endpoint or request.endpoint, **{**self.view_args, **args})


def seek_page(fetch, key_of: Callable[[Any], list], types: tuple, *, total: int, size: int = PAGE_SIZE,
              offset: Callable[[int, int], list] | None = None) -> SeekPage:
    """One page of a list read by key (see above). `fetch(direction, key, limit)` reads the rows after the
    key in order ("after") or before it nearest first ("before"); `key_of(row)` is a row's key (the order's
    values, `types` their types); `total` the list's length (for "หน้า 2 จาก 9" and the last page);
    `offset(start, limit)` serves a bare ?page=N. Reads at most size + 1 rows whatever the page."""
    args = request.args if has_request_context() else {}
    pages = max(1, -(-total // size))
    number = min(page_number(), pages)
    after = decode_key(args.get("after"), types)
    before = decode_key(args.get("before"), types)
    rows: list = []
    if after is not None:
        rows = fetch("after", after, size + 1)
        if rows:
            has_next, rows, has_prev, number = len(rows) > size, rows[:size], True, max(number, 2)
    elif before is not None:
        rows = fetch("before", before, size + 1)
        if rows:
            has_prev, rows, has_next = len(rows) > size, rows[:size][::-1], True
            number = number if has_prev else 1
    if rows:
        pass  # found by key
    elif pages > 1 and before is None and (after is not None or args.get("last") or number == pages):
        rows = fetch("before", None, total - (pages - 1) * size)[::-1]  # the last page, read from the end
        number, has_prev, has_next = pages, True, False
    elif number > 1 and before is None and offset is not None:
        rows = offset((number - 1) * size, size + 1)  # a bare ?page=N (an old link): OFFSET
        has_next, rows, has_prev = len(rows) > size, rows[:size], True
    if not rows:
        rows = fetch("after", None, size + 1)
        has_next, rows, has_prev, number = len(rows) > size, rows[:size], False, 1
    return SeekPage(items=rows, number=number, size=size, total=total, has_next=has_next,
                    args=_request_args(), endpoint=_here()[0], view_args=_here()[1],
                    next_key=encode_key(key_of(rows[-1])) if rows and has_next else None,
                    prev_key=encode_key(key_of(rows[0])) if rows and has_prev else None)


def list_page(total: int, *, size: int = PAGE_SIZE, number: int | None = None) -> Page:
    """An empty Page (?page=N, bounded by `total`) for rows the caller cuts itself (e.g. a ranking computed
    whole): it sets `items` to the rows of (number - 1) * size .. number * size."""
    number = page_number() if number is None else number
    number = min(number, max(1, -(-total // size)))
    return Page(items=[], number=number, size=size, total=total, has_next=number * size < total,
                args=_request_args(), endpoint=_here()[0], view_args=_here()[1])


# ---- exports that stream: a CSV written while its rows are read ----

class _Chunks:
    """A reader over a generator of byte chunks, for core.responses.send_stream (which reads it until b"")."""

    size = None  # unknown: no Content-Length, the answer is chunked

    def __init__(self, chunks: Iterator[bytes]):
        self._chunks = chunks

    def read(self, _n: int = -1) -> bytes:
        return next(self._chunks, b"")

    def close(self) -> None:
        close = getattr(self._chunks, "close", None)
        if close:
            close()


def csv_chunks(table, rows_per_chunk: int = 500) -> Iterator[bytes]:
    """core.tables.to_csv's bytes (UTF-8 with a BOM, CRLF, formulas neutralized), a chunk at a time: the
    header at once, then every `rows_per_chunk` rows of `table.rows` (which may be a generator)."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    out.write("\ufeff")
    writer.writerow(table.header)
    for i, row in enumerate(table.rows, start=1):
        writer.writerow([cell(v) for v in row])
        if i % rows_per_chunk == 0 or i == 1:
            yield out.getvalue().encode("utf-8")
            out.seek(0)
            out.truncate()
    if out.getvalue():
        yield out.getvalue().encode("utf-8")


def stream_csv(table, name: str):
    """The table as a CSV download that starts at once and holds one batch of rows at a time (the rows
    are read inside the request's context while the answer is sent; core.responses' header policy)."""
    from .responses import send_stream

    return send_stream(lambda: _Chunks(csv_chunks(table)), name, inline=False)


def rows_on_own_session(produce: Callable[[Session], Iterator[list]]) -> Iterator[list]:
    """The rows `produce(session)` yields, read on a session of their own, opened at the first row and
    closed after the last (or when the download is abandoned): a streamed export reads its rows after its
    view has returned, outside the request's unit of work (reads only)."""
    engine = db.engine

    def rows():
        with Session(engine) as session:
            yield from produce(session)

    return rows()


# ---- workbooks written row by row ----

XLSX_WIDTH_SAMPLE = 500  # column widths from the header and the first rows (a write-only sheet sets them first)


def xlsx_bytes(table) -> bytes:
    """core.tables.to_xlsx's workbook (bold frozen header with filters, widths that fit, text never a
    formula), written with openpyxl's write-only sheet: one row at a time, from a generator of rows read
    once, so an export never holds a cell object per cell (linear; only the compressed file is kept)."""
    import itertools
    import re

    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    from .tables import _ILLEGAL_XML, Table, column_widths

    rows = iter(table.rows)
    first = list(itertools.islice(rows, XLSX_WIDTH_SAMPLE))
    book = Workbook(write_only=True)
    sheet = book.create_sheet(re.sub(r"[\[\]:*?/\\]", " ", table.title)[:31])
    for i, width in enumerate(column_widths(Table(table.title, table.header, first)), start=1):
        sheet.column_dimensions[get_column_letter(i)].width = width
    sheet.freeze_panes = "A2"
    bold, fill, top = Font(bold=True), PatternFill("solid", fgColor="E8EEF4"), Alignment(vertical="top", wrap_text=True)

    def cells(row, header=False):
        out = []
        for value in row:
            if value is None or value == "":
                out.append(None)  # an empty cell, not an empty string
                continue
            if isinstance(value, str):
                cell = WriteOnlyCell(sheet, value=_ILLEGAL_XML.sub("", value))
                cell.data_type = "s"  # text, even when it starts with "=": never a formula
            else:
                cell = WriteOnlyCell(sheet, value=value)
            if header:
                cell.font, cell.fill, cell.alignment = bold, fill, top
            out.append(cell)
        return out

    sheet.append(cells(table.header, header=True))
    count = 1
    for row in itertools.chain(first, rows):
        sheet.append(cells(row))
        count += 1
    sheet.auto_filter.ref = f"A1:{get_column_letter(max(1, len(table.header)))}{count}"
    book.properties.creator = "fairapp"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def send_xlsx(table, name: str):
    """The table as an XLSX download (xlsx_bytes; core.responses' header policy)."""
    from .responses import send_bytes

    return send_bytes(xlsx_bytes(table), name, inline=False)
