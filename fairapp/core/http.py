"""HTTP edges: ids in URLs that fit the database, and bad values that reach it answered as 400, not 500."""
from __future__ import annotations

from sqlalchemy.exc import DataError
from werkzeug.routing import IntegerConverter

MAX_ID = 2**31 - 1  # an INTEGER column (PostgreSQL int4) holds no more


class IdConverter(IntegerConverter):
    """`<int:...>` that matches only ids a database INTEGER can hold; larger ones are simply not found."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def safe_id(value) -> int | None:
    """A form or query value as an id: ASCII digits within INTEGER range, else None."""
    text = str(value or "").strip()
    if not text.isascii() or not text.isdigit():
        return None
    number = int(text)
    return number if 0 < number <= MAX_ID else None


def register(app) -> None:
    app.url_map.converters["int"] = IdConverter

    from .errors import render_error
    from .transaction import abandon

    @app.errorhandler(DataError)
    @app.errorhandler(OverflowError)
    def bad_value(error):
        # A value the database cannot store (a NUL character, a number out of range): the request was bad.
        abandon()
        app.logger.info("refused a value the database cannot hold: %s", error)
        return render_error(400, 400)
