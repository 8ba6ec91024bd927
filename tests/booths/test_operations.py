"""Booth operations without HTTP: capacity and the waiting list, offers, review, the application window and
limit, allocation, check-in, audit entries and the mail each change sends."""
from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError

from fairapp.booths import operations as ops
from fairapp.booths.models import Booth, CheckInScan, Status
from fairapp.core.audit import AuditEntry, verify_chain
from fairapp.core.mail import discard_queued_mail, send_queued_mail
from fairapp.core.time import today_local, utcnow
from fairapp.core.transaction import unit_of_work
from fairapp.extensions import db as _db
from tests.booths.factories import create_application, create_booth, create_booth_type, set_booth_setup
from tests.factories import create_fair, create_org, create_user, grant


@pytest.fixture(autouse=True)
def request_ctx(app, db):
    """Operations translate labels and queue mail: they run inside a request, as in the views."""
    with app.test_request_context():
        yield
        discard_queued_mail()


@pytest.fixture
def fair(db):
    return create_fair("ตลาดนัดคุณธรรม จังหวัดเชียงราย")


@pytest.fixture
def staff(fair):
    user = create_user("staff@example.org", first_name="วิไล")
    grant(fair, user, "staff")
    return user


def _submitted(fair, booth_type, n, **kw):
    """n submitted applications, each of its own organization (with one member), oldest first."""
    apps = []
    for i in range(n):
        org = create_org(f"ชุมชนคุณธรรมบ้านทดสอบ {i + 1}")
        create_user(org=org)
        apps.append(create_application(fair, org, booth_type, Status.submitted, **kw))
    return apps


def _actions(application_id=None) -> list[str]:
    query = select(AuditEntry.action).order_by(AuditEntry.id)
    if application_id is not None:
        query = query.where(AuditEntry.object_type == "booth_applications", AuditEntry.object_id == application_id)
    return list(_db.session.scalars(query))


# ---- capacity and the waiting list ----

def test_capacity_is_never_exceeded_and_the_rest_wait_in_order(db, fair, staff):
    booth_type = create_booth_type(fair, capacity=2)
    apps = _submitted(fair, booth_type, 5)
    results = [ops.approve_application(a, staff) for a in apps]
    db.session.commit()
    assert results == [Status.approved, Status.approved, Status.waitlisted, Status.waitlisted, Status.waitlisted]
    assert ops.places_held(booth_type.id) == 2
    assert [a.waitlist_position() for a in apps] == [None, None, 1, 2, 3]
    assert ops.remaining_by_type(fair.id) == {booth_type.id: 0}
    # Approving a waitlisted application while the type is full keeps it where it is in the queue.
    assert ops.approve_application(apps[3], staff) == Status.waitlisted
    assert [a.waitlist_position() for a in apps[2:]] == [1, 2, 3]
    assert _actions(apps[3].id) == ["booth.waitlisted_full"]


def test_a_decided_application_cannot_be_approved_again(db, fair, staff):
    booth_type = create_booth_type(fair, capacity=2)
    rejected = create_application(fair, create_org(), booth_type, Status.rejected)
    with pytest.raises(ops.WrongStatus):
        ops.approve_application(rejected, staff)
    assert ops.places_held(booth_type.id) == 0


def test_waitlist_puts_a_submitted_application_at_the_end(db, fair, staff):
    booth_type = create_booth_type(fair, capacity=5)
    first, second = _submitted(fair, booth_type, 2)
    ops.waitlist_application(second, staff)
    ops.waitlist_application(first, staff)
    assert (second.waitlist_position(), first.waitlist_position()) == (1, 2)
    with pytest.raises(ops.WrongStatus):
        ops.waitlist_application(first, staff)


# ---- offers from the waiting list ----

@pytest.fixture
def full_type(fair, staff, db):
    """A type of one place: A approved, B and C waiting (B first); offers stand 48 hours."""
    set_booth_setup(fair, offer_hours=48)
    booth_type = create_booth_type(fair, capacity=1)
    a, b, c = _submitted(fair, booth_type, 3)
    for application in (a, b, c):
        ops.approve_application(application, staff)
    db.session.commit()
    assert (a.status, b.status, c.status) == (Status.approved, Status.waitlisted, Status.waitlisted)
    return booth_type, a, b, c


