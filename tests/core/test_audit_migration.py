"""Migration 0011 re-chains an existing audit log (format 1: one chain) per fair (format 2), and it verifies.

It runs on its own SQLite file (whatever DATABASE_URL says); the migration is plain SQLAlchemy Core, so the
same statements run on PostgreSQL.
"""
from __future__ import annotations

import hashlib
import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import select, text

from fairapp import create_app
from fairapp.core import audit
from fairapp.core.audit import AuditCheckpoint, AuditEntry, verify_chain
from fairapp.extensions import db
from tests.factories import create_fair, insert_old_user

MIGRATIONS = str(Path(__file__).resolve().parents[2] / "migrations")


def _v1(values: dict, prev: str) -> str:
    """Format 1, as fairapp.core.audit computed it before 0011."""
    body = {k: values[k] for k in ("actor_id", "fair_id", "action", "object_type", "object_id", "before", "after")}
    body["created_at"] = values["created_at"].isoformat()
    payload = prev + json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(payload.encode()).hexdigest()


def _old_log(tmp_path, *, tamper: bool = False):
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'old.db'}",
                      "SECRET_KEY": "x", "MAIL_OUTBOX_DIR": str(tmp_path / "mail")})
    with app.app_context():
        upgrade(directory=MIGRATIONS, revision="0010_print_chunks")
        fairs = [create_fair().id, create_fair().id]
        actor = insert_old_user()
        db.session.commit()
        prev, start = "0" * 64, datetime(2026, 11, 1, 8, 30, tzinfo=timezone.utc)
        for i in range(12):
            values = {"created_at": start + timedelta(minutes=i, microseconds=i * 7), "actor_id": actor,
                      "fair_id": [fairs[0], None, fairs[1]][i % 3], "action": "test.old", "object_type": "thing",
                      "object_id": i, "before": None if i % 2 else {"n": i, "ชื่อ": "มะลิ"}, "after": {"n": i + 1}}
            digest = _v1(values, prev)
            db.session.execute(text(
                "INSERT INTO audit_log (created_at, actor_id, fair_id, action, object_type, object_id, before, "
                "after, prev_hash, hash) VALUES (:created_at, :actor_id, :fair_id, :action, :object_type, "
                ":object_id, :before, :after, :prev, :hash)"),
                {**values, "created_at": values["created_at"].replace(tzinfo=None),
                 "before": json.dumps(values["before"], ensure_ascii=False) if values["before"] else None,
                 "after": json.dumps(values["after"]), "prev": prev, "hash": digest})
            prev = digest
        if tamper:
            db.session.execute(text("UPDATE audit_log SET object_id = 99 WHERE id = 5"))
        db.session.commit()
        db.session.remove()
    return app, fairs


def test_an_old_log_is_rechained_per_fair_and_verifies(tmp_path):
    app, fairs = _old_log(tmp_path)
    with app.app_context():
        upgrade(directory=MIGRATIONS)
        assert verify_chain() == []
        for chain in (fairs[0], audit.GLOBAL_CHAIN, fairs[1]):
            entries = db.session.scalars(select(AuditEntry).where(AuditEntry.chain == chain)
                                         .order_by(AuditEntry.id)).all()
            assert len(entries) == 4 and entries[0].prev_hash == audit.GENESIS
            assert all(e.hash_version == audit.HASH_VERSION and e.hash == e.compute_hash() for e in entries)
            checkpoint = db.session.scalars(select(AuditCheckpoint).where(AuditCheckpoint.chain == chain)).one()
            assert (checkpoint.entry_id, checkpoint.hash) == (entries[-1].id, entries[-1].hash)
        # the app goes on appending to the re-chained log, and a later edit is caught
        audit.record("test.new", fair_id=fairs[0], object_type="thing", object_id=1)
        db.session.commit()
        assert verify_chain() == []
        db.session.execute(text("UPDATE audit_log SET object_id = 98 WHERE id = 2"))
        db.session.commit()
        assert verify_chain() == [2]
        db.session.execute(text("UPDATE audit_log SET object_id = 1 WHERE id = 2"))
        db.session.commit()
        db.session.remove()
        downgrade(directory=MIGRATIONS, revision="0010_print_chunks")  # back to one chain of format 1
        rows = db.session.execute(text("SELECT prev_hash, hash FROM audit_log ORDER BY id")).all()
        assert rows[0].prev_hash == "0" * 64 and all(r.prev_hash == p.hash for p, r in zip(rows, rows[1:]))
        db.session.remove()
        db.engine.dispose()


def test_a_broken_old_log_stops_the_upgrade_before_it_changes_anything(tmp_path, capfd):
    """Re-chaining a tampered log would hide the tampering: the upgrade refuses (flask_migrate exits 1)."""
    app, _ = _old_log(tmp_path, tamper=True)
    with app.app_context():
        with pytest.raises(SystemExit):
            upgrade(directory=MIGRATIONS)
        assert "broken at entries [5]" in capfd.readouterr().err
        assert db.session.scalar(text("SELECT version_num FROM alembic_version")) == "0010_print_chunks"
        columns = [row[1] for row in db.session.execute(text("PRAGMA table_info(audit_log)"))]
        assert "chain" not in columns
        db.session.remove()
        db.engine.dispose()
