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
    assert queries.counts() == {"users": 1, "organizations": 1, "fairs": 1, "audit": 1}


def test_users_in_thai_dictionary_order(client, db, login_as):
    for name in ("ฮานะ", "ไก่", "กานดา"):
        create_user(first_name=name)
    login_as(create_user(admin=True, first_name="ขวัญ"))
    assert [u.first_name for u in queries.users()] == ["กานดา", "ไก่", "ขวัญ", "ฮานะ"]
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