def test_withdrawing_an_approved_application_offers_the_place_to_the_first_waiting(db, full_type):
    booth_type, a, b, c = full_type
    member = a.organization.memberships[0].user
    before = utcnow()
    ops.withdraw_application(a, member)
    db.session.commit()
    assert a.status == Status.withdrawn
    assert b.status == Status.offered and c.status == Status.waitlisted
    assert before + timedelta(hours=48) <= b.offer_expires_at <= utcnow() + timedelta(hours=48)
    assert c.waitlist_position() == 1
    assert ops.places_held(booth_type.id) == 1  # the offer holds the place


def test_accepting_before_the_deadline_approves(db, full_type):
    _, a, b, c = full_type
    ops.withdraw_application(a, a.organization.memberships[0].user)
    member = b.organization.memberships[0].user
    ops.accept_offer(b, member, now=b.offer_expires_at - timedelta(minutes=1))
    db.session.commit()
    assert b.status == Status.approved and b.offer_expires_at is None
    assert c.status == Status.waitlisted
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "booth.offer_accepted")).one()
    assert entry.before["status"] == "offered" and entry.after["status"] == "approved"


def test_accepting_after_the_deadline_is_refused(db, full_type):
    _, a, b, _ = full_type
    ops.withdraw_application(a, a.organization.memberships[0].user)
    with pytest.raises(ops.OfferExpired):
        ops.accept_offer(b, b.organization.memberships[0].user, now=b.offer_expires_at + timedelta(minutes=1))
    assert b.status == Status.offered
    with pytest.raises(ops.WrongStatus):
        ops.accept_offer(a, a.organization.memberships[0].user)


def test_declining_offers_the_place_to_the_next(db, full_type):
    booth_type, a, b, c = full_type
    ops.withdraw_application(a, a.organization.memberships[0].user)
    ops.decline_offer(b, b.organization.memberships[0].user)
    db.session.commit()
    assert b.status == Status.withdrawn and c.status == Status.offered
    assert ops.places_held(booth_type.id) == 1
    with pytest.raises(ops.WrongStatus):
        ops.decline_offer(b, b.organization.memberships[0].user)


def test_expire_offers_lapses_past_deadlines_and_offers_the_next(db, full_type):
    _, a, b, c = full_type
    ops.withdraw_application(a, a.organization.memberships[0].user)
    db.session.commit()
    deadline = b.offer_expires_at
    assert ops.expire_offers(now=deadline - timedelta(seconds=1)) == []  # not yet
    assert b.status == Status.offered
    lapsed = ops.expire_offers(now=deadline + timedelta(seconds=1))
    db.session.commit()
    assert lapsed == [b]
    assert b.status == Status.lapsed and c.status == Status.offered
    assert c.offer_expires_at == deadline + timedelta(seconds=1) + timedelta(hours=48)
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "booth.offer_lapsed")).one()
    assert entry.actor_id is None and entry.after["status"] == "lapsed"


def _past_offer(fair, db):
    """An offer whose deadline passed an hour ago, and one application waiting behind it."""
    booth_type = create_booth_type(fair, capacity=1, name_th="เต็นท์กลางแจ้ง")
    org = create_org("วัดพระแก้ว")
    create_user(org=org)
    offered = create_application(fair, org, booth_type, Status.offered,
                                 offer_expires_at=utcnow() - timedelta(hours=1))
    waiting = create_application(fair, create_org("โรงเรียนบ้านดู่"), booth_type, Status.waitlisted)
    return offered, waiting


def test_expire_offers_command(app, db, fair, outbox):
    offered, waiting = _past_offer(fair, db)
    result = app.test_cli_runner().invoke(args=["booths", "expire-offers"])
    assert result.exit_code == 0, result.output
    assert "1 offer(s) lapsed" in result.output
    db.session.expire_all()
    assert offered.status == Status.lapsed and waiting.status == Status.offered
    assert {m.subject for m in outbox()} == {"สถานะใบสมัครบูธ: ข้อเสนอหมดอายุ"}
    result = app.test_cli_runner().invoke(args=["booths", "expire-offers"])
    assert "0 offer(s) lapsed" in result.output


