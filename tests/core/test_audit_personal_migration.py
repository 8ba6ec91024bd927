"""Migration 0021 re-chains the audit log (format 2) in format 3: each entry's personal part salted and
erasable; a broken chain stops it. On its own SQLite file (plain SQLAlchemy Core: the same on PostgreSQL)."""
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
from fairapp.core.audit import AuditCheckpoint, AuditEntry, full_check
from fairapp.extensions import db
from tests.factories import create_fair, insert_old_user

MIGRATIONS = str(Path(__file__).resolve().parents[2] / "migrations")


def _canonical(value):
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def _d(value):
    return hashlib.sha256(_canonical(value).encode()).hexdigest()


def _v2(values: dict, chain: int, prev: str) -> str:
    """Format 2, as fairapp.core.audit computed it before 0021."""
    fields = {name: _d(values[name]) for name in ("actor_id", "fair_id", "action", "object_type", "object_id")}
    fields["created_at"] = _d(values["created_at"].isoformat())
    for name in ("before", "after"):
        value = values[name]
        fields[name] = {k: _d(v) for k, v in value.items()} if isinstance(value, dict) else _d(value)
    return hashlib.sha256(_canonical({"v": 2, "chain": chain, "prev": prev, "fields": fields}).encode()).hexdigest()


def _v2_log(tmp_path, *, tamper: bool = False):
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'v2.db'}",
                      "SECRET_KEY": "x", "MAIL_OUTBOX_DIR": str(tmp_path / "mail")})
    with app.app_context():
        upgrade(directory=MIGRATIONS, revision="0020_retention_settings")
        fair = create_fair().id
        actor = insert_old_user()
        db.session.commit()
        prev, start = {}, datetime(2026, 11, 1, 8, 30, tzinfo=timezone.utc)
        for i in range(10):
            chain = fair if i % 2 else 0
            values = {"created_at": start + timedelta(minutes=i), "actor_id": actor,
                      "fair_id": fair if chain else None, "action": "test.old", "object_type": "users",
                      "object_id": i, "before": {"n": i, "email": f"p{i}@example.org"} if i % 3 == 0 else None,
                      "after": {"n": i + 1, "reason": "ขอโดย สมชาย ใจดี"} if i % 4 == 0 else {"n": i + 1}}
            digest = _v2(values, chain, prev.get(chain, "0" * 64))
            db.session.execute(text(
                "INSERT INTO audit_log (created_at, actor_id, fair_id, action, object_type, object_id, before, "
                "after, prev_hash, hash, chain, hash_version) VALUES (:created_at, :actor_id, :fair_id, :action, "
                ":object_type, :object_id, :before, :after, :prev, :hash, :chain, 2)"),
                {**values, "created_at": values["created_at"].replace(tzinfo=None), "chain": chain,
                 "before": json.dumps(values["before"], ensure_ascii=False) if values["before"] else None,
                 "after": json.dumps(values["after"], ensure_ascii=False), "prev": prev.get(chain, "0" * 64),
                 "hash": digest})
            prev[chain] = digest
        db.session.execute(text("INSERT INTO audit_checkpoints (chain, entry_id, hash, created_at) "
                                "VALUES (0, 1, 'old', '2026-11-01 08:30:00')"))
        if tamper:
            db.session.execute(text("UPDATE audit_log SET object_id = 99 WHERE id = 4"))
        db.session.commit()
        db.session.remove()
    return app


def test_a_format_2_log_is_rechained_in_format_3_with_salted_personal_parts(tmp_path):
    app = _v2_log(tmp_path)
    with app.app_context():
        upgrade(directory=MIGRATIONS)
        assert full_check().bad == []
        entries = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
        assert {e.hash_version for e in entries} == {3}
        personal = [e for e in entries if audit.personal_part(e)]
        assert [e.object_id for e in personal] == [0, 3, 4, 6, 8, 9]
        assert all(len(e.personal_salt) == 32 and e.personal_digest for e in personal)
        assert len({e.personal_salt for e in personal}) == len(personal)   # a salt per entry
        assert all(e.personal_salt is None and e.personal_digest is None for e in entries if e not in personal)
        # the old checkpoints (of format-2 hashes) are replaced by one at each chain's tail
        checkpoints = db.session.scalars(select(AuditCheckpoint)).all()
        tails = {e.chain: (e.id, e.hash) for e in entries}
        assert {c.chain: (c.entry_id, c.hash) for c in checkpoints} == tails

        # an entry's personal part can be erased (with an erasure's entry) and the chain still verifies
        token = "e" * 32
        erased = audit.erase_personal([entries[0].id, entries[1].id], token)
        assert erased == [entries[0].id]           # the second one has no personal part
        audit.record(audit.ERASURE_ACTION, object_type="users", object_id=0,
                     after={"token": token, "entries": 1, "entries_digest": audit.ids_digest(erased)})
        db.session.commit()
        assert full_check().bad == []
        row = db.session.execute(text("SELECT before, personal_salt, erased_by FROM audit_log WHERE id = :i"),
                                 {"i": entries[0].id}).one()
        assert "p0@example.org" not in str(row.before) and row.personal_salt is None and row.erased_by == token

        # a personal value changed, or removed by hand, is caught
        db.session.execute(text("UPDATE audit_log SET after = :a WHERE id = :i"),
                           {"a": json.dumps({"n": 5, "reason": "แก้"}, ensure_ascii=False), "i": personal[2].id})
        db.session.execute(text("UPDATE audit_log SET before = :b, personal_salt = NULL, erased_by = :t "
                                "WHERE id = :i"), {"b": json.dumps({"n": 6}), "t": "f" * 32, "i": personal[3].id})
        db.session.commit()
        assert full_check().bad == [personal[2].id, personal[3].id]
        # claiming a real erasure's token for another entry breaks that erasure's list too
        db.session.execute(text("UPDATE audit_log SET erased_by = :t WHERE id = :i"), {"t": token, "i": personal[3].id})
        db.session.commit()
        assert full_check().bad == [entries[0].id, personal[2].id, personal[3].id]
        db.session.remove()
        db.engine.dispose()


def test_the_downgrade_goes_back_to_format_2_unless_something_was_erased(tmp_path):
    app = _v2_log(tmp_path)
    with app.app_context():
        upgrade(directory=MIGRATIONS, revision="0021_audit_personal")
        db.session.remove()
        downgrade(directory=MIGRATIONS, revision="0020_retention_settings")
        rows = db.session.execute(text("SELECT * FROM audit_log ORDER BY chain, id")).mappings().all()
        prev = {}
        for row in rows:
            values = {**row, "created_at": datetime.fromisoformat(str(row["created_at"])).replace(tzinfo=timezone.utc),
                      "before": json.loads(row["before"]) if row["before"] else None,
                      "after": json.loads(row["after"]) if row["after"] else None}
            assert row["hash"] == _v2(values, row["chain"], prev.get(row["chain"], "0" * 64))
            prev[row["chain"]] = row["hash"]
        db.session.remove()
        db.engine.dispose()


def test_a_broken_format_2_log_stops_the_upgrade_before_it_changes_anything(tmp_path, capfd):
    app = _v2_log(tmp_path, tamper=True)
    with app.app_context():
        with pytest.raises(SystemExit):
            upgrade(directory=MIGRATIONS)
        assert "broken at entries [4]" in capfd.readouterr().err
        assert db.session.scalar(text("SELECT version_num FROM alembic_version")) == "0020_retention_settings"
        columns = [row[1] for row in db.session.execute(text("PRAGMA table_info(audit_log)"))]
        assert "personal_salt" not in columns
        db.session.remove()
        db.engine.dispose()
