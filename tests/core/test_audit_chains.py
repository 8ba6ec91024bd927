"""One audit chain per fair (core.audit): independent chains, checkpoints that let the pages check only what
is new, a full `verify_chain` / `flask audit verify` that still catches tampering anywhere, and appends to
two fairs that do not wait on each other (PostgreSQL).

Before, every entry of every fair went to one chain under one lock, and the chair page and /admin re-hashed
the whole log on every view.
"""
from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import select, text

from fairapp.core import audit
from fairapp.core.audit import AuditCheckpoint, AuditEntry, verify_chain, verify_recent
from fairapp.core.transaction import unit_of_work
from tests.factories import create_fair, create_user


def _entries(db, fair_ids, n=3):
    """n entries for each of fair_ids (None: the global chain), interleaved, committed one unit each."""
    for i in range(n):
        for fair_id in fair_ids:
            audit.record("test.step", fair_id=fair_id, object_type="thing", object_id=i,
                         before={"n": i, "name": "มะลิ"}, after={"n": i + 1})
            db.session.commit()


def _chain(db, chain):
    return db.session.scalars(select(AuditEntry).where(AuditEntry.chain == chain).order_by(AuditEntry.id)).all()


def _page_check(app, chains=None):
    """What a page does: verify_recent in a unit of work (its checkpoint is written after the commit)."""
    with app.test_request_context():
        with unit_of_work(write=False):
            return verify_recent(chains)


def test_each_fair_has_its_own_chain_and_entries_without_a_fair_the_global_one(app, db):
    a, b = create_fair().id, create_fair().id
    db.session.commit()
    _entries(db, [a, None, b])
    for chain in (a, b, audit.GLOBAL_CHAIN):
        entries = _chain(db, chain)
        assert len(entries) == 3 and entries[0].prev_hash == audit.GENESIS
        assert [e.prev_hash for e in entries[1:]] == [e.hash for e in entries[:-1]]
        assert all(e.hash_version == audit.HASH_VERSION for e in entries)
    assert _chain(db, a)[0].fair_id == a
    assert verify_chain() == []
    # /admin/audit checks every chain: the first view hashes them all
    assert _page_check(app).hashed == 9 and _page_check(app).hashed == 3  # then each checkpointed tail
    assert sorted(db.session.scalars(select(AuditCheckpoint.chain))) == sorted([a, b, audit.GLOBAL_CHAIN])


def test_one_transaction_appends_to_several_chains(app, db):
    a, b = create_fair().id, create_fair().id
    db.session.commit()
    with app.test_request_context(method="POST"):
        with unit_of_work():
            for fair_id in (b, a, None, b):
                audit.record("test.many", fair_id=fair_id, object_type="thing", object_id=1)
    assert [len(_chain(db, c)) for c in (a, b, 0)] == [1, 2, 1]
    assert verify_chain() == []


def test_chains_are_independent(app, db):
    a, b = create_fair().id, create_fair().id
    db.session.commit()
    _entries(db, [a, b])
    victim = _chain(db, a)[1]
    db.session.execute(text("UPDATE audit_log SET object_id = 99 WHERE id = :i"), {"i": victim.id})
    db.session.commit()
    assert _page_check(app, [b]).bad == []
    assert _page_check(app, [a]).bad == [victim.id]
    assert verify_chain() == [victim.id]


def _tamper(db, kind, a, b):
    """Change chain a outside the app; the id the full check must report."""
    entries = _chain(db, a)
    first, second, third = entries[0], entries[1], entries[2]
    if kind == "edit":
        db.session.execute(text("UPDATE audit_log SET after = :v WHERE id = :i"), {"v": '{"n": 99}', "i": second.id})
        return second.id
    if kind == "delete":
        db.session.execute(text("DELETE FROM audit_log WHERE id = :i"), {"i": second.id})
        return third.id
    if kind == "insert":  # a forged entry, hashed correctly onto the first: claims the second's place
        forged = AuditEntry(created_at=first.created_at, fair_id=a, action="test.forged", object_type="thing",
                            object_id=7, before=None, after={"n": 7}, prev_hash=first.hash)
        forged.hash = forged.compute_hash()
        forged_id = third.id + 100
        db.session.execute(AuditEntry.__table__.insert().values(
            id=forged_id, created_at=forged.created_at, fair_id=a, action=forged.action,
            object_type="thing", object_id=7, after={"n": 7}, chain=a, hash_version=forged.hash_version,
            prev_hash=forged.prev_hash, hash=forged.hash))
        return forged_id
    if kind == "reorder":  # the first two swap places (every column but the id)
        columns = [c.name for c in AuditEntry.__table__.c if c.name != "id"]
        values = {e.id: {c: getattr(e, c) for c in columns} for e in (first, second)}
        table = AuditEntry.__table__
        db.session.execute(table.update().where(table.c.id == first.id).values(hash="x" * 64))
        db.session.execute(table.update().where(table.c.id == second.id).values(values[first.id]))
        db.session.execute(table.update().where(table.c.id == first.id).values(values[second.id]))
        return first.id
    raise AssertionError(kind)