def test_expire_offers_command_as_cron_runs_it(app, db, fair):
    offered, waiting = _past_offer(fair, db)
    outcome = {}

    def cron():  # a thread starts with no context at all; `flask` then pushes an app context only
        with app.app_context():
            outcome["result"] = app.test_cli_runner().invoke(args=["booths", "expire-offers"])

    thread = threading.Thread(target=cron)
    thread.start()
    thread.join()
    result = outcome["result"]
    assert result.exit_code == 0, repr(result.exception)
    db.session.expire_all()
    assert offered.status == Status.lapsed and waiting.status == Status.offered


# ---- review decisions ----

def test_reject_requires_a_reason(db, fair, staff):
    booth_type = create_booth_type(fair)
    (application,) = _submitted(fair, booth_type, 1)
    for reason in ("", "   ", None):
        with pytest.raises(ops.ReasonRequired):
            ops.reject_application(application, reason, staff)
    assert application.status == Status.submitted and _actions() == []


def test_rejecting_an_approved_application_frees_its_place(db, full_type, staff):
    booth_type, a, b, c = full_type
    ops.reject_application(a, "  ไม่ได้ส่งเอกสารประกอบ  ", staff)
    db.session.commit()
    assert a.status == Status.rejected and a.rejection_reason == "ไม่ได้ส่งเอกสารประกอบ"
    assert b.status == Status.offered and c.status == Status.waitlisted
    # A rejected waiting application frees nothing: C stays, nobody else is offered.
    ops.reject_application(c, "ครบจำนวนแล้ว", staff)
    assert ops.places_held(booth_type.id) == 1 and b.status == Status.offered


# ---- the window, the per-organization limit, completeness ----

def _save(fair, org, booth_type, member, application=None, **data):
    return ops.save_application(application, fair=fair, org_id=org.id, booth_type=booth_type,
                                data={"show_text": "นิทรรศการผ้าทอ", **data},
                                people=[{"title": "นาง", "first_name": "บัวคำ", "last_name": "ใจงาม"}],
                                actor=member)


def test_a_closed_window_refuses_save_and_submit(db, fair):
    booth_type = create_booth_type(fair)
    org = create_org()
    member = create_user(org=org)
    draft = _save(fair, org, booth_type, member)
    db.session.commit()
    fair.booth_opens, fair.booth_closes = today_local() - timedelta(days=20), today_local() - timedelta(days=1)
    db.session.commit()
    with pytest.raises(ops.WindowClosed):
        _save(fair, org, booth_type, member, application=draft, show_text="แก้ไข")
    with pytest.raises(ops.WindowClosed):
        ops.submit_application(draft, member)
    db.session.rollback()
    assert draft.status == Status.draft and draft.show_text == "นิทรรศการผ้าทอ"
    other = create_org()
    with pytest.raises(ops.WindowClosed):
        _save(fair, other, booth_type, create_user(org=other))
    fair.booth_opens, fair.booth_closes = today_local() + timedelta(days=1), today_local() + timedelta(days=9)
    db.session.commit()
    with pytest.raises(ops.WindowClosed):  # not yet open either
        ops.submit_application(draft, member)


def test_the_limit_counts_only_live_applications(db, fair):
    set_booth_setup(fair, per_org_limit=1)
    booth_type = create_booth_type(fair)
    org = create_org()
    member = create_user(org=org)
    for status in (Status.withdrawn, Status.rejected, Status.lapsed):
        create_application(fair, org, booth_type, status)
    other_fair = create_fair()
    create_application(other_fair, org, create_booth_type(other_fair), Status.approved)  # another fair's
    first = _save(fair, org, booth_type, member)
    db.session.commit()
    with pytest.raises(ops.LimitReached) as refused:
        _save(fair, org, booth_type, member)
    assert "1" in str(refused.value)
    # The limit is per organization: a colleague of another organization still applies.
    other = create_org()
    _save(fair, other, booth_type, create_user(org=other))
    # Once the first is withdrawn, the organization may apply again.
    ops.withdraw_application(first, member)
    assert _save(fair, org, booth_type, member).status == Status.draft


@pytest.mark.parametrize("live", [Status.draft, Status.submitted, Status.approved, Status.waitlisted,
                                  Status.offered])
