"""How many rows a whole table has, without reading every row once it is big, and a page of a whole table.

`count(*)` reads every row: at national scale (150,000 organizations and users at 10x) it was most of the
time of the admin home, the admin users list and the staff's organizations list. While a table is small
it is counted exactly; on PostgreSQL, once the planner's statistics (pg_class.reltuples, kept by
autovacuum: one row read whatever the table's size) say it holds more than EXACT_UP_TO rows, their figure
is used instead, and the page says "about" (ประมาณ).

    number, about = how_many(Organization)            # SQL expressions, for one select with others
    page, total = page_of_all(select(Organization).order_by(...), Organization)
    # total = {"total": 153002, "about": True}; page.total is None (previous / next, no "page 2 of 3,061")
"""
from __future__ import annotations

from sqlalchemy import BigInteger, Float, case, column, func, literal, literal_column, select, table

from ..extensions import db
from .pagination import Page, paginate

EXACT_UP_TO = 20_000  # counted exactly up to here; beyond, PostgreSQL's estimate
PG_CLASS = table("pg_class", column("oid"), column("reltuples", Float))


def how_many(model) -> tuple:
    """(how many rows, whether it is an estimate) as SQL expressions: counted while the table is small; on
    PostgreSQL, once its statistics say over EXACT_UP_TO rows, their figure."""
    counted = select(func.count()).select_from(model.__table__).scalar_subquery()
    if db.session.get_bind().dialect.name != "postgresql":
        return counted, literal(False)
    estimate = select(PG_CLASS.c.reltuples).where(
        PG_CLASS.c.oid == literal_column(f"'{model.__tablename__}'::regclass")).scalar_subquery()
    big = func.coalesce(estimate, 0) >= EXACT_UP_TO
    return case((big, func.round(estimate).cast(BigInteger)), else_=counted), big


def page_of_all(query, model) -> tuple[Page, dict]:
    """One page (?page=N) of `query`, a select of every row of `model`'s table (no filter), and how many
    there are ({"total", "about"}): a page of a big table is read without a count (previous / next)."""
    number, estimated = how_many(model)
    total, about = db.session.execute(select(number, estimated)).one()
    page = paginate(query, count=not about, total=None if about else total)
    return page, {"total": total, "about": bool(about)}
