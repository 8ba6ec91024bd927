"""Commands run as one unit of work: all of it is saved, or (on any failure) none of it."""
import pytest

from fairapp.accounts.models import User
from fairapp.core.audit import AuditEntry
from tests.factories import create_user


def test_create_admin_makes_a_confirmed_admin_and_promotes_an_existing_account(app, db):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["create-admin", "Boss@Example.org", "--password", "a-long-pass-phrase"])
    assert result.exit_code == 0, result.output
    assert "admin: boss@example.org" in result.output
    db.session.expire_all()
    boss = db.session.query(User).filter_by(email="boss@example.org").one()
    assert boss.is_admin and boss.email_confirmed
    create_user("staff@example.org")
    assert runner.invoke(args=["create-admin", "staff@example.org", "--password", "x"]).exit_code == 0
    db.session.expire_all()
    assert db.session.query(User).filter_by(email="staff@example.org").one().is_admin


def test_a_failing_demo_load_leaves_nothing(app, db, monkeypatch):
    def half_then_fail():
        create = User(email="half@example.org", password_hash="x", first_name="ครึ่ง")
        db.session.add(create)
        db.session.flush()
        raise RuntimeError("disk full")

    monkeypatch.setattr("fairapp.demo.load_demo", half_then_fail)
    result = app.test_cli_runner().invoke(args=["demo"])
    assert isinstance(result.exception, RuntimeError)
    db.session.expire_all()
    assert db.session.query(User).count() == 0


def test_demo_if_empty_leaves_data_alone(app, db, monkeypatch):
    create_user()
    monkeypatch.setattr("fairapp.demo.load_demo", lambda: pytest.fail("must not load"))
    result = app.test_cli_runner().invoke(args=["demo", "--if-empty"])
    assert result.exit_code == 0 and "left as it is" in result.output


def test_audit_verify(app, db):
    from fairapp.core import audit

    user = create_user()
    audit.record("test.thing", user, actor=user)
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["audit", "verify"])
    assert result.exit_code == 0 and "audit: ok (1 entries)" in result.output
    db.session.query(AuditEntry).update({"action": "test.forged"})
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["audit", "verify"])
    assert result.exit_code == 1 and "BROKEN" in result.output