def test_every_live_status_counts_toward_the_limit(db, fair, live):
    set_booth_setup(fair, per_org_limit=2)
    booth_type = create_booth_type(fair)
    org = create_org()
    member = create_user(org=org)
    create_application(fair, org, booth_type, Status.submitted)
    create_application(fair, org, booth_type, live)
    with pytest.raises(ops.LimitReached):
        _save(fair, org, booth_type, member)


def test_submit_needs_an_activity_and_a_person(db, fair):
    booth_type = create_booth_type(fair)
    org = create_org()
    member = create_user(org=org)
    no_activity = create_application(fair, org, booth_type, Status.draft, show_text="")
    with pytest.raises(ops.Incomplete) as refused:
        ops.submit_application(no_activity, member)
    assert "กิจกรรม" in str(refused.value) and "ผู้ประจำบูธ" not in str(refused.value)
    no_people = create_application(fair, create_org(), booth_type, Status.draft, people=())
    with pytest.raises(ops.Incomplete) as refused:
        ops.submit_application(no_people, member)
    assert "ผู้ประจำบูธ" in str(refused.value)
    complete = create_application(fair, create_org(), booth_type, Status.draft, help_text="ช่วยดูแลผู้สูงอายุ",
                                  show_text="")
    ops.submit_application(complete, member)
    assert complete.status == Status.submitted and complete.submitted_at is not None
    with pytest.raises(ops.WrongStatus):
        ops.submit_application(complete, member)


def test_blank_people_rows_are_dropped_and_the_type_is_fixed_after_review(db, fair, staff):
    standard, tent = create_booth_type(fair, name_th="บูธมาตรฐาน"), create_booth_type(fair, name_th="เต็นท์")
    org = create_org()
    member = create_user(org=org)
    application = ops.save_application(None, fair=fair, org_id=org.id, booth_type=standard,
                                       data={"share_text": "แบ่งปันสูตรอาหาร"}, actor=member,
                                       people=[{"first_name": "  "}, {"first_name": "สมศรี", "title": "นาง"}])
    assert [p.full_name for p in application.people] == ["นางสมศรี"]
    ops.submit_application(application, member)
    ops.approve_application(application, staff)
    with pytest.raises(ops.NotEditable):
        _save(fair, org, tent, member, application=application)
    ops.withdraw_application(application, member)
    with pytest.raises(ops.NotEditable):
        _save(fair, org, standard, member, application=application)


# ---- allocation ----

@pytest.fixture
def plan(db, fair, staff):
    """Two booth types; standard booths A01, A02, A03 (A03 blocked) and tent C01; two approved."""
    standard = create_booth_type(fair, capacity=5, name_th="บูธมาตรฐาน")
    tent = create_booth_type(fair, capacity=2, name_th="เต็นท์")
    booths = {code: create_booth(fair, standard, code, x=i + 1, y=1) for i, code in enumerate(("A01", "A02"))}
    booths["A03"] = create_booth(fair, standard, "A03", x=3, y=1, blocked=True)
    booths["C01"] = create_booth(fair, tent, "C01", x=1, y=5, zone="C")
    first = create_application(fair, create_org("ชุมชนบ้านสันทราย"), standard, Status.approved)
    second = create_application(fair, create_org("โรงเรียนเม็งรายมหาราช"), standard, Status.approved)
    return booths, first, second, standard


def test_only_approved_applications_get_a_booth(db, fair, staff, plan):
    booths, _, _, standard = plan
    for status in (Status.submitted, Status.waitlisted, Status.offered, Status.rejected, Status.withdrawn):
        application = create_application(fair, create_org(), standard, status)
        with pytest.raises(ops.NotApproved):
            ops.allocate_booth(application, booths["A01"], staff)
    assert booths["A01"].application_id is None


def test_blocked_booth_and_type_mismatch_are_refused(db, staff, plan):
    booths, first, _, _ = plan
    with pytest.raises(ops.BoothBlocked) as refused:
        ops.allocate_booth(first, booths["A03"], staff)
    assert "A03" in str(refused.value)
    with pytest.raises(ops.BoothTypeMismatch) as refused:
        ops.allocate_booth(first, booths["C01"], staff)
    assert "C01" in str(refused.value)
    assert first.booth is None


