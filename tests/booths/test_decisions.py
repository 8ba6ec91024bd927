"""Decisions on several applications at once (`decide_many`): a defined order (the waiting list first, then
the oldest submission), per item (a refused one is left as it was and named; the others stand), and
refusals of the whole request that change nothing. Then the check-in operation without HTTP."""
from __future__ import annotations

import uuid

import pytest
from sqlalchemy import func, select

from fairapp.booths import operations as ops
from fairapp.booths.models import Application, CheckInScan, Status
from fairapp.core.audit import AuditEntry
from fairapp.core.transaction import unit_of_work
from tests.booths.factories import create_application, create_booth, create_booth_type
from tests.booths.test_views import _review
from tests.factories import create_org


def _statuses(*apps) -> list[Status]:
    from fairapp.extensions import db
    db.session.expire_all()
    return [db.session.get(Application, a.id).status for a in apps]


def test_the_waiting_list_first_then_the_oldest_submission(ctx, db, fair, staff):
    booth_type = create_booth_type(fair, capacity=2)
    old, young = (create_application(fair, create_org(), booth_type, Status.submitted) for _ in range(2))
    waiting = create_application(fair, create_org(), booth_type, Status.waitlisted)
    assert sorted([young, waiting, old], key=ops.decision_order) == [waiting, old, young]
    done = ops.decide_many([young, waiting, old], "approve", staff)  # ticked in any order
    db.session.commit()
    assert (done.approved, done.waitlisted, done.skipped) == (2, 1, [])
    assert _statuses(waiting, old, young) == [Status.approved, Status.approved, Status.waitlisted]
    approved = db.session.scalars(select(AuditEntry.object_id).where(AuditEntry.action == "booth.approved")
                                  .order_by(AuditEntry.id)).all()
    assert approved == [waiting.id, old.id]  # in that order


def test_one_refused_item_is_named_and_the_others_stand(ctx, db, fair, staff):
    booth_type = create_booth_type(fair, capacity=5)
    first = create_application(fair, create_org(), booth_type, Status.submitted)
    decided = create_application(fair, create_org(), booth_type, Status.rejected)
    last = create_application(fair, create_org(), booth_type, Status.submitted)
    done = ops.decide_many([first, decided, last], "waitlist", staff)
    db.session.commit()
    assert done.waitlisted == 2 and [(a.id, type(e)) for a, e in done.skipped] == [(decided.id, ops.WrongStatus)]
    assert _statuses(first, decided, last) == [Status.waitlisted, Status.rejected, Status.waitlisted]


def test_a_refusal_of_the_whole_request_changes_nothing(ctx, db, fair, staff):
    booth_type = create_booth_type(fair)
    application = create_application(fair, create_org(), booth_type, Status.submitted)
    with pytest.raises(ops.ReasonRequired) as refused:
        ops.decide_many([application], "reject", staff, reason="  ")
    assert refused.value.field == "reason"
    with pytest.raises(ops.NothingChosen):
        ops.decide_many([], "approve", staff)
    assert _statuses(application) == [Status.submitted]
    assert db.session.scalar(select(func.count(AuditEntry.id))) == 0


def test_the_review_page_names_what_it_skipped(client, login_as, post_form, db, fair, staff):
    booth_type = create_booth_type(fair, capacity=5)
    fine = create_application(fair, create_org("ชุมชนบ้านป่าซาง"), booth_type, Status.submitted)
    gone = create_application(fair, create_org("โรงเรียนบ้านดู่"), booth_type, Status.withdrawn)
    login_as(staff)
    response = _review(client, post_form, fair, [fine.id, gone.id], "approve")
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "อนุมัติ 1 · รายชื่อสำรอง 0 · ไม่อนุมัติ 0 · ข้าม 1" in html
    assert "ข้าม โรงเรียนบ้านดู่: ทำรายการนี้กับใบสมัครในสถานะ" in html
    assert _statuses(fine, gone) == [Status.approved, Status.withdrawn]


# ---- check-in, without HTTP ----

@pytest.fixture
def allocated(db, fair):
    booth_type = create_booth_type(fair)
    application = create_application(fair, create_org(), booth_type, Status.approved)
    create_booth(fair, booth_type, "A01", application=application)
    return application


def _scan(code="A01", client_id=None, **extra):
    return ops.read_scan({"client_id": client_id or str(uuid.uuid4()), "booth_code": code, **extra})


def test_record_scan_counts_once_and_answers_a_retry_as_before(ctx, db, fair, staff, allocated):
    scan = _scan()
    with unit_of_work():
        first = ops.record_scan(fair, staff, scan)
    with unit_of_work():
        again = ops.record_scan(fair, staff, scan)
        other = ops.record_scan(fair, staff, _scan(" a 0๑ "))
    assert (first.result, first.repeat) == ("checked_in", False)
    assert (again.result, again.repeat) == ("checked_in", True)
    assert (other.result, other.repeat) == ("already", False)
    assert db.session.scalar(select(func.count(CheckInScan.id))) == 2
    assert db.session.scalar(select(func.count(AuditEntry.id)).where(AuditEntry.action == "booth.checked_in")) == 1


def test_record_scan_refusals_are_named_with_their_status(ctx, db, fair, staff, allocated):
    cases = [(_scan("Z99"), ops.BoothUnknown, 404), (ops.Scan("c" * 12, "forged.token", "", None), None, 404)]
    for scan, kind, status in cases:
        with pytest.raises(ops.DomainError) as refused:
            ops.record_scan(fair, staff, scan)
        assert refused.value.status == status and (kind is None or isinstance(refused.value, kind))
    with pytest.raises(ops.ScanUnreadable) as unreadable:
        ops.read_scan({"client_id": "short"})
    assert unreadable.value.status == 400


def test_a_withdrawn_exhibitor_is_not_allocated_and_the_error_names_it(ctx, db, fair, staff, allocated):
    allocated.status = Status.withdrawn
    db.session.commit()
    with pytest.raises(ops.NotAllocated) as refused:
        ops.record_scan(fair, staff, _scan())
    assert refused.value.status == 409 and refused.value.application.id == allocated.id
