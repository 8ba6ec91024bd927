"""Migration 0012 gives each chunk row its share of its batch and what it made, from the batch's JSON
(batches made before), and makes the chunk rows of batches finished before 0010 (which had none). Runs on
its own SQLite file; the migration is SQLAlchemy Core, the same statements on PostgreSQL."""
from __future__ import annotations

import json
from pathlib import Path

from flask_migrate import upgrade
from sqlalchemy import text

from fairapp import create_app
from fairapp.certificates import batches
from fairapp.certificates.models import PrintBatch
from fairapp.extensions import db
from tests.factories import create_fair

MIGRATIONS = str(Path(__file__).resolve().parents[2] / "migrations")
ITEMS = [{"holder_name": f"คนที่ {i}"} for i in range(5)]


def _batch(fair_id: int, user_id: int, status: str, keys: dict, ids: dict) -> int:
    db.session.execute(text(
        "INSERT INTO certificate_batches (fair_id, kind, title, items, chunk_size, chunk_keys, certificate_ids, "
        "status, total, done, skipped, created_at, created_by_id) VALUES (:f, 'participant', 'ชุด', :items, 2, "
        ":keys, :ids, :status, 5, :done, 0, '2026-11-01 00:00:00', :u)"),
        {"f": fair_id, "u": user_id, "items": json.dumps(ITEMS), "keys": json.dumps(keys), "ids": json.dumps(ids),
         "status": status, "done": 2 * len(keys)})
    return db.session.execute(text("SELECT max(id) FROM certificate_batches")).scalar()


def test_chunk_rows_get_their_share_and_what_they_made(tmp_path):
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'old.db'}",
                      "SECRET_KEY": "x", "MAIL_OUTBOX_DIR": str(tmp_path / "mail")})
    with app.app_context():
        upgrade(directory=MIGRATIONS, revision="0013_list_indexes")
        fair_id, user_id = create_fair().id, None  # (users: a later migration adds columns the model has)
        db.session.commit()
        running = _batch(fair_id, user_id, "running", {"0": "a" * 32 + ".pdf"}, {"0": [11, 12]})
        for index, status in ((0, "done"), (1, "queued"), (2, "queued")):  # as 0010 made them
            db.session.execute(text("INSERT INTO certificate_batch_chunks (batch_id, \"index\", status, attempts) "
                                    "VALUES (:b, :i, :s, 0)"), {"b": running, "i": index, "s": status})
        old = _batch(fair_id, user_id, "done", {"0": "b" * 32 + ".pdf", "1": "c" * 32 + ".pdf", "2": ""},
                     {"0": [1, 2], "1": [3, 4], "2": []})  # finished before 0010: no chunk rows
        db.session.commit()
        upgrade(directory=MIGRATIONS)
        rows = db.session.execute(text(
            "SELECT batch_id, \"index\", status, items, pdf_key, certificate_ids, pages "
            "FROM certificate_batch_chunks ORDER BY batch_id, \"index\"")).all()
        got = [(b, i, s, json.loads(items) if isinstance(items, str) else items, key,
                json.loads(ids) if isinstance(ids, str) else ids, pages) for b, i, s, items, key, ids, pages in rows]
        assert got == [
            (running, 0, "done", ITEMS[0:2], "a" * 32 + ".pdf", [11, 12], 2),
            (running, 1, "queued", ITEMS[2:4], None, None, None),
            (running, 2, "queued", ITEMS[4:5], None, None, None),
            (old, 0, "done", ITEMS[0:2], "b" * 32 + ".pdf", [1, 2], 2),
            (old, 1, "done", ITEMS[2:4], "c" * 32 + ".pdf", [3, 4], 2),
            (old, 2, "done", ITEMS[4:5], "", [], 0)]
        with app.test_request_context():
            batch = db.session.get(PrintBatch, old)
            assert batches.certificate_ids(batch) == [1, 2, 3, 4]
            assert [c["index"] for c in batches.finished_chunks(batch)] == [0, 1]
        db.session.remove()
        db.engine.dispose()