def test_a_booth_of_another_fair_is_refused(db, staff, plan):
    _, first, _, _ = plan
    other_fair = create_fair()
    foreign = create_booth(other_fair, create_booth_type(other_fair), "A01")
    with pytest.raises(ops.DomainError):
        ops.allocate_booth(first, foreign, staff)


def test_a_taken_booth_is_refused_and_allocating_twice_is_harmless(db, staff, plan):
    booths, first, second, _ = plan
    ops.allocate_booth(first, booths["A01"], staff)
    db.session.commit()
    with pytest.raises(ops.BoothTaken) as refused:
        ops.allocate_booth(second, booths["A01"], staff)
    assert "A01" in str(refused.value)
    assert ops.allocate_booth(first, booths["A01"], staff) is booths["A01"]  # again: nothing changes
    db.session.commit()
    assert booths["A01"].application_id == first.id and second.booth is None
    assert _actions(first.id) == ["booth.allocated"]


def test_moving_to_another_booth_frees_the_first(db, staff, plan):
    booths, first, second, _ = plan
    ops.allocate_booth(first, booths["A01"], staff)
    ops.allocate_booth(first, booths["A02"], staff)
    db.session.commit()
    db.session.expire_all()
    assert booths["A01"].application_id is None and booths["A02"].application_id == first.id
    assert first.booth.code == "A02"
    entries = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "booth.allocated")
                                 .order_by(AuditEntry.id)).all()
    assert [(e.before["booth"], e.after["booth"]) for e in entries] == [(None, "A01"), ("A01", "A02")]
    ops.allocate_booth(second, booths["A01"], staff)  # the freed booth is free for someone else
    db.session.commit()
    assert booths["A01"].application_id == second.id


def test_swap_exchanges_the_occupants(db, staff, plan):
    booths, first, second, _ = plan
    ops.allocate_booth(first, booths["A01"], staff)
    ops.allocate_booth(second, booths["A02"], staff)
    db.session.commit()
    ops.swap_booths(booths["A01"], booths["A02"], staff)
    db.session.commit()
    db.session.expire_all()
    assert (booths["A01"].application_id, booths["A02"].application_id) == (second.id, first.id)
    entries = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "booth.swapped")
                                 .order_by(AuditEntry.object_id)).all()
    assert {e.object_id: (e.before["booth"], e.after["booth"]) for e in entries} == {
        first.id: ("A01", "A02"), second.id: ("A02", "A01")}


def test_swap_with_an_empty_booth_moves_and_refuses_blocked_or_other_types(db, staff, plan):
    booths, first, _, _ = plan
    ops.allocate_booth(first, booths["A01"], staff)
    ops.swap_booths(booths["A01"], booths["A02"], staff)
    db.session.commit()
    db.session.expire_all()
    assert booths["A01"].application_id is None and booths["A02"].application_id == first.id
    with pytest.raises(ops.BoothBlocked):
        ops.swap_booths(booths["A02"], booths["A03"], staff)
    with pytest.raises(ops.BoothTypeMismatch):
        ops.swap_booths(booths["A02"], booths["C01"], staff)
    assert booths["A02"].application_id == first.id


def test_unallocate_empties_the_booth_and_keeps_the_approval(db, staff, plan):
    booths, first, _, _ = plan
    ops.allocate_booth(first, booths["A01"], staff)
    ops.unallocate_booth(booths["A01"], staff)
    db.session.commit()
    assert booths["A01"].application_id is None and first.status == Status.approved and first.booth is None
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "booth.unallocated")).one()
    assert entry.before["booth"] == "A01" and entry.after["booth"] is None
    with pytest.raises(ops.NothingAllocated):  # already empty: said, and nothing recorded
        ops.unallocate_booth(booths["A01"], staff)
    assert _actions(first.id) == ["booth.allocated", "booth.unallocated"]


@pytest.mark.parametrize("leave", ["withdraw", "reject"])
def test_leaving_releases_the_booth(db, staff, plan, leave):
    booths, first, _, _ = plan
    ops.allocate_booth(first, booths["A01"], staff)
    db.session.commit()
    if leave == "withdraw":
        ops.withdraw_application(first, staff)
    else:
        ops.reject_application(first, "ไม่มาตามนัด", staff)
    db.session.commit()
    db.session.expire_all()
    assert booths["A01"].application_id is None


