"""The admin home's numbers of users and organizations are kept by triggers on PostgreSQL (row_counts,
migration 0022): the page reads the same few rows at 20 organizations and at 220 (issue 14: count(*) read
all 150,000 at 10x on every view), and the numbers stay right through inserts and deletes, ORM or plain
SQL. SQLite (development) counts them."""
from __future__ import annotations

import pytest
from sqlalchemy import delete, insert

from fairapp.accounts.models import Organization, User
from fairapp.admin import queries
from tests.core.db_work import db_work
from tests.factories import create_org, create_user


def _orgs(db, n: int) -> None:
    db.session.execute(insert(Organization), [
        {"name_th": f"องค์กร {i}", "sector": "civil", "province_code": "57", "district_code": "5701"}
        for i in range(n)])
    db.session.commit()


def test_the_counts_follow_inserts_and_deletes(db):
    before = queries.counts()
    create_user()
    create_org()
    _orgs(db, 5)
    assert queries.counts()["users"] == before["users"] + 1
    assert queries.counts()["organizations"] == before["organizations"] + 6
    db.session.execute(delete(Organization).where(Organization.name_th.in_(["องค์กร 1", "องค์กร 2"])))
    db.session.commit()
    assert queries.counts()["organizations"] == before["organizations"] + 4
    assert queries.counts()["organizations"] == db.session.query(Organization).count()
    assert queries.counts()["users"] == db.session.query(User).count()


def test_the_admin_home_reads_the_same_rows_at_eleven_times_the_organizations(client, db, login_as):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite (development) counts the rows")
    admin = create_user(admin=True)
    login_as(admin)
    out = []
    for n in (20, 200):
        _orgs(db, n)
        client.get("/admin/")
        with db_work() as work:
            html = client.get("/admin/").get_data(as_text=True)
        assert f"<span>{db.session.query(Organization).count():,}</span>" in html
        out.append((work.rows(), len(work.statements)))
        assert not [s for s, _p in work.statements if "count(users" in s or "count(organizations" in s]
    (small, q_small), (big, q_big) = out
    assert q_small == q_big
    assert big < small * 1.5, (small, big)
