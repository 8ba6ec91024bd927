from sqlalchemy import text

from fairapp.core import audit
from fairapp.core.audit import AuditEntry, verify_chain
from tests.factories import create_user


def _three_entries(db):
    actor = create_user()
    for i in range(3):
        audit.record("test.action", actor=actor, object_type="thing", object_id=i,
                     before={"n": i}, after={"n": i + 1})
    db.session.commit()
    return actor


def test_entries_chain_and_verify(db):
    _three_entries(db)
    entries = db.session.query(AuditEntry).order_by(AuditEntry.id).all()
    assert entries[0].prev_hash == audit.GENESIS
    assert entries[1].prev_hash == entries[0].hash
    assert verify_chain() == []


def test_direct_edit_in_database_is_detected(db):
    _three_entries(db)
    second = db.session.query(AuditEntry).order_by(AuditEntry.id).all()[1]
    db.session.execute(text("UPDATE audit_log SET after = :a WHERE id = :i"),
                       {"a": '{"n": 99}', "i": second.id})
    db.session.commit()
    db.session.expire_all()
    assert second.id in verify_chain()


def test_direct_delete_is_detected(db):
    _three_entries(db)
    first = db.session.query(AuditEntry).order_by(AuditEntry.id).first()
    db.session.execute(text("DELETE FROM audit_log WHERE id = :i"), {"i": first.id})
    db.session.commit()
    assert verify_chain() != []


def test_cli_audit_verify(app, db):
    _three_entries(db)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output
    assert "ok (3 entries)" in result.output
    db.session.execute(text("UPDATE audit_log SET action = 'forged' WHERE id = "
                            "(SELECT MIN(id) FROM audit_log)"))
    db.session.commit()
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert "BROKEN" in result.output


def test_audit_rolls_back_with_its_change(db):
    actor = create_user()
    audit.record("test.rolled_back", actor=actor, object_type="thing", object_id=1)
    db.session.rollback()
    assert db.session.query(AuditEntry).count() == 0