def test_the_database_allows_one_booth_per_application(db, fair, plan):
    booths, first, _, _ = plan
    db.session.execute(text("UPDATE booths SET application_id = :a WHERE id = :b"),
                       {"a": first.id, "b": booths["A01"].id})
    with pytest.raises(IntegrityError):
        db.session.execute(text("UPDATE booths SET application_id = :a WHERE id = :b"),
                           {"a": first.id, "b": booths["A02"].id})
    db.session.rollback()
    booths["A01"].application_id = first.id
    booths["A02"].application_id = first.id
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_the_database_allows_one_application_per_booth_code(db, fair, plan):
    """A booth holds one application (one column); its code is unique within the fair."""
    booths, _, _, standard = plan
    assert Booth.__table__.c.application_id.unique
    db.session.add(Booth(fair_id=fair.id, booth_type_id=standard.id, code="A01", x=9, y=9))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_a_claim_committed_after_the_booth_was_loaded_is_not_overwritten(db, staff, plan):
    booths, first, second, _ = plan
    booth = db.session.get(Booth, booths["A01"].id)  # the view loaded the booth ...
    assert booth.application_id is None
    # ... meanwhile another request allocated it to `first` and committed.
    db.session.execute(text("UPDATE booths SET application_id = :a WHERE id = :b"),
                       {"a": first.id, "b": booth.id})
    with pytest.raises(ops.BoothTaken):
        ops.allocate_booth(second, booth, staff)


# ---- check-in ----

def test_check_in_needs_a_booth(db, staff, plan):
    _, first, _, _ = plan
    with pytest.raises(ops.NotAllocated):
        ops.check_in(first, staff)


def test_check_in_is_idempotent_and_a_retried_scan_counts_once(db, staff, plan):
    booths, first, second, _ = plan
    ops.allocate_booth(first, booths["A01"], staff)
    ops.allocate_booth(second, booths["A02"], staff)
    scanned = utcnow() - timedelta(minutes=3)
    assert ops.check_in(first, staff, client_id="phone-1-0001", scanned_at=scanned)[0] == "checked_in"
    assert first.checked_in_at == scanned and first.checked_in_by_id == staff.id
    # The phone retried: the first answer again, counted once.
    assert ops.check_in(first, staff, client_id="phone-1-0001") == ("checked_in", first, True)
    assert ops.check_in(first, staff, client_id="phone-2-0001")[0] == "already"  # another phone
    assert ops.check_in(first, staff)[0] == "already"
    assert ops.check_in(second, staff, scanned_at=utcnow() + timedelta(hours=2))[0] == "checked_in"
    assert second.checked_in_at <= utcnow()  # a phone clock in the future is not believed
    db.session.commit()
    assert first.checked_in_at == scanned
    assert db.session.scalar(select(func.count(CheckInScan.id))) == 2
    assert _actions(first.id).count("booth.checked_in") == 1


# ---- audit and mail ----

def test_every_staff_change_is_audited_with_before_and_after(db, fair, staff):
    booth_type = create_booth_type(fair, capacity=1)
    a, b, c, d = _submitted(fair, booth_type, 4)
    booth = create_booth(fair, booth_type, "A01")
    steps = [
        (lambda: ops.approve_application(a, staff), a, "booth.approved", "submitted", "approved"),
        (lambda: ops.approve_application(b, staff), b, "booth.waitlisted_full", "submitted", "waitlisted"),
        (lambda: ops.waitlist_application(c, staff), c, "booth.waitlisted", "submitted", "waitlisted"),
        (lambda: ops.reject_application(d, "ไม่ตรงเงื่อนไข", staff), d, "booth.rejected", "submitted", "rejected"),
        (lambda: ops.allocate_booth(a, booth, staff), a, "booth.allocated", "approved", "approved"),
        (lambda: ops.check_in(a, staff), a, "booth.checked_in", "approved", "approved"),
        (lambda: ops.unallocate_booth(booth, staff), a, "booth.unallocated", "approved", "approved"),
        (lambda: ops.reject_application(a, "ขาดคุณสมบัติ", staff), a, "booth.rejected", "approved", "rejected"),
    ]
    for step, application, action, before, after in steps:
        count = db.session.scalar(select(func.count(AuditEntry.id)))
        step()
        entries = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id).offset(count)).all()
        assert entries, action
        entry = entries[0]
        assert (entry.action, entry.object_id, entry.actor_id, entry.fair_id) == (
            action, application.id, staff.id, fair.id)
        assert (entry.before["status"], entry.after["status"]) == (before, after)
    # The last rejection freed A's place: B was offered, audited as such.
    offered = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "booth.offered")).one()
    assert offered.object_id == b.id and offered.after["offer_expires_at"]
    rejected = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "booth.rejected",
                                                           AuditEntry.object_id == d.id)).one()
    assert rejected.after["rejection_reason"] == "ไม่ตรงเงื่อนไข" and rejected.before["rejection_reason"] is None
    checked = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "booth.checked_in")).one()
    assert checked.before["checked_in_at"] is None and checked.after["checked_in_at"]
    db.session.commit()
    assert verify_chain() == []


