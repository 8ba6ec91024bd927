"""Fair operations without HTTP: every change audited with what changed, nothing committed by them."""
from datetime import timedelta

from fairapp.core.audit import AuditEntry
from fairapp.fairs import operations as ops
from fairapp.fairs.models import Fair, FairRole
from tests.factories import create_fair, create_user, grant


def _actions(db):
    return [e.action for e in db.session.query(AuditEntry).order_by(AuditEntry.id)]


def test_update_audits_only_what_changed(db):
    fair, admin = create_fair("งานเดิม"), create_user(admin=True)
    ops.update_fair(fair, {"name_th": "งานเดิม", "venue_th": fair.venue_th}, admin)
    assert _actions(db) == []
    ops.update_fair(fair, {"name_th": "งานใหม่", "ends_on": fair.ends_on + timedelta(days=1)}, admin)
    entry = db.session.query(AuditEntry).one()
    assert set(entry.before) == set(entry.after) == {"name_th", "ends_on"}


def test_operations_flush_but_leave_the_commit_to_the_unit_of_work(db):
    admin = create_user(admin=True)
    fair = create_fair()
    ops.create_fair({"name_th": "งานใหม่", "venue_th": "ลาน", "province_code": "57", "organizer_th": "ศูนย์",
                     "starts_on": fair.starts_on, "ends_on": fair.ends_on,
                     "booth_opens": fair.booth_opens, "booth_closes": fair.booth_closes,
                     "nomination_opens": fair.nomination_opens, "nomination_closes": fair.nomination_closes,
                     "judging_opens": fair.judging_opens, "judging_closes": fair.judging_closes}, admin)
    ops.grant_role(fair, admin.email, "chair", admin)
    assert _actions(db) == ["fair.created", "fair.role_granted"]
    db.session.rollback()  # nothing was committed by the operations
    assert db.session.query(Fair).count() == 1 and db.session.query(FairRole).count() == 0


def test_revoke_is_audited_with_who_and_what(db):
    fair, admin = create_fair(), create_user(admin=True)
    row = grant(fair, create_user("judge@example.org"), "judge")
    ops.revoke_role(row, admin)
    entry = db.session.query(AuditEntry).one()
    assert (entry.action, entry.before) == ("fair.role_revoked", {"user": "judge@example.org", "role": "judge"})
    assert db.session.query(FairRole).count() == 0
