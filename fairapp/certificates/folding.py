"""The kiosk's search rule (`candidates.search_norm`: no spaces, tone marks, ็ ์ or punctuation, case
folded, so "ชุมชนบานนา" finds "ชุมชน บ้านนา") inside SQL, for the staff lists' free-text search (booth
review, nominations review). No stored folded column: the names are folded in the query (a staff list
searches one fair's rows, and LIKE '%...%' reads them all anyway). Booths and nominations import this module
and `candidates.search_norm` only, as the directory does."""
from __future__ import annotations

import sqlite3

from sqlalchemy import event, false, func, or_
from sqlalchemy.engine import Engine

from ..core.geo import province_choices
from ..extensions import db
from .candidates import search_norm

# What `search_norm` drops: spaces, tone marks and the other marks U+0E47-U+0E4E, and punctuation. In SQL:
# PostgreSQL's translate() deletes them after lower(); SQLite calls search_norm itself (a function on every
# connection, as core.pagination adds the thai collation).
_FOLD_DROPPED = " \t\n\r\u00a0" + "".join(map(chr, range(0x0E47, 0x0E4F))) + ".,()-_/'\""


@event.listens_for(Engine, "connect")
def _sqlite_search_fold(dbapi_connection, _record) -> None:
    if isinstance(dbapi_connection, sqlite3.Connection):
        dbapi_connection.create_function("search_fold", 1, search_norm, deterministic=True)


def folded(column):
    """The column as `search_norm` folds text, in SQL: lower case, without spaces, tone marks or
    punctuation ("ชุมชน บ้านนา" -> "ชุมชนบานนา")."""
    if db.session.get_bind().dialect.name == "sqlite":
        return func.search_fold(column)
    return func.translate(func.lower(func.coalesce(column, "")), _FOLD_DROPPED, "")


def search_needle(typed: str | None) -> str:
    """What a staff list's ?q= searches for (folded; "" when nothing searchable was typed)."""
    return search_norm((typed or "")[:100])


def province_codes(needle: str) -> list[str]:
    """The provinces whose Thai or English name contains the folded needle (no query: a fixed list)."""
    if not needle:
        return []
    names = {code: [name] for code, name in province_choices("th")}
    for code, name in province_choices("en"):
        names.setdefault(code, []).append(name)
    return [code for code, both in names.items() if any(needle in search_norm(name) for name in both)]


def matches(needle: str, *columns):
    """SQL: one of the columns, folded, contains the needle."""
    return or_(*(folded(column).contains(needle, autoescape=True) for column in columns)) if columns else false()
