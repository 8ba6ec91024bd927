"""Admin pages read through admin.queries: counts, users in Thai order, the audit log page by page."""
from fairapp.admin import queries
from fairapp.core import audit
from tests.factories import create_fair, create_org, create_user


def test_counts(db):
    create_org()
    create_fair()
    admin = create_user(admin=True)
    audit.record("test.thing", admin, actor=admin)
    db.session.commit()
    latest = audit.AuditEntry.query.order_by(audit.AuditEntry.id.desc()).first().id
    assert queries.counts() == {"users": 1, "organizations": 1, "fairs": 1, "audit_latest": latest,
                                "about": {"users": False, "organizations": False}}


def test_the_admin_home_counts_in_one_query_and_never_counts_the_audit_log(client, db, login_as, count_queries):
    """Issue 14: four counts were four queries, and counting the audit log (2 million entries at 10x) read it
    all on every view; now one query, and the log's latest entry number (its index's last key)."""
    admin = create_user(admin=True)
    for _ in range(3):
        audit.record("test.thing", admin, actor=admin)
    db.session.commit()
    latest = audit.AuditEntry.query.order_by(audit.AuditEntry.id.desc()).first().id
    statements = []
    from sqlalchemy import event
    from fairapp.extensions import db as _db

    def seen(conn, cursor, statement, *args):
        statements.append(statement)
    event.listen(_db.engine, "before_cursor_execute", seen)
    try:
        counts = queries.counts()
    finally:
        event.remove(_db.engine, "before_cursor_execute", seen)
    assert len(statements) == 1 and "count(audit_log" not in statements[0]
    assert counts["audit_latest"] == latest
    login_as(admin)
    assert f"รายการล่าสุด #{latest}" in client.get("/admin/").get_data(as_text=True)


def test_users_in_thai_dictionary_order(client, db, login_as):
    for name in ("ฮานะ", "ไก่", "กานดา"):
        create_user(first_name=name)
    login_as(create_user(admin=True, first_name="ขวัญ"))
    assert [u.first_name for u in queries.users()[0]] == ["กานดา", "ไก่", "ขวัญ", "ฮานะ"]
    html = client.get("/admin/users").get_data(as_text=True)
    assert html.index("กานดา") < html.index("ไก่") < html.index("ขวัญ") < html.index("ฮานะ")


def test_audit_log_pages_newest_first_with_actors(client, db, login_as):
    admin = create_user(admin=True, first_name="ผู้ดูแล")
    for i in range(3):
        audit.record(f"test.step{i}", admin, actor=admin)
    audit.record("test.system", admin, actor=None)
    db.session.commit()
    entries, actors = queries.audit_page(1, 2)
    assert [e.action for e in entries] == ["test.system", "test.step2"]
    assert actors == {admin.id: admin}
    entries, _ = queries.audit_page(2, 2)
    assert [e.action for e in entries] == ["test.step1", "test.step0"]
    login_as(admin)
    html = client.get("/admin/audit").get_data(as_text=True)
    assert "test.step0" in html and "ห่วงโซ่แฮชของบันทึกครบถ้วน" in html
