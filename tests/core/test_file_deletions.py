"""Files deleted durably (core.file_deletions): named in the unit of work that deletes their row, deleted
after the commit, kept on a rollback, and tried again by the sweep when the store refused."""
from __future__ import annotations

from sqlalchemy import func, select

from fairapp.core import file_deletions
from fairapp.core.file_deletions import StorageDeletion
from fairapp.core.storage import delete_after_commit, storage
from fairapp.core.transaction import unit_of_work


def _pending(db) -> int:
    return db.session.scalar(select(func.count()).select_from(StorageDeletion))


def test_a_file_goes_after_the_commit_and_stays_on_a_rollback(app, db):
    with app.test_request_context():
        key = storage().save(b"%PDF-1.4 x", "pdf")
        kept = storage().save(b"%PDF-1.4 y", "pdf")
        with unit_of_work():
            delete_after_commit(key)
            assert storage().exists(key)  # not before the commit
        assert not storage().exists(key) and _pending(db) == 0
        try:
            with unit_of_work():
                delete_after_commit(kept)
                raise RuntimeError("the request failed")
        except RuntimeError:
            pass
        assert storage().exists(kept) and _pending(db) == 0  # rolled back with the rows it was for


def test_a_store_that_refuses_keeps_the_intent_for_the_sweep(app, db, monkeypatch):
    with app.test_request_context():
        key = storage().save(b"%PDF-1.4 x", "pdf")
        store = storage()
        real = type(store).delete

        def refuse(self, name):
            raise ConnectionError("the store is down")
        monkeypatch.setattr(type(store), "delete", refuse)
        with unit_of_work():
            delete_after_commit(key)
        row = db.session.scalar(select(StorageDeletion))
        assert storage().exists(key) and row.key == key and row.attempts == 1 and "down" in row.last_error
        monkeypatch.setattr(type(store), "delete", real)
        row.requested_at = row.requested_at.replace(year=row.requested_at.year - 1)  # waiting long enough
        db.session.commit()
        file_deletions.sweep_file_deletions()  # inline: sends the job, which runs now
        assert not storage().exists(key) and _pending(db) == 0


def test_a_file_already_gone_counts_as_deleted(app, db):
    with app.test_request_context():
        key = storage().save(b"%PDF-1.4 x", "pdf")
        storage().delete(key)
        with unit_of_work():
            delete_after_commit(key)
        assert _pending(db) == 0
