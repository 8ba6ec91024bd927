"""The admin home's numbers of users and organizations do not read every row (issue 14: count(*) read all
150,000 organizations at 10x on every view): counted exactly while the tables are small, and on
PostgreSQL, once its statistics say a table is big (admin.queries.EXACT_UP_TO), its estimate, shown as
"about" (pg_class.reltuples: one row read whatever the size)."""
from __future__ import annotations

import pytest
from sqlalchemy import delete, insert, text

from fairapp.accounts.models import Organization, User
from fairapp.admin import queries
from tests.core.db_work import db_work
from tests.factories import create_org, create_user


def _orgs(db, n: int) -> None:
    db.session.execute(insert(Organization), [
        {"name_th": f"องค์กร {i}", "sector": "civil", "province_code": "57", "district_code": "5701"}
        for i in range(n)])
    db.session.commit()


def test_small_tables_are_counted_exactly(db):
    before = queries.counts()
    create_user()
    create_org()
    _orgs(db, 5)
    db.session.execute(delete(Organization).where(Organization.name_th.in_(["องค์กร 1", "องค์กร 2"])))
    db.session.commit()
    counts = queries.counts()
    assert counts["organizations"] == before["organizations"] + 4 == db.session.query(Organization).count()
    assert counts["users"] == before["users"] + 1 == db.session.query(User).count()
    assert counts["about"] == {"users": False, "organizations": False}


def test_the_admin_home_reads_the_same_rows_at_ten_times_the_organizations(client, db, login_as, monkeypatch):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite (development) counts the rows")
    monkeypatch.setattr(queries, "EXACT_UP_TO", 100, raising=False)
    admin = create_user(admin=True)
    login_as(admin)
    out = []
    for total in (150, 1500):
        _orgs(db, total - db.session.query(Organization).count())
        db.session.execute(text("ANALYZE organizations, users"))  # as autovacuum does
        db.session.commit()
        with db_work() as work:
            html = client.get("/admin/").get_data(as_text=True)
        out.append((work.rows(), len(work.statements), html))
    (small, q_small, _html), (big, q_big, html) = out
    assert q_small == q_big
    assert big < small * 1.5, (small, big)
    assert "ประมาณ 1500" in html  # an estimate, said so (exact here: ANALYZE read the whole table)
