"""How much a request makes the database work, not only how many queries it sends (issue 14: a query that
sorts every row of a fair is one query, at 1x and at 10x).

    with db_work() as work:
        client.get(url)
    work.rows()                        # the work of every SELECT the request sent
    work.rows(skip=("count(",))        # ... but its counts

Every SELECT the request sent is run again afterwards with the same parameters, alone:
- PostgreSQL: EXPLAIN (ANALYZE, FORMAT JSON); its work is the rows every plan node produced or threw
  away (rows x loops, plus "Rows Removed by Filter" and by a join's filter), i.e. the rows it touched;
- SQLite: the number of virtual-machine instructions it ran (a progress handler called at each one).
Either grows with the rows a statement reads (a full sort, an OFFSET) and stays put for a page read from
an index. Tests compare it at two sizes of the same data (never against a time).
"""
from __future__ import annotations

import json
from contextlib import contextmanager

from sqlalchemy import event

from fairapp.extensions import db


class Work:
    def __init__(self):
        self.statements: list[tuple[str, object]] = []
        self.dialect = db.engine.dialect.name

    def _one(self, statement: str, parameters) -> int:
        connection = db.engine.raw_connection()
        try:
            cursor = connection.cursor()
            if self.dialect == "postgresql":
                cursor.execute("SET LOCAL enable_seqscan = off")  # a test's tables are tiny (see above)
                cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + statement, parameters)
                plan = cursor.fetchone()[0]
                plan = json.loads(plan) if isinstance(plan, str) else plan
                return _touched(plan[0]["Plan"])
            steps = [0]

            def step():
                steps[0] += 1
                return 0

            connection.driver_connection.set_progress_handler(step, 1)
            try:
                cursor.execute(statement, parameters)
                cursor.fetchall()
            finally:
                connection.driver_connection.set_progress_handler(None, 1)
            return steps[0]
        finally:
            connection.close()

    def per_statement(self, skip: tuple[str, ...] = ()) -> list[tuple[int, str]]:
        if self.dialect == "postgresql":  # the statistics autovacuum keeps on a real database
            connection = db.engine.raw_connection()
            try:
                connection.cursor().execute("ANALYZE")
                connection.commit()
            finally:
                connection.close()
        out = []
        for statement, parameters in self.statements:
            if any(s.lower() in statement.lower() for s in skip):
                continue
            out.append((self._one(statement, parameters), statement))
        return out

    def rows(self, skip: tuple[str, ...] = ()) -> int:
        return sum(n for n, _s in self.per_statement(skip))


def _touched(node: dict) -> int:
    own = node.get("Actual Rows", 0) * node.get("Actual Loops", 1)
    own += node.get("Rows Removed by Filter", 0) + node.get("Rows Removed by Join Filter", 0)
    return own + sum(_touched(child) for child in node.get("Plans", []))


@contextmanager
def db_work():
    work = Work()

    def before(_conn, _cursor, statement, parameters, _context, _many):
        if statement.lstrip().upper().startswith(("SELECT", "WITH")):
            work.statements.append((statement, parameters))

    engine = db.engine
    event.listen(engine, "before_cursor_execute", before)
    try:
        yield work
    finally:
        event.remove(engine, "before_cursor_execute", before)