def test_each_status_change_mails_every_member_of_the_organization(db, fair, staff, outbox):
    booth_type = create_booth_type(fair, capacity=1)
    org = create_org("ชุมชนคุณธรรมบ้านโป่งแดง")
    owner = create_user("owner@example.org", org=org)
    colleague = create_user("colleague@example.org", org=org)
    gone = create_user("gone@example.org", org=org)
    gone.active = False
    create_user("outsider@example.org", org=create_org())
    other = create_application(fair, create_org(), booth_type, Status.approved)
    application = create_application(fair, org, booth_type, Status.draft)
    members = {"owner@example.org", "colleague@example.org"}

    def step(operation, status_label):
        before = {m.name for m in outbox()}
        operation()
        db.session.commit()
        assert send_queued_mail() == 2
        new = [m for m in outbox() if m.name not in before]
        assert {m.to for m in new} == members
        assert {m.subject for m in new} == {f"สถานะใบสมัครบูธ: {status_label}"}
        return new

    step(lambda: ops.submit_application(application, owner), "ส่งแล้ว รอพิจารณา")
    step(lambda: ops.approve_application(application, staff), "อยู่ในรายชื่อสำรอง")
    new = step(lambda: ops.reject_application(other, "ย้ายไปงานอื่น", staff), "ได้รับข้อเสนอที่ว่าง")
    assert "ตอบรับภายใน" in new[0].body and f"/booths/{application.id}" in new[0].body
    step(lambda: ops.accept_offer(application, colleague), "อนุมัติแล้ว")
    booth = create_booth(fair, booth_type, "B07")
    new = step(lambda: ops.allocate_booth(application, booth, staff), "อนุมัติแล้ว")
    assert "บูธ B07" in new[0].body
    new = step(lambda: ops.reject_application(application, "ไม่ได้ยืนยันรายชื่อ", staff), "ไม่อนุมัติ")
    assert "ไม่ได้ยืนยันรายชื่อ" in new[0].body
    # The inactive member and the member of another organization got nothing, ever.
    assert {m.to for m in outbox()} == members and len(outbox()) == 12


def test_a_rolled_back_change_sends_no_mail(db, fair, staff, outbox):
    """The request fails after the operation queued its mail: the unit of work rolls back and sends
    nothing; the same change committed sends it."""
    booth_type = create_booth_type(fair)
    (application,) = _submitted(fair, booth_type, 1)
    with pytest.raises(RuntimeError):
        with unit_of_work():
            ops.approve_application(application, staff)
            raise RuntimeError("the request failed after the operation")
    db.session.expire_all()
    assert outbox() == [] and application.status == Status.submitted
    with unit_of_work():
        ops.approve_application(application, staff)
    assert [m.subject for m in outbox()] == ["สถานะใบสมัครบูธ: อนุมัติแล้ว"]


def test_the_subject_is_in_the_members_language(db, fair, staff, outbox):
    booth_type = create_booth_type(fair)
    org = create_org()
    create_user("reader@example.org", org=org, locale="en")
    application = create_application(fair, org, booth_type, Status.submitted)
    ops.approve_application(application, staff)
    db.session.commit()
    send_queued_mail()
    (message,) = outbox()
    assert "Approved" in message.body  # the body is rendered in the member's language ...
    assert message.subject == "Booth application status: Approved"  # ... the subject is not