@pytest.mark.parametrize("kind", ["edit", "delete", "insert", "reorder"])
def test_the_full_check_catches_tampering_before_a_checkpoint(app, db, kind):
    a, b = create_fair().id, create_fair().id
    db.session.commit()
    _entries(db, [a, b])  # ids alternate between the chains: there is a gap to insert into
    runner = app.test_cli_runner()
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0 and "ok (6 entries) in 2 chains" in result.output, result.output
    tail_a = _chain(db, a)[-1]
    assert db.session.scalar(select(AuditCheckpoint.entry_id).where(AuditCheckpoint.chain == a)
                             .order_by(AuditCheckpoint.id.desc()).limit(1)) == tail_a.id
    expected = _tamper(db, kind, a, b)
    db.session.commit()
    db.session.expire_all()
    # Before the checkpoint the page does not look (an entry added at the end is after it: the page sees it).
    assert _page_check(app, [a]).bad == ([expected] if kind == "insert" else [])
    assert expected in verify_chain()
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1 and "BROKEN" in result.output


def test_a_checkpointed_entry_deleted_or_changed_is_caught_by_the_page_and_the_full_check(app, db):
    a = create_fair().id
    db.session.commit()
    _entries(db, [a])
    assert _page_check(app, [a]).bad == []
    tail = _chain(db, a)[-1].id
    db.session.execute(text("DELETE FROM audit_log WHERE id = :i"), {"i": tail})  # the tail: no link breaks
    db.session.commit()
    assert _page_check(app, [a]).bad == [tail]
    assert verify_chain() == [tail]


def test_checkpoints_make_the_page_hash_only_new_entries(app, db, client, login_as, monkeypatch):
    hashed = []
    real = audit.entry_hash
    monkeypatch.setattr(audit, "entry_hash", lambda entry: hashed.append(entry.id) or real(entry))
    a, b = create_fair().id, create_fair().id
    admin = create_user(admin=True)
    db.session.commit()
    _entries(db, [a, b], n=10)
    login_as(admin)

    def view():
        hashed.clear()
        html = client.get("/admin/audit").get_data(as_text=True)
        assert "พบรายการที่ถูกแก้ไข" not in html
        return sorted(hashed)

    assert len(view()) == 20  # the first view checks everything, then checkpoints each chain's tail
    tails = [_chain(db, a)[-1].id, _chain(db, b)[-1].id]
    assert view() == tails  # then only the checkpointed entries themselves
    audit.record("test.new", fair_id=a, object_type="thing", object_id=1)
    audit.record("test.new", fair_id=a, object_type="thing", object_id=2)
    db.session.commit()
    new = [e.id for e in _chain(db, a)[-2:]]
    assert view() == sorted(tails + new)
    assert view() == sorted([new[-1], tails[1]])
    # what comes after the checkpoint is still checked: an edit there shows
    db.session.execute(text("UPDATE audit_log SET action = 'forged' WHERE id = :i"), {"i": new[-1]})
    db.session.commit()
    assert "พบรายการที่ถูกแก้ไข" in client.get("/admin/audit").get_data(as_text=True)


def test_no_checkpoint_after_a_broken_check(app, db):
    a = create_fair().id
    db.session.commit()
    _entries(db, [a])
    victim = _chain(db, a)[-1]
    db.session.execute(text("UPDATE audit_log SET object_id = 5 WHERE id = :i"), {"i": victim.id})
    db.session.commit()
    before = db.session.scalar(select(AuditCheckpoint.id).order_by(AuditCheckpoint.id.desc()).limit(1))
    assert _page_check(app, [a]).bad == [victim.id]
    assert db.session.scalar(select(AuditCheckpoint.id).order_by(AuditCheckpoint.id.desc()).limit(1)) == before
    assert _page_check(app, [a]).bad == [victim.id]  # and the next view still sees it


