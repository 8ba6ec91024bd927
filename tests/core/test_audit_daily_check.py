"""The daily full check of the audit log (core.audit_jobs.check_audit_chains): tampering before the pages'
checkpoints is found within a day and then shown by the pages themselves; old checkpoints are pruned."""
from __future__ import annotations

from sqlalchemy import func, select, text

from fairapp.core import audit, jobs
from fairapp.core.audit import AuditCheckpoint, AuditEntry, verify_recent
from fairapp.core.audit_jobs import KEEP, check_audit_chains
from fairapp.core.transaction import unit_of_work
from tests.factories import create_fair


def _entries(db, fair_id, n):
    for i in range(n):
        audit.record("test.step", fair_id=fair_id, object_type="thing", object_id=i, after={"n": i})
        db.session.commit()


def _page_check(app, chains):
    with app.test_request_context():
        with unit_of_work(write=False):
            return verify_recent(chains)


def _run(app):
    """The job as beat runs it: its own context and unit of work."""
    with jobs.job_context(app):
        return jobs.dispatch(app, check_audit_chains)


def _checkpoints(db, chain):
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(AuditCheckpoint).where(AuditCheckpoint.chain == chain))


def test_it_is_scheduled_daily(app):
    periods = {name.rsplit(".", 1)[1]: entry["schedule"] for name, entry in jobs._beat_schedule(app.config).items()}
    assert periods["check_audit_chains"] == 24 * 3600


def test_intact_it_checkpoints_each_tail_and_keeps_the_last_few_per_chain(app, db):
    a = create_fair().id
    db.session.commit()
    for _ in range(KEEP + 3):  # a page check after each new entry: a checkpoint each time
        _entries(db, a, 1)
        assert _page_check(app, [a]).bad == []
    assert _checkpoints(db, a) == KEEP + 3
    found = _run(app)
    assert found["bad"] == [] and found["pruned"] >= 3
    assert _checkpoints(db, a) == KEEP
    newest = db.session.scalar(select(AuditCheckpoint).where(AuditCheckpoint.chain == a)
                               .order_by(AuditCheckpoint.id.desc()).limit(1))
    tail = db.session.scalar(select(AuditEntry).where(AuditEntry.chain == a).order_by(AuditEntry.id.desc()).limit(1))
    assert (newest.entry_id, newest.hash) == (tail.id, tail.hash)


def test_a_change_before_the_checkpoint_is_found_and_then_shown_by_the_pages(app, db):
    a = create_fair().id
    db.session.commit()
    _entries(db, a, 4)
    assert _page_check(app, [a]).bad == []  # checkpoint at the tail
    second = db.session.scalars(select(AuditEntry.id).where(AuditEntry.chain == a).order_by(AuditEntry.id)).all()[1]
    db.session.execute(text("UPDATE audit_log SET after = :v WHERE id = :i"), {"v": '{"n": 99}', "i": second})
    db.session.commit()
    assert _page_check(app, [a]).bad == []  # the page looks only after its checkpoint: it cannot see it
    found = _run(app)
    assert second in found["bad"] and found["checkpoints_removed"] >= 1
    assert _checkpoints(db, a) == 0
    assert second in _page_check(app, [a]).bad  # from the start again: the page shows the break
    assert _checkpoints(db, a) == 0  # and writes no checkpoint over it