def test_the_hash_covers_each_field_by_its_digest_and_the_personal_part_by_a_salted_one(db):
    """Format 3: the hash covers a digest of each non-personal value and one salted digest of the personal
    part (PERSONAL_KEYS), so the personal part can be erased and the hash stays the same."""
    entry = AuditEntry(created_at=audit.utcnow().replace(microsecond=0), fair_id=3, action="test.x",
                       object_type="thing", object_id=1, before=None, after={"name": "มะลิ", "score": 4},
                       prev_hash=audit.GENESIS)
    digests = audit.field_digests(entry)
    assert set(digests["after"]) == {"score"} and digests["before"] == audit._digest(None)
    entry.hash = entry.compute_hash()
    assert entry.hash == audit.entry_hash(entry) and entry.chain == 3
    assert len(entry.personal_salt) == 32 and entry.personal_digest == audit.personal_digest(
        entry.personal_salt, {"before": None, "after": {"name": "มะลิ"}})
    # an unsalted digest of the name is not what is kept: a guessed name cannot be checked without the salt
    assert audit._digest("มะลิ") not in (entry.personal_digest, *digests["after"].values())
    for changed in ({"name": "ดวงใจ", "score": 4}, {"name": "มะลิ", "score": 5}, {"score": 4}):
        entry.after = changed
        assert audit.entry_hash(entry) != entry.hash
    entry.after = {"score": 4}            # erased: no part, no salt, the erasure's token: the same hash
    entry.personal_salt, entry.erased_by = None, "t" * 32
    assert audit.entry_hash(entry) == entry.hash
    entry.erased_by = None                # removed without an erasure
    assert audit.entry_hash(entry) is None


def _waiting_on_advisory_locks(db) -> int:
    return db.session.scalar(text(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
        "AND wait_event_type = 'Lock' AND wait_event = 'advisory'"))


def test_two_fairs_append_at_once_and_the_same_fair_waits(app, db, thread_sessions_for):
    """T1 appends to fair A and keeps its transaction open; T2 (fair B) appends and commits meanwhile; T3
    (fair A again) waits on A's lock until T1 commits. One global lock made T2 wait too."""
    from fairapp.extensions import db as _db

    if db.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL only (advisory locks): set DATABASE_URL=postgresql+psycopg://...")
    a, b = create_fair().id, create_fair().id
    db.session.commit()
    make_session = thread_sessions_for(3)
    holding, release = threading.Event(), threading.Event()
    done = {"B": threading.Event(), "A2": threading.Event()}
    errors = []

    def run(body):
        with app.test_request_context(method="POST"):
            _db.session.registry.set(make_session())
            try:
                with unit_of_work():
                    body()
            except Exception as exc:  # noqa: BLE001 - reported by the assertions
                errors.append(exc)
            finally:
                _db.session.remove()

    def hold():
        audit.record("test.hold", fair_id=a, object_type="thing", object_id=1)
        audit.append_pending()  # takes A's lock, held to the commit
        holding.set()
        release.wait(60)

    def append(name, fair_id):
        def body():
            audit.record("test.other", fair_id=fair_id, object_type="thing", object_id=2)
        return lambda: (run(body), done[name].set())

    holder = threading.Thread(target=run, args=(hold,))
    holder.start()
    try:
        assert holding.wait(30)
        other_fair = threading.Thread(target=append("B", b))
        other_fair.start()
        assert done["B"].wait(30), "fair B waited for fair A's transaction"
        same_fair = threading.Thread(target=append("A2", a))
        same_fair.start()
        for _ in range(300):  # until T3 is seen waiting on an advisory lock (no timing is asserted)
            if _waiting_on_advisory_locks(db):
                break
            time.sleep(0.1)
        assert _waiting_on_advisory_locks(db) == 1 and not done["A2"].is_set()
    finally:
        release.set()
        holder.join(60)
    same_fair.join(60)
    other_fair.join(60)
    assert errors == [] and done["A2"].is_set()
    assert [e.action for e in _chain(db, a)] == ["test.hold", "test.other"]
    assert [e.action for e in _chain(db, b)] == ["test.other"]
    assert verify_chain() == []
